"""Archive-scale inputs for the benchmarks, built from the real corpus with fresh arXiv ids.

    python bench/synthetic.py year [OUTDIR] [--digests 400] [--papers 80000] [--seed 1]
    python bench/synthetic.py digest [OUTFILE] [--papers 200000] [--seed 1]

``year``: a synthetic year of daily digests. Each digest is one whole real
corpus file, copied byte for byte except for its arXiv ids, under a date name
(``2025-01-01.md``, ``2025-01-02.md`` ...) so the date comes from the name.
Most sources are current-template (V3) files, as in a real archive; a few
other layouts (V0-V2, fork variants, placeholder days) come in small shares
(``LAYOUT_SHARES``). The sources are drawn with a seeded generator and then
swapped until the papers add up to ``--papers`` (within 0.25%), so a year of
400 digests / 80,000 papers is about 210 MB. Written as::

    OUTDIR/digests/YYYY-MM-DD.md   the year (give this directory to arxport)
    OUTDIR/next/YYYY-MM-DD.md      one more V3 day after the last, for "add a day" runs
    OUTDIR/manifest.tsv            file, source, layout, papers, bytes, id range

``digest``: one current-template (V3) digest of ``--papers`` papers, made of
paper blocks drawn from the V3 corpus files, grouped into sections by their
category, numbered 1..n over the file and with a table of contents whose
totals match (so it reads without warnings about the TOC).

Ids: every ``http(s)://arxiv.org/abs/ID`` and ``/pdf/ID`` link gets a fresh
new-style id ``YYMM.NNNNN`` (the month of the digest's date; a month that runs
out of numbers continues in the next), keeping any ``vN`` suffix. Ids are
unique across the whole output: within one copied file the same old id gets
the same new id, so a source that lists a paper twice (V0, V2) still does.
Everything else, including ``arXiv:ID`` mentions in text, stays byte-exact.
The real corpus has ids only in those links (one per paper).

Without OUTDIR/OUTFILE the output is cached under the temp directory, keyed by
the parameters, the corpus content and ``GENERATOR_VERSION``
(``$TMPDIR/arxport-bench-year-<key>``); a second call reuses it. The path is
printed. Deterministic: the same seed and corpus give the same bytes.

The corpus is ``$ARXPORT_SHARED/corpus/real`` or ``<project>/../shared/corpus/real``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import hashlib
import json
import os
import random
import re
import shutil
import sys
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: Bump when the output for the same parameters changes, so stale caches are not reused.
GENERATOR_VERSION = 1

#: Share of the year's digests per layout; the rest are current-template (V3) files.
#: Roughly the origin's history (V0 one day, V1 four weeks, V2 two days) plus some
#: fork layouts and placeholder days.
LAYOUT_SHARES = {"v3-variant": 0.03, "restyle": 0.02, "v1": 0.02, "empty": 0.02, "v0": 0.005, "v2": 0.005}
START = dt.date(2025, 1, 1)
#: A date name that the big digest gets when none is given.
DIGEST_DATE = dt.date(2025, 6, 2)

_LINK = re.compile(rb"(https?://arxiv\.org/(?:abs|pdf)/)(\d{4}\.\d{4,5})(?!\d)")
_PAPER_HEADING = re.compile(rb"^### .*\]\(https?://arxiv\.org/(?:abs|pdf)/", re.M)
_V3_SECTION = re.compile(rb"^<div id='([^'\n]+)'></div>\n\n# \1 \[\[Back\]\]\(#toc\)\n", re.M)
_V3_BLOCK = re.compile(rb"^### \[\d+\] \[.*?\n\n</details>\n", re.M | re.S)
_V3_NUMBER = re.compile(rb"^### \[\d+\]")


def shared_dir() -> Path:
    """Where the shared data lives: $ARXPORT_SHARED, else ../shared beside the project (as tests/conftest.py).

    In a git worktree (``.git`` is a file pointing into the main checkout) it
    is also looked for beside the main checkout.
    """
    if "ARXPORT_SHARED" in os.environ:
        return Path(os.environ["ARXPORT_SHARED"])
    beside = ROOT.parent / "shared"
    dotgit = ROOT / ".git"
    if not beside.is_dir() and dotgit.is_file():
        pointer = dotgit.read_text().strip().removeprefix("gitdir:").strip()
        main_git = Path(pointer).resolve().parent.parent  # <main>/.git/worktrees/<name> -> <main>/.git
        if (main_git.parent.parent / "shared").is_dir():
            return main_git.parent.parent / "shared"
    return beside


def corpus_dir() -> Path:
    return shared_dir() / "corpus" / "real"


def corpus_files(corpus: Path | None = None) -> list[Path]:
    """The real Markdown digests (SOURCES.md documents the corpus and is not one)."""
    corpus = corpus or corpus_dir()
    files = sorted(p for p in corpus.glob("*.md") if p.name != "SOURCES.md")
    if not files:
        sys.exit(f"no digests in {corpus} (set ARXPORT_SHARED to the directory that holds corpus/real)")
    return files


@dataclasses.dataclass(frozen=True)
class Source:
    """One real corpus file: its layout and how many papers it lists."""

    path: Path
    layout: str
    papers: int
    size: int


def layout_of(data: bytes) -> tuple[str, int]:
    """(layout, papers) of a digest, from markers of each template (independent of arxport's reader).

    Layouts: v3 (current), v2 (``TLDR:``), v1 (``Task:``), v0 (``<summary>Abstract``),
    v3-variant (fyrsta7's ``Selection reason:``), restyle (xmkxabc), empty (no
    papers at all), other. Agrees with the digest reader's ``template`` on the corpus.
    """
    papers = len(_PAPER_HEADING.findall(data))
    if papers == 0:
        return "empty", 0
    toc = b"<div id=toc></div>" in data
    if b"\nSelection reason: " in data:
        return "v3-variant", papers
    if b"<a id='toc'></a>" in data or b"# AI-Enhanced arXiv Daily" in data or b"**Main category:" in data:
        return "restyle", papers
    if toc and b"\nTL;DR: " in data:
        return "v3", papers
    if toc and b"\nTLDR: " in data:
        return "v2", papers
    if b"\nTask: " in data:
        return "v1", papers
    if b"<summary>Abstract</summary>" in data:
        return "v0", papers
    return "other", papers


def sources(corpus: Path | None = None) -> list[Source]:
    found = []
    for path in corpus_files(corpus):
        data = path.read_bytes()
        layout, papers = layout_of(data)
        found.append(Source(path, layout, papers, len(data)))
    return found


class IdAllocator:
    """Fresh new-style arXiv ids, never the same twice.

    Each month's numbers start at a seeded offset below 10,000 and count up;
    when a month reaches 99,999 the next id comes from the following month.
    """

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._next: dict[tuple[int, int], int] = {}

    def new(self, when: dt.date) -> str:
        year, month = when.year, when.month
        while True:
            number = self._next.get((year, month))
            if number is None:
                number = self._rng.randrange(1, 10_000)
            if number <= 99_999:
                self._next[(year, month)] = number + 1
                return f"{year % 100:02d}{month:02d}.{number:05d}"
            self._next[(year, month)] = number
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if year >= 2100:
                raise ValueError("ran out of new-style arXiv ids")


def fresh_ids(data: bytes, ids: IdAllocator, when: dt.date) -> tuple[bytes, list[str]]:
    """``data`` with every arXiv abs/pdf link's id replaced by a fresh one; also the new ids in order."""
    mapping: dict[bytes, bytes] = {}

    def replace(match: re.Match[bytes]) -> bytes:
        old = match.group(2)
        new = mapping.get(old)
        if new is None:
            new = mapping[old] = ids.new(when).encode("ascii")
        return match.group(1) + new

    text = _LINK.sub(replace, data)
    return text, [v.decode("ascii") for v in mapping.values()]


# --- the year -------------------------------------------------------------------------


def plan_year(found: list[Source], digests: int, papers: int, seed: int) -> tuple[list[Source], Source]:
    """Which source each day copies (and one more V3 day for "add a day"), adding up to ``papers``."""
    rng = random.Random(seed)
    pools: dict[str, list[Source]] = {}
    for source in found:
        pools.setdefault(source.layout, []).append(source)
    if "v3" not in pools:
        sys.exit("the corpus has no current-template (V3) digest to build a year from")
    layouts: list[str] = []
    for layout, share in LAYOUT_SHARES.items():
        if layout in pools:
            layouts += [layout] * round(share * digests)
    layouts = layouts[:digests] + ["v3"] * max(0, digests - len(layouts))
    rng.shuffle(layouts)
    plan = [rng.choice(pools[layout]) for layout in layouts]
    # Swap V3 days for other V3 files until the papers add up: each swap picks a
    # random day and a random file that brings the total closer, so no one file
    # takes over.
    v3_days = [i for i, layout in enumerate(layouts) if layout == "v3"]
    tolerance = max(1, papers // 400)
    total = sum(s.papers for s in plan)
    for _ in range(50 * digests):
        gap = papers - total
        if abs(gap) <= tolerance or not v3_days:
            break
        day = rng.choice(v3_days)
        current = plan[day].papers
        better = [s for s in pools["v3"] if abs(gap + current - s.papers) < abs(gap)]
        if better:
            plan[day] = rng.choice(better)
            total += plan[day].papers - current
    extra = rng.choice([s for s in pools["v3"] if s.papers >= 50] or pools["v3"])
    return plan, extra


def _key(kind: str, params: dict[str, object], found: list[Source]) -> str:
    corpus = hashlib.sha256()
    for source in found:
        corpus.update(source.path.name.encode() + b"\0" + hashlib.sha256(source.path.read_bytes()).digest())
    blob = json.dumps([kind, GENERATOR_VERSION, params, corpus.hexdigest()], sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:12]


def _cached(kind: str, key: str) -> Path:
    return Path(tempfile.gettempdir()) / f"arxport-bench-{kind}-{key}"


def _build_dir(target: Path, key: str, fill: Callable[[Path], None]) -> Path:
    """Fill a fresh directory and rename it to ``target``; reuse ``target`` when its stamp matches ``key``."""
    stamp = target / ".arxport-bench-key"
    if stamp.is_file() and stamp.read_text().strip() == key:
        return target
    if target.exists() and any(target.iterdir()):
        if not stamp.is_file():
            sys.exit(f"{target} exists and was not made by this script; give another directory")
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        fill(work)
        (work / ".arxport-bench-key").write_text(key + "\n")
        if target.exists():
            target.rmdir()
        work.rename(target)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return target


def year(
    outdir: Path | None = None, *, digests: int = 400, papers: int = 80_000, seed: int = 1, quiet: bool = False
) -> Path:
    """The year's root directory (``digests/``, ``next/``, ``manifest.tsv``), generated unless cached."""
    found = sources()
    params: dict[str, object] = {"digests": digests, "papers": papers, "seed": seed, "start": START.isoformat()}
    key = _key("year", params, found)
    target = outdir or _cached("year", key)

    def fill(work: Path) -> None:
        plan, extra = plan_year(found, digests, papers, seed)
        ids = IdAllocator(random.Random(f"ids-{seed}"))
        (work / "digests").mkdir()
        (work / "next").mkdir()
        rows = ["file\tsource\tlayout\tpapers\tbytes\tfirst_id\tlast_id"]
        days = [(work / "digests", s) for s in plan] + [(work / "next", extra)]
        for number, (folder, source) in enumerate(days):
            when = START + dt.timedelta(days=number)
            data, new = fresh_ids(source.path.read_bytes(), ids, when)
            path = folder / f"{when.isoformat()}.md"
            path.write_bytes(data)
            first, last = (new[0], new[-1]) if new else ("", "")
            name = path.relative_to(work)
            rows.append(f"{name}\t{source.path.name}\t{source.layout}\t{source.papers}\t{len(data)}\t{first}\t{last}")
        (work / "manifest.tsv").write_text("\n".join(rows) + "\n")

    if not quiet:
        print(f"synthetic year (key {key}) in {target}", file=sys.stderr)
    return _build_dir(target, key, fill)


@dataclasses.dataclass(frozen=True)
class YearInfo:
    digests: list[Path]
    next_day: Path
    papers: int
    size: int
    layouts: Counter[str]


def year_info(root: Path) -> YearInfo:
    """The files of a generated year and what they hold (from its manifest)."""
    lines = (root / "manifest.tsv").read_text().splitlines()[1:]
    digests, layouts, papers, size, next_day = [], Counter[str](), 0, 0, None
    for line in lines:
        name, _source, layout, count, nbytes, _first, _last = line.split("\t")
        if name.startswith("next/"):
            next_day = root / name
            continue
        digests.append(root / name)
        layouts[layout] += 1
        papers += int(count)
        size += int(nbytes)
    assert next_day is not None, f"{root}/manifest.tsv names no next day"
    return YearInfo(digests, next_day, papers, size, layouts)


# --- one huge V3 digest ---------------------------------------------------------------


def v3_blocks(found: list[Source]) -> list[tuple[bytes, bytes]]:
    """(category, paper block) for every paper of every V3 source, in file order.

    A block runs from ``### [N] [`` to its ``\\n\\n</details>\\n``; its category is
    the section it sits in.
    """
    pool = []
    for source in found:
        if source.layout != "v3":
            continue
        data = source.path.read_bytes()
        sections = [(m.start(), m.group(1)) for m in _V3_SECTION.finditer(data)]
        index, category = 0, b""
        for block in _V3_BLOCK.finditer(data):
            while index < len(sections) and sections[index][0] < block.start():
                category = sections[index][1]
                index += 1
            if category:
                pool.append((category, block.group(0)))
    return pool


def _digest_chunks(pool: list[tuple[bytes, bytes]], papers: int, seed: int, when: dt.date) -> Iterator[bytes]:
    rng = random.Random(seed)
    ids = IdAllocator(random.Random(f"ids-{seed}"))
    picks = rng.choices(range(len(pool)), k=papers)
    by_category: dict[bytes, list[int]] = {}
    for pick in picks:
        by_category.setdefault(pool[pick][0], []).append(pick)
    yield b"<div id=toc></div>\n\n# Table of Contents\n\n"
    for category, members in by_category.items():
        yield b"- [%s](#%s) [Total: %d]\n" % (category, category, len(members))
    number = 0
    for category, members in by_category.items():
        yield b"\n\n<div id='%s'></div>\n\n# %s [[Back]](#toc)\n\n" % (category, category)
        for position, pick in enumerate(members):
            number += 1
            block = _V3_NUMBER.sub(b"### [%d]" % number, pool[pick][1], count=1)
            block, _ = fresh_ids(block, ids, when)
            yield block if position == 0 else b"\n\n" + block


def digest(
    outfile: Path | None = None,
    *,
    papers: int = 200_000,
    seed: int = 1,
    when: dt.date = DIGEST_DATE,
    quiet: bool = False,
) -> Path:
    """One V3 digest of ``papers`` papers, generated unless cached; its path."""
    found = sources()
    params: dict[str, object] = {"papers": papers, "seed": seed, "date": when.isoformat()}
    key = _key("digest", params, found)
    pool = v3_blocks(found)

    def write(path: Path) -> None:
        with open(path, "wb") as handle:
            for chunk in _digest_chunks(pool, papers, seed, when):
                handle.write(chunk)

    if outfile is not None:
        write(outfile)
        return outfile
    root = _cached("digest", key)
    if not quiet:
        print(f"synthetic digest (key {key}) in {root}", file=sys.stderr)
    return _build_dir(root, key, lambda work: write(work / f"{when.isoformat()}.md")) / f"{when.isoformat()}.md"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    year_cmd = commands.add_parser("year", help="a synthetic year of daily digests")
    year_cmd.add_argument("outdir", nargs="?", type=Path, help="default: a cache under the temp directory")
    year_cmd.add_argument("--digests", type=int, default=400)
    year_cmd.add_argument("--papers", type=int, default=80_000)
    year_cmd.add_argument("--seed", type=int, default=1)
    digest_cmd = commands.add_parser("digest", help="one huge current-template digest")
    digest_cmd.add_argument("outfile", nargs="?", type=Path, help="default: a cache under the temp directory")
    digest_cmd.add_argument("--papers", type=int, default=200_000)
    digest_cmd.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    if args.command == "year":
        root = year(args.outdir, digests=args.digests, papers=args.papers, seed=args.seed)
        info = year_info(root)
        layouts = ", ".join(f"{name} {count}" for name, count in info.layouts.most_common())
        print(f"{root / 'digests'}: {len(info.digests)} digests, {info.papers} papers, {info.size / 1e6:.1f} MB")
        print(f"layouts: {layouts}")
        print(f"one more day (for 'add a day' runs): {info.next_day}")
    else:
        path = digest(args.outfile, papers=args.papers, seed=args.seed)
        print(f"{path}: {args.papers} papers, {path.stat().st_size / 1e6:.1f} MB")


if __name__ == "__main__":
    main()
