"""What every reader is, and the byte-level checks they all share."""

from __future__ import annotations

import codecs
import datetime as dt
import re
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import ClassVar

from ..errors import InputError
from ..model import Digest, Problem, SourceSpan


@dataclass(frozen=True, slots=True)
class ReadOptions:
    """What a user tells the readers. Hashable: with the input's bytes it decides what is read.

    ``labels``: (label, field) pairs the digest readers add to their vocabulary
    (``--labels FILE``, ``[tool.arxport.labels]``); see ``docs/digest-format.md``.
    """

    labels: tuple[tuple[str, str], ...] = ()


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
