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
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO, TypeVar, cast

from . import registry
from .errors import ArxportError, InputError, OutputError, UsageError
from .model import Digest, Problem, SourceSpan
from .readers.base import DEFAULT_READ_OPTIONS, ReadOptions, check_units, decode_text, limit_fields, too_large
from .writers.base import Writer, WriteReport

T = TypeVar("T")
STDIN = "-"
_SNIFF_BYTES = 16384
_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True, slots=True)
class InputRef:
    """One input to read: a path, or ``-`` for standard input.

    ``from_directory`` marks files found by listing a directory: those are
    skipped (with a warning) when no reader recognises them, where a file the
    user named is an error.
    """

    name: str
    from_directory: bool = False


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

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def paper_count(self) -> int:
        return sum(len(d.papers) for d in self.digests)


def _input_suffixes() -> tuple[str, ...]:
    suffixes: set[str] = set()
    for name in registry.reader_names():
        suffixes.update(registry.reader_class(name).suffixes)
    return tuple(sorted(suffixes))


def expand_inputs(arguments: Iterable[str]) -> tuple[list[InputRef], list[Problem]]:
    """Files, directories (their readable files, sorted), globs and ``-``, in argument order.

    A glob that matches nothing is a problem, not an exception, so the other
    inputs are still read; a missing file fails when it is read. ``-`` given
    twice is a :class:`UsageError`: no input could change that.
    """
    refs: list[InputRef] = []
    problems: list[Problem] = []
    for argument in arguments:
        if argument == STDIN:
            refs.append(InputRef(STDIN))
            continue
        path = Path(argument)
        if path.is_dir():
            suffixes = _input_suffixes()
            found = sorted(p for p in path.iterdir() if p.is_file() and p.name.lower().endswith(suffixes))
            refs.extend(InputRef(str(p), from_directory=True) for p in found)
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
            refs.extend(InputRef(m) for m in matches)
        else:
            refs.append(InputRef(argument))
    if sum(ref.name == STDIN for ref in refs) > 1:
        raise UsageError("standard input (-) can be read only once")
    return refs, problems


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
    return "<stdin>" if ref.name == STDIN else ref.name


def choose_reader(data: bytes, source: str, forced: str | None) -> str | None:
    """The reader for ``data``: ``forced`` (``--from``) or the first that recognises it."""
    if forced is not None:
        return registry.reader_class(forced).name
    head = data[:_SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff")
    return registry.detect_reader(head, source)


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


def read_inputs(
    refs: Sequence[InputRef],
    *,
    reader: str | None = None,
    date: dt.date | None = None,
    stdin: IO[bytes] | None = None,
    progress: Callable[[InputRef], None] | None = None,
    options: ReadOptions = DEFAULT_READ_OPTIONS,
) -> ReadResult:
    """Read every input; a bad one is reported and skipped, the rest still count.

    ``options`` (``--labels`` ...) go to every reader that runs.
    """
    result = ReadResult()
    for ref in refs:
        if progress is not None:
            progress(ref)
        source = source_name(ref)
        try:
            data = read_bytes(ref, stdin, options)
            check_units(data, source, options)
            name = choose_reader(data, source, reader)
            if name is None:
                if ref.from_directory:
                    result.skipped.append(source)
                    result.problems.append(
                        Problem(
                            level="warning",
                            code="skipped",
                            message="skipped, not a format arxport reads",
                            source=SourceSpan(path=source, line=1),
                        )
                    )
                    continue
                decode_text(data, source)  # says "empty", "binary" or "not UTF-8" where that is the cause
                raise InputError(
                    "not a format arxport reads (see 'arxport formats'; --from forces a reader)",
                    SourceSpan(path=source, line=1),
                )
            instance = registry.get_reader(name)
            instance.options = options
            digests = instance.read_all(data, source)
            if len(data) > options.max_field_size:  # a smaller input cannot hold a longer field
                digests = tuple(limit_fields(digest, options) for digest in digests)
        except ArxportError as exc:
            span = exc.source or SourceSpan(path=source, line=1)
            code = exc.problem_code
            result.problems.append(Problem(level="error", code=code, message=exc.message, source=span))
            result.failed.append(source)
            continue
        for digest in digests:
            result.digests.append(with_date(digest, date) if date is not None else digest)
            result.problems.extend(digest.problems)
    return result


def require_digests(result: ReadResult, arguments: Sequence[str]) -> None:
    """Add a ``nothing-read`` error when the inputs gave no digest and no other error says why.

    An empty folder, or one holding only files no reader recognises, fails no
    single input, yet a run that read nothing must not pass as a success.
    """
    if result.digests or result.errors:
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
    digests: Sequence[Digest],
    output: str | None,
    options: Mapping[str, Any],
    *,
    stdout: IO[bytes] | None = None,
) -> WriteReport:
    """Write with ``writer`` to ``output`` atomically, or to ``stdout`` when output is None or ``-``."""
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
    return result
