"""What the DOCX document says and in which order: title, contents, categories, papers.

This module knows the model and the page layout, not python-docx: it returns the
body as WordprocessingML paragraph strings (see :mod:`.wordml`) plus the
external links they use, and :mod:`.docx` puts them in a package. Styles are
referred to by the ids :data:`STYLES` defines; the writer creates them.

Text rules (the same for every paper):

* titles, authors and categories are made one line (whitespace runs become one space);
* AI fields keep their line breaks (numbered lists), and a TAB stays a tab;
* abstracts and comments follow arXiv's own rule: a line that starts with
  whitespace starts a new paragraph, any other line break is hard wrapping and
  becomes a space;
* everything goes through :func:`converters.text.clean.xml_text`: other control characters are removed;
* a field that is missing or empty is left out, label included. TeX is kept as written;
* an AI field's failure message (kept in ``extra``, :data:`~converters.model.AI_FAILURE_KEYS`) is left out:
  it is neither a summary nor digest data.

A work that is not on arXiv links its label (``doi:...``, ``PMID:...``, the URL)
to its landing page and has no PDF link. The abstract is followed by the
digest's translation of it (``Abstract translation``) when the digest gave one.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ...model import Digest, Paper
from ...text.clean import one_line, xml_text
from ..shared import shown_extra, uri
from . import wordml as x

#: Paragraph and character styles the body uses: style id -> (name shown in Word, kind).
STYLES: dict[str, tuple[str, str]] = {
    "Title": ("Title", "paragraph"),
    "Subtitle": ("Subtitle", "paragraph"),
    "TOCHeading": ("TOC Heading", "paragraph"),
    "TOC1": ("toc 1", "paragraph"),
    "TOC2": ("toc 2", "paragraph"),
    "Heading1": ("heading 1", "paragraph"),
    "Heading2": ("heading 2", "paragraph"),
    "PaperAuthors": ("Paper Authors", "paragraph"),
    "PaperLinks": ("Paper Links", "paragraph"),
    "PaperField": ("Paper Field", "paragraph"),
    "PaperAbstract": ("Paper Abstract", "paragraph"),
    "PaperNote": ("Paper Note", "paragraph"),
    "FieldLabel": ("Field Label", "character"),
    "Hyperlink": ("Hyperlink", "character"),
}

#: Labels of the summary fields, in the order every digest shows them.
FIELD_LABELS: tuple[tuple[str, str], ...] = (
    ("tldr", "TL;DR"),
    ("motivation", "Motivation"),
    ("method", "Method"),
    ("result", "Result"),
    ("conclusion", "Conclusion"),
)

#: Which headings the table of contents lists: ``--toc`` value -> outline levels.
TOC_LEVELS: dict[str, int] = {"none": 0, "categories": 1, "papers": 2}

UNCATEGORISED = "Uncategorised"
#: Papers whose paragraphs :attr:`Layout.body` yields at a time.
BATCH = 500
_SEPARATOR = " \u00b7 "  # a middle dot between the items of a line
# arXiv's rule for abstracts: a line break followed by indentation starts a paragraph.
_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]+")


@dataclass(frozen=True, kw_only=True, slots=True)
class LayoutOptions:
    """The writer's options that change the body (see ``docs/docx.md``)."""

    toc: str = "categories"
    abstracts: bool = True
    max_authors: int = 0
    title: str | None = None


@dataclass(kw_only=True, slots=True)
class Links:
    """External link targets by relationship id, in first-use order (one id per distinct URL)."""

    prefix: str = "rIdArx"
    ids: dict[str, str] = field(default_factory=dict)

    def id_for(self, url: str) -> str:
        found = self.ids.get(url)
        if found is None:
            found = self.ids[url] = f"{self.prefix}{len(self.ids) + 1}"
        return found


@dataclass(frozen=True, kw_only=True, slots=True)
class Layout:
    """The body of one document and the facts the writer needs for its properties.

    ``body`` yields the paragraphs (WordprocessingML text) in pieces of a few hundred papers as it is
    iterated, once: a document of any size is never whole in memory. ``links`` fills as it goes; it is
    complete once ``body`` is exhausted.
    """

    title: str
    subtitle: str
    categories: tuple[str, ...]
    body: Iterator[str]
    links: Links
    papers: int


def group_by_category(digests: Sequence[Digest]) -> dict[str, list[Paper]]:
    """Papers by the section they were listed under, categories in first-seen order.

    Sections a digest lists without papers are kept (empty), so the document
    shows what the digest showed. Within a category papers keep input order.
    """
    groups: dict[str, list[Paper]] = {}
    for digest in digests:
        for section in digest.sections:
            groups.setdefault(one_line(xml_text(section.category)) or UNCATEGORISED, [])
        for paper in digest.papers:
            key = one_line(xml_text(paper.section or paper.category or "")) or UNCATEGORISED
            groups.setdefault(key, []).append(paper)
    return groups


