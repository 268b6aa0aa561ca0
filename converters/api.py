"""The Python API: what ``arxport convert`` does, from a script or a notebook.

::

    import converters

    recent = [p for p in converters.papers("digests/", since=date(2025, 11, 17)) if "diffusion" in p.title]
    converters.write(recent, "bibtex", "diffusion.bib")

:func:`read` and :func:`papers` read what the commands read (files, folders,
globs) and also text, bytes and open files; :func:`write` writes any format to
a path, an open binary file or a value; :func:`formats` lists the readers and
writers, plugins included. The commands run on the same functions
(:class:`~converters.pipeline.Reading`, :func:`~converters.pipeline.write_output`),
so the same inputs give the same bytes either way. ``docs/api.md`` has examples.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Literal, TypeAlias, overload

from . import config, registry
from .errors import OptionError, OutputError
from .filters import Filters
from .limits import MAX_FIELD_SIZE, MAX_INPUT_SIZE
from .model import Digest, Paper
from .pipeline import STDIN, InputRef, Reading, find_inputs, write_output
from .readers.base import Reader, ReadOptions
from .readers.digest.vocabulary import check_labels
from .writers.base import OptionSpec, Writer, WriteReport

#: What :func:`read` takes: a path, folder or glob (``str`` or :class:`~pathlib.Path`; ``"-"`` is standard
#: input), the text of a digest (a ``str`` holding a line break), its bytes, or a file open for reading.
Source: TypeAlias = "str | os.PathLike[str] | bytes | IO[bytes] | IO[str]"

#: The built-in formats whose output :func:`write` returns as text (``docx`` is bytes).
TextFormat = Literal[
    "bibtex", "biblatex", "ris", "csljson", "rss", "atom", "csv", "jsonld", "json", "jsonl", "markdown"
]


def read(
    *sources: Source,
    reader: str | None = None,
    date: dt.date | None = None,
    labels: Mapping[str, str] | str | os.PathLike[str] | None = None,
    strict: bool = False,
    category: str | Iterable[str] = (),
    any_category: bool = False,
    since: dt.date | None = None,
    until: dt.date | None = None,
    match: str | None = None,
    max_input_size: int = MAX_INPUT_SIZE,
    max_field_size: int = MAX_FIELD_SIZE,
) -> Reading:
    """The digests of ``sources``, read one input at a time as the iterator is advanced.

    Bad input is never raised: an input that cannot be read is an error in the
    iterator's ``problems`` (and its name in ``failed``), and what a digest could
    be read past is on its own ``problems``. ``strict=True`` raises one
    :class:`~converters.errors.ReadError` holding every problem at the end of the
    inputs when any was an error or a warning.

    ``reader`` forces a reader (``arxport formats`` lists them; default: detected
    per input); ``date`` dates digests whose name has no date; ``labels`` maps a
    fork's labels to fields (a ``{"Résumé": "tldr"}`` mapping, or a TOML file as
    for ``--labels``). ``category``, ``any_category``, ``since``, ``until`` and
    ``match`` filter as ``convert``'s options of those names do.
    ``max_input_size`` (bytes) and ``max_field_size`` (characters) are the limits of
    ``--max-input-size`` and ``--max-field-size``: a larger input is a ``too-large``
    error, a longer field is truncated with a warning.

    Raises :class:`~converters.errors.UsageError` (before reading anything) for an
    unknown reader, a bad label table or filter, or standard input named twice.
    """
    arguments = [_argument(source, position) for position, source in enumerate(sources, start=1)]
    refs, problems = find_inputs(arguments, reader)
    filters = Filters(
        categories=(category,) if isinstance(category, str) else tuple(category),
        any_category=any_category,
        since=since,
        until=until,
        match=match,
    )
    return Reading(
        refs,
        problems,
        reader=reader,
        date=date,
        stdin=sys.stdin.buffer if any(ref.name == STDIN and ref.data is None for ref in refs) else None,
        options=ReadOptions(labels=_labels(labels), max_input_size=max_input_size, max_field_size=max_field_size),
        filters=filters,
        strict=strict,
    )


def papers(*sources: Source, unique: bool = False, **read_options: Any) -> Iterator[Paper]:
    """Every paper of :func:`read` (same arguments), in input order.

    ``unique=True`` keeps one paper per id (arXiv id, DOI ...) as the writers do:
    the text of its newest listing, in the place of its first; that waits for the
    last input before the first paper comes.
    """
    digests = read(*sources, **read_options)
    if not unique:
        return (paper for digest in digests for paper in digest.papers)
    from .writers.citation.records import unique_papers

    return iter(unique_papers(digests)[0])


@overload
def write(
    items: Iterable[Digest | Paper], format: Literal["docx"], destination: None = None, **options: Any
) -> bytes: ...
@overload
def write(items: Iterable[Digest | Paper], format: TextFormat, destination: None = None, **options: Any) -> str: ...
@overload
def write(items: Iterable[Digest | Paper], format: str, destination: None = None, **options: Any) -> str | bytes: ...
@overload
def write(
    items: Iterable[Digest | Paper], format: str, destination: str | os.PathLike[str] | IO[bytes], **options: Any
) -> WriteReport: ...
def write(
    items: Iterable[Digest | Paper],
    format: str,
    destination: str | os.PathLike[str] | IO[bytes] | None = None,
    **options: Any,
) -> str | bytes | WriteReport:
    """Write digests (or papers) as ``format``, merged into one output as ``convert`` does.

    ``destination``: a path (written atomically, as the commands write), a file
    open for binary writing, or None to get the output back: ``str`` for a text
    format, exactly as a file would hold it (a CSV starts with its BOM unless
    ``bom=False``), ``bytes`` for a binary one (``docx``). With a destination, the
    :class:`~converters.writers.base.WriteReport` (items written, notes) is returned.

    ``options`` are the format's options under the CLI's names with ``_`` for
    ``-`` (``key_format="authoryear"``, ``max_items=50``, ``columns="id,title"``);
    :func:`formats` lists them. An option the format does not take, or a value it
    cannot take, is an :class:`~converters.errors.OptionError` (a ``TypeError``)
    naming the option and the formats that take it.

    Papers (rather than digests) are grouped into a digest per run of papers of
    one date and source, which is what the writers date and merge by.
    """
    writer = registry.get_writer(format)
    chosen = _options(writer, options)
    digests = _digests(items)
    if destination is None:
        buffer = io.BytesIO()
        writer.write(digests, buffer, chosen)
        data = buffer.getvalue()
        return data if writer.binary else data.decode("utf-8")
    if isinstance(destination, (str, os.PathLike)):
        return write_output(writer, digests, os.fspath(destination), chosen)
    if isinstance(destination, io.TextIOBase):
        raise TypeError("write() writes bytes: open the destination in binary mode ('wb')")
    return write_output(writer, digests, None, chosen, stdout=destination)


@dataclass(frozen=True, slots=True)
class FormatInfo:
    """A reader or writer as :func:`formats` describes it."""

    kind: Literal["reader", "writer"]
    name: str
    description: str
    #: File suffixes it reads or writes (a writer's first is its canonical one).
    suffixes: tuple[str, ...]
    aliases: tuple[str, ...]
    #: ``built-in``, ``plugin (<distribution>)`` or ``run time`` (:func:`register_writer`).
    origin: str
    #: Whether its output is bytes (``docx``); always False for readers.
    binary: bool
    #: A writer's options (``spec.key`` is the keyword :func:`write` takes); empty for readers.
    options: tuple[OptionSpec, ...]


def formats(kind: Literal["reader", "writer"] | None = None) -> tuple[FormatInfo, ...]:
    """Every reader (in detection order), then every writer, plugins and run-time formats included."""
    found: list[FormatInfo] = []
    if kind in (None, "reader"):
        for name in registry.reader_names():
            cls = registry.reader_class(name)
            origin = registry.origin("reader", name)
            found.append(FormatInfo("reader", name, cls.description, cls.suffixes, cls.aliases, origin, False, ()))
    if kind in (None, "writer"):
        for name in registry.writer_names():
            writer = registry.writer_class(name)
            origin = registry.origin("writer", name)
            found.append(
                FormatInfo(
                    "writer",
                    name,
                    writer.description,
                    writer.suffixes,
                    writer.aliases,
                    origin,
                    writer.binary,
                    writer.options,
                )
            )
    return tuple(found)


def _argument(source: Source, position: int) -> str | InputRef:
    """What :func:`~converters.pipeline.find_inputs` takes for one of :func:`read`'s sources."""
    if isinstance(source, bytes):
        return InputRef(f"<bytes #{position}>", data=source)
    if isinstance(source, str):
        return InputRef(f"<text #{position}>", data=source.encode("utf-8")) if "\n" in source else source
    if isinstance(source, os.PathLike):
        return os.fspath(source)
    read_method = getattr(source, "read", None)
    if read_method is None:
        raise TypeError(f"read() takes paths, text, bytes or open files, not {type(source).__name__}")
    data = read_method()
    name = getattr(source, "name", None)
    shown = name if isinstance(name, str) else f"<file #{position}>"
    return InputRef(shown, data=data.encode("utf-8") if isinstance(data, str) else data)


