"""Where the time of ``convert DAY --to all -o DIR`` goes: fixed costs, imports, the reader, each writer.

Every number is the median of ``--runs`` fresh processes (the same environment
as ``bench/archive.py``: this checkout, bytecode cached):

- fixed costs: ``python -c pass``, ``arxport --version`` and the whole command;
- imports: ``python -X importtime`` of the whole command, per package (the
  cumulative time of the import that first loads it, lazy imports included);
- phases: the command itself with each input's reading (``Reading._read_one``,
  summed) and each ``pipeline.write_output`` timed in the process (a writer's
  time includes the modules it imports on first use and the fsync of its file,
  not the reading a single-pass writer's run does while it writes); "rest" is the
  time in ``main()`` outside reading and writing (option parsing, writer
  set-up); "exit" is from the end of ``main()`` until the process is gone.

``--pyinstrument`` also prints a pyinstrument profile of one in-process run
(``pip install pyinstrument``; it is not a project dependency).

    python bench/day_profile.py [--day PATH] [--runs 7] [--to all] [--pyinstrument]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from archive import ROOT, child_env, pick_day

#: Runs ``arxport convert`` in this process with the reader and each writer timed; JSON to the file in argv[1].
PHASES = """\
import json, sys, time
began_at = time.time()
start = time.perf_counter()
import cli
from converters import pipeline
phases = {"import cli": time.perf_counter() - start}
read_one, write = pipeline.Reading._read_one, pipeline.write_output
phases["read"] = 0.0

def timed_read_one(*args, **kwargs):
    began = time.perf_counter()
    try:
        return read_one(*args, **kwargs)
    finally:
        phases["read"] += time.perf_counter() - began

def timed_write(writer, *args, **kwargs):
    began, read_before = time.perf_counter(), phases["read"]
    try:
        return write(writer, *args, **kwargs)
    finally:  # a single-pass writer's run reads while it writes: that time is the reader's
        phases["write " + writer.name] = time.perf_counter() - began - (phases["read"] - read_before)

pipeline.Reading._read_one, pipeline.write_output = timed_read_one, timed_write
report = sys.argv[1]
sys.argv = ["arxport", *sys.argv[2:]]
start = time.perf_counter()
try:
    cli.main()
except SystemExit:
    pass
phases["main"] = time.perf_counter() - start
with open(report, "w") as handle:
    json.dump({"began_at": began_at, "ended_at": time.time(), "phases": phases}, handle)
