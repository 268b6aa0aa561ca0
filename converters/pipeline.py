"""Inputs in, one output out: the library side of ``arxport convert`` and ``check``.

The CLI only parses options and maps errors to exit codes; finding the files,
picking readers, collecting problems and writing atomically happen here so they
can be used (and tested) without click.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import glob
import os
import re
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar, cast

from . import registry
from .errors import ArxportError, InputError, OutputError, ReadError, UsageError
from .filters import NO_FILTERS, Filters
from .model import Digest, Problem, SourceSpan
from .readers.base import DEFAULT_READ_OPTIONS, ReadOptions, check_units, decode_text, limit_fields, too_large
from .writers.base import Writer, WriteReport

T = TypeVar("T")
STDIN = "-"
_SNIFF_BYTES = 16384
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class InputRef:
    """One input to read: a path, ``-`` for standard input, or bytes held in memory (``data``, named
    ``name``: what the Python API's ``read(b"...")`` reads).

    ``from_directory`` marks files found by listing a directory: those are
    skipped (with a warning) when no reader recognises them, where a file the
    user named is an error.
    """

    name: str
    from_directory: bool = False
    #: Found by listing a directory or matching a glob (not named as it is): several renderings of one
    #: digest among those are read once (:func:`choose_renderings`).
    expanded: bool = False
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class DigestInfo:
    """What a run's report says of a digest it read: where from, its template and date, how many papers."""

    source: str
    template: str | None
    date: dt.date | None
    papers: int

    @classmethod
    def of(cls, digest: Digest) -> DigestInfo:
        return cls(digest.source, digest.template, digest.date, len(digest.papers))


@dataclass
class ReadResult:
    """What reading a batch gave: the digests, every problem, and which inputs failed or were skipped.

    A skipped input is also a ``skipped`` warning in ``problems``, so counting
    problems counts it.
    """

    digests: list[Digest] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    #: Every digest read, as the report lists it (also when ``digests`` was not kept: a streamed run).
    listed: list[DigestInfo] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def paper_count(self) -> int:
        return sum(info.papers for info in self.listed)


def _input_suffixes() -> tuple[str, ...]:
    suffixes: set[str] = set()
    for name in registry.reader_names():
        suffixes.update(registry.reader_class(name).suffixes)
    return tuple(sorted(suffixes))


def expand_inputs(arguments: Iterable[str | InputRef]) -> tuple[list[InputRef], list[Problem]]:
    """Files, directories (their readable files, sorted), globs and ``-``, in argument order (an
    :class:`InputRef` stays as it is).

    A glob that matches nothing is a problem, not an exception, so the other
    inputs are still read; a missing file fails when it is read. ``-`` given
    twice is a :class:`UsageError`: no input could change that.
    """
    refs: list[InputRef] = []
    problems: list[Problem] = []
    for argument in arguments:
        if isinstance(argument, InputRef):
            refs.append(argument)
            continue
        if argument == STDIN:
            refs.append(InputRef(STDIN))
            continue
        path = Path(argument)
        if path.is_dir():
            suffixes = _input_suffixes()
            found = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(suffixes))
            refs.extend(InputRef(str(p), from_directory=True, expanded=True) for p in found)
        elif path.exists():
            refs.append(InputRef(argument))
        elif _GLOB_CHARS & set(argument):
            matches = sorted(m for m in glob.glob(argument, recursive=True) if Path(m).is_file())
            if not matches:
                problems.append(
                    Problem(
                        level="error",
                        code="no-match",
                        message="no file matches this pattern",
                        source=SourceSpan(path=argument, line=1),
                    )
                )
            refs.extend(InputRef(m, expanded=True) for m in matches)
        else:
            refs.append(InputRef(argument))
    if sum(ref.name == STDIN for ref in refs) > 1:
        raise UsageError("standard input (-) can be read only once")
    return refs, problems


#: A rendering of a digest by its file name: the day's key, an ``_AI_enhanced_<Language>`` tag, the suffix.
_RENDERING_RE = re.compile(
    r"(?P<key>.+?)(?P<ai>_AI_enhanced_[A-Za-z]+)?\.(?P<suffix>jsonl|md|markdown|html?|xhtml)", re.I
)


