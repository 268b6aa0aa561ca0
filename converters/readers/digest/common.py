"""What every digest reader shares: the digest-level state, the checks and how a draft becomes a Paper.

The Markdown and HTML readers map labels the same way (:mod:`.fields`,
:mod:`.vocabulary`), collect the same things besides the papers
(:class:`DigestBuilder`) and report the same codes and messages, so ``arxport
check`` says the same thing about a digest and about its rendering as a web page.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence

from ...model import AI_FAILURE_KEYS, Digest, Paper, Problem, Section, SourceSpan, TocEntry, WorkId, new_paper, new_span
from ..base import DATE_RE, date_from_name, parse_date
from .fields import BodyParser, Draft, python_list
from .vocabulary import Labels, Vocabulary, describe, vocabulary

#: The fields that hold a paper's text: a paper with none of them filled but with extra labels
#: probably uses labels the vocabulary does not know.
_TEXT_FIELDS = ("tldr", "motivation", "method", "result", "conclusion", "abstract", "abstract_translation")
#: Extra keys the readers name themselves: not labels a user could map.
_READER_KEYS = frozenset({"Translated title", "Text", "Authors"})

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
                f"{f'arXiv:{paper.id}' if paper.is_arxiv else paper.label} is listed again "
                f"(first at line {first_line[paper.id]})",
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


def set_aside_ai_failures(
    vocabulary: Vocabulary, fields: dict[str, str], extra: dict[str, str], counts: dict[str, int]
) -> bool:
    """Move AI failure text ("Error: API quota exceeded", "Summary generation failed") out of the AI
    fields of ``fields`` into ``extra`` (under :data:`~converters.model.AI_FAILURE_KEYS`), counting each
    message in ``counts``. True when there was any."""
    found = False
    for name, key in AI_FAILURE_KEYS.items():
        value = fields.get(name)
        if value and vocabulary.is_ai_failure(value):
            del fields[name]
            extra[key] = value
            text = value.strip()
            counts[text] = counts.get(text, 0) + 1
            found = True
    return found


def ai_failure_message(counts: dict[str, int]) -> str:
    """The one ``ai-failure`` warning of a digest: how many fields, which messages."""
    return (
        f"{sum(counts.values())} AI field(s) hold a failure message instead of a summary "
        f"({describe(counts, limit=3)}); read as empty, the text kept in extra ('TL;DR (AI failure)' ...)"
    )


_UNSPACED_COMMA_RE = re.compile(r",(?! )")


def _count_lines(lines: Sequence[int]) -> str:
    """``3 paper(s) (lines 4, 9, 12)`` for a once-per-file message about many papers."""
    shown = ", ".join(str(n) for n in lines[:5]) + (" ..." if len(lines) > 5 else "")
    return f"{len(lines)} paper(s) (line{'s' if len(lines) > 1 else ''} {shown})"


class DigestBuilder:
    """What a digest reader collects besides the papers, and how it all becomes a :class:`Digest`.

    A reader fills these attributes as it meets the structure of the digest
    (table of contents, sections, title, notices, text it does not understand),
    reads paper bodies with :attr:`body`, turns each draft into a paper with
    :meth:`paper` and calls :meth:`digest` with its papers at the end.
    """

    def __init__(self, source: str, labels: Labels = ()) -> None:
        self.source = source
        self.problems: list[Problem] = []
        self.toc: list[TocEntry] = []
        self.sections: list[Section] = []
        self.title: str | None = None
        #: The title is one of the generator restyle's own ("AI-Enhanced arXiv Daily ..."), whose
        #: author lines always join names with ", ".
        self.restyle_title = False
        self.stated_total: tuple[int, int] | None = None  # (total, line) of a "Total Papers Today" line
        self.header_date: tuple[dt.date, int] | None = None  # a "Date: 2025-11-27" line before the papers
        self.toc_seen = False
        self.no_papers_notice: int | None = None  # its line
        self.pending_anchor: str | None = None  # an anchor waiting for its section heading
        self.stray_lines: list[int] = []
        self.layouts: set[str] = set()
        self.vocabulary = vocabulary(labels)
        self.body = BodyParser(self.vocabulary, self.problem, self.category_text)
        #: What an AI failure message can start with (a cheap first test before :meth:`ai_failures`).
        self.failure_starts = self.vocabulary.failure_starts
        self.failure_longest = self.vocabulary.failure_longest
        self.unlabelled: list[int] = []  # lines of papers with text before any label
        self.authorless: list[int] = []  # lines of papers without an author line
        self.unmapped: dict[str, int] = {}  # labels of papers whose text reached no field -> papers
        self.unmapped_line: int | None = None
        self.failures: dict[str, int] = {}  # AI failure text -> how often
        self.failure_line: int | None = None

    def problem(self, level: str, code: str, message: str, line: int) -> None:
        """Record a problem at ``line`` (a :data:`Report`)."""
        source = SourceSpan(path=self.source, line=line)
        self.problems.append(Problem(level=level, code=code, message=message, source=source))  # type: ignore[arg-type]

    def digest_date(self) -> dt.date | None:
        """The date in the file name, else the heading's (or a date line's) where a layout has one;
        a warning when they differ."""
        date = date_from_name(self.source)
        found = DATE_RE.search(self.title) if self.title else None
        title_date = parse_date(found) if found else None
        line = 1
        if title_date is None and self.header_date is not None:
            title_date, line = self.header_date
        if title_date is None:
            return date
        if date is not None and title_date != date:
            self.problem("warning", "date-mismatch", f"the heading says {title_date}, the file name says {date}", line)
        return date or title_date

    def category_text(self, value: str) -> str:
        """A category value as the reader found it; a reader of rendered pages undoes line wrapping here."""
        return value

    def author_separator(self, author_lines: Iterable[str]) -> str:
        """``", "`` when every comma of every author line is followed by a space, else ``","``.

        Decided once per digest: a single author line cannot tell ``A,B`` from a name.
        ``author_lines`` are the italic lines without their asterisks; lines written as a
        Python list (``['A', 'B']``) do not count.
        """
        if self.restyle_title:  # the restyled layouts always join with ", "
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
        """An italic author line as names: split on ``separator``, or read as the Python list some forks print."""
        if not raw:
            return ()
        if raw.startswith("[") and raw.endswith("]"):
            listed = python_list(raw)
            if listed is not None:
                return listed
            self.problem("warning", "bad-authors", "author line looks like a list but does not parse as one", line)
        return tuple(raw.split(separator))

    def may_be_failure(self, value: str | None) -> bool:
        """Whether an AI field's value is a failure message (its length and first character rule most
        summaries out before any pattern runs)."""
        return (
            value is not None
            and len(value) <= self.failure_longest
            and value[:1] in self.failure_starts
            and self.vocabulary.is_ai_failure(value)
        )

    def ai_failures(self, fields: dict[str, str], extra: dict[str, str], line: int) -> None:
        """:func:`set_aside_ai_failures`, counted for the digest's one ``ai-failure`` warning."""
        if set_aside_ai_failures(self.vocabulary, fields, extra, self.failures):
            self.failure_line = self.failure_line or line

    def paper(
        self,
        draft: Draft,
        work: WorkId,
        url: str,
        title: str,
        *,
        number: int | None,
        section: str | None,
        date: dt.date | None,
        separator: str,
    ) -> Paper:
        """The paper a finished draft describes (authors split, AI failures set aside, unmapped labels noted)."""
        fields, extra = draft.fields, draft.extra  # the draft's own: it is finished
        get = fields.get
        may_fail = self.may_be_failure
        if (
            may_fail(get("tldr"))
            or may_fail(get("motivation"))
            or may_fail(get("method"))
            or may_fail(get("result"))
            or may_fail(get("conclusion"))
        ):
            self.ai_failures(fields, extra, draft.line)
        if draft.unlabelled:
            self.unlabelled.append(draft.line)
        if extra and not any(map(get, _TEXT_FIELDS)):
            unmapped = [label for label, value in extra.items() if value.strip() and label not in _READER_KEYS]
            for label in unmapped:
                self.unmapped[label] = self.unmapped.get(label, 0) + 1
            if unmapped:
                self.unmapped_line = self.unmapped_line or draft.line
        if draft.author_style == "italic":
            authors = self.split_authors(draft.raw_authors, separator, draft.line)
        else:
            authors = draft.authors
            if not draft.author_style:
                self.authorless.append(draft.line)
        primary = get("primary_category") or None
        self.layouts.add(draft.layout)
        return new_paper(  # every field of Paper, in its order
            work.id,
            work.version,
            url,
            title,
            authors,
            primary,  # primary_category
            draft.categories or ((primary,) if primary else ()),  # categories
            section,
            number,
            get("tldr"),
            get("motivation"),
            get("method"),
            get("result"),
            get("conclusion"),
            get("abstract"),
            get("comment"),
            extra,
            date,
            new_span(self.source, draft.line),  # source
            work.scheme,  # id_scheme
            get("abstract_translation"),
        )

    def template(self) -> str:
        """The template name (``Digest.template``) from the layouts seen."""
        if self.no_papers_notice is not None and not self.toc_seen and self.title is None:
            return "no-papers"
        if "general" in self.layouts:
            return "general"
        if "restyle" in self.layouts or self.restyle_title:
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
        placeholders = self.body.placeholders
        if placeholders:
            names = ", ".join(sorted(placeholders))
            message = f"the generator left template placeholders unfilled ({names}); read as empty fields"
            self.problem("warning", "unfilled-placeholder", message, min(placeholders.values()))
        if self.failures:
            self.problem("warning", "ai-failure", ai_failure_message(self.failures), self.failure_line or 1)
        if self.unlabelled:
            message = f"{_count_lines(self.unlabelled)} have text without a label; kept as extra field 'Text'"
            self.problem("warning", "unlabelled-text", message, self.unlabelled[0])
        if self.authorless:
            self.problem(
                "warning", "missing-authors", f"{_count_lines(self.authorless)} have no author line", self.authorless[0]
            )
        if self.unmapped:
            count = max(self.unmapped.values())
            message = (
                f"{count} paper(s) have their text only under labels arxport does not map to a field "
                f"({describe(self.unmapped)}); they are kept in extra. Map them with --labels FILE or "
                f"[tool.arxport.labels] ('label = \"tldr\"'; see docs/digest-format.md)"
            )
            self.problem("warning", "unmapped-labels", message, self.unmapped_line or 1)
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
