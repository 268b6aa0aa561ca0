"""Which papers a run keeps: ``--category``, ``--any-category``, ``--since``, ``--until``, ``--match``.

Shared by ``convert`` and ``export``: a digest outside the dates is dropped whole,
and a paper stays when its category and text match. Filtering never changes a
paper; an empty filter keeps everything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass

from .errors import UsageError
from .model import Digest, Paper


@dataclass(frozen=True, slots=True)
class Filters:
    """What to keep. ``categories``: a paper's primary category (or, with ``any_category``, any of its
    categories) is one of these; ``since``/``until``: the digest's date is within them (an undated
    digest is dropped when either is given); ``match``: a regular expression found in the title or
    the abstract (case-insensitive)."""

    categories: tuple[str, ...] = ()
    any_category: bool = False
    since: dt.date | None = None
    until: dt.date | None = None
    match: str | None = None

    def __post_init__(self) -> None:
        if self.match is not None:
            try:
                re.compile(self.match)
            except re.error as exc:
                raise UsageError(f"--match {self.match!r} is not a regular expression: {exc}") from None
        if self.since is not None and self.until is not None and self.since > self.until:
            raise UsageError(f"--since {self.since} is after --until {self.until}")

    @property
    def active(self) -> bool:
        return bool(self.categories or self.since or self.until or self.match)

    def keeps_date(self, date: dt.date | None) -> bool:
        if self.since is None and self.until is None:
            return True
        if date is None:
            return False
        return (self.since is None or date >= self.since) and (self.until is None or date <= self.until)

    def keeps(self, paper: Paper, pattern: re.Pattern[str] | None) -> bool:
        if self.categories:
            found = (paper.category, *paper.categories) if self.any_category else (paper.category,)
            if not any(category in self.categories for category in found):
                return False
        return pattern is None or bool(pattern.search(paper.title)) or bool(pattern.search(paper.abstract or ""))

    def apply(self, digest: Digest) -> Digest | None:
        """``digest`` with the papers the filters keep; None when its date is outside them."""
        if not self.active:
            return digest
        if not self.keeps_date(digest.date):
            return None
        if not (self.categories or self.match):
            return digest
        pattern = re.compile(self.match, re.IGNORECASE) if self.match is not None else None
        kept = tuple(paper for paper in digest.papers if self.keeps(paper, pattern))
        return digest if len(kept) == len(digest.papers) else dataclasses.replace(digest, papers=kept)


#: No filter: every digest and paper.
NO_FILTERS = Filters()
