"""What every reader is, and the byte-level checks they all share."""

from __future__ import annotations

import codecs
import dataclasses
import datetime as dt
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from itertools import chain
from operator import attrgetter
from typing import ClassVar

from ..errors import InputError, LimitError
from ..limits import MAX_FIELD_SIZE, MAX_INPUT_SIZE, format_size
from ..model import Digest, Paper, Problem, SourceSpan


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What a user tells the readers. Hashable: with the input's bytes it decides what is read.

    ``labels``: (label, field) pairs the digest readers add to their vocabulary
    (``--labels FILE``, ``[tool.arxport.labels]``); see ``docs/digest-format.md``.
    """

    labels: tuple[tuple[str, str], ...] = ()
    #: The largest input read, in bytes (``--max-input-size``); a larger one is refused, never read into memory.
    max_input_size: int = MAX_INPUT_SIZE
    #: The longest text field kept, in characters (``--max-field-size``); a longer one is truncated with a warning.
    max_field_size: int = MAX_FIELD_SIZE


#: No options: the built-in behaviour.
DEFAULT_READ_OPTIONS = ReadOptions()


class Reader(ABC):
    """Turns the bytes of one input into a :class:`Digest`.

    A reader never raises anything but :class:`InputError` for bad input: what it
    can read past becomes a :class:`~converters.model.Problem` on the digest.
    """

    #: Registry name (``--from``).
    name: ClassVar[str]
    #: One line for ``arxport formats``.
    description: ClassVar[str]
    #: File suffixes this reader is the natural choice for (lower case, with dot).
    suffixes: ClassVar[tuple[str, ...]] = ()
    #: Other names accepted by ``--from``.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: The user's options for this read (set by whoever runs the reader; readers that take none ignore it).
    options: ReadOptions = DEFAULT_READ_OPTIONS

    @abstractmethod
    def sniff(self, head: str, path: str) -> bool:
        """True when ``head`` (the first few KiB, decoded leniently) looks like this format."""

    @abstractmethod
    def read(self, data: bytes, source: str) -> Digest:
        """Read a whole input. ``source`` is its path as the user named it, or ``<stdin>``."""

    def read_all(self, data: bytes, source: str) -> tuple[Digest, ...]:
        """Every digest an input holds: one, except for formats that bundle several."""
        return (self.read(data, source),)


#: More NUL bytes than this share of a file (or than :data:`_MOST_NULS`) make it binary data, not text with a stray NUL.
_NUL_SHARE = 0.001
_MOST_NULS = 1000


def decode_text(data: bytes, source: str, problems: list[Problem] | None = None) -> str:
    """UTF-8 text of an input, without a BOM and with CRLF turned into LF.

    Binary data and invalid UTF-8 are input errors that name the line. A few
    NUL bytes in otherwise good text are removed with a warning appended to
    ``problems``, when the caller passes that list (a digest reader: one bad
    byte must not lose a day's papers); without it they are an error.
    """
    if not data or data.isspace():
        raise InputError("the file is empty", SourceSpan(path=source, line=1))
    nul = data.find(b"\x00")
    if nul >= 0:
        line = data.count(b"\n", 0, nul) + 1
        count = data.count(b"\x00")
        if problems is None or count > _MOST_NULS or count > len(data) * _NUL_SHARE:
            raise InputError("binary data (a NUL byte), not a text file", SourceSpan(path=source, line=line))
        data = data.replace(b"\x00", b"")
        message = f"{count} NUL byte(s) removed (the first on this line); the rest of the file was read"
        problems.append(
            Problem(level="warning", code="nul-byte", message=message, source=SourceSpan(path=source, line=line))
        )
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        bad = data[exc.start : exc.start + 4]
        raise InputError(
            f"not valid UTF-8 (byte {bad[:1].hex()} at offset {exc.start}); save the file as UTF-8",
            SourceSpan(path=source, line=line),
        ) from None
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return text


#: A ``YYYY-MM-DD`` date anywhere in a text.
DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def date_from_name(path: str) -> dt.date | None:
    """The last valid ``YYYY-MM-DD`` in a file name, if any."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    for match in reversed(list(DATE_RE.finditer(name))):
        found = parse_date(match)
        if found is not None:
            return found
    return None


def parse_date(match: re.Match[str]) -> dt.date | None:
    """The date a :data:`DATE_RE` match names, or None for an impossible one (2025-02-30)."""
    try:
        return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


# --- resource limits --------------------------------------------------------------------------


def too_large(source: str, size: int | None, options: ReadOptions) -> LimitError:
    """The error for an input over ``options.max_input_size`` (``size`` when known)."""
    limit = format_size(options.max_input_size)
    what = f"{size:,} bytes" if size is not None else f"more than {limit}"
    return LimitError(
        f"the input is {what}, over the input size limit of {limit}; not read (--max-input-size raises the limit)",
        SourceSpan(path=source, line=1),
    )


#: Bytes of ``max_input_size`` per line or tag an input may hold (see :func:`check_units`).
BYTES_PER_UNIT = 64


def check_units(data: bytes, source: str, options: ReadOptions) -> None:
    """Raise :class:`LimitError` when ``data`` holds more lines and tags than its size limit allows.

    A reader keeps a few hundred bytes per line (the Markdown and JSON Lines
    readers) or per tag (the HTML reader's tree), whatever the line or tag holds:
    five bytes of ``### `` lines or of ``<b>`` tags cost 40 to 250 times their size
    in memory. So the input size limit also bounds them, at one line or tag per
    :data:`BYTES_PER_UNIT` bytes of it (4,194,304 for 256 MiB: some 3 GB of memory
    at the worst, 800 bytes a tag). Real digests hold one per 10 to 100 bytes, so
    only one of more than 40 MB could reach it at the default.
    """
    most = options.max_input_size // BYTES_PER_UNIT
    if len(data) <= most:  # fewer bytes than the limit cannot hold more lines and tags
        return
    units = data.count(b"\n") + data.count(b"<")
    if units > most:
        raise LimitError(
            f"the input holds {units:,} lines and tags, over the limit of {most:,} (one per {BYTES_PER_UNIT} bytes "
            f"of the input size limit of {format_size(options.max_input_size)}); not read "
            "(--max-input-size raises the limit)",
            SourceSpan(path=source, line=1),
        )


_TEXT_FIELDS = (
    "title",
    "primary_category",
    "section",
    "tldr",
    "motivation",
    "method",
    "result",
    "conclusion",
    "abstract",
    "comment",
    "abstract_translation",
)


_TEXT_VALUES = attrgetter("id", "url", *_TEXT_FIELDS)


def _longest_field(paper: Paper) -> int:
    """The length of the longest text a paper holds, in any field (0 for none)."""
    extra = paper.extra
    return max(
        max(map(len, filter(None, _TEXT_VALUES(paper)))),
        max(map(len, paper.authors), default=0),
        max(map(len, paper.categories), default=0),
        max(map(len, chain(extra, extra.values())), default=0) if extra else 0,
    )


def limit_fields(digest: Digest, options: ReadOptions) -> Digest:
    """``digest`` with every text field longer than ``options.max_field_size`` characters truncated to it.

    Each truncated field is a ``field-too-long`` warning at its paper's line; a paper whose link is that
    long cannot be named and is dropped with a ``field-too-long`` error. A field of a few MB is no title or
    abstract: it is a broken or hostile file, and the outputs (a spreadsheet cell holds 32,767 characters,
    TeX's buffers a few hundred thousand) should not carry it.
    """
    limit = options.max_field_size
    if len(digest.title or "") <= limit and not any(_longest_field(paper) > limit for paper in digest.papers):
        return digest  # nearly always: a quick look at each paper, in C but for one call
    papers: list[Paper] = []
    problems: list[Problem] = []

    def problem(level: str, paper: Paper | None, message: str) -> None:
        source = (paper.source if paper is not None else None) or SourceSpan(path=digest.source, line=1)
        problems.append(Problem(level=level, code="field-too-long", message=message, source=source))  # type: ignore[arg-type]

    hint = f"the field size limit of {limit:,} characters (--max-field-size raises the limit)"
    for paper in digest.papers:
        if len(paper.id) > limit or len(paper.url) > limit:
            problem("error", paper, f"paper skipped: its link is {len(paper.url):,} characters, over {hint}")
            continue
        changes: dict[str, object] = {}
        for name in _TEXT_FIELDS:
            value = getattr(paper, name)
            if value is not None and len(value) > limit:
                changes[name] = value[:limit]
                problem("warning", paper, f"{name} is {len(value):,} characters, truncated to {hint}")
        for name in ("authors", "categories"):
            values: tuple[str, ...] = getattr(paper, name)
            if any(len(v) > limit for v in values):
                changes[name] = tuple(v[:limit] for v in values)
                problem("warning", paper, f"an entry of {name} is over {hint}; truncated")
        if any(len(k) > limit or len(v) > limit for k, v in paper.extra.items()):
            changes["extra"] = {k[:limit]: v[:limit] for k, v in paper.extra.items()}
            problem("warning", paper, f"an extra field is over {hint}; truncated")
        papers.append(dataclasses.replace(paper, **changes) if changes else paper)  # type: ignore[arg-type]
    title = digest.title
    if title is not None and len(title) > limit:
        title = title[:limit]
        problem("warning", None, f"the digest title is {len(digest.title or ''):,} characters, truncated to {hint}")
    if not problems:
        return digest
    return dataclasses.replace(digest, title=title, papers=tuple(papers), problems=(*digest.problems, *problems))
