"""Which readers and writers exist: the built-ins plus third-party plugins.

A built-in format is one line below (``name: "module:Class"``). A plugin is an
entry point in the ``arxport.readers`` or ``arxport.writers`` group whose object
is a :class:`~converters.readers.base.Reader` or
:class:`~converters.writers.base.Writer` subclass. Plugins load only when the
registry is first asked for them; one that fails to load is reported and
skipped, never fatal.
"""

from __future__ import annotations

import functools
import importlib
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .errors import UnknownFormatError, UsageError
from .readers.base import Reader
from .writers.base import Writer

if TYPE_CHECKING:
    from importlib.metadata import EntryPoints

#: The origin of a format added by :func:`register_reader` or :func:`register_writer`.
RUN_TIME = "run time"
READER_GROUP = "arxport.readers"
WRITER_GROUP = "arxport.writers"

#: Built-in readers, in detection order: the first whose ``sniff`` accepts an input reads it.
BUILTIN_READERS: dict[str, str] = {
    "json": "converters.readers.canonical:JsonReader",
    "jsonl": "converters.readers.canonical:JsonlReader",
    "digest-jsonl": "converters.readers.digest.jsonl:DigestJsonlReader",
    "digest-html": "converters.readers.digest.html:DigestHtmlReader",
    "digest": "converters.readers.digest.markdown:DigestMarkdownReader",
}

#: Built-in writers, in the order ``arxport formats`` lists them.
BUILTIN_WRITERS: dict[str, str] = {
    "bibtex": "converters.writers.citation.bibtex:BibtexWriter",
    "biblatex": "converters.writers.citation.bibtex:BiblatexWriter",
    "ris": "converters.writers.citation.ris:RisWriter",
    "csljson": "converters.writers.citation.csljson:CslJsonWriter",
    "rss": "converters.writers.feeds:RssWriter",
    "atom": "converters.writers.feeds:AtomWriter",
    "csv": "converters.writers.csv:CsvWriter",
    "docx": "converters.writers.docx.writer:DocxWriter",
    "jsonld": "converters.writers.jsonld:JsonLdWriter",
    "json": "converters.writers.canonical:JsonWriter",
    "jsonl": "converters.writers.canonical:JsonlWriter",
    "markdown": "converters.writers.markdown:MarkdownWriter",
}

T = TypeVar("T", Reader, Writer)


@dataclass
class _Catalogue(Generic[T]):
    """Name -> class for one kind (readers or writers), built-ins first."""

    kind: str
    group: str
    builtins: dict[str, str]
    base: type[T]
    classes: dict[str, type[T]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    plugin_errors: list[str] = field(default_factory=list)
    loaded: bool = False

    def load(self) -> None:
        if self.loaded:
            return
        self.loaded = True
        for name, target in self.builtins.items():
            self.add(name, _import(target), "built-in")
        for entry in sorted(entry_points(self.group), key=lambda e: e.name):
            if entry.name in self.classes:
                self.plugin_errors.append(f"{self.kind} plugin {entry.name!r} ignored: a built-in has that name")
                continue
            try:
                cls = entry.load()
                if not (isinstance(cls, type) and issubclass(cls, self.base)):
                    raise TypeError(f"{entry.value} is not a {self.base.__name__} subclass")
            except Exception as exc:  # a broken plugin must not break arxport
                self.plugin_errors.append(f"{self.kind} plugin {entry.name!r} could not be loaded: {exc}")
                continue
            dist = entry.dist.name if entry.dist is not None else "unknown distribution"
            self.add(entry.name, cls, f"plugin ({dist})")

    def add(self, name: str, cls: type[T], origin: str) -> None:
        self.classes[name] = cls
        self.origins[name] = origin
        for alias in getattr(cls, "aliases", ()):
            self.aliases.setdefault(alias, name)

    def names(self) -> list[str]:
        self.load()
        return list(self.classes)

    def resolve(self, name: str) -> str:
        self.load()
        key = name.lower()
        if key in self.classes:
            return key
        if key in self.aliases:
            return self.aliases[key]
        known = ", ".join(self.classes)
        raise UnknownFormatError(f"unknown {self.kind} {name!r}; known {self.kind}s: {known}")

    def get(self, name: str) -> T:
        return self.classes[self.resolve(name)]()

    def register(self, cls: type[T], name: str | None) -> str:
        """Add ``cls`` at run time under ``name`` (default: its own); a run-time format replaces one of
        that name registered at run time before, never a built-in or a plugin."""
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise TypeError(f"{cls!r} is not a {self.base.__name__} subclass")
        name = (name or str(getattr(cls, "name", ""))).lower()
        if not name:
            raise TypeError(f"{cls.__name__} has no name: set its `name` or give one")
        self.load()
        if name in self.classes and self.origins[name] != RUN_TIME:
            raise UsageError(f"there is a {self.origins[name]} {self.kind} named {name!r} already")
        self.add(name, cls, RUN_TIME)
        return name


def entry_points(group: str) -> EntryPoints:
    """The installed entry points of ``group``. Every distribution's metadata is read once for both groups
    (a read costs a few ms with a test environment's hundred packages)."""
    found: EntryPoints = _installed_entry_points().select(group=group)
    return found


@functools.cache
def _installed_entry_points() -> Any:  # EntryPoints, or SelectableGroups before Python 3.12: both .select()
    from importlib.metadata import entry_points

    return entry_points()


_READERS: _Catalogue[Reader] = _Catalogue("reader", READER_GROUP, BUILTIN_READERS, Reader)  # type: ignore[type-abstract]
_WRITERS: _Catalogue[Writer] = _Catalogue("writer", WRITER_GROUP, BUILTIN_WRITERS, Writer)  # type: ignore[type-abstract]


def _import(target: str) -> type:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)  # type: ignore[no-any-return]


