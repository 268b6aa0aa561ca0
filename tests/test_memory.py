"""A merged convert of many digests stays within a memory cap.

A run that writes several formats holds the papers it read until its outputs
are written (the cost of ``--to csv,jsonl``, two writers that write each paper
as they go); a writer may add a bounded amount to that, never a copy of its
whole output. The cap is that run's peak plus :data:`WRITER_ALLOWANCE`;
writers that built their whole output in memory (every one but jsonl and csv
before they wrote as they go) needed several times that on this input. A run
of one single-pass writer holds no paper at all: its peak does not grow with
the number of digests.
"""

from __future__ import annotations

import dataclasses
import io
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from converters.model import Digest
from converters.registry import get_reader, get_writer

from .conftest import ROOT, SAMPLES

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss in KiB and setrlimit as Linux has them"),
]

DIGESTS = 12
PAPERS_PER_DIGEST = 1500
#: What a writer may add to the papers' own memory: its pieces of output, batches and bookkeeping.
WRITER_ALLOWANCE = 120 * 2**20
#: Formats that write as they go (every format once the feed and DOCX writers do).
STREAMED = "bibtex,biblatex,ris,csljson,csv,json,jsonld,jsonl,markdown"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Twelve days of 1,500 papers each: the samples' papers under fresh ids, with abstracts made long."""
    samples = [get_reader("digest").read(p.read_bytes(), p.name) for p in sorted(SAMPLES.glob("digest-*.md"))]
    originals = [p for d in samples for p in d.papers if p.is_arxiv]
    folder = tmp_path_factory.mktemp("archive")
    number = 0
    for day in range(1, DIGESTS + 1):
        papers = []
        for _ in range(PAPERS_PER_DIGEST):
            paper = originals[number % len(originals)]
            new_id = f"2501.{10000 + number}"
            abstract = f"{paper.abstract or ''} Paper {number}. " * 8
            papers.append(
                dataclasses.replace(
                    paper, id=new_id, url=f"https://arxiv.org/abs/{new_id}", version=None, abstract=abstract
                )
            )
            number += 1
        out = io.BytesIO()
        digest = Digest(source=f"day-2025-01-{day:02d}.md", papers=tuple(papers), sections=samples[0].sections)
        get_writer("markdown").write([digest], out, {})
        (folder / f"day-2025-01-{day:02d}.md").write_bytes(out.getvalue())
    return folder


def peak_memory(arguments: list[str], cap: int | None = None) -> tuple[int, subprocess.CompletedProcess[bytes]]:
    """Run arxport in a child process (its address space limited to ``cap`` bytes); its peak RSS in bytes."""

    def limit() -> None:
        if cap is not None:
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    code = (
        "import resource, sys, cli\n"
        "try:\n    cli.main(sys.argv[1:])\nfinally:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *arguments],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        preexec_fn=limit,
        timeout=600,
    )
    last = done.stderr.decode().strip().rpartition("\n")[2]
    return (int(last) * 1024 if last.isdigit() else 0), done


#: A run that holds every paper read, and whose writers write as they go.
HOLDING = ["--to", "csv,jsonl"]


def test_a_merged_convert_of_many_digests_keeps_to_the_papers_memory(archive: Path, tmp_path: Path) -> None:
    baseline, done = peak_memory(["convert", str(archive), *HOLDING, "-o", str(tmp_path / "held"), "-q"])
    assert done.returncode == 0, done.stderr.decode()
    assert len((tmp_path / "held" / "papers.jsonl").read_bytes().splitlines()) == DIGESTS * PAPERS_PER_DIGEST

    out = tmp_path / "out"
    peak, done = peak_memory(["convert", str(archive), "--to", STREAMED, "-o", str(out), "-q"])
    assert done.returncode == 0, done.stderr.decode()
    assert peak - baseline < WRITER_ALLOWANCE, f"the writers added {(peak - baseline) / 2**20:.0f} MiB"
    assert (out / "papers.bib").read_bytes().count(b"\n@misc{") + 1 == DIGESTS * PAPERS_PER_DIGEST


def test_the_same_run_under_an_address_space_cap_completes(archive: Path, tmp_path: Path) -> None:
    """The cap as the kernel enforces it: the holding run's virtual size plus the allowance (setrlimit)."""
    code = (
        "import sys, cli\n"
        "try:\n    cli.main(sys.argv[1:])\nfinally:\n"
        "    print([l for l in open('/proc/self/status') if l.startswith('VmPeak')][0].split()[1], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "convert", str(archive), *HOLDING, "-o", str(tmp_path / "held"), "-q"],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr.decode()
    virtual = int(done.stderr.decode().strip().rpartition("\n")[2]) * 1024
    _, capped = peak_memory(
        ["convert", str(archive), "--to", STREAMED, "-o", str(tmp_path / "out"), "-q"], cap=virtual + WRITER_ALLOWANCE
    )
    assert capped.returncode == 0, capped.stderr.decode()[-2000:]


@pytest.mark.parametrize("format", ["jsonl", "csv", "json", "jsonld"])
def test_one_single_pass_writer_holds_no_paper(format: str, archive: Path, tmp_path: Path) -> None:
    days = sorted(archive.iterdir())
    few = tmp_path / "few"
    few.mkdir()
    for day in days[:2]:
        (few / day.name).symlink_to(day)
    small, done = peak_memory(["convert", str(few), "--to", format, "-o", str(tmp_path / "few.out"), "-q"])
    assert done.returncode == 0, done.stderr.decode()
    large, done = peak_memory(["convert", str(archive), "--to", format, "-o", str(tmp_path / "all.out"), "-q"])
    assert done.returncode == 0, done.stderr.decode()
    # Six times the papers, the same peak (holding them adds some 45 MiB).
    assert large - small < 8 * 2**20, (small >> 20, large >> 20)