"""

#: How many of the packages arxport imports (standard or third-party) are listed.
PACKAGES = 14


def wall(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def import_times(stderr: str) -> tuple[dict[str, float], dict[str, str]]:
    """From ``-X importtime``: seconds per module and who imported it.

    Seconds are cumulative (the module and what it imports), except for
    ``converters.*`` modules (their own time: they import each other). The
    importer of a module is the import it is nested in ("-" for the top
    level: ``site`` or the ``-c`` program; "imported during the command" for
    an import inside a function, which shows at the top level).
    """
    seconds: dict[str, float] = {}
    importer: dict[str, str] = {}
    waiting: dict[int, list[str]] = defaultdict(list)  # modules not yet given their importer, by depth
    for line in stderr.splitlines():
        if not line.startswith("import time:"):
            continue
        parts = line.removeprefix("import time:").split("|")
        if len(parts) != 3 or not parts[0].strip().isdigit():
            continue
        raw = parts[2].rstrip()
        name = raw.lstrip()
        depth = (len(raw) - len(name) - 1) // 2
        for child in waiting.pop(depth + 1, []):  # -X importtime prints a module after what it imports
            importer.setdefault(child, name)
        if depth == 0:
            importer.setdefault(name, "imported during the command" if "cli" in seconds else "-")
        waiting[depth].append(name)
        own = name.startswith("converters.")
        seconds.setdefault(name, int(parts[0] if own else parts[1]) / 1e6)
    for names in waiting.values():
        for name in names:
            importer.setdefault(name, "-")
    return seconds, importer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--day", type=Path, help="default: the real file closest to 145 papers, 400 KB")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--to", default="all", help="formats, as for convert --to")
    parser.add_argument("--pyinstrument", action="store_true", help="also print a pyinstrument profile")
    args = parser.parse_args()
    day = pick_day(args.day)
    env = child_env()
    python = sys.executable
    out = Path(tempfile.mkdtemp(prefix="arxport-bench-profile-"))
    command = ["convert", str(day.path), "--to", args.to, "-o", str(out / "out")]
    arxport = [python, "-c", "from cli import main; main()"]
    print(f"{day.path.name}: {day.papers} papers, {day.size / 1e3:.0f} KB; convert --to {args.to}; {args.runs} runs")
    wall([*arxport, *command], env)  # fills the bytecode cache
    try:
        measure(args, python, arxport, command, env, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def measure(
    args: argparse.Namespace, python: str, arxport: list[str], command: list[str], env: dict[str, str], out: Path
) -> None:
    fixed: dict[str, list[float]] = defaultdict(list)
    phases: dict[str, list[float]] = defaultdict(list)
    imports: dict[str, list[float]] = defaultdict(list)
    importers: dict[str, str] = {}
    for _ in range(args.runs):
        fixed["python -c pass"].append(wall([python, "-c", "pass"], env))
        fixed["arxport --version"].append(wall([*arxport, "--version"], env))
        fixed["whole command"].append(wall([*arxport, *command], env))
        report = out / "phases.json"
        spawned_at = time.time()
        phased = [python, "-c", PHASES, str(report), *command]
        subprocess.run(phased, cwd=ROOT, env=env, check=True, stderr=subprocess.DEVNULL)
        exited_at = time.time()
        found = json.loads(report.read_text())
        timed = found["phases"]
        in_main = timed.pop("main") - sum(seconds for name, seconds in timed.items() if name != "import cli")
        phases["interpreter start"].append(found["began_at"] - spawned_at)
        for name, seconds in timed.items():
            phases[name].append(seconds)
        phases["rest of main (click, set-up)"].append(in_main)
        phases["exit (teardown)"].append(exited_at - found["ended_at"])
        phases["total"].append(exited_at - spawned_at)
        traced = subprocess.run(
            [python, "-X", "importtime", "-c", "from cli import main; main()", *command],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        found_seconds, found_importers = import_times(traced.stderr)
        for name, seconds in found_seconds.items():
            imports[name].append(seconds)
        importers.update(found_importers)

    def ms(values: list[float]) -> str:
        return f"{statistics.median(values) * 1000:7.1f} ms"

    print("\nfixed costs (wall, fresh process):")
    for name, values in fixed.items():
        print(f"  {name:<28} {ms(values)}")
    print("\nphases of the command, timed inside it (medians of each phase):")
    for name, values in phases.items():
        print(f"  {name:<28} {ms(values)}")

    print("\nimports (-X importtime): what arxport imports itself, cumulative, and who imports it")
    medians = {name: statistics.median(values) for name, values in imports.items()}
    print(f"  {'site (before arxport)':<40} {medians.get('site', 0) * 1000:7.1f} ms")
    print(f"  {'cli, with all it imports':<40} {medians.get('cli', 0) * 1000:7.1f} ms")

    def ours(name: str) -> bool:
        return name == "cli" or name.startswith("converters")

    def by_us(name: str) -> bool:
        return ours(importers.get(name, "")) or importers.get(name) == "imported during the command"

    packages: dict[str, float] = defaultdict(float)  # `import a` and `import a.b` side by side both count
    where: dict[str, str] = {}
    for name in medians:
        if not ours(name) and by_us(name):
            package = name.split(".")[0]
            packages[package] += medians[name]
            where.setdefault(package, importers[name])
    for name in sorted(packages, key=packages.__getitem__, reverse=True)[:PACKAGES]:
        print(f"  {name:<40} {packages[name] * 1000:7.1f} ms  ({where[name]})")
    own = sorted((n for n in medians if n.startswith("converters.")), key=medians.__getitem__, reverse=True)
    print(f"  {'converters.* modules themselves':<40} {sum(medians[n] for n in own) * 1000:7.1f} ms")
    for name in own[:6]:
        print(f"    {name:<38} {medians[name] * 1000:7.1f} ms")

    if args.pyinstrument:
        profile = [python, "-m", "pyinstrument", "--show-all", "-c", "from cli import main; main()", *command]
        print()
        subprocess.run(profile, cwd=ROOT, env=env, check=False, stderr=subprocess.STDOUT)


if __name__ == "__main__":
    main()