def digest_dates(digests: Sequence[Digest]) -> list[dt.date]:
    """The distinct dates of the digests and their papers, oldest first."""
    dates = {d.date for d in digests if d.date is not None}
    dates.update(p.date for d in digests for p in d.papers if p.date is not None)
    return sorted(dates)


def default_title(dates: Sequence[dt.date]) -> str:
    """``arXiv digest — 2025-01-02`` (or a date range, or no date when none is known)."""
    if not dates:
        return "arXiv digest"
    if dates[0] == dates[-1]:
        return f"arXiv digest \u2014 {dates[0].isoformat()}"
    return f"arXiv digest \u2014 {dates[0].isoformat()} to {dates[-1].isoformat()}"


def abstract_paragraphs(text: str) -> list[str]:
    """An abstract (or comment) as paragraphs, by arXiv's rule; hard line breaks become spaces."""
    paragraphs = []
    for chunk in _PARAGRAPH_BREAK_RE.split(xml_text(text)):
        joined = " ".join(line.strip() for line in chunk.split("\n")).strip()
        if joined:
            paragraphs.append(joined)
    return paragraphs


def author_line(authors: Sequence[str], limit: int) -> str:
    """Authors joined by ``, ``; past ``limit`` (when > 0) the rest is counted, not listed."""
    names = [name for name in (one_line(xml_text(a)) for a in authors) if name]
    if limit > 0 and len(names) > limit:
        return f"{', '.join(names[:limit])}, et al. ({len(names):,} authors)"
    return ", ".join(names)


def paper_url(paper: Paper, kind: str) -> str:
    """The versioned abstract (``abs``) or PDF (``pdf``) page of a paper on arxiv.org."""
    return f"https://arxiv.org/{kind}/{xml_text(paper.versioned_id)}"


def paper_links(paper: Paper) -> list[tuple[str, str]]:
    """(target, text) of the links on a paper's links line: ``arXiv:<id>[vN]`` to its versioned abstract page and
    ``PDF`` to its versioned PDF for an arXiv paper; for another work its label (``doi:...``, ``PMID:...``, the
    URL) to its landing page (:func:`~converters.writers.shared.uri`), and no PDF link."""
    if paper.is_arxiv:
        return [(paper_url(paper, "abs"), f"arXiv:{xml_text(paper.versioned_id)}"), (paper_url(paper, "pdf"), "PDF")]
    return [(uri(xml_text(paper.link)), paper.label)]


def _labelled(label: str, text: str, style: str = "PaperField") -> str:
    return x.paragraph(style, x.run(f"{label}: ", "FieldLabel"), x.run(text))


class _Builder:
    """Appends the body's paragraphs; one instance per document."""

    def __init__(self, options: LayoutOptions, show_dates: bool, links: Links, outline_only: bool = False) -> None:
        self.options = options
        self.show_dates = show_dates
        #: Only the headings' :attr:`entries`, no paragraph: the pass that makes the contents.
        self.outline_only = outline_only
        self.paragraphs: list[str] = []
        self.links = links
        self.bookmarks = 0
        self.number = 0
        self.first_heading = True
        #: (outline level, bookmark name, heading text, note) of every heading the contents list.
        self.entries: list[tuple[int, str, str, str]] = []

    def heading(self, style: str, text: str, level: int, note: str = "") -> None:
        """Adds a heading, bookmarked and listed in :attr:`entries` when the contents reach ``level``.

        The first heading after the contents starts a new page, so the contents stand on the title page.
        """
        new_page = self.first_heading and TOC_LEVELS[self.options.toc] > 0
        self.first_heading = False
        if level > TOC_LEVELS[self.options.toc]:
            if not self.outline_only:
                self.paragraphs.append(x.paragraph(style, x.run(text), new_page=new_page))
            return
        self.bookmarks += 1
        name = f"_TocArx{self.bookmarks}"
        self.entries.append((level, name, text, note))
        if not self.outline_only:
            content = x.bookmarked(self.bookmarks, name, x.run(text))
            self.paragraphs.append(x.paragraph(style, content, new_page=new_page))

    def category(self, category: str, papers: Sequence[Paper]) -> Iterator[str]:
        """Adds a category and its papers, yielding the paragraphs so far every :data:`BATCH` papers."""
        self.heading("Heading1", category, 1, papers_count(len(papers)))
        if not papers and not self.outline_only:
            self.paragraphs.append(x.paragraph("PaperNote", x.run("No papers listed in this category.")))
        for paper in papers:
            self.paper(paper)
            if self.number % BATCH == 0:
                yield from self.flush()

    def flush(self) -> Iterator[str]:
        if self.paragraphs:
            yield "".join(self.paragraphs)
            self.paragraphs.clear()

    def paper(self, paper: Paper) -> None:
        self.number += 1
        if self.outline_only and TOC_LEVELS[self.options.toc] < 2:
            return  # no paper heading is listed
        title = one_line(xml_text(paper.title)) or "(untitled)"
        self.heading("Heading2", f"[{self.number}] {title}", 2)
        if self.outline_only:
            return
        add = self.paragraphs.append
        authors = author_line(paper.authors, self.options.max_authors)
        if authors:
            add(x.paragraph("PaperAuthors", x.run(authors)))
        details: list[str] = []
        for target, text in paper_links(paper):
            if details:
                details.append(x.run(_SEPARATOR))
            details.append(x.external_link(self.links.id_for(target), text, "Hyperlink"))
        category = one_line(xml_text(paper.category or ""))
        if category:
            details.append(x.run(f"{_SEPARATOR}{category}"))
        others = [c for c in (one_line(xml_text(c)) for c in paper.categories) if c and c != category]
        if others:
            details.append(x.run(f" (also {', '.join(others)})"))
        if self.show_dates and paper.date is not None:
            details.append(x.run(f"{_SEPARATOR}{paper.date.isoformat()}"))
        add(x.paragraph("PaperLinks", *details))
        for name, label in FIELD_LABELS:
            value = getattr(paper, name)
            if value and xml_text(value).strip():
                add(_labelled(label, value))
        for label, value in shown_extra(paper).items():
            if value and xml_text(value).strip():
                add(_labelled(one_line(xml_text(label)), value))
        if paper.comment:
            comment = " ".join(abstract_paragraphs(paper.comment))
            if comment:
                add(_labelled("Comment", comment))
        if self.options.abstracts:
            self.abstract("Abstract", paper.abstract)
            self.abstract("Abstract translation", paper.abstract_translation)

    def abstract(self, label: str, text: str | None) -> None:
        """An abstract's paragraphs (arXiv's rule, :func:`abstract_paragraphs`), the first led by ``label``."""
        for index, paragraph in enumerate(abstract_paragraphs(text or "")):
            if index == 0:
                self.paragraphs.append(_labelled(label, paragraph, "PaperAbstract"))
            else:
                self.paragraphs.append(x.paragraph("PaperAbstract", x.run(paragraph)))


