"""What the labels of a digest mean: the built-in vocabulary, a user's own labels, and AI failure text.

The vocabulary is data (``converters/data/labels.toml``): label -> model field, in
English, Chinese, Japanese and Korean, plus the patterns of AI failure messages.
A user adds or overrides labels with a :class:`Labels` table (``--labels FILE``,
``[tool.arxport.labels]``). Labels are compared after :func:`normalise`, so
``**TL;DR**:``, ``👥 作者``, ``实验 / 验证`` and ``中文摘要 (Abstract in Chinese)``
find their entries however a fork decorates them.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping
from importlib import resources

#: The fields a label can fill: the model's text fields, plus ``title``, ``authors``,
#: ``categories`` and ``primary_category`` (parsed, not copied), and ``link`` (a value that names
#: the paper's arXiv id, DOI or URL).
FIELDS: tuple[str, ...] = (
    "tldr",
    "motivation",
    "method",
    "result",
    "conclusion",
    "abstract",
    "abstract_translation",
    "title",
    "authors",
    "categories",
    "primary_category",
    "comment",
    "link",
)

#: Fields whose value is one line of metadata rather than text: a plain label on the next line of the
#: same paragraph starts a new field after one of these (``Authors: A, B`` then ``Categories: cs.LG``).
LINE_FIELDS = frozenset({"title", "authors", "categories", "primary_category", "link", "comment"})

_PARENTHESISED_TAIL_RE = re.compile(r"\s*[(（][^()（）]*[)）]$")
_SPACES_RE = re.compile(r"\s+")
_SLASH_RE = re.compile(r"\s*/\s*")


@functools.lru_cache(maxsize=4096)
def normalise(label: str) -> str:
    """A label as the vocabulary compares it: no emphasis, leading symbols or trailing colon; one space; case-folded."""
    text = label.replace("*", "").replace("_", " ").strip()
    start = 0
    while start < len(text) and not _is_word_char(text[start]):
        start += 1
    text = text[start:].rstrip().rstrip(":：").rstrip()
    text = _SLASH_RE.sub("/", _SPACES_RE.sub(" ", text))
    return text.casefold()


def _is_word_char(char: str) -> bool:
    """Letters and digits start a label; emoji, bullets and punctuation before them are decoration."""
    return unicodedata.category(char)[0] in "LN"


#: A user's own labels: (label as written, field) pairs, sorted; hashable, so it can key a cache.
Labels = tuple[tuple[str, str], ...]


def check_labels(mapping: Mapping[str, object], where: str = "labels") -> Labels:
    """A user's label table as :data:`Labels`; a field that does not exist is a ``ValueError`` naming it."""
    for label, field in mapping.items():
        if not isinstance(field, str) or field not in FIELDS:
            raise ValueError(f"{where}: {label!r} maps to {field!r}, which is not one of: {', '.join(FIELDS)}")
    return tuple(sorted((label, str(field)) for label, field in mapping.items()))


@functools.cache
def _builtin() -> tuple[dict[str, str], dict[str, re.Pattern[str]], int]:
    data = tomllib.loads(resources.files("converters").joinpath("data/labels.toml").read_text(encoding="utf-8"))
    fields: dict[str, str] = {}
    for field, labels in data["fields"].items():
        assert field in FIELDS, field
        for label in labels:
            fields.setdefault(normalise(label), field)
    failures = data["ai-failures"]
    return fields, _by_first_character(failures["patterns"]), int(failures["max-length"])


def _by_first_character(patterns: Iterable[str]) -> dict[str, re.Pattern[str]]:
    """The failure patterns grouped by their first (literal) character, in both cases: a value is
    matched against only the few that could match it, which keeps the check cheap on every paper."""
    groups: dict[str, list[str]] = {}
    for pattern in patterns:
        first = pattern[0]
        assert first.isalnum(), f"an AI failure pattern must start with a literal character: {pattern!r}"
        for key in {first.lower(), first.upper()}:
            groups.setdefault(key, []).append(pattern.replace(" ", r"\s+"))
    return {key: re.compile("|".join(f"(?:{p})" for p in group), re.IGNORECASE) for key, group in groups.items()}


class Vocabulary:
    """Label -> field for one read: the built-in labels, overridden by the user's."""

    def __init__(self, labels: Labels = ()) -> None:
        builtin, self._failures, self.failure_longest = _builtin()
        #: The characters an AI failure message can start with (white space too: it is skipped).
        self.failure_starts = frozenset(self._failures) | frozenset(" \t\n\u3000")
        self._fields = {**builtin, **{normalise(label): field for label, field in labels}}
        self._seen: dict[str, str | None] = {}  # label as written -> field: a digest repeats a dozen labels

    def field_of(self, label: str) -> str | None:
        """The field a label fills, or None (the label stays in ``Paper.extra``)."""
        try:
            return self._seen[label]
        except KeyError:
            if len(self._seen) > 4096:  # labels nobody repeats (garbage input) must not pile up
                self._seen.clear()
            found = self._seen[label] = self._lookup(label)
            return found

    def _lookup(self, label: str) -> str | None:
        key = normalise(label)
        found = self._fields.get(key)
        if found is None and key.endswith((")", "）")):
            found = self._fields.get(_PARENTHESISED_TAIL_RE.sub("", key))
        return found

    def knows(self, label: str) -> bool:
        return self.field_of(label) is not None

    def is_ai_failure(self, value: str) -> bool:
        """True when an AI field's value is a failure message (quota, error, fallback text), not a summary."""
        if len(value) > self.failure_longest:
            return False
        if value[:1].isspace():
            value = value.lstrip()
        pattern = self._failures.get(value[:1])
        return pattern is not None and pattern.match(value) is not None


@functools.cache
def vocabulary(labels: Labels = ()) -> Vocabulary:
    """The vocabulary for ``labels`` (shared: building one compiles the failure patterns once)."""
    return Vocabulary(labels)


def describe(labels: Iterable[str], limit: int = 6) -> str:
    """Labels for a message: ``'A', 'B' ...``."""
    shown = sorted(set(labels))
    text = ", ".join(repr(label) for label in shown[:limit])
    return text + (f" and {len(shown) - limit} more" if len(shown) > limit else "")
