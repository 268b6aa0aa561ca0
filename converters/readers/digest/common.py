"""What every digest reader shares: the label vocabulary, the digest-level state and the checks.

The Markdown and HTML readers map labels the same way, collect the same things
besides the papers (:class:`DigestBuilder`) and report the same codes and
messages, so ``arxport check`` says the same thing about a digest and about its
rendering as a web page.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Protocol

from ...model import Digest, Paper, Problem, Section, SourceSpan, TocEntry
from ..base import DATE_RE, date_from_name, parse_date

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

#: What a plain (not bold) label looks like: a capitalised word and up to two lower-case ones
#: ("Main category", "TL;DR", "ai_Abstract"), or a short run of CJK or Hangul ("摘要翻译").
LABEL_LIKE = r"[A-Z][A-Za-z_;]*(?: [a-z][A-Za-z_]*){0,2}|[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]{1,12}"

_PLACEHOLDER_RE = re.compile(r"\{[a-z_]+\}")  # what the generator leaves when it fails to fill "{tldr}"


@functools.lru_cache(maxsize=1024)
def _split_categories(value: str) -> tuple[str, ...]:
    """A comma-separated category list as categories (cached: the same few lists recur on every page)."""
    return tuple(c.strip() for c in value.split(",") if c.strip())


@functools.lru_cache(maxsize=1024)
def _label_field(label: str) -> tuple[str, str | None]:
    """A label without surrounding space, and the model field it fills (None: it goes to ``Paper.extra``).

    Cached: a digest repeats the same dozen labels on every paper.
    """
    label = label.strip()
    return label, FIELD_OF_LABEL.get(label.lower())


class FieldDraft(Protocol):
    """What :meth:`DigestBuilder.assign` needs of a reader's paper-in-progress."""

    line: int
    fields: dict[str, str]  # model field -> value
    extra: dict[str, str]  # any other label -> value, in input order
    categories: tuple[str, ...]


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


_UNSPACED_COMMA_RE = re.compile(r",(?! )")


