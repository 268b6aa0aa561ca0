"""The options of both feed writers and the TOML file that can hold them.

Every option defaults to None, meaning "not given": a value on the command line
wins over the same key in ``--feed-config``, which wins over the defaults that
:mod:`.build` derives from the digests.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ...errors import OutputError
from ...text.clean import one_line
from ..base import OptionSpec
from .content import feed_text

#: The least ``max-items``: the CLI's range, and the check of a value from ``--feed-config``.
_MAX_ITEMS_MIN = 1

#: Declared identically on ``rss`` and ``atom`` (the CLI requires that of shared options).
FEED_OPTIONS: tuple[OptionSpec, ...] = (
    OptionSpec(
        name="max-items",
        type="int",
        minimum=_MAX_ITEMS_MIN,
        metavar="N",
        help="Keep only the N newest papers (after merging); default: all.",
    ),
    OptionSpec(
        name="since",
        type="date",
        help="Keep only papers listed in digests dated on or after this date.",
    ),
    OptionSpec(name="feed-title", help="Feed title; default: 'arXiv digest: ' and the papers' categories."),
    OptionSpec(
        name="feed-link",
        metavar="URL",
        help="Web page the feed belongs to; default: the arXiv listing of its one category, else arxiv.org.",
    ),
    OptionSpec(
        name="feed-self-link",
        metavar="URL",
        help="URL the feed itself is published at (atom:link rel=self; also the Atom feed id). Recommended.",
    ),
    OptionSpec(name="feed-description", help="Feed description (Atom subtitle); default: categories and date range."),
    OptionSpec(name="feed-language", metavar="TAG", help="Language of the feed text, e.g. en or zh-CN; default: none."),
    OptionSpec(name="feed-author", metavar="NAME", help="Name of the feed's author or publisher; default: arxport."),
    OptionSpec(
        name="feed-config",
        type="path",
        metavar="FILE",
        help="TOML file with any of the keys feed-title, feed-link, feed-self-link, feed-description, "
        "feed-language, feed-author, max-items, since; options given on the command line win.",
    ),
)

_TEXT_KEYS = ("feed-title", "feed-link", "feed-self-link", "feed-description", "feed-language", "feed-author")
CONFIG_KEYS: tuple[str, ...] = (*_TEXT_KEYS, "max-items", "since")

# BCP 47 in its common shapes (en, en-US, zh-Hans-CN, x-private); the validators also check the subtags.
_LANGUAGE_RE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*|[xX](?:-[A-Za-z0-9]{1,8})+")


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedSettings:
    """Options after merging the command line with the config file and checking them.

    Text values are clean single lines; None means "derive a default".
    """

    max_items: int | None = None
    since: dt.date | None = None
    title: str | None = None
    link: str | None = None
    self_link: str | None = None
    description: str | None = None
    language: str | None = None
    author: str | None = None


def load_settings(options: Mapping[str, Any]) -> FeedSettings:
    """Read ``options`` (keyed by :attr:`OptionSpec.key`) and the ``feed_config`` file they may name.

    Raises :class:`OutputError` for an unreadable or invalid config file and for
    values no feed can carry (a relative link, ``--max-items 0``, a malformed
    language tag).
    """
    merged: dict[str, Any] = {}
    config_path = options.get("feed_config")
    if config_path:
        merged.update(_read_config(str(config_path)))
    for name in CONFIG_KEYS:
        value = options.get(name.replace("-", "_"))
        if value is not None:
            merged[name] = value
    return FeedSettings(
        max_items=_max_items(merged.get("max-items")),
        since=merged.get("since"),
        title=_line(merged.get("feed-title")),
        link=_url("feed-link", merged.get("feed-link")),
        self_link=_url("feed-self-link", merged.get("feed-self-link")),
        description=_line(merged.get("feed-description")),
        language=_language(merged.get("feed-language")),
        author=_line(merged.get("feed-author")),
    )


def _read_config(path: str) -> dict[str, Any]:
    """The keys of a feed config file, type-checked."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise OutputError(f"cannot read the feed config {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise OutputError(f"the feed config {path} is not valid TOML: {exc}") from None
    unknown = sorted(key for key in data if key not in CONFIG_KEYS)
    if unknown:
        raise OutputError(
            f"the feed config {path} has unknown key(s) {', '.join(unknown)}; known keys: {', '.join(CONFIG_KEYS)}"
        )
    checked: dict[str, Any] = {}
    for key, value in data.items():
        if key in _TEXT_KEYS:
            if not isinstance(value, str):
                raise OutputError(f"the feed config {path}: {key} must be a string")
        elif key == "max-items":
            if isinstance(value, bool) or not isinstance(value, int):
                raise OutputError(f"the feed config {path}: max-items must be an integer")
        elif key == "since":
            value = _config_date(path, value)
        checked[key] = value
    return checked


def _config_date(path: str, value: object) -> dt.date:
    # TOML has a date type (since = 2025-01-02); a quoted ISO date is accepted too.
    if isinstance(value, dt.datetime):
        raise OutputError(f"the feed config {path}: since must be a date like 2025-01-02, not a date and time")
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise OutputError(f"the feed config {path}: since must be a date like 2025-01-02")


def _max_items(value: int | None) -> int | None:
    if value is not None and value < _MAX_ITEMS_MIN:
        raise OutputError(
            f"--max-items must be at least {_MAX_ITEMS_MIN} (got {value}); leave it out to keep every paper"
        )
    return value


def _line(value: str | None) -> str | None:
    if value is None:
        return None
    return one_line(feed_text(value)) or None


def _url(name: str, value: str | None) -> str | None:
    """An absolute http(s) URL, or None; feed readers cannot resolve anything else."""
    if value is None or not value.strip():
        return None
    url = value.strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(c.isspace() for c in url):
        raise OutputError(f"--{name} must be an absolute http(s) URL, got {value!r}")
    if feed_text(url) != url:
        raise OutputError(f"--{name} contains control characters: {value!r}")
    return url


def _language(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    tag = value.strip()
    if not _LANGUAGE_RE.fullmatch(tag):
        raise OutputError(f"--feed-language must be a language tag such as en, de or zh-CN, got {value!r}")
    return tag
