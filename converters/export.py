"""``arxport export``: many digests to many outputs, for CI.

Outputs come in groups (``--group``, any of them at once):

* ``digest``: one set per input digest, named after its file (``2025-11-19.bib``);
* ``month``: one set per month of digest dates (``2025-11.bib``; ``undated`` for the rest);
* ``category``: one set per primary category (``cs.LG.atom``), its name made safe for any file system;
* ``all``: one merged set, named as ``convert --to all`` names it (``papers.bib``).

How a run goes: each input is read once, in a pool of worker processes
(``--jobs``), or taken from the cache when its bytes, arxport's version and the
reader options are unchanged; the per-digest outputs are written by the same
worker. The merged groups are then written from the cache, one group a task.
An output whose recipe (its inputs' content, the format, options, filters and
arxport's version) is what the cache's manifest recorded for the file that is
there is not even produced again; an output that is produced but whose bytes
would not change is not rewritten. Every write is atomic, no output is one of
the inputs, and no output lands outside ``--out-dir``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, cast

from . import __version__ as VERSION
from . import pipeline, registry
from .errors import ArxportError, OutputError, UsageError
from .filters import NO_FILTERS, Filters
from .model import Digest, Problem
from .readers.base import DEFAULT_READ_OPTIONS, ReadOptions
from .writers.base import Writer, WriteReport

GROUPS: tuple[str, ...] = ("digest", "month", "category", "all")
CACHE_NAME = ".arxport-cache"
_CACHE_FORMAT = 1  # bump when what the cache holds changes shape


@dataclass(frozen=True)
class Request:
    """What to export. ``options``: writer options by key (``key_format`` ...), defaults filled in later."""

    inputs: tuple[pipeline.InputRef, ...]
    formats: tuple[str, ...]
    out_dir: Path
    groups: tuple[str, ...] = ("digest",)
    options: Mapping[str, Any] = field(default_factory=dict)
    read_options: ReadOptions = DEFAULT_READ_OPTIONS
    reader: str | None = None
    filters: Filters = NO_FILTERS
    jobs: int = 1
    shard: tuple[int, int] | None = None  # (k, n): the k-th of n shards, 1-based
    cache: Path | None = None  # default: out_dir / CACHE_NAME


@dataclass
class InputResult:
    """One input: where it was read from, what it held, and whether it could be read."""

    source: str
    key: str = ""  # the cache key of its digests ("" when it could not be read)
    template: str | None = None
    date: str | None = None
    papers: int = 0
    problems: list[Problem] = field(default_factory=list)
    failed: bool = False
    cached: bool = False
    categories: list[str] = field(default_factory=list)  # primary categories of the papers kept
    month: str | None = None


@dataclass
class OutputResult:
    """One output file: the group it belongs to, and what happened to it."""

    group: str
    member: str  # the digest's stem, the month, the category, or "all"
    format: str
    path: str
    status: str  # "written", "unchanged" or "failed"
    items: int | None = None
    reason: str | None = None
    notes: list[str] = field(default_factory=list)
    recipe: str = ""  # what the output was made from; the manifest remembers it


@dataclass
class Result:
    inputs: list[InputResult] = field(default_factory=list)
    outputs: list[OutputResult] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the run's own (expansion, renderings, names)
    seconds: float = 0.0

    @property
    def all_problems(self) -> list[Problem]:
        return [*self.problems, *(p for found in self.inputs for p in found.problems)]

    @property
    def papers(self) -> int:
        return sum(found.papers for found in self.inputs)


# --- planning ----------------------------------------------------------------------------------


def in_shard(ref: pipeline.InputRef, shard: tuple[int, int] | None) -> bool:
    """Whether an input belongs to the ``k``-th of ``n`` shards: decided by its own name alone, so a
    shard's inputs stay put when other inputs are added."""
    if shard is None:
        return True
    k, n = shard
    stem = digest_stem(ref.name)
    return int(hashlib.sha256(stem.encode("utf-8", "surrogatepass")).hexdigest(), 16) % n == k - 1


def digest_stem(path: str) -> str:
    """The name a digest's outputs take: its file name without suffix or ``_AI_enhanced_<Language>``."""
    found = pipeline.rendering_key(path)
    name = found[0].rpartition("/")[2] if found is not None else Path(path).name.rpartition(".")[0] or Path(path).name
    return safe_name(name)


