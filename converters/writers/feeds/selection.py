"""Which papers become feed items, in which order, and with which dates.

Rules (all linear in the number of papers):

* every paper must have a date (the digest's, from its file name, or ``--date``);
* one item per paper id (a version-free arXiv id, a DOI, a PubMed id or a
  URL; ids of different kinds never collide): the newest digest that lists a paper
  supplies its text and its ``updated`` time, the oldest one its ``published``
  time (on one date, the first listing supplies both), so re-listing a paper
  does not move its publication date; the item's
  categories are those of every listing (a cross-listed paper appears under
  two sections of one digest);
* items are ordered newest first (by the digest that supplied the text), papers
  of one digest in digest order;
* ``since`` drops papers whose newest listing is older; ``max_items`` keeps the
  first N of what is left;
* the feed's own time is the newest listing time of the whole input, so it does
  not depend on the window.

Digests carry a date, not a time. A listing's instant is its digest date at
midnight UTC plus a few seconds that count down through that date's listings
(input order): the first paper of the day gets the latest second. So no two
items share an instant (validators warn about that), readers that sort by time
keep the digest order, and the same input always gives the same instants. A
date's listings stay within its first hours, before the digests are generated.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from ...errors import OutputError
from ...model import Digest, Paper, SourceSpan
from ...transforms import all_papers, dedup_by_id, newest_first, since
from .settings import FeedSettings

_LAST_SECOND = 86_399


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedItem:
    """One paper as a feed item: the text to show and the two instants a reader sees."""

    paper: Paper
    #: The oldest listing (RSS ``pubDate``, Atom ``published``).
    published: dt.datetime
    #: The listing whose text is shown (Atom ``updated``); never before ``published``.
    updated: dt.datetime
    #: Distinct category names of every listing, the shown listing's first; may be empty.
    categories: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Selection:
    """The items of one feed and what the user should know about how they were chosen."""

    items: tuple[FeedItem, ...]
    #: The newest listing instant of the whole input: the feed's ``updated`` / ``lastBuildDate``.
    updated: dt.datetime
    #: Dates of the oldest and newest input digests, for the default description.
    first_date: dt.date
    last_date: dt.date
    notes: tuple[str, ...] = ()


def select(digests: Sequence[Digest], settings: FeedSettings) -> Selection:
    """The feed items of ``digests`` (see the module docstring for the rules).

    Raises :class:`OutputError` naming the file when a paper has no date, and
    when no input has a date at all (an empty feed still needs one).
    """
    dates = _check_dates(digests)
    papers = all_papers(digests)
    instants = _listing_instants(papers)
    ordered = newest_first(papers)
    published: dict[str, dt.datetime] = {}
    categories: dict[str, dict[str, None]] = {}  # id -> ordered set
    for paper in ordered:
        instant = instants[id(paper)]
        known = published.get(paper.id)
        # An older date wins; on one date the first listing does (it has the later instant).
        if known is None or instant.date() < known.date():
            published[paper.id] = instant
        names = categories.setdefault(paper.id, {})
        for name in paper.categories or (paper.category,):
            if name:
                names.setdefault(name, None)
    unique = dedup_by_id(ordered)
    notes: list[str] = []
    repeats = len(papers) - len(unique)
    if repeats:
        notes.append(f"{repeats} repeated listing(s) of a paper merged into one item (the newest digest's text)")
    kept = unique
    if settings.since is not None:
        kept = since(unique, settings.since)
        if len(kept) < len(unique):
            notes.append(f"--since {settings.since.isoformat()} left out {len(unique) - len(kept)} older paper(s)")
    if settings.max_items is not None and len(kept) > settings.max_items:
        notes.append(f"--max-items {settings.max_items} left out {len(kept) - settings.max_items} older paper(s)")
        kept = kept[: settings.max_items]
    items = tuple(
        FeedItem(
            paper=paper,
            published=published[paper.id],
            updated=instants[id(paper)],
            categories=tuple(categories[paper.id]),
        )
        for paper in kept
    )
    newest = max(dates)
    updated = max([_midnight(newest), *instants.values()])
    return Selection(items=items, updated=updated, first_date=min(dates), last_date=newest, notes=tuple(notes))


def _check_dates(digests: Sequence[Digest]) -> list[dt.date]:
    """The distinct dates the input carries; raises for the first undated paper."""
    dates: set[dt.date] = set()
    for digest in digests:
        if digest.date is not None:
            dates.add(digest.date)
        for paper in digest.papers:
            if paper.date is None:
                where = paper.source or SourceSpan(path=digest.source, line=1)
                raise OutputError(
                    "the digest has no date (a feed dates every item by its digest, and this file name "
                    "holds no YYYY-MM-DD); pass --date YYYY-MM-DD",
                    where,
                )
            dates.add(paper.date)
    if not dates:
        sources = ", ".join(d.source for d in digests) or "the input"
        raise OutputError(f"no digest has a date ({sources}); a feed needs one: pass --date YYYY-MM-DD")
    return sorted(dates)


def _listing_instants(papers: Sequence[Paper]) -> dict[int, dt.datetime]:
    """Each listing's instant (see the module docstring), keyed by ``id()`` of the paper object."""
    per_date: dict[dt.date, int] = {}
    for paper in papers:
        assert paper.date is not None  # checked by _check_dates
        per_date[paper.date] = per_date.get(paper.date, 0) + 1
    seen: dict[dt.date, int] = {}
    instants: dict[int, dt.datetime] = {}
    for paper in papers:
        assert paper.date is not None
        position = seen.get(paper.date, 0)
        seen[paper.date] = position + 1
        seconds = min(per_date[paper.date] - 1 - position, _LAST_SECOND)
        instants[id(paper)] = _midnight(paper.date) + dt.timedelta(seconds=seconds)
    return instants


def _midnight(date: dt.date) -> dt.datetime:
    return dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
