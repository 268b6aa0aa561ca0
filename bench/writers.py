"""Every registered writer on 10,000 synthetic papers, as a ratio to a plain baseline.

Baseline: json.dumps of the same papers as plain dicts (serialising the data
and nothing else), measured in the same run. The issues' targets are absolute
(BibTeX well under 1 s, a feed in about 2 s, DOCX in a few seconds), so both
the time and the ratio are printed.

    python bench/writers.py [--papers N] [--runs N] [--only bibtex,rss]
    python bench/writers.py --scaling [--papers N]

``--scaling`` checks the archive-scale issue's "linear and bounded" target
instead: each writer's time for 2N papers against N (target: at most 2.3x),
and the writer's own peak memory (tracemalloc, writing to a sink that keeps
nothing, so the papers themselves are not counted) for N and 2N papers: a
writer that writes as it goes keeps the same peak.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import gc
import io
import json
import sys
import tracemalloc
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import median_seconds

from converters import registry
from converters.model import Digest, Paper, Section, SourceSpan

TARGETS = {"bibtex": 1.0, "biblatex": 1.0, "rss": 2.0, "atom": 2.0, "docx": 5.0}
_WORDS = (  # noqa: SIM905  (one string reads like the text it stands for)
    "sparse attention diffusion Transformer $\\alpha$-Networks & <think> robust 3D ImageNet LLM "
    "Müller Łukasz 多模态 대규모 calibration benchmark {braces} 50% #tags ~tilde"
).split()


def synthetic_digests(count: int) -> list[Digest]:
    """``count`` papers over 10 daily digests, with realistic sizes and awkward characters."""
    days = 10
    digests = []
    for day in range(days):
        date = dt.date(2025, 1, 1) + dt.timedelta(days=day)
        papers = []
        for index in range(day, count, days):
            words = [_WORDS[(index * 7 + k) % len(_WORDS)] for k in range(240)]
            arxiv_id = f"25{(index // 90000) + 1:02d}.{index % 90000:05d}"
            category = ("cs.CV", "cs.CL", "cs.LG", "hep-th")[index % 4]
            papers.append(
                Paper(
                    id=arxiv_id,
                    url=f"https://arxiv.org/abs/{arxiv_id}",
                    title=" ".join(words[:12]),
                    authors=tuple(f"Author{index}-{k} Müller{k}" for k in range(1 + index % 8)),
                    primary_category=category,
                    categories=(category,),
                    section=category,
                    number=len(papers) + 1,
                    tldr=" ".join(words[12:40]),
                    motivation=" ".join(words[40:60]),
                    method=" ".join(words[60:90]) + "\n1) step one;\n2) step two.",
                    result=" ".join(words[90:110]),
                    conclusion=" ".join(words[110:125]),
                    abstract=" ".join(words[125:240]),
                    date=date,
                    source=SourceSpan(path=f"data/{date}.md", line=10 + 20 * len(papers)),
                )
            )
        sections = tuple(Section(category=c) for c in dict.fromkeys(p.section for p in papers if p.section))
        digests.append(Digest(source=f"data/{date}.md", date=date, papers=tuple(papers), sections=sections))
    return digests


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--only", help="comma-separated writer names")
    parser.add_argument("--scaling", action="store_true", help="time and memory for N and 2N papers")
    args = parser.parse_args()
    if args.scaling:
        scaling(args.papers, args.runs, args.only.split(",") if args.only else registry.writer_names())
        return
    digests = synthetic_digests(args.papers)
    plain = [dataclasses.asdict(p) for d in digests for p in d.papers]

    def baseline() -> None:
        json.dumps(plain, default=str, ensure_ascii=False)

    base = median_seconds(baseline, args.runs)
    print(f"{args.papers} papers in {len(digests)} digests; median of {args.runs} runs")
    print(f"{'baseline json.dumps':<22} {base:8.3f} s   1.00x")
    names = args.only.split(",") if args.only else registry.writer_names()
    for name in names:
        writer = registry.get_writer(name)
        options = writer.default_options()
        seconds = median_seconds(lambda w=writer, o=options: w.write(digests, io.BytesIO(), o), args.runs)
        target = TARGETS.get(name)
        verdict = "" if target is None else f"   target < {target:.0f} s: {'met' if seconds < target else 'MISSED'}"
        print(f"{name:<22} {seconds:8.3f} s {seconds / base:7.2f}x{verdict}")


class _Discard(io.RawIOBase):
    """A binary stream that keeps nothing."""

    def writable(self) -> bool:
        return True

    def write(self, data: object) -> int:
        return len(data)  # type: ignore[arg-type]


def _peak(writer: Any, digests: list[Digest], options: dict[str, Any]) -> int:
    tracemalloc.start()
    try:
        writer.write(digests, _Discard(), options)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def scaling(papers: int, runs: int, names: list[str]) -> None:
    small, large = synthetic_digests(papers), synthetic_digests(2 * papers)
    gc.freeze()  # as convert does once it has read: the papers are not walked by every full collection
    print(f"{papers} and {2 * papers} papers; median of {runs} runs; peak = the writer's own allocations")
    print(f"{'writer':<10} {'time N':>8} {'time 2N':>8} {'ratio':>6}  {'peak N':>9} {'peak 2N':>9}  linear (<= 2.3x)?")
    for name in names:
        writer = registry.get_writer(name)
        options = writer.default_options()
        times = [
            median_seconds(lambda w=writer, d=d, o=options: w.write(d, _Discard(), o), runs) for d in (small, large)
        ]
        peaks = [_peak(writer, d, options) / 2**20 for d in (small, large)]
        ratio = times[1] / times[0]
        print(
            f"{name:<10} {times[0]:7.2f}s {times[1]:7.2f}s {ratio:5.2f}x  {peaks[0]:7.1f}MB {peaks[1]:7.1f}MB"
            f"  {'met' if ratio <= 2.3 else 'MISSED'}"
        )


if __name__ == "__main__":
    main()
