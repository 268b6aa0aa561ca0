"""Archive-scale rows of the "Performance at archive scale" and "arxport export" issues, as ratios.

Each row runs a subject (an ``arxport`` command) and a baseline (pandoc, or a
plain Python process) as fresh processes, interleaved baseline/subject, and
reports the medians, the median of the per-pair ratios (with their range), the
peak memory of the subject's largest process and whether the issue's target is
met. The inputs are built by ``bench/synthetic.py`` (cached under the temp
directory) and a real corpus day.

    python bench/archive.py [--only year-all,day-bibtex] [--runs N] [--json results.json]
    python bench/archive.py --list

``arxport`` is run as ``python -c "from cli import main; main()"`` with
PYTHONPATH set to the checkout this script lives in, so it measures that
checkout whatever is installed. The children get a bytecode cache
(PYTHONPYCACHEPREFIX under the temp directory, PYTHONDONTWRITEBYTECODE unset):
an installed package has its .pyc files, and a cold start that compiles every
module from source would measure the compiler. One untimed run fills it.

Peak memory is ``ru_maxrss`` of the process as reported by ``os.wait4``: the
largest of it and its waited-for children, i.e. the largest single process.
A baseline over many files may run on an evenly spread sample of them and be
scaled by the sample's share of the bytes; the table says so.

The ``export-*`` rows are skipped (with the reason) until ``arxport export
--help`` succeeds. ``--per-writer`` adds a row per writer over the year
(``convert YEAR --to W`` against ``check YEAR``, i.e. reading alone).

A row is a builder function, whose docstring is its title and which returns
(subject, baseline) as ``Side``s (argv lists, how many at a time, a scale for
a sampled baseline, hooks run before each run), plus one ``Row(...)`` line in
``ROWS`` with its targets and default number of pairs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from functools import cached_property
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic

ROOT = Path(__file__).resolve().parent.parent
#: The real corpus day the day rows use: the file closest to this many papers and bytes.
DAY_PAPERS, DAY_BYTES = 145, 400_000
#: pandoc over a whole year runs on this many evenly spread files, scaled by their share of the bytes.
PANDOC_SAMPLE = 20
#: The plain-Python baseline: read and decode every file and find its "### " lines.
FINDALL = """\
import re, sys
from pathlib import Path
count = 0
for argument in sys.argv[1:]:
    path = Path(argument)
    for file in sorted(path.glob("*.md")) if path.is_dir() else [path]:
        count += len(re.findall(r"^### ", file.read_bytes().decode("utf-8"), re.M))
print(count)
"""


#: Runs the measured commands. A process's peak memory (ru_maxrss) starts at the
#: resident size of the process that spawned it, so they are spawned by this small
#: process (started once, isolated, without site: about 10 MB, less than any
#: measured command) rather than by the benchmark itself. One JSON request per
#: line on stdin: {"commands": [[argv...], ...], "jobs": N, "log": PATH}; one
#: JSON answer per line: wall seconds of the batch, each command's exit code
#: and ru_maxrss (KiB).
SPAWNER = """\
import json, os, sys, time
for line in sys.stdin:
    request = json.loads(line)
    queue, running, done = list(request["commands"]), {}, []
    log = os.open(request["log"], os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_DUP2, log, 2),
    ]
    start = time.perf_counter()
    while queue or running:
        while queue and len(running) < request["jobs"]:
            argv = queue.pop(0)
            running[os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions)] = argv
        pid, status, usage = os.wait4(-1, 0)
        done.append([running.pop(pid), os.waitstatus_to_exitcode(status), usage.ru_maxrss])
    seconds = time.perf_counter() - start
    os.close(log)
    print(json.dumps({"seconds": seconds, "done": done}), flush=True)
"""


@dataclasses.dataclass
class Side:
    """One side of a row: commands run one after another (or ``jobs`` at a time), as one measurement.

    The time is the wall time of the whole batch times ``scale`` (a sample
    standing for more files); the peak is the largest process of the batch.
    ``out`` is emptied and ``before`` called before every run (neither timed).
    """

    label: str
    commands: list[list[str]]
    jobs: int = 1
    scale: float = 1.0
    out: Path | None = None
    before: Callable[[], None] | None = None


@dataclasses.dataclass
class Row:
    """A row of the issues' tables; ``build`` makes (subject, baseline) once its inputs exist, its docstring says what."""

    name: str
    build: Callable[[Bench], tuple[Side, Side]]
    ratio_target: float | None = None
    memory_target_mb: float | None = None
    runs: int = 1
    warmup: bool = False
    needs_export: bool = False

    @property
    def title(self) -> str:
        return (self.build.__doc__ or self.name).strip().splitlines()[0].rstrip(".")