def _labels(labels: Mapping[str, str] | str | os.PathLike[str] | None) -> tuple[tuple[str, str], ...]:
    if labels is None:
        return ()
    if isinstance(labels, Mapping):
        try:
            return check_labels(labels)
        except ValueError as exc:
            raise OptionError(str(exc)) from None
    return config.load_labels(Path(labels))


def _options(writer: Writer, given: Mapping[str, Any]) -> dict[str, Any]:
    """The writer's options: its defaults, with ``given`` checked and parsed by their declarations."""
    specs = {spec.key: spec for spec in writer.options}
    chosen = writer.default_options()
    for key, value in given.items():
        spec = specs.get(key)
        if spec is None:
            raise OptionError(_not_an_option(writer, key))
        try:
            chosen[key] = spec.parse(value, key)
        except ValueError as exc:
            raise OptionError(f"{writer.name}: {exc}") from None
    try:
        writer.check_options(chosen)
    except OutputError as exc:
        raise OptionError(f"{writer.name}: {exc.message}") from None
    return chosen


def _not_an_option(writer: Writer, key: str) -> str:
    takers = [name for name in registry.writer_names() if key in registry.writer_class(name).default_options()]
    own = ", ".join(spec.key for spec in writer.options) or "none"
    if takers:
        return f"{writer.name} takes no option {key!r} ({', '.join(takers)} do); its options: {own}"
    return f"no format takes an option {key!r}; {writer.name}'s options: {own}"


