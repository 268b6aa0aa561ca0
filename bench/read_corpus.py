"""How fast the digest reader reads the whole shared corpus, as a ratio to a plain baseline.

Baseline: open every corpus digest as UTF-8 text and split it on "\\n### "
(the least any reader must do). Both are measured in the same run, interleaved.
Target (issue 2): at most 3x the baseline.

    python bench/read_corpus.py [--runs N] [--corpus PATH]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _timing import ratio

from converters.registry import get_reader


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument(
        "--corpus", type=Path, default=Path(__file__).resolve().parent.parent.parent / "shared/corpus/real"
    )
    args = parser.parse_args()
    files = sorted(p for p in args.corpus.glob("*.md") if p.name != "SOURCES.md")
    if not files:
        sys.exit(f"no digests in {args.corpus}")
    reader = get_reader("digest")

    def baseline() -> int:
        blocks = 0
        for path in files:
            with open(path, encoding="utf-8") as handle:
                blocks += len(handle.read().split("\n### "))
        return blocks

    def arxport() -> int:
        papers = 0
        for path in files:
            papers += len(reader.read(path.read_bytes(), str(path)).papers)
        return papers

    size = sum(p.stat().st_size for p in files)
    papers = arxport()
    mine, base, factor = ratio(arxport, baseline, args.runs)
    print(f"corpus: {len(files)} files, {size / 1e6:.1f} MB, {papers} papers; {args.runs} interleaved runs")
    print(f"baseline (read + split on '### '): {base * 1000:8.1f} ms")
    print(f"arxport digest reader:            {mine * 1000:8.1f} ms  ({mine / papers * 1e6:.1f} us/paper)")
    print(f"ratio (median of pairs):          {factor:8.2f}x   target <= 3x")


if __name__ == "__main__":
    main()
