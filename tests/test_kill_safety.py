"""Kill-safety: ``arxport`` killed with SIGKILL while it overwrites outputs leaves each one whole, old or new.

A command is run once to completion to learn the new bytes of every output,
then again over the old outputs and killed at several points: at fixed
fractions of its run and as soon as its k-th temporary file appears (mid-write).
After each kill every output is byte for byte its old or its new content, and
the next run removes the ``.NAME.<pid>.<random>.tmp`` files the killed one could
not. Ctrl-C (SIGINT) and a failing write leave no temporary file at all.

Each command that writes outputs is one entry of :data:`COMMANDS`.
"""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from converters import pipeline
from converters.errors import OutputError
from converters.model import Digest
from converters.registry import get_reader, get_writer

from .conftest import ROOT, SAMPLES

pytestmark = pytest.mark.skipif(os.name != "posix", reason="signals and stale-file removal are POSIX")

#: (command-line arguments, with {input} and {out} filled in). ``{out}`` is a fresh folder holding the old outputs.
COMMANDS = [
    pytest.param(
        ["convert", "{input}", "--to", "all", "-o", "{out}", "--report", "{out}/report.json"], id="convert-all"
    ),
    pytest.param(["convert", "{input}", "--to", "docx", "-o", "{out}/papers.docx"], id="convert-one"),
    pytest.param(["export", "{input}", "--to", "all", "-g", "digest", "-g", "all", "-d", "{out}"], id="export"),
]

PAPERS = 1500


@pytest.fixture(scope="module")
def big_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A digest of a few thousand papers (the samples' papers under new ids): slow enough to be killed mid-write."""
    papers = []
    samples = [get_reader("digest").read(p.read_bytes(), p.name) for p in sorted(SAMPLES.glob("digest-*.md"))]
    originals = [p for d in samples for p in d.papers if p.is_arxiv]
    for number in range(PAPERS):
        paper = originals[number % len(originals)]
        new_id = f"2501.{10000 + number}"
        papers.append(dataclasses.replace(paper, id=new_id, url=f"https://arxiv.org/abs/{new_id}", version=None))
    digest = Digest(source="big-2025-01-02.md", papers=tuple(papers), sections=samples[0].sections)
    out = io.BytesIO()
    get_writer("markdown").write([digest], out, {})
    path = tmp_path_factory.mktemp("input") / "big-2025-01-02.md"
    path.write_bytes(out.getvalue())
    return path


def command(arguments: list[str], input_path: Path, out: Path) -> list[str]:
    filled = [a.format(input=input_path, out=out) for a in arguments]
    return [sys.executable, "-c", "import cli; cli.main()", *filled]


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def outputs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.name.startswith(".")}


def temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") and p.name.endswith(".tmp"))


def old_outputs(folder: Path, names: list[str]) -> dict[str, bytes]:
    """Write recognisable old content to every output: what a kill must leave whole if it does not replace it."""
    folder.mkdir(parents=True, exist_ok=True)
    old = {name: f"old content of {name}\n".encode() * 1000 for name in names}
    for name, data in old.items():
        (folder / name).write_bytes(data)
    return old


def start(arguments: list[str], input_path: Path, out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command(arguments, input_path, out),
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def kill_when(process: subprocess.Popen[bytes], ready: object, deadline: float) -> None:
    """SIGKILL ``process`` once ``ready()`` holds (polled), or at ``deadline``, whichever comes first."""
    while time.monotonic() < deadline and process.poll() is None and not ready():  # type: ignore[operator]
        time.sleep(0.0005)
    if process.poll() is None:
        process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)


@pytest.mark.slow
@pytest.mark.parametrize("arguments", COMMANDS)
def test_sigkill_leaves_every_output_whole_and_the_next_run_cleans_up(
    arguments: list[str], big_input: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"  # one folder for every run: the report names the outputs' paths
    out.mkdir()
    started = time.monotonic()
    done = subprocess.run(command(arguments, big_input, out), cwd=ROOT, env=environment(), capture_output=True)
    duration = time.monotonic() - started
    assert done.returncode == 0, done.stderr.decode()
    new = outputs(out)
    assert new and not temporaries(out)

    # Kill points: fractions of a whole run, and the moment the 1st, 3rd ... temporary file exists.
    points: list[tuple[str, float]] = [("time", f) for f in (0.3, 0.6, 0.9)]
    points += [("temp", k) for k in (1, 3, 6) if k <= len(new)]
    killed_mid_write = 0
    for kind, at in points:
        shutil.rmtree(out)
        old = old_outputs(out, list(new))
        seen: set[str] = set()

        def ready(seen: set[str] = seen, kind: str = kind, at: float = at) -> bool:
            seen.update(temporaries(out))
            return kind == "temp" and len(seen) >= at

        process = start(arguments, big_input, out)
        wait = duration * at if kind == "time" else duration * 3
        kill_when(process, ready, time.monotonic() + wait)
        left = temporaries(out)
        killed_mid_write += bool(left)
        for name, data in outputs(out).items():
            assert data in (old[name], new[name]), (
                f"{name} is neither the old nor the new file after a kill ({kind} {at})"
            )
        assert set(outputs(out)) == set(new)

        again = subprocess.run(command(arguments, big_input, out), cwd=ROOT, env=environment(), capture_output=True)
        assert again.returncode == 0, again.stderr.decode()
        assert not temporaries(out), f"the next run left {temporaries(out)} (the killed run left {left})"
        assert outputs(out) == new
    assert killed_mid_write, "no kill landed while a temporary file existed: the input is too small to test anything"


@pytest.mark.slow
def test_ctrl_c_leaves_no_temporary_file(big_input: Path, tmp_path: Path) -> None:
    arguments = ["convert", "{input}", "--to", "all", "-o", "{out}"]
    process = start(arguments, big_input, tmp_path)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None and not temporaries(tmp_path):
        time.sleep(0.0005)
    process.send_signal(signal.SIGINT)
    code = process.wait(timeout=60)
    assert code in (0, 1, -signal.SIGINT), code  # aborted (1), or it had just finished
    assert not temporaries(tmp_path)


def test_a_failing_write_leaves_the_old_file_and_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    target.write_bytes(b"old")

    def fail(handle: object) -> None:
        handle.write(b"half a file")  # type: ignore[attr-defined]
        raise OutputError("the writer failed")

    with pytest.raises(OutputError):
        pipeline.atomic_write(str(target), fail)
    assert target.read_bytes() == b"old" and not temporaries(tmp_path)


def test_stale_temporaries_of_dead_processes_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    target = tmp_path / "refs.bib"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = tmp_path / f".refs.bib.{dead_pid}.abcd_123.tmp"
    live = tmp_path / f".refs.bib.{os.getppid()}.abcd_123.tmp"  # the parent process is alive
    other = tmp_path / f".refs.bib.1.{dead_pid}.abcd_123.tmp"  # a temporary file of "refs.bib.1", not of "refs.bib"
    mine = tmp_path / ".refs.bib.notapid.tmp"
    for path in (stale, live, other, mine):
        path.write_bytes(b"x")
    assert pipeline.remove_stale_temporaries(target) == [stale.name]
    pipeline.atomic_write(str(target), lambda handle: handle.write(b"new"))
    assert target.read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([target.name, live.name, other.name, mine.name])
