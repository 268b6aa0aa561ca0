"""arxport: arXiv daily digests to the formats researchers and their tools use.

The public API (``docs/api.md``)::

    import converters

    for digest in converters.read("digests/"):          # files, folders, globs, text, bytes, open files
        print(digest.date, len(digest.papers), digest.problems)
    converters.write(converters.papers("digests/", unique=True), "bibtex", "refs.bib")

Every name in :data:`__all__` is imported on first use, so ``import converters``
(and the ``arxport`` command's start) costs next to nothing.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it (the same names as ``__all__``, which type checkers read).
_HOMES = {
    "read": "api",
    "papers": "api",
    "write": "api",
    "formats": "api",
    "register_reader": "api",
    "register_writer": "api",
    "FormatInfo": "api",
    "Reading": "pipeline",
    "Digest": "model",
    "Paper": "model",
    "Problem": "model",
    "SourceSpan": "model",
    "Section": "model",
    "TocEntry": "model",
    "Reader": "readers.base",
    "ReadOptions": "readers.base",
    "Writer": "writers.base",
    "OptionSpec": "writers.base",
    "WriteReport": "writers.base",
    "ArxportError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "UsageError": "errors",
    "UnknownFormatError": "errors",
    "OptionError": "errors",
    "ReadError": "errors",
}

__all__ = [
    "ArxportError",
    "Digest",
    "FormatInfo",
    "InputError",
    "OptionError",
    "OptionSpec",
    "OutputError",
    "Paper",
    "Problem",
    "ReadError",
    "ReadOptions",
    "Reader",
    "Reading",
    "Section",
    "SourceSpan",
    "TocEntry",
    "UnknownFormatError",
    "UsageError",
    "WriteReport",
    "Writer",
    "formats",
    "papers",
    "read",
    "register_reader",
    "register_writer",
    "write",
]

if TYPE_CHECKING:
    from .api import FormatInfo, formats, papers, read, register_reader, register_writer, write
    from .errors import (
        ArxportError,
        InputError,
        OptionError,
        OutputError,
        ReadError,
        UnknownFormatError,
        UsageError,
    )
    from .model import Digest, Paper, Problem, Section, SourceSpan, TocEntry
    from .pipeline import Reading
    from .readers.base import Reader, ReadOptions
    from .writers.base import OptionSpec, Writer, WriteReport


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'converters' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])