@dataclasses.dataclass
class Run:
    seconds: float
    peak_mb: float


@dataclasses.dataclass
class Result:
    row: Row
    subject: Side | None = None
    baseline: Side | None = None
    pairs: list[tuple[Run, Run]] = dataclasses.field(default_factory=list)
    skipped: str | None = None
    failed: str | None = None

    def ratios(self) -> list[float]:
        return [s.seconds / b.seconds for s, b in self.pairs]

    def verdict(self) -> str:
        if self.skipped or self.failed:
            return "skipped" if self.skipped else "failed"
        missed = []
        # compared as printed (two decimals), so a row never reads "3.00x ... not met" against 3x
        if self.row.ratio_target is not None and round(statistics.median(self.ratios()), 2) > self.row.ratio_target:
            missed.append("time")
        if self.row.memory_target_mb is not None and self.peak_mb() >= self.row.memory_target_mb:
            missed.append("memory")
        if self.row.ratio_target is None and self.row.memory_target_mb is None:
            return "(no target)"
        return f"not met ({', '.join(missed)})" if missed else "met"

    def peak_mb(self) -> float:
        return max(s.peak_mb for s, _ in self.pairs)


class CommandFailed(Exception):
    pass


def child_env() -> dict[str, str]:
    """The environment of measured commands: this checkout first on the path, a bytecode cache on."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "arxport-bench-pycache")
    return env


def pick_day(path: Path | None = None) -> synthetic.Source:
    """``path``, or the real corpus file closest to DAY_PAPERS papers and DAY_BYTES bytes."""
    if path is not None:
        data = path.read_bytes()
        layout, papers = synthetic.layout_of(data)
        return synthetic.Source(path, layout, papers, len(data))
    return min(synthetic.sources(), key=lambda s: abs(s.papers / DAY_PAPERS - 1) + abs(s.size / DAY_BYTES - 1))


class Bench:
    """The inputs (built on first use), the environment of the children and a scratch directory."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = sys.executable
        self.scratch = Path(tempfile.mkdtemp(prefix="arxport-bench-run-"))
        self.env = child_env()
        self.arxport = [self.python, "-c", "from cli import main; main()"]

    # -- inputs --------------------------------------------------------------------------

    @cached_property
    def year_root(self) -> Path:
        return synthetic.year(digests=self.args.digests, papers=self.args.papers, seed=self.args.seed)

    @cached_property
    def year(self) -> synthetic.YearInfo:
        return synthetic.year_info(self.year_root)

    @property
    def year_dir(self) -> Path:
        return self.year_root / "digests"

    @cached_property
    def big_digest(self) -> Path:
        return synthetic.digest(papers=self.args.big_papers, seed=self.args.seed)

    @cached_property
    def day(self) -> synthetic.Source:
        return pick_day(self.args.day)

    def pandoc_sample(self) -> tuple[list[Path], float]:
        """An evenly spread sample of the year's files and the factor that scales it to all of their bytes."""
        files = self.year.digests
        count = min(PANDOC_SAMPLE, len(files))
        sample = [files[round(i * (len(files) - 1) / max(1, count - 1))] for i in range(count)]
        return sample, self.year.size / sum(p.stat().st_size for p in sample)

    def out(self, *parts: str) -> Path:
        return self.scratch.joinpath(*parts)

    # -- running -------------------------------------------------------------------------

    @cached_property
    def spawner(self) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [self.python, "-I", "-S", "-c", SPAWNER],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def spawn(self, commands: Sequence[Sequence[str]], jobs: int, log: Path) -> tuple[float, float]:
        """(wall seconds, largest peak MB) of ``commands`` run ``jobs`` at a time; CommandFailed on a non-zero exit."""
        spawner = self.spawner
        assert spawner.stdin is not None and spawner.stdout is not None
        spawner.stdin.write(json.dumps({"commands": commands, "jobs": jobs, "log": str(log)}) + "\n")
        spawner.stdin.flush()
        line = spawner.stdout.readline()
        if not line:
            raise CommandFailed(f"the spawner stopped (exit {spawner.wait()}); a command could not be started?")
        answer = json.loads(line)
        for argv, code, _ in answer["done"]:
            if code != 0:
                tail = log.read_text(errors="replace").strip().splitlines()[-3:]
                raise CommandFailed(f"exit {code}: {' '.join(argv)[:200]}\n    " + "\n    ".join(tail))
        return answer["seconds"], max(peak for _, _, peak in answer["done"]) / 1024  # KiB on Linux

    def run_side(self, side: Side, name: str) -> Run:
        if side.out is not None:
            shutil.rmtree(side.out, ignore_errors=True)
            side.out.mkdir(parents=True)
        if side.before is not None:
            side.before()
        log = self.out(f"{name}.stderr")
        log.write_bytes(b"")
        seconds, peak = self.spawn(side.commands, side.jobs, log)
        return Run(seconds * side.scale, peak)

    def close(self) -> None:
        if "spawner" in self.__dict__:
            assert self.spawner.stdin is not None
            self.spawner.stdin.close()
            self.spawner.wait()

    @cached_property
    def export_missing(self) -> str | None:
        """Why ``arxport export`` cannot be measured yet, or None when it can."""
        proc = subprocess.run(
            [*self.arxport, "export", "--help"], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if proc.returncode == 0:
            return None
        said = (proc.stderr.strip().splitlines() or [""])[-1]
        return f"`arxport export --help` failed (exit {proc.returncode}: {said})"

    def measure(self, row: Row, runs: int) -> Result:
        result = Result(row)
        if row.needs_export and self.export_missing:
            result.skipped = self.export_missing
            return result
        subject, baseline = row.build(self)
        result.subject, result.baseline = subject, baseline
        try:
            if row.warmup:
                self.run_side(baseline, f"{row.name}-baseline")
                self.run_side(subject, f"{row.name}-subject")
            for number in range(runs):
                base = self.run_side(baseline, f"{row.name}-baseline")
                mine = self.run_side(subject, f"{row.name}-subject")
                result.pairs.append((mine, base))
                print(
                    f"  {row.name} {number + 1}/{runs}: subject {mine.seconds:.3f} s ({mine.peak_mb:.0f} MB), "
                    f"baseline {base.seconds:.3f} s ({base.peak_mb:.0f} MB), ratio {mine.seconds / base.seconds:.2f}",
                    file=sys.stderr,
                    flush=True,
                )
        except CommandFailed as exc:
            result.failed = str(exc)
        return result


# --- the rows ---------------------------------------------------------------------------


def _convert(bench: Bench, inputs: Path, to: str, output: Path) -> list[str]:
    return [*bench.arxport, "convert", str(inputs), "--to", to, "-o", str(output)]


def _pandoc_year(bench: Bench, name: str, jobs: int) -> Side:
    sample, scale = bench.pandoc_sample()
    out = bench.out(name, "pandoc")
    commands = [["pandoc", "-f", "markdown", "-t", "docx", str(p), "-o", str(out / f"{p.stem}.docx")] for p in sample]
    label = f"pandoc -t docx, {len(sample)} of {len(bench.year.digests)} files x{scale:.1f} by bytes"
    return Side(label + (f", {jobs} at a time" if jobs > 1 else ""), commands, jobs=jobs, scale=scale, out=out)


def year_all(bench: Bench) -> tuple[Side, Side]:
    """`convert YEAR --to all -o DIR` vs `pandoc -t docx` over the same files, one after another."""
    out = bench.out("year-all", "arxport")
    subject = Side("convert YEAR --to all -o DIR", [_convert(bench, bench.year_dir, "all", out)], out=out)
    return subject, _pandoc_year(bench, "year-all", jobs=1)


def year_jsonl(bench: Bench) -> tuple[Side, Side]:
    """`convert YEAR --to jsonl` end to end vs read + decode + `re.findall('^### ')` in one process."""
    out = bench.out("year-jsonl", "arxport")
    subject = Side(
        "convert YEAR --to jsonl -o FILE", [_convert(bench, bench.year_dir, "jsonl", out / "papers.jsonl")], out=out
    )
    baseline = Side("python: read, decode, findall '^### '", [[bench.python, "-c", FINDALL, str(bench.year_dir)]])
    return subject, baseline


def _check_year(bench: Bench) -> Side:
    return Side("check YEAR -q (reading alone)", [[*bench.arxport, "check", str(bench.year_dir), "-q"]])


def day_all(bench: Bench) -> tuple[Side, Side]:
    """one real day to every format vs `pandoc -f markdown -t docx` of it."""
    day = bench.day.path
    out, theirs = bench.out("day-all", "arxport"), bench.out("day-all", "pandoc")
    subject = Side("convert DAY --to all -o DIR", [_convert(bench, day, "all", out)], out=out)
    baseline = Side(
        "pandoc -f markdown -t docx DAY",
        [["pandoc", "-f", "markdown", "-t", "docx", str(day), "-o", str(theirs / "day.docx")]],
        out=theirs,
    )
    return subject, baseline


def day_bibtex(bench: Bench) -> tuple[Side, Side]:
    """the same day to `bibtex`, cold process, vs `pandoc -f markdown -t json` of it."""
    day = bench.day.path
    out, theirs = bench.out("day-bibtex", "arxport"), bench.out("day-bibtex", "pandoc")
    subject = Side("convert DAY --to bibtex -o FILE", [_convert(bench, day, "bibtex", out / "papers.bib")], out=out)
    baseline = Side(
        "pandoc -f markdown -t json DAY",
        [["pandoc", "-f", "markdown", "-t", "json", str(day), "-o", str(theirs / "day.json")]],
        out=theirs,
    )
    return subject, baseline


def version(bench: Bench) -> tuple[Side, Side]:
    """`arxport --version` vs a bare `python -c pass`."""
    return Side("arxport --version", [[*bench.arxport, "--version"]]), Side(
        "python -c pass", [[bench.python, "-c", "pass"]]
    )


def digest_200k(bench: Bench) -> tuple[Side, Side]:
    """one 200,000-paper V3 digest to every format (vs read + decode + findall, for scale)."""
    big = bench.big_digest
    out = bench.out("digest-200k", "arxport")
    # BIG (535 MB) is over the default --max-input-size (256 MiB), which exists to refuse such inputs.
    command = [*_convert(bench, big, "all", out), "--max-input-size", "1G"]
    subject = Side("convert BIG --to all -o DIR --max-input-size 1G", [command], out=out)
    baseline = Side("python: read, decode, findall '^### '", [[bench.python, "-c", FINDALL, str(big)]])
    return subject, baseline


def _export(bench: Bench, inputs: Path, out: Path, cache: Path) -> list[str]:
    jobs = str(bench.args.jobs)
    options = ["--to", "all", "--out-dir", str(out), "--group", "digest", "--jobs", jobs, "--cache", str(cache)]
    return [*bench.arxport, "export", str(inputs), *options]


def _link_year(bench: Bench, folder: Path, with_next_day: bool) -> None:
    """``folder`` holding links to the year's digests (and the next day): an input that can grow by a day."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for path in bench.year.digests + ([bench.year.next_day] if with_next_day else []):
        (folder / path.name).symlink_to(path)


def _export_folders(bench: Bench, row: str) -> tuple[Path, Path, Path]:
    """An export row's input folder (links), output folder and cache."""
    return bench.out(row, "in"), bench.out(row, "arxport"), bench.out(row, "cache")


def export_year(bench: Bench) -> tuple[Side, Side]:
    """first `export --to all` of the year (a set per digest), every core, vs `pandoc -t docx` likewise."""
    inputs, out, cache = _export_folders(bench, "export-year")

    def fresh() -> None:
        _link_year(bench, inputs, with_next_day=False)
        shutil.rmtree(cache, ignore_errors=True)

    subject = Side(
        f"export YEAR --to all --group digest --jobs {bench.args.jobs} (empty cache)",
        [_export(bench, inputs, out, cache)],
        out=out,
        before=fresh,
    )
    return subject, _pandoc_year(bench, "export-year", jobs=bench.args.jobs)


def export_add_day(bench: Bench) -> tuple[Side, Side]:
    """`export` again after adding one new day, vs the first export."""
    inputs, out, cache = _export_folders(bench, "export-add-day")

    def fresh() -> None:
        _link_year(bench, inputs, with_next_day=False)
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(cache, ignore_errors=True)

    def add_day() -> None:
        (inputs / bench.year.next_day.name).symlink_to(bench.year.next_day)

    command = _export(bench, inputs, out, cache)
    first = Side("the same export, first run (empty cache and output)", [command], before=fresh)
    again = Side("export again after adding one day", [command], before=add_day)
    return again, first


#: The issues' rows, in the issues' order: builder (its docstring is the title), targets, default pairs.
ROWS = [
    Row("year-all", year_all, ratio_target=0.1, memory_target_mb=500),
    Row("year-jsonl", year_jsonl, ratio_target=3.0, runs=5),
    Row("day-all", day_all, ratio_target=0.5, runs=7, warmup=True),
    Row("day-bibtex", day_bibtex, ratio_target=0.3, runs=9, warmup=True),
    Row("version", version, ratio_target=3.0, runs=15, warmup=True),
    Row("digest-200k", digest_200k, memory_target_mb=500),
    Row("export-year", export_year, ratio_target=0.1, memory_target_mb=400, needs_export=True),
    Row("export-add-day", export_add_day, ratio_target=0.05, memory_target_mb=400, needs_export=True),
]


def writer_rows(bench: Bench) -> list[Row]:
    """``year-to-<writer>`` for every registered writer: where the time and memory of ``--to all`` go."""
    names = subprocess.run(
        [bench.python, "-c", "from converters import registry; print(*registry.writer_names())"],
        cwd=ROOT,
        env=bench.env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    rows = []
    for name in names:

        def build(bench: Bench, name: str = name) -> tuple[Side, Side]:
            out = bench.out(f"year-to-{name}", "arxport")
            subject = Side(f"convert YEAR --to {name} -o FILE", [_convert(bench, bench.year_dir, name, out / "out")])
            subject.out = out
            return subject, _check_year(bench)

        build.__doc__ = f"`convert YEAR --to {name}` vs `check YEAR` (reading alone)"
        rows.append(Row(f"year-to-{name}", build))
    return rows


# --- reporting --------------------------------------------------------------------------


def _load() -> str:
    """The 1-minute load average: other work on the machine shows here (2.0 = two busy cores)."""
    return f"{os.getloadavg()[0]:.1f}"


def machine() -> dict[str, str]:
    info = {
        "date": dt.date.today().isoformat(),
        "load": _load(),
        "cores": str(os.cpu_count()),
        "python": f"{platform.python_version()} ({sys.executable})",
        "platform": platform.platform(),
    }
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["ram"] = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    pandoc = shutil.which("pandoc")
    if pandoc:
        info["pandoc"] = subprocess.run(
            [pandoc, "--version"], capture_output=True, text=True, check=False
        ).stdout.split("\n")[0]
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "describe", "--always", "--dirty"], capture_output=True, text=True, check=False
    )
    info["checkout"] = f"{ROOT} @ {commit.stdout.strip() or '?'}"
    return info


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def table(results: list[Result]) -> str:
    lines = [
        "| row | subject | baseline | ratio (range) | target | peak MB (baseline's) | verdict |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        row = result.row
        targets = []
        if row.ratio_target is not None:
            targets.append(f"≤ {row.ratio_target:g}x")
        if row.memory_target_mb is not None:
            targets.append(f"< {row.memory_target_mb:g} MB")
        target = ", ".join(targets)
        if not result.pairs:
            why = result.skipped or (result.failed or "").splitlines()[0]
            lines.append(f"| {row.name} | | | | {target} | | {result.verdict()}: {why} |")
            continue
        mine = statistics.median(s.seconds for s, _ in result.pairs)
        base = statistics.median(b.seconds for _, b in result.pairs)
        ratios = result.ratios()
        spread = f" ({min(ratios):.2f}-{max(ratios):.2f})" if len(ratios) > 1 else ""
        lines.append(
            f"| {row.name} | {_seconds(mine)} | {_seconds(base)} | {statistics.median(ratios):.2f}x{spread} "
            f"| {target} | {result.peak_mb():.0f} ({max(b.peak_mb for _, b in result.pairs):.0f}) | {result.verdict()} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", help="comma-separated row names (--list shows them)")
    parser.add_argument("--runs", type=int, help="pairs per row (default: each row's own; 1 for whole-year rows)")
    parser.add_argument(
        "--per-writer", action="store_true", help="also one row per writer over the year (where --to all goes)"
    )
    parser.add_argument("--list", action="store_true", help="list the rows and exit")
    parser.add_argument("--json", type=Path, help="also write every measurement here")
    parser.add_argument(
        "--day", type=Path, help="the real day for the day rows (default: closest to 145 papers, 400 KB)"
    )
    parser.add_argument("--digests", type=int, default=400, help="synthetic year: digests")
    parser.add_argument("--papers", type=int, default=80_000, help="synthetic year: papers")
    parser.add_argument("--big-papers", type=int, default=200_000, help="papers in the one big digest")
    parser.add_argument("--seed", type=int, default=1, help="of the synthetic inputs")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="processes for the export rows")
    parser.add_argument("--keep", action="store_true", help="keep the scratch directory (outputs and stderr logs)")
    args = parser.parse_args()
    if not shutil.which("pandoc"):
        sys.exit("pandoc is not installed; most baselines need it")
    bench = Bench(args)
    try:
        rows = ROWS + (writer_rows(bench) if args.per_writer or args.list or args.only else [])
        if args.list:
            for row in rows:
                print(f"{row.name:<18} {row.title}  [{row.runs} run(s)]")
            return
        names = args.only.split(",") if args.only else [row.name for row in rows]
        unknown = set(names) - {row.name for row in rows}
        if unknown:
            sys.exit(f"unknown rows: {', '.join(sorted(unknown))} (--list shows them)")
        run(bench, [row for row in rows if row.name in names])
    finally:
        bench.close()
        if args.keep:
            print(f"kept {bench.scratch}", file=sys.stderr)
        else:
            shutil.rmtree(bench.scratch, ignore_errors=True)