def _digests(items: Iterable[Digest | Paper]) -> list[Digest]:
    """Digests as they are; a run of papers of one date and source as one digest of them."""
    digests: list[Digest] = []
    run: list[Paper] = []

    def close() -> None:
        if run:
            first = run[0]
            source = first.source.path if first.source is not None else "<papers>"
            digests.append(Digest(source=source, date=first.date, papers=tuple(run)))
            run.clear()

    for item in items:
        if isinstance(item, Digest):
            close()
            digests.append(item)
        elif isinstance(item, Paper):
            if run and _origin(run[-1]) != _origin(item):
                close()
            run.append(item)
        else:
            raise TypeError(f"write() takes digests or papers, not {type(item).__name__}")
    close()
    return digests


def _origin(paper: Paper) -> tuple[dt.date | None, str | None]:
    return paper.date, paper.source.path if paper.source is not None else None


def register_reader(cls: type[Reader], name: str | None = None) -> str:
    """Make a :class:`~converters.readers.base.Reader` subclass a reader of this process: :func:`read`
    detects it (after the built-ins) and ``reader=name`` forces it. Returns the name it has."""
    return registry.register_reader(cls, name)


def register_writer(cls: type[Writer], name: str | None = None) -> str:
    """Make a :class:`~converters.writers.base.Writer` subclass a format of this process, for
    :func:`write` and :func:`formats`. Returns the name it has. An entry point in the
    ``arxport.writers`` group does the same for every process (``docs/plugins.md``)."""
    return registry.register_writer(cls, name)
