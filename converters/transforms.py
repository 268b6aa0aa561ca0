"""Small steps between reading and writing: Iterable[Paper] -> list[Paper].

Each one is pure and keeps input order unless its name says otherwise, so
writers can compose them and stay deterministic.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .model import Digest, Paper


def all_papers(digests: Iterable[Digest]) -> list[Paper]:
    """Every paper of every digest, in input order (duplicates kept)."""
    return [paper for digest in digests for paper in digest.papers]


def newest_first(papers: Iterable[Paper]) -> list[Paper]:
    """Papers sorted by digest date, newest first; undated papers last.

    The sort is stable, so papers of one digest keep their digest order.
    """
    return sorted(papers, key=lambda p: (p.date is None, -(p.date.toordinal() if p.date else 0)))


def dedup_by_id(papers: Iterable[Paper]) -> list[Paper]:
    """The first occurrence of each version-free arXiv id, in input order.

    Apply it to :func:`newest_first` output and the newest digest's text wins.
    """
    seen: set[str] = set()
    kept: list[Paper] = []
    for paper in papers:
        if paper.id not in seen:
            seen.add(paper.id)
            kept.append(paper)
    return kept


def since(papers: Iterable[Paper], start: dt.date) -> list[Paper]:
    """Papers from digests dated ``start`` or later (undated papers are dropped)."""
    return [p for p in papers if p.date is not None and p.date >= start]