def reader_names() -> list[str]:
    return _READERS.names()


def writer_names() -> list[str]:
    return _WRITERS.names()


def reader_class(name: str) -> type[Reader]:
    return _READERS.classes[_READERS.resolve(name)]


def writer_class(name: str) -> type[Writer]:
    return _WRITERS.classes[_WRITERS.resolve(name)]


def get_reader(name: str) -> Reader:
    return _READERS.get(name)


def get_writer(name: str) -> Writer:
    return _WRITERS.get(name)


def register_reader(cls: type[Reader], name: str | None = None) -> str:
    """Make ``cls`` a reader of this process (the name it is known by is returned)."""
    return _READERS.register(cls, name)


def register_writer(cls: type[Writer], name: str | None = None) -> str:
    """Make ``cls`` a writer of this process (the name it is known by is returned)."""
    return _WRITERS.register(cls, name)


def origin(kind: str, name: str) -> str:
    """``built-in``, ``plugin (<distribution>)`` or ``run time``."""
    catalogue = _READERS if kind == "reader" else _WRITERS
    catalogue.load()
    return catalogue.origins[name]


def plugin_errors() -> list[str]:
    """Messages about plugins that were skipped (empty when all loaded)."""
    _READERS.load()
    _WRITERS.load()
    return [*_READERS.plugin_errors, *_WRITERS.plugin_errors]


def writer_for_path(path: str) -> str | None:
    """The writer whose suffixes match ``path`` (``refs.bib`` -> ``bibtex``), if exactly one claims it first."""
    name = PurePath(path).name.lower()
    best: tuple[int, str] | None = None
    for writer, cls in _loaded(_WRITERS):
        for suffix in cls.suffixes:
            if name.endswith(suffix) and (best is None or len(suffix) > best[0]):
                best = (len(suffix), writer)
    return best[1] if best else None


def _loaded(catalogue: _Catalogue[T]) -> list[tuple[str, type[T]]]:
    catalogue.load()
    return list(catalogue.classes.items())


def detect_reader(head: str, path: str) -> str | None:
    """The reader for an input: the first (built-ins in order, then plugins) whose ``sniff`` accepts it.

    Readers that claim the file's suffix are asked first, so ``x.jsonl`` is never
    taken for Markdown.
    """
    _READERS.load()
    lowered = path.lower()
    ordered = sorted(
        _READERS.classes.items(),
        key=lambda item: not any(lowered.endswith(s) for s in item[1].suffixes),
    )
    for name, cls in ordered:
        if cls().sniff(head, path):
            return name
    return None
