"""Seed corpora for the harnesses, made at run time from the digests the project already has.

Nothing here is copied into the repository: the seeds are cut from
``../shared/corpus/real/``, ``../shared/corpus/forks/``, ``samples/`` and
``tests/data/forks/`` when a run starts. Digests are cut into pieces no longer
than a harness tries (a whole 2 MB digest would make every execution slow); HTML
is the Markdown rendered by markdown-it; arxport's own ``json``/``jsonl`` are
the samples written by arxport's writers.
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ARXPORT_SHARED", ROOT.parent / "shared"))


def markdown_files() -> list[Path]:
    folders = [
        SHARED / "corpus" / "real",
        SHARED / "corpus" / "forks",
        ROOT / "samples",
        ROOT / "tests" / "data" / "forks",
    ]
    return sorted(p for folder in folders if folder.is_dir() for p in folder.glob("*.md") if p.name != "SOURCES.md")


def pieces(data: bytes, size: int, most: int = 4) -> Iterator[bytes]:
    """The start of ``data`` and up to ``most - 1`` later slices that begin at a heading, each at most ``size`` bytes."""
    yield data[:size]
    step = max(size, len(data) // most)
    for offset in range(step, len(data), step)[: most - 1]:
        start = data.find(b"\n#", offset)
        if start < 0:
            break
        yield data[start + 1 : start + 1 + size]


def _markdown(size: int) -> Iterator[bytes]:
    for path in markdown_files():
        yield from pieces(path.read_bytes(), size)


def _html(size: int) -> Iterator[bytes]:
    from markdown_it import MarkdownIt

    render = MarkdownIt("commonmark").render
    for piece in _markdown(size // 2):
        page = render(piece.decode("utf-8", "replace")).encode("utf-8")
        yield b"<!DOCTYPE html>\n<html><head><meta charset='utf-8'></head><body>\n" + page[:size] + b"</body></html>\n"


def _digest_jsonl(size: int) -> Iterator[bytes]:
    folder = SHARED / "corpus" / "real" / "jsonl"
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        lines = path.read_bytes().splitlines(keepends=True)
        for start in range(0, min(len(lines), 40), 4):
            yield b"".join(lines[start : start + 4])[:size]


def _canonical(kind: str, size: int) -> Iterator[bytes]:
    import dataclasses

    from converters.errors import InputError
    from converters.registry import get_reader, get_writer

    for path in markdown_files():
        if path.stat().st_size > 400_000:
            continue
        try:
            digest = get_reader("digest").read(path.read_bytes(), path.name)
        except InputError:
            continue
        small = dataclasses.replace(digest, papers=digest.papers[:3], problems=digest.problems[:2])
        out = io.BytesIO()
        get_writer(kind).write([small], out, get_writer(kind).default_options())
        if len(out.getvalue()) <= size:
            yield out.getvalue()


def _bytes(size: int) -> Iterator[bytes]:
    """Inputs for the drawing harnesses: every writer choice, with short and long draws."""
    for first in range(32):
        for length in (8, 64, 512):
            yield bytes([first]) + hashlib.sha256(f"{first}-{length}".encode()).digest() * (length // 32 + 1)


SOURCES = {
    "markdown": _markdown,
    "html": _html,
    "jsonl": _digest_jsonl,
    "json": lambda size: _canonical("json", size),
    "jsonl-canonical": lambda size: _canonical("jsonl", size),
    "bytes": _bytes,
}


def seeds(kind: str, size: int) -> list[bytes]:
    """The distinct seeds of ``kind``, none longer than ``size``."""
    return list(dict.fromkeys(s[:size] for s in SOURCES[kind](size) if s))


def write_seeds(kind: str, size: int, folder: Path, most: int | None = None) -> int:
    """Write the seeds of ``kind`` (the first ``most`` when given) to ``folder``, one file each named by
    content; how many."""
    folder.mkdir(parents=True, exist_ok=True)
    found = seeds(kind, size)[:most]
    for seed in found:
        (folder / hashlib.sha1(seed).hexdigest()).write_bytes(seed)
    return len(found)
