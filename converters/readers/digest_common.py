"""What every digest reader shares: the label vocabulary and the consistency checks.

The Markdown and HTML readers map labels the same way and report the same codes
and messages, so ``arxport check`` says the same thing about a digest and
about its rendering as a web page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..model import Paper, Section, TocEntry

#: Labels with a home in the model (compared in lower case); any other label is kept in ``Paper.extra``.
FIELD_OF_LABEL = {
    "main category": "primary_category",
    "category": "categories",
    "tl;dr": "tldr",
    "tldr": "tldr",
    "task": "tldr",  # V1: the task stands where the TL;DR is now
    "motivation": "motivation",
    "method": "method",
    "result": "result",
    "conclusion": "conclusion",
    "abstract": "abstract",
    "original abstract": "abstract",  # fyrsta7: the arXiv abstract after a translated one
    "comment": "comment",
}

#: ``report(level, code, message, line)``
Report = Callable[[str, str, str, int], None]


def check_papers(papers: Sequence[Paper], report: Report) -> None:
    """Duplicate ids and numbers, empty titles, a main category that is not the section's."""
    first_line: dict[str, int] = {}
    number_line: dict[int, int] = {}
    for paper in papers:
        line = paper.source.line if paper.source else 1
        if paper.id in first_line:
            report(
                "warning",
                "duplicate-paper",
                f"arXiv:{paper.id} is listed again (first at line {first_line[paper.id]})",
                line,
            )
        else:
            first_line[paper.id] = line
        if paper.number is not None:
            if paper.number in number_line:
                report(
                    "warning",
                    "duplicate-number",
                    f"[{paper.number}] is used again (first at line {number_line[paper.number]})",
                    line,
                )
            else:
                number_line[paper.number] = line
        if not paper.title:
            report("warning", "empty-title", "paper has an empty title", line)
        primary, section = paper.primary_category, paper.section
        if primary and section and primary != section and section not in paper.categories:
            report("warning", "category-mismatch", f"main category {primary} differs from its section {section}", line)


def check_structure(
    papers: Sequence[Paper],
    sections: Sequence[Section],
    toc: Sequence[TocEntry],
    stated_total: tuple[int, int] | None,
    report: Report,
) -> None:
    """Empty sections, TOC entries without a section (or with a wrong total), sections missing from the TOC,
    and a stated paper total (``stated_total`` is ``(total, line)``) that differs from the papers listed."""
    counts: dict[str, int] = {}
    for paper in papers:
        if paper.section is not None:
            counts[paper.section] = counts.get(paper.section, 0) + 1
    for section in sections:
        if not counts.get(section.category):
            report("warning", "empty-section", f"section {section.category} lists no papers", section.line or 1)
    names = {s.category for s in sections}
    for entry in toc:
        found = counts.get(entry.category, 0)
        if entry.category not in names:
            message = f"the table of contents lists {entry.category}, which has no section"
            report("warning", "toc-without-section", message, entry.line or 1)
        elif entry.total is not None and entry.total != found:
            message = f"the table of contents says {entry.category} has {entry.total} papers; {found} are listed"
            report("warning", "toc-total-mismatch", message, entry.line or 1)
    if toc:
        listed = {e.category for e in toc}
        for section in sections:
            if section.category not in listed:
                message = f"section {section.category} is not in the table of contents"
                report("warning", "section-not-in-toc", message, section.line or 1)
    if stated_total is not None and stated_total[0] != len(papers):
        total, line = stated_total
        report(
            "warning", "stated-total-mismatch", f"the digest says it has {total} papers; {len(papers)} are listed", line
        )