def rendering_key(path: str) -> tuple[str, int] | None:
    """(the digest a file renders: its folder and name without suffix or ``_AI_enhanced_...``, its rank: 0
    for the richest rendering), or None for a file that is no rendering of a dated digest.

    The generator writes each day as ``DAY_AI_enhanced_<Language>.jsonl`` (every category, the comment,
    code links and the AI text), ``DAY.md`` (the AI text and the primary category, rendered from it),
    perhaps a web page of that, and ``DAY.jsonl`` (the raw crawl, no AI text): richest first.
    """
    folder, _, name = path.replace("\\", "/").rpartition("/")
    found = _RENDERING_RE.fullmatch(name)
    if found is None:
        return None
    suffix = found.group("suffix").lower()
    if suffix == "jsonl":
        rank = 0 if found.group("ai") else 3
    elif found.group("ai"):
        return None
    else:
        rank = 1 if suffix in ("md", "markdown") else 2
    return f"{folder}/{found.group('key')}", rank


def choose_renderings(refs: Sequence[InputRef]) -> tuple[list[InputRef], list[Problem]]:
    """``refs`` with each digest found in several renderings (by listing a folder or a glob) read once,
    from the richest (:func:`rendering_key`); an ``info`` problem says which was read. Named files and
    digests found once are kept as they are, in order."""
    groups: dict[str, list[tuple[int, int]]] = {}  # digest -> (rank, position) of its expanded renderings
    for position, ref in enumerate(refs):
        found = rendering_key(ref.name) if ref.expanded else None
        if found is not None:
            groups.setdefault(found[0], []).append((found[1], position))
    dropped: set[int] = set()
    problems: list[Problem] = []
    for renderings in groups.values():
        if len(renderings) < 2:
            continue
        best = min(renderings)[1]
        others = [refs[position].name for _, position in sorted(renderings) if position != best]
        dropped.update(position for _, position in renderings if position != best)
        shown = ", ".join(Path(name).name for name in others)
        message = f"read from this file, the richest of {len(renderings)} renderings of one digest ({shown} not read)"
        problems.append(
            Problem(level="info", code="rendering", message=message, source=SourceSpan(path=refs[best].name, line=1))
        )
    return [ref for position, ref in enumerate(refs) if position not in dropped], problems


def find_inputs(arguments: Iterable[str | InputRef], reader: str | None = None) -> tuple[list[InputRef], list[Problem]]:
    """The inputs ``arguments`` name (:func:`expand_inputs`); a digest that a folder or glob holds in several
    renderings is read once, from the richest (:func:`choose_renderings`), unless ``reader`` forces one
    reader on every input. An unknown ``reader`` is a :class:`UsageError` before anything is read."""
    if reader is not None:
        registry.reader_class(reader)
        return expand_inputs(arguments)
    refs, problems = expand_inputs(arguments)
    refs, renderings = choose_renderings(refs)
    return refs, [*problems, *renderings]