_FORBIDDEN = frozenset('<>:"/\\|?*')
# Controls, format characters (bidi overrides, zero widths), surrogates, private use, unassigned, line and
# paragraph separators: nothing a file name should hold, and several that make a listing lie.
_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_RESERVED = frozenset({"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))})
_LONGEST_NAME = 120  # bytes of UTF-8 before the suffix; file systems allow 255 with the suffix


def safe_name(text: str) -> str:
    """A file name made from untrusted text: no separators, control or format characters or characters some
    file system refuses, no leading dot, dash or tilde, not a reserved device name, at most 120 bytes. A name
    that had to change gets a short hash of the text, so two different texts never give the same name."""
    name = "".join(
        "_" if char in _FORBIDDEN or unicodedata.category(char) in _UNSAFE_CATEGORIES else char
        for char in unicodedata.normalize("NFC", text[: 4 * _LONGEST_NAME])
    )
    name = name.strip(" .").lstrip("-~ .") or "_"
    changed = name != text
    if unicodedata.normalize("NFKC", name).split(".")[0].rstrip(" ").lower() in _RESERVED:  # "CON.txt" too
        name, changed = f"_{name}", True
    if len(name.encode("utf-8")) > _LONGEST_NAME:
        name = name.encode("utf-8")[: _LONGEST_NAME - 9].decode("utf-8", "ignore")
        changed = True
    if changed:
        name = f"{name}~{hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()[:8]}"
    return name


# --- the cache -------------------------------------------------------------------------------


def _input_key(data: bytes, request: Request) -> str:
    """What an input's digests depend on: its bytes, arxport's version, the reader and its options."""
    recipe = repr((_CACHE_FORMAT, VERSION, request.reader, request.read_options)).encode()
    return hashlib.sha256(recipe + b"\0" + data).hexdigest()


def _digest_file(cache: Path, key: str) -> Path:
    return cache / "digests" / key[:2] / f"{key}.pickle"


def _load_digests(cache: Path, key: str) -> tuple[Digest, ...] | None:
    try:
        with open(_digest_file(cache, key), "rb") as handle:
            loaded = pickle.load(handle)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, IndexError, TypeError, ValueError):
        return None
    if isinstance(loaded, tuple) and all(isinstance(d, Digest) for d in loaded):
        return loaded
    return None


def _store_digests(cache: Path, key: str, digests: tuple[Digest, ...]) -> None:
    target = _digest_file(cache, key)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        pipeline.atomic_write(str(target), lambda handle: pickle.dump(digests, handle, pickle.HIGHEST_PROTOCOL))
    except (OSError, OutputError):
        pass  # a cache that cannot be written only costs time


def _recipe(*parts: object) -> str:
    return hashlib.sha256(repr((_CACHE_FORMAT, VERSION, *parts)).encode("utf-8", "surrogatepass")).hexdigest()


def _unchanged(entries: Mapping[str, dict[str, Any]], output: Path, recipe: str) -> dict[str, Any] | None:
    entry = entries.get(str(output))
    if entry is None or entry.get("recipe") != recipe:
        return None
    try:
        stat = output.stat()
    except OSError:
        return None
    return entry if entry.get("stat") == [stat.st_size, stat.st_mtime_ns] else None


class Manifest:
    """What each output file was made from (its recipe) and the file's size and time when it was written:
    an output whose recipe and file are unchanged need not be produced again."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            loaded = json.loads(path.read_text(encoding="utf-8"))
            self.entries: dict[str, dict[str, Any]] = loaded if isinstance(loaded, dict) else {}
        except (OSError, ValueError):
            self.entries = {}

    def unchanged(self, output: Path, recipe: str) -> dict[str, Any] | None:
        """The entry of an output made from ``recipe`` whose file is as it was written, else None."""
        return _unchanged(self.entries, output, recipe)

    def record(self, output: Path, recipe: str) -> None:
        try:
            stat = output.stat()
        except OSError:
            self.entries.pop(str(output), None)
            return
        self.entries[str(output)] = {"recipe": recipe, "stat": [stat.st_size, stat.st_mtime_ns]}

    def save(self) -> None:
        data = json.dumps(self.entries, sort_keys=True, indent=0).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            pipeline.atomic_write(str(self.path), lambda handle: handle.write(data))
        except (OSError, OutputError):
            pass


# --- the work, in worker processes -------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """Everything a worker needs, picklable."""

    request: Request
    cache: Path
    manifest: dict[str, dict[str, Any]]
    protected: frozenset[str]  # the inputs' real paths: never an output


def _read_input(job: _Job, ref: pipeline.InputRef) -> tuple[InputResult, tuple[Digest, ...]]:
    request = job.request
    source = pipeline.source_name(ref)
    found = InputResult(source=source)
    try:
        data = pipeline.read_bytes(ref, None, request.read_options)
        found.key = _input_key(data, request)
        digests = _load_digests(job.cache, found.key)
        found.cached = digests is not None
        if digests is None:
            digests = pipeline.read_data(data, source, request.reader, request.read_options, ref.from_directory)
            if digests is None:
                found.problems.append(pipeline.skipped(source))
                found.key = ""
                return found, ()
            _store_digests(job.cache, found.key, digests)
    except ArxportError as exc:
        found.problems.append(pipeline.input_failed(exc, source))
        found.failed, found.key = True, ""
        return found, ()
    for digest in digests:
        found.problems.extend(digest.problems)
    kept = tuple(d for d in map(request.filters.apply, digests) if d is not None)
    first = digests[0] if digests else None
    found.template = first.template if first else None
    found.date = first.date.isoformat() if first and first.date else None
    found.month = first.date.isoformat()[:7] if first and first.date else "undated"
    found.papers = sum(len(d.papers) for d in kept)
    found.categories = sorted({p.category or "uncategorised" for d in kept for p in d.papers})
    return found, kept


def _write_set(
    job: _Job, group: str, member: str, stem: str, source: Callable[[], Iterable[Digest]], inputs_recipe: str
) -> list[OutputResult]:
    """Every format's output of one group member, each written only when it would change."""
    request = job.request
    writers = [registry.get_writer(name) for name in request.formats]
    names = pipeline.output_names(writers, stem)
    results = []
    for writer in writers:
        path = request.out_dir / names[writer.name]
        options = pipeline.writer_options(writer, request.options)
        recipe = _recipe(inputs_recipe, group, member, writer.name, sorted(options.items(), key=str), request.filters)
        result = OutputResult(
            group=group, member=member, format=writer.name, path=str(path), status="unchanged", recipe=recipe
        )
        results.append(result)
        if os.path.realpath(path) in job.protected:
            result.status, result.reason = "failed", f"{path}: refusing to overwrite an input"
            continue
        entry = _unchanged(job.manifest, path, recipe)
        if entry is not None:  # made from the same recipe, and as it was written: not even produced again
            result.items = entry.get("items")
            continue

        def produce(handle: BinaryIO, writer: Writer = writer, options: dict[str, Any] = options) -> WriteReport:
            # A single-pass writer takes the digests as they come from the cache (any iterable: see
            # Writer.single_pass); the others get them all.
            digests = source()
            return writer.write(
                cast(Sequence[Digest], digests) if writer.single_pass else tuple(digests), handle, options
            )

        try:
            report, changed = pipeline.atomic_write_if_changed(str(path), produce)
        except OutputError as exc:
            result.status, result.reason = "failed", str(exc)
            continue
        result.status = "written" if changed else "unchanged"
        result.items, result.notes = report.items, list(report.notes)
    return results


#: The run a worker process works for (set once per process by :func:`_start_worker`).
_JOB: _Job | None = None


def _start_worker(job: _Job) -> None:
    global _JOB
    _JOB = job


def _digest_task(ref: pipeline.InputRef) -> tuple[InputResult, list[OutputResult]]:
    """Read one input (or take it from the cache) and write its own output set."""
    job = _JOB
    assert job is not None
    found, digests = _read_input(job, ref)
    outputs: list[OutputResult] = []
    if "digest" in job.request.groups and found.key:
        stem = digest_stem(ref.name)
        outputs = _write_set(job, "digest", stem, stem, lambda: digests, found.key)
    return found, outputs


def _group_task(group: str, member: str, stem: str, keys: tuple[str, ...]) -> list[OutputResult]:
    """Write one merged group (a month, a category, all) from the cache, a digest at a time."""
    job = _JOB
    assert job is not None
    filters = job.request.filters

    def source() -> Iterator[Digest]:
        for key in keys:
            for digest in _load_digests(job.cache, key) or ():
                kept = filters.apply(digest)
                if kept is None:
                    continue
                if group == "category":
                    papers = tuple(p for p in kept.papers if (p.category or "uncategorised") == member)
                    kept = dataclasses.replace(kept, papers=papers, toc=(), sections=())
                elif group == "month" and (kept.date.isoformat()[:7] if kept.date else "undated") != member:
                    continue
                yield kept

    return _write_set(job, group, member, stem, source, _recipe(keys))


# --- the run -------------------------------------------------------------------------------------


def run(request: Request, progress: Callable[[int, int], None] | None = None) -> Result:
    """Export ``request``; problems are data on the result, never raised (but for a broken request)."""
    started = time.monotonic()
    result = Result()
    refs = [ref for ref in request.inputs if in_shard(ref, request.shard)]
    cache = request.cache or request.out_dir / CACHE_NAME
    manifest = Manifest(cache / "manifest.json")
    protected = frozenset(os.path.realpath(ref.name) for ref in refs if ref.name != pipeline.STDIN)
    job = _Job(request, cache, manifest.entries, protected)
    stems: dict[str, str] = {}
    if "digest" in request.groups:
        for ref in refs:
            stem = digest_stem(ref.name)
            if stem in stems:
                message = f"two inputs would write the same outputs ({stem}.*): {stems[stem]} and {ref.name}"
                raise UsageError(message)
            stems[stem] = ref.name
    request.out_dir.mkdir(parents=True, exist_ok=True)
    total = len(refs)
    with _executor(request.jobs, total, job) as pool:
        for done, (found, outputs) in enumerate(pool.map(_digest_task, refs), start=1):
            result.inputs.append(found)
            result.outputs.extend(outputs)
            if progress is not None:
                progress(done, total)
        tasks = list(_merged_groups(request, result.inputs, set(stems)))
        for outputs in pool.map(_group_task, *zip(*tasks, strict=True)) if tasks else ():
            result.outputs.extend(outputs)
    for output in result.outputs:
        if output.status != "failed":
            manifest.record(Path(output.path), output.recipe)
            entry = manifest.entries.get(output.path)
            if entry is not None and output.items is not None:
                entry["items"] = output.items
    manifest.save()
    result.seconds = time.monotonic() - started
    return result


def _merged_groups(
    request: Request, inputs: Sequence[InputResult], taken: set[str]
) -> Iterator[tuple[str, str, str, tuple[str, ...]]]:
    """(group, member, file stem, member inputs' cache keys) of every merged group member, in a fixed order."""
    readable = [found for found in inputs if found.key]
    if "month" in request.groups:
        months = sorted({found.month for found in readable if found.month})
        for month in months:
            yield "month", month, _unique(safe_name(month), taken), tuple(f.key for f in readable if f.month == month)
    if "category" in request.groups:
        categories = sorted({category for found in readable for category in found.categories})
        for category in categories:
            members = tuple(f.key for f in readable if category in f.categories)
            yield "category", category, _unique(safe_name(category), taken), members
    if "all" in request.groups:
        yield "all", "all", _unique("papers", taken), tuple(found.key for found in readable)


def _unique(stem: str, taken: set[str]) -> str:
    """``stem``, or ``stem-2``, ``stem-3`` ... when an earlier group of the run took it."""
    name, n = stem, 2
    while name in taken:
        name, n = f"{stem}-{n}", n + 1
    taken.add(name)
    return name


class _Serial(Executor):
    """The pool's interface in this process, for ``--jobs 1`` and single inputs."""

    def map(
        self, fn: Callable[..., Any], *iterables: Iterable[Any], timeout: float | None = None, chunksize: int = 1
    ) -> Iterator[Any]:
        return map(fn, *iterables)


def _executor(jobs: int, tasks: int, job: _Job) -> Executor:
    """Worker processes for ``jobs`` > 1 (each told the run once, not with every task), else this one."""
    if jobs <= 1 or tasks <= 1:
        _start_worker(job)
        return _Serial()
    return ProcessPoolExecutor(max_workers=min(jobs, tasks), initializer=_start_worker, initargs=(job,))