def run(bench: Bench, rows: list[Row]) -> None:
    args = bench.args
    info = machine()
    day = bench.day
    info["day"] = f"{day.path.name} ({day.papers} papers, {day.size / 1e3:.0f} KB, {day.layout})"
    # Fill the children's bytecode cache (every writer module) before anything is timed.
    prime = [_convert(bench, day.path, "all", bench.out("prime")), [bench.python, "-c", "pass"]]
    bench.spawn(prime, 1, bench.out("prime.stderr"))
    results = []
    for row in rows:
        print(f"{row.name}: {row.title}", file=sys.stderr, flush=True)
        result = bench.measure(row, args.runs or row.runs)
        if result.skipped:
            print(f"  skipped: {result.skipped}", file=sys.stderr)
        if result.failed:
            print(f"  failed: {result.failed}", file=sys.stderr)
        results.append(result)
    info["load"] = f"{info['load']} at the start, {_load()} at the end"
    if "year_root" in bench.__dict__:
        year = bench.year
        layouts = ", ".join(f"{name} {count}" for name, count in year.layouts.most_common())
        info["YEAR"] = (
            f"{bench.year_dir} ({len(year.digests)} digests, {year.papers} papers, {year.size / 1e6:.1f} MB; {layouts})"
        )
    if "big_digest" in bench.__dict__:
        info["BIG"] = f"{bench.big_digest} ({args.big_papers} papers, {bench.big_digest.stat().st_size / 1e6:.1f} MB)"
    for key, value in info.items():
        print(f"{key}: {value}")
    print()
    for result in results:
        if result.subject and result.baseline:
            print(f"{result.row.name}: {result.subject.label}  vs  {result.baseline.label}")
    print()
    print(table(results))
    if args.json:
        rows = [
            {
                "name": r.row.name,
                "subject": r.subject.label if r.subject else None,
                "baseline": r.baseline.label if r.baseline else None,
                "pairs": [{"subject": dataclasses.asdict(s), "baseline": dataclasses.asdict(b)} for s, b in r.pairs],
                "verdict": r.verdict(),
                "skipped": r.skipped,
                "failed": r.failed,
            }
            for r in results
        ]
        args.json.write_text(json.dumps({"machine": info, "rows": rows}, indent=2) + "\n")


if __name__ == "__main__":
    main()