def papers_count(count: int) -> str:
    """``1 paper``, ``1,024 papers``."""
    return f"{count:,} paper" + ("" if count == 1 else "s")


def _contents(entries: list[tuple[int, str, str, str]], levels: int) -> list[str]:
    """The table of contents: a TOC field whose shown result already lists ``entries``.

    Nothing but Word knows page numbers, so the result shown until the field
    is updated lists each heading as a link, a category with its paper count
    where Word puts the page. Word offers to update the field on opening
    (``updateFields``); LibreOffice updates it on request (Tools > Update),
    and shows (and exports to PDF) the listed entries until then.
    """
    paragraphs = [x.paragraph("TOCHeading", x.run("Contents"))]
    begin = x.field_begin(f'TOC \\o "1-{levels}" \\h \\z \\u')
    if not entries:
        paragraphs.append(x.paragraph("TOC1", begin, x.run("No entries."), x.field_end()))
        return paragraphs
    last = len(entries) - 1
    for index, (level, bookmark, text, note) in enumerate(entries):
        entry = x.internal_link(bookmark, x.run(f"{text}\t{note}" if note else text))
        paragraphs.append(
            x.paragraph(
                f"TOC{level}",
                begin if index == 0 else "",
                entry,
                x.field_end() if index == last else "",
            )
        )
    return paragraphs


def build(digests: Sequence[Digest], options: LayoutOptions) -> Layout:
    """The document for ``digests``: title block, contents, then each category and its papers (made as
    :attr:`Layout.body` is read). The contents come first, so a first pass over the headings alone makes
    them."""
    groups = group_by_category(digests)
    dates = digest_dates(digests)
    title = one_line(xml_text(options.title)) if options.title else default_title(dates)
    papers = sum(len(papers) for papers in groups.values())
    categories = tuple(groups)
    count = papers_count(papers)
    subtitle = f"{_SEPARATOR.join(categories)} \u2014 {count}" if categories else count

    head = [x.paragraph("Title", x.run(title)), x.paragraph("Subtitle", x.run(subtitle))]
    levels = TOC_LEVELS[options.toc]
    if levels:
        outline = _Builder(options, show_dates=len(dates) > 1, links=Links(), outline_only=True)
        for category, members in groups.items():
            deque(outline.category(category, members), maxlen=0)
        head.extend(_contents(outline.entries, levels))
    if not papers and not categories:
        head.append(x.paragraph("PaperNote", x.run("No papers.")))
    links = Links()

    def body() -> Iterator[str]:
        yield "".join(head)
        builder = _Builder(options, show_dates=len(dates) > 1, links=links)
        for category, members in groups.items():
            yield from builder.category(category, members)
        yield from builder.flush()

    return Layout(title=title, subtitle=subtitle, categories=categories, body=body(), links=links, papers=papers)