class DigestBuilder:
    """What a digest reader collects besides the papers, and how it all becomes a :class:`Digest`.

    A reader fills these attributes as it meets the structure of the digest
    (table of contents, sections, title, notices, text it does not understand)
    and calls :meth:`digest` with its papers at the end.
    """

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.toc: list[TocEntry] = []
        self.sections: list[Section] = []
        self.title: str | None = None
        self.stated_total: tuple[int, int] | None = None  # (total, line) of a "Total Papers Today" line
        self.toc_seen = False
        self.no_papers_notice: int | None = None  # its line
        self.pending_anchor: str | None = None  # an anchor waiting for its section heading
        self.stray_lines: list[int] = []
        self.placeholders: dict[str, int] = {}  # unfilled "{tldr}" placeholders: first line of each
        self.layouts: set[str] = set()

    def problem(self, level: str, code: str, message: str, line: int) -> None:
        """Record a problem at ``line`` (a :data:`Report`)."""
        source = SourceSpan(path=self.source, line=line)
        self.problems.append(Problem(level=level, code=code, message=message, source=source))  # type: ignore[arg-type]

    def digest_date(self) -> dt.date | None:
        """The date in the file name, else the heading's date where a layout has one; a warning when they differ."""
        date = date_from_name(self.source)
        found = DATE_RE.search(self.title) if self.title else None
        title_date = parse_date(found) if found else None
        if title_date is None:
            return date
        if date is not None and title_date != date:
            self.problem("warning", "date-mismatch", f"the heading says {title_date}, the file name says {date}", 1)
        return date or title_date

    def assign(self, draft: FieldDraft, label: str, value: str) -> tuple[str, bool] | None:
        """Store ``value`` under the model field or extra label it belongs to.

        Returns (key, whether it went to ``extra``) for a value later lines may
        continue, None for a category list. An unfilled placeholder reads as empty;
        a label seen twice keeps its second value as ``Label (2)`` with a warning.
        """
        label, name = _label_field(label)
        if len(value) < 40 and _PLACEHOLDER_RE.fullmatch(value.strip()):
            self.placeholders.setdefault(value.strip(), draft.line)
            value = ""
        if name == "categories":
            draft.categories = _split_categories(self.category_text(value))
            if draft.categories:
                draft.fields.setdefault("primary_category", draft.categories[0])
            return None
        if name == "primary_category":
            value = self.category_text(value)
        if name is not None and name not in draft.fields:
            draft.fields[name] = value
            return name, False
        key = label
        if key in draft.extra or name is not None:
            n = 2
            while f"{key} ({n})" in draft.extra:
                n += 1
            key = f"{key} ({n})"
            message = f"field {label!r} appears twice; the second is kept as {key!r}"
            self.problem("warning", "duplicate-field", message, draft.line)
        draft.extra[key] = value
        return key, True

    def category_text(self, value: str) -> str:
        """A category value as the reader found it; a reader of rendered pages undoes line wrapping here."""
        return value

    def author_separator(self, author_lines: Iterable[str]) -> str:
        """``", "`` when every comma of every author line is followed by a space, else ``","``.

        Decided once per digest: a single author line cannot tell ``A,B`` from a name.
        ``author_lines`` are the lines without their asterisks; lines written as a
        Python list (``['A', 'B']``) do not count.
        """
        if self.title is not None:  # the restyled layouts always join with ", "
            return ", "
        spaced = False
        for line in author_lines:
            if line.startswith("["):
                continue
            if _UNSPACED_COMMA_RE.search(line):
                return ","
            spaced = spaced or ", " in line
        return ", " if spaced else ","

    def split_authors(self, raw: str, separator: str, line: int) -> tuple[str, ...]:
        """An author line as names: split on ``separator``, or read as the Python list some forks print."""
        if not raw:
            return ()
        if raw.startswith("[") and raw.endswith("]"):
            try:
                value = ast.literal_eval(raw)
            except (ValueError, SyntaxError, MemoryError, RecursionError):  # what literal_eval raises on garbage
                value = None
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                return tuple(value)
            self.problem("warning", "bad-authors", "author line looks like a list but does not parse as one", line)
        return tuple(raw.split(separator))

    def template(self) -> str:
        """The template name (``Digest.template``) from the layouts seen."""
        if self.no_papers_notice is not None and not self.toc_seen and self.title is None:
            return "no-papers"
        if "restyle" in self.layouts or self.title is not None:
            return "restyle"
        for name in ("v0", "v1", "v2", "v3-variant"):
            if name in self.layouts:
                return name
        return "v3"

    def digest(
        self, papers: Sequence[Paper], date: dt.date | None, separator: str, stray_lines: Sequence[int], stray: str
    ) -> Digest:
        """The digest, after the checks every reader runs; ``stray`` names what ``stray_lines`` count (``line``, ``block``)."""
        check_papers(papers, self.problem)
        check_structure(papers, self.sections, self.toc, self.stated_total, self.problem)
        if self.placeholders:
            names = ", ".join(sorted(self.placeholders))
            message = f"the generator left template placeholders unfilled ({names}); read as empty fields"
            self.problem("warning", "unfilled-placeholder", message, min(self.placeholders.values()))
        if stray_lines:
            shown = ", ".join(str(n) for n in stray_lines[:5]) + (" ..." if len(stray_lines) > 5 else "")
            message = f"{len(stray_lines)} {stray}(s) outside any paper were not understood (lines {shown})"
            self.problem("warning", "unexpected-text", message, stray_lines[0])
        if not papers:
            self.problem("warning", "no-papers", "the digest lists no papers", self.no_papers_notice or 1)
        self.problems.sort(key=lambda p: p.source.line)
        return Digest(
            source=self.source,
            date=date,
            title=self.title,
            template=self.template(),
            author_separator=separator,
            toc=tuple(self.toc),
            sections=tuple(self.sections),
            papers=tuple(papers),
            problems=tuple(self.problems),
        )