def output_names(writers: Sequence[Writer], stem: str) -> dict[str, str]:
    """The file name of each format's output: ``stem`` and the format's first suffix, and the format name
    in front of a suffix an earlier format already took (``papers.bib``, then ``papers.biblatex.bib``)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for writer in writers:
        suffix = writer.suffixes[0] if writer.suffixes else f".{writer.name}"
        names[writer.name] = f"{stem}.{writer.name}{suffix}" if suffix in taken else f"{stem}{suffix}"
        taken.add(suffix)
    return names


def ensure_not_input(output: str | None, refs: Iterable[InputRef]) -> None:
    """Raise OutputError when ``output`` is one of the inputs: an input is never overwritten."""
    if output is None or output == STDIN or not Path(output).exists():
        return
    for ref in refs:
        if ref.name != STDIN and Path(ref.name).exists() and Path(output).samefile(ref.name):
            raise OutputError(f"{output}: refusing to overwrite an input")


def read_bytes(ref: InputRef, stdin: IO[bytes] | None, options: ReadOptions = DEFAULT_READ_OPTIONS) -> bytes:
    """The input's bytes; an input over ``options.max_input_size`` is refused after reading one byte more
    than the limit at most (a FIFO or ``/dev/zero`` has no size to check first)."""
    limit = options.max_input_size
    if ref.data is not None:
        if len(ref.data) > limit:
            raise too_large(source_name(ref), len(ref.data), options)
        return ref.data
    if ref.name == STDIN:
        if stdin is None:
            raise InputError("no standard input to read")
        data = _read_at_most(stdin, limit + 1)
        if len(data) > limit:
            raise too_large(source_name(ref), None, options)
        return data
    try:
        with open(ref.name, "rb") as handle:
            status = os.fstat(handle.fileno())
            if status.st_size > limit:
                raise too_large(ref.name, status.st_size, options)
            data = handle.read() if stat.S_ISREG(status.st_mode) else _read_at_most(handle, limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror or exc}", SourceSpan(path=ref.name, line=1)) from None
    if len(data) > limit:
        raise too_large(ref.name, None, options)
    return data


def _read_at_most(stream: IO[bytes], count: int) -> bytes:
    """Up to ``count`` bytes of a stream, read a MiB at a time (``read(count)`` would allocate ``count`` at once)."""
    chunks: list[bytes] = []
    total = 0
    while total < count:
        chunk = stream.read(min(2**20, count - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def source_name(ref: InputRef) -> str:
    return "<stdin>" if ref.name == STDIN and ref.data is None else ref.name


def choose_reader(data: bytes, source: str, forced: str | None) -> str | None:
    """The reader for ``data``: ``forced`` (``--from``) or the first that recognises it."""
    if forced is not None:
        return registry.reader_class(forced).name
    head = data[:_SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    return registry.detect_reader(head, source)


def not_readable(data: bytes, source: str) -> InputError:
    """The error for an input no reader recognises: "empty", "binary" or "not UTF-8" where that is the cause."""
    try:
        decode_text(data, source)
    except InputError as exc:
        return exc
    return InputError(
        "not a format arxport reads (see 'arxport formats'; --from forces a reader)", SourceSpan(path=source, line=1)
    )


def with_date(digest: Digest, date: dt.date) -> Digest:
    """``digest`` with ``date`` (``--date``) filled in where it has none.

    A dated digest keeps its date, and its undated papers get that date, not
    ``date``: a paper's date is the date of the digest it came from.
    """
    if digest.date is not None and all(p.date is not None for p in digest.papers):
        return digest
    filled = digest.date or date
    papers = tuple(p if p.date is not None else dataclasses.replace(p, date=filled) for p in digest.papers)
    return dataclasses.replace(digest, date=filled, papers=papers)


class Reading(Iterator[Digest]):
    """The digests of some inputs, read one input at a time as they are asked for.

    A bad input is never raised: it becomes an error in :attr:`problems` (and its
    source in :attr:`failed`), a file found in a folder that no reader recognises
    a ``skipped`` warning, and the inputs after it are still read. ``problems``
    also collects every problem of the digests read so far, and ``filters`` (the
    run's ``--category``, ``--since`` ...) drop papers and digests as they pass.
    With ``strict``, the end of the inputs raises one :class:`ReadError` holding
    every problem when any is an error or a warning. ``date`` fills in undated
    digests (:func:`with_date`); ``options`` go to every reader that runs.
    """

    def __init__(
        self,
        refs: Sequence[InputRef],
        problems: Iterable[Problem] = (),
        *,
        reader: str | None = None,
        date: dt.date | None = None,
        stdin: IO[bytes] | None = None,
        progress: Callable[[InputRef], None] | None = None,
        options: ReadOptions = DEFAULT_READ_OPTIONS,
        filters: Filters = NO_FILTERS,
        strict: bool = False,
    ) -> None:
        self.problems: list[Problem] = list(problems)
        self.failed: list[str] = []
        self.skipped: list[str] = []
        self.listed: list[DigestInfo] = []  # every digest read, filtered out or not
        self._digests = self._read(refs, reader, date, stdin, progress, options, filters, strict)

    def __next__(self) -> Digest:
        return next(self._digests)

    def read_rest(self) -> ReadResult:
        """Read the inputs not read yet, keeping none of their digests; what was read, without digests."""
        for _ in self:
            pass
        return self.result()

    def result(self, digests: list[Digest] | None = None) -> ReadResult:
        """What was read so far, with ``digests`` if they were kept."""
        return ReadResult(
            digests=digests or [], problems=self.problems, failed=self.failed, skipped=self.skipped, listed=self.listed
        )

    def _read(
        self,
        refs: Sequence[InputRef],
        reader: str | None,
        date: dt.date | None,
        stdin: IO[bytes] | None,
        progress: Callable[[InputRef], None] | None,
        options: ReadOptions,
        filters: Filters,
        strict: bool,
    ) -> Iterator[Digest]:
        for ref in refs:
            if progress is not None:
                progress(ref)
            for digest in self._read_one(ref, reader, stdin, options):
                self.problems.extend(digest.problems)
                digest = with_date(digest, date) if date is not None else digest
                self.listed.append(DigestInfo.of(digest))
                kept = filters.apply(digest)
                if kept is not None:
                    yield kept
        if strict and any(problem.level in ("error", "warning") for problem in self.problems):
            raise ReadError(self.problems)

    def _read_one(
        self, ref: InputRef, reader: str | None, stdin: IO[bytes] | None, options: ReadOptions
    ) -> tuple[Digest, ...]:
        source = source_name(ref)
        try:
            digests = read_data(read_bytes(ref, stdin, options), source, reader, options, ref.from_directory)
        except ArxportError as exc:
            self.problems.append(input_failed(exc, source))
            self.failed.append(source)
            return ()
        if digests is None:
            self.skipped.append(source)
            self.problems.append(skipped(source))
            return ()
        return digests


def read_data(
    data: bytes, source: str, reader: str | None, options: ReadOptions, from_directory: bool = False
) -> tuple[Digest, ...] | None:
    """The digests in an input's bytes, by ``reader`` (``--from``) or the reader that recognises them; None
    for a file a folder held that no reader recognises (it is skipped, not an error). Raises
    :class:`ArxportError` for an input that cannot be read (:class:`LimitError` past the limits)."""
    check_units(data, source, options)
    name = choose_reader(data, source, reader)
    if name is None:
        if from_directory:
            return None
        raise not_readable(data, source)
    instance = registry.get_reader(name)
    instance.options = options
    digests = instance.read_all(data, source)
    if len(data) > options.max_field_size:  # a smaller input cannot hold a longer field
        digests = tuple(limit_fields(digest, options) for digest in digests)
    return digests


def input_failed(error: ArxportError, source: str) -> Problem:
    """The problem reporting an input that could not be read."""
    span = error.source or SourceSpan(path=source, line=1)
    return Problem(level="error", code=error.problem_code, message=error.message, source=span)


def skipped(source: str) -> Problem:
    """The warning for a file a folder held that no reader recognises."""
    message = "skipped, not a format arxport reads"
    return Problem(level="warning", code="skipped", message=message, source=SourceSpan(path=source, line=1))


def require_digests(result: ReadResult, arguments: Sequence[str]) -> None:
    """Add a ``nothing-read`` error when the inputs gave no digest and no other error says why.

    An empty folder, or one holding only files no reader recognises, fails no
    single input, yet a run that read nothing must not pass as a success.
    """
    if result.listed or result.errors:
        return
    result.problems.append(
        Problem(
            level="error",
            code="nothing-read",
            message="nothing was read: no input holds a digest",
            source=SourceSpan(path=" ".join(arguments), line=1),
        )
    )


def writer_options(writer: Writer, given: Mapping[str, Any]) -> dict[str, Any]:
    """The writer's declared options: defaults, overridden by ``given`` (keys it does not declare are ignored)."""
    options = writer.default_options()
    options.update({key: value for key, value in given.items() if key in options})
    return options


def write_output(
    writer: Writer,
    digests: Iterable[Digest],
    output: str | None,
    options: Mapping[str, Any],
    *,
    stdout: IO[bytes] | None = None,
) -> WriteReport:
    """Write with ``writer`` to ``output`` atomically, or to ``stdout`` when output is None or ``-``.

    ``digests`` is a sequence, or any iterable for a :attr:`~converters.writers.base.Writer.single_pass`
    writer (which then writes while they are read)."""
    digests = cast(Sequence[Digest], digests)
    if output is None or output == STDIN:
        if stdout is None:
            raise OutputError("no standard output to write to")
        report = writer.write(digests, cast(BinaryIO, stdout), options)
        stdout.flush()
        return report
    return atomic_write(output, lambda handle: writer.write(digests, handle, options))


def remove_stale_temporaries(target: Path) -> list[str]:
    """Remove the temp files of ``target`` that a killed run of :func:`atomic_write` left; their names.

    A temp file names the process writing it; one whose process is gone is stale.
    A live writer's file is never touched. Only on POSIX, where a process can be
    asked whether it exists without being signalled.
    """
    if os.name != "posix":
        return []
    prefix = f".{target.name}."
    # tempfile's names: 8 of [a-z0-9_]. Exact, so that the temp file of "refs.bib.1" is never taken for one of "refs.bib".
    pattern = re.compile(re.escape(prefix) + r"(\d+)\.[a-z0-9_]{8}\.tmp")
    removed: list[str] = []
    try:
        names = [entry.name for entry in os.scandir(target.parent) if entry.name.startswith(prefix)]
    except OSError:
        return removed
    for name in names:
        found = pattern.fullmatch(name)
        if found is None or _running(int(found.group(1))):
            continue
        try:
            (target.parent / name).unlink()
        except OSError:
            continue
        removed.append(name)
    return removed


def _running(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except OSError:  # it exists, as another user's
        return True
    return True


def atomic_write(output: str, produce: Callable[[BinaryIO], T]) -> T:
    """Run ``produce`` on a temp file beside ``output``, then rename it over ``output``.

    A crash or error leaves no half-written file: the temp file is removed and
    whatever ``output`` held before is untouched. A process killed outright
    (SIGKILL, OOM) cannot remove its temp file, ``.NAME.<pid>.<random>.tmp``; the
    next write of ``output`` removes it (:func:`remove_stale_temporaries`). New
    files get the umask's permissions; an existing file keeps its own.
    """
    return _atomic_write(output, produce, keep_unchanged=False)[0]


def atomic_write_if_changed(output: str, produce: Callable[[BinaryIO], T]) -> tuple[T, bool]:
    """:func:`atomic_write`, except that an ``output`` whose bytes would not change is left as it is (its
    modification time too, so CI caches and ``git status`` stay quiet); True when it was written."""
    return _atomic_write(output, produce, keep_unchanged=True)


def _atomic_write(output: str, produce: Callable[[BinaryIO], T], *, keep_unchanged: bool) -> tuple[T, bool]:
    target = Path(output)
    directory = target.parent
    if not directory.is_dir():
        raise OutputError(f"{output}: the directory {directory} does not exist")
    remove_stale_temporaries(target)
    try:  # closed by the `with` below; delete=False because it is renamed, not removed
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115
            dir=directory, prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", delete=False
        )
    except OSError as exc:
        raise OutputError(f"{output}: cannot write here: {exc.strerror or exc}") from None
    try:
        with handle:
            result = produce(cast(BinaryIO, handle))
            handle.flush()
            if keep_unchanged and _same_bytes(handle.name, target):
                Path(handle.name).unlink()
                return result, False
            os.fsync(handle.fileno())
        if target.exists():
            os.chmod(handle.name, target.stat().st_mode & 0o777)
        else:
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(handle.name, 0o666 & ~umask)
        os.replace(handle.name, target)
    except BaseException as exc:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(exc, OSError):
            raise OutputError(f"{output}: {exc.strerror or exc}") from None
        raise
    return result, True


def _same_bytes(new: str, old: Path) -> bool:
    """Whether the file ``old`` exists and holds exactly the bytes of ``new``."""
    try:
        if not old.is_file() or os.path.getsize(new) != old.stat().st_size:
            return False
        with open(new, "rb") as left, open(old, "rb") as right:
            while True:
                chunk = left.read(1 << 20)
                if chunk != right.read(1 << 20):
                    return False
                if not chunk:
                    return True
    except OSError:
        return False
