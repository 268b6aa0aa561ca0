"""What the citation writers (BibTeX, BibLaTeX, RIS, CSL-JSON) share: one record per paper.

A citation file holds each paper once, so the papers of all digests are merged
by id first (:func:`unique_papers`; an arXiv id, a DOI, a PubMed id or a URL,
which never collide): a paper keeps the place of its first listing and the
text of its newest one (latest digest date; among listings of one date, the
last). Each record then gets its citation key
(:mod:`converters.writers.citation.keys`), its year and month
(:func:`~converters.writers.citation.keys.work_year_month`), its authors split
for citation formats (:mod:`converters.writers.citation.names`) and its AI summary.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from ...model import Digest, Paper, iter_papers
from ...text.clean import clean_line as clean
from ...text.clean import clean_lines
from ..shared import shown_abstract, work_name
from .keys import assign_keys, work_year_month
from .names import PersonName, clean_name_lists, split_cleaned_names

#: The AI summary fields and the labels they carry in citation notes.
SUMMARY_LABELS: tuple[tuple[str, str], ...] = (
    ("tldr", "TL;DR"),
    ("motivation", "Motivation"),
    ("method", "Method"),
    ("result", "Result"),
    ("conclusion", "Conclusion"),
)


class Citation(NamedTuple):
    """One paper as the citation writers see it, its text values cleaned (one line, no control
    characters) but not escaped: each writer escapes for its own format."""

    key: str
    paper: Paper
    #: Year and month of version 1, from the arXiv id; for another work the digest's year and no month.
    year: int | None
    month: int | None
    #: The author names, cleaned, empty ones left out; :attr:`names` splits them.
    authors: tuple[str, ...]
    #: The title, or ``arXiv:<id>`` (``doi:<doi>`` ..., :func:`~converters.writers.shared.work_name`) when the
    #: digest gave none (every format requires one).
    title: str
    #: The primary category, then the other categories, each once.
    keywords: tuple[str, ...]
    #: ``Label: text`` of each non-empty AI summary field, in template order.
    summary: tuple[str, ...]

    @property
    def names(self) -> tuple[PersonName, ...]:
        """The authors split for citation formats (:mod:`converters.writers.citation.names`), worked out on each use:
        the BibTeX writer needs them only for the few lists :func:`~converters.writers.citation.names.family_given` rejects."""
        return split_cleaned_names(self.authors)

    @property
    def abstract(self) -> str | None:
        """The abstract to write, uncleaned: the original, else the digest's translation
        (:func:`~converters.writers.shared.shown_abstract`)."""
        return shown_abstract(self.paper)

    def summary_text(self, separator: str = " ") -> str:
        """The AI summary as ``TL;DR: ... Motivation: ...``; empty when the digest had none."""
        return separator.join(self.summary)


def unique_papers(digests: Iterable[Digest]) -> tuple[list[Paper], int]:
    """(one paper per id, how many repeated listings were folded in); see the module docstring."""
    chosen: dict[str, Paper] = {}
    total = 0
    for paper in iter_papers(digests):
        total += 1
        current = chosen.get(paper.id)
        if current is None or _date(paper) >= _date(current):
            chosen[paper.id] = paper  # a dict keeps the first insertion's place
    return list(chosen.values()), total - len(chosen)


def _date(paper: Paper) -> dt.date:
    return paper.date or dt.date.min


#: Papers per batch of :func:`citation_batches`: large enough for the column-wise cleaning to pay, small
#: enough that a batch's text is a few MB whatever the run's size.
BATCH = 2000


def citations(papers: Sequence[Paper], key_format: str = "arxiv", taken: Iterable[str] = ()) -> list[Citation]:
    """A :class:`Citation` for each paper (ids must be unique), keys assigned over the whole list."""
    return [record for batch in citation_batches(papers, key_format, taken) for record in batch]


def citation_batches(
    papers: Sequence[Paper], key_format: str = "arxiv", taken: Iterable[str] = ()
) -> Iterator[list[Citation]]:
    """:func:`citations` in batches of :data:`BATCH` papers, for writers that write as they go: keys are
    assigned over the whole list first, everything else a batch at a time."""
    keys = assign_keys(papers, key_format, taken)
    for start in range(0, len(papers), BATCH):
        yield _citations(papers[start : start + BATCH], keys[start : start + BATCH])


def _citations(papers: Sequence[Paper], keys: Sequence[str]) -> list[Citation]:
    """Text values are cleaned a field at a time over all papers (:func:`clean_lines`), which checks nearly
    clean columns in a few C-level passes instead of a call per value."""
    titles = clean_lines([paper.title for paper in papers])
    records = []
    author_lists = clean_name_lists([paper.authors for paper in papers])
    for key, paper, title, authors, keywords, summary in zip(
        keys, papers, titles, author_lists, _keywords(papers), _summaries(papers), strict=True
    ):
        when = work_year_month(paper)
        records.append(
            Citation(
                key,
                paper,
                when[0] if when else None,
                when[1] if when else None,
                authors,
                title or work_name(paper),
                keywords,
                summary,
            )
        )
    return records


def _keywords(papers: Sequence[Paper]) -> list[tuple[str, ...]]:
    """:attr:`Citation.keywords` of each paper, worked out once per distinct list of categories."""
    known: dict[tuple[str | None, tuple[str, ...]], tuple[str, ...]] = {}
    out = []
    for paper in papers:
        categories = (paper.category, paper.categories)
        keywords = known.get(categories)
        if keywords is None:
            keywords = known[categories] = _distinct_categories(categories[0], categories[1])
        out.append(keywords)
    return out


def _distinct_categories(primary: str | None, others: tuple[str, ...]) -> tuple[str, ...]:
    seen: list[str] = []
    for category in (primary, *others):
        value = clean(category) if category else ""
        if value and value not in seen:
            seen.append(value)
    return tuple(seen)


def _summaries(papers: Sequence[Paper]) -> list[tuple[str, ...]]:
    """:attr:`Citation.summary` of each paper, each field cleaned as one column (:func:`clean_lines`).

    Each field is labelled once, as a plain string: no (label, text) pair per field
    and paper, which the garbage collector would have to visit.
    """
    columns = [
        [
            f"{label}: {text}" if text else ""
            for text in clean_lines([getattr(paper, attribute) or "" for paper in papers])
        ]
        for attribute, label in SUMMARY_LABELS
    ]
    return [tuple(filter(None, fields)) for fields in zip(*columns, strict=True)]


def duplicate_note(repeats: int) -> tuple[str, ...]:
    """The report note for papers listed more than once, or nothing."""
    if not repeats:
        return ()
    return (f"{repeats} repeated listing(s) of a paper written once, with the newest digest's text",)
