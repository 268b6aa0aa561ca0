"""The daily-arXiv-ai-enhanced Markdown digest, in every template that exists and the layouts forks invent.

See ``docs/digest-format.md`` for what is accepted. The reader works on the text,
never on a Markdown or HTML parse of it: titles and abstracts are raw text that
happens to contain ``[``, ``*``, ``<think>`` and column-0 ``Conclusion:`` lines.

How a file is taken apart:

1. every ``### [N] [Title](URL)`` line (``### [Title](URL)`` in V0/V1) starts a
   paper (the upstream path); a file with no such line goes to the general
   segmenter (:mod:`.layouts`), which finds papers as headings at any level,
   list items or bold titles that name one work;
2. an upstream paper block runs to its first ``</details>`` line (or, in a layout
   without ``<details>``, to the next section heading); what follows up to the
   next paper is structure (section headings, back links, separators), except
   labelled lines right after it, which are the paper's too (``[**[PDF]**](url) |
   **Categories:** cs.DB, cs.IT``);
3. a block in the exact current template (V3, or V2's ``TLDR:``) is the fast
   path; every other body goes through the general field parser
   (:mod:`.fields`), which knows labels in every form forks write and keeps
   labels it does not know in ``Paper.extra``.

A field runs from its label to the blank line before the next label, so values
come back byte for byte: multi-line text, trailing spaces, control characters.

Why the upstream path is fast: the text is never split into lines. ``str.find``
finds the candidate heading lines and the regex runs only there; a
current-template block is a chain of ``str.find`` calls for the delimiters that
end its values, on bounds in the whole text, so each value is copied once; line
numbers come from one ``str.count`` per block. Only other bodies and the
structure between papers are looked at line by line.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from collections.abc import Iterator, Sequence
from typing import ClassVar

from ...errors import InputError
from ...model import (
    AI_FAILURE_KEYS,
    Digest,
    Paper,
    Problem,
    Section,
    SourceSpan,
    TocEntry,
    WorkId,
    new_paper,
    new_span,
    parse_arxiv_id,
    parse_work_link,
)
from ..base import DATE_RE, Reader, decode_text, parse_date
from .common import DigestBuilder
from .fields import Draft
from .layouts import Entry, clean_title, find_entries, identifying_link
from .vocabulary import Labels

# --- the lines that make up a digest ------------------------------------------------

# A paper heading, tried at the start of the text and after each "\n###".
_HEADING_RE = re.compile(r"### (?:\[(\d+)\] )?\[(.*)\]\(([^\s()]+)\)[ \t]*(?=\n|$)")

# The current template (V3; V2 differs only in "TLDR:") as the delimiters that
# end its values: str.find finds them faster than a regular expression would.
_V3_HEAD = "\n\nMain category: "
_V3_TLDR, _V2_TLDR = "\nTL;DR: ", "\nTLDR: "  # after the category line's "\n"
# What ends each value from the TL;DR on, with its length: the TL;DR, motivation,
# method, result, conclusion and abstract (which the closing blank line and
# </details> end).
_V3_ENDS = tuple(
    (delimiter, len(delimiter))
    for delimiter in (
        "\n\n\n<details>\n  <summary>Details</summary>\nMotivation: ",
        "\n\nMethod: ",
        "\n\nResult: ",
        "\n\nConclusion: ",
        "\n\nAbstract: ",
        "\n\n</details>",
    )
)


#: A paper's text fields in model order: (tldr, motivation, method, result, conclusion, abstract, comment).
_Texts = tuple[str | None, ...]


def _match_v3(text: str, start: int, end: int) -> tuple[int, str, str, str, _Texts] | None:
    """The current template's block body starting at ``start`` (before the next heading at ``end``).

    Returns (close, TL;DR label, raw authors, category, texts), where ``close``
    is the position of the line break before the block's ``</details>``, or
    None when the body is not exactly one V3/V2 block. Each value runs to the
    first occurrence of what ends it; as the spec says, the abstract runs to the
    first blank line followed by ``</details>``. Works on bounds, not on a
    slice, so the block is scanned once and copied only into its values.
    """
    find = text.find
    head = find("\n", start, end)  # the "Main category" paragraph must start right after the author line
    if head < start + 2 or text[start] != "*" or text[head - 1] != "*" or not text.startswith(_V3_HEAD, head, end):
        return None
    category = head + len(_V3_HEAD)
    category_end = find("\n", category, end)
    if text.startswith(_V3_TLDR, category_end + 1, end):
        label, at = "TL;DR", category_end + 1 + len(_V3_TLDR)
    elif text.startswith(_V2_TLDR, category_end + 1, end):
        label, at = "TLDR", category_end + 1 + len(_V2_TLDR)
    else:
        return None
    values: list[str | None] = []
    for delimiter, length in _V3_ENDS:
        stop = find(delimiter, at, end)
        if stop < 0:
            return None
        values.append(text[at:stop])
        at = stop + length
    values.append(None)  # the template has no comment
    return stop + 1, label, text[start + 1 : head - 1], text[category:category_end], tuple(values)


_TEXT_FIELDS = ("tldr", "motivation", "method", "result", "conclusion", "abstract", "comment")
assert _TEXT_FIELDS[:5] == tuple(AI_FAILURE_KEYS)  # fast_paper relies on the AI fields coming first

_ANCHOR_RE = re.compile(r"""<(?:div|a) id=(?:'([^']*)'|"([^"]*)"|([^\s>]+))\s*></(?:div|a)>""")


def _find_headings(text: str) -> list[re.Match[str]]:
    """Every paper heading: the regex tried on the first line and after each "\n###" str.find finds.

    str.find skips through the text several times faster than the regex engine's
    own search for a literal prefix. A match holds no line break, so searching on
    from the start of a matched line misses no heading.
    """
    find, match = text.find, _HEADING_RE.match
    headings = []
    at = -1  # the line break before the line to try; -1 for the first line
    while True:
        heading = match(text, at + 1)
        if heading is not None:
            headings.append(heading)
        at = find("\n###", at + 1)
        if at < 0:
            return headings


def _author_lines(text: str, headings: list[re.Match[str]]) -> Iterator[str]:
    """The line under each heading that starts with "*", without that "*": what decides the author separator."""
    for heading in headings:
        start = heading.end() + 1
        if text.startswith("*", start):
            stop = text.find("\n", start)
            yield text[start + 1 : stop] if stop >= 0 else text[start + 1 :]


_INLINE_ANCHOR_RE = re.compile(r"""<(?:div|a) id=(?:'[^']*'|"[^"]*"|[^\s>]+)\s*></(?:div|a)>[ \t]*""")
_ANY_HEADING_RE = re.compile(r"(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t]*")
_TOC_HEADING_RE = re.compile(r"(?:Table of Contents|目录|目次|목차)\s*")
_TOC_ENTRY_RE = re.compile(
    r"- \[(?P<cat>[^\]]+?)(?: \((?P<total3>\d+)\))?\]\(#(?P<anchor>[^)]*)\)"
    r"(?: \[Total: (?P<total>\d+)\]| \((?P<total2>\d+) 篇\))?\s*"
)
_TOC_LINK_LINE_RE = re.compile(r"[ \t]*(?:[-*+]|\d+\.)[ \t]+\[[^\n]*\]\(#[^)\n]*\)[^\n]*")
_SECTION_RE = re.compile(r"#{1,2} (?P<rest>.*)")
_BACK_RE = re.compile(r"\s*(?:\[\[Back\]\]\(#toc\)|<small>.*</small>)\s*$")
_BACK_LINKS_RE = re.compile(r"\s*\[\[?[^\]\n]*\]?\]\(#[^)\n]*\)\s*$")
_TITLE_RE = re.compile(r"# (?P<title>(?:AI-Enhanced arXiv Daily|ArXiv Daily Papers)\b.*)")
_STATED_TOTAL_RE = re.compile(r"## (?:今日总计: (?P<a>\d+) 篇论文|Total Papers Today: (?P<b>\d+))\s*")
_NO_PAPERS_RE = re.compile(r"#{1,3} (?:No New Papers Today|今日没有找到新论文。?)\s*")
_SNIFF_RE = re.compile(
    r"^(?:#{1,3} (?:<a id=[^>\n]*></a>)?(?:Table of Contents|目录)|# (?:AI-Enhanced arXiv Daily|ArXiv Daily Papers)\b.*"
    r"|#{1,3} (?:No New Papers Today|今日没有找到新论文。?))[ \t]*\r?$",
    re.M,
)
# A labelled line above the papers: "**日期**: 2025-11-27", "**论文数量**: 20 篇", "Total papers: 20".
_HEADER_LABEL_RE = re.compile(
    r"(?:[-*+][ \t]+)?(?:\*\*|__)?(?P<label>[^*_:：\n]{1,30}?)(?:\*\*|__)?[ \t]*[:：](?:\*\*|__)?[ \t]*(?P<value>.*)"
)
_COUNT_LABELS = frozenset(
    {"论文数量", "论文总数", "总计", "papers", "total papers", "total", "number of papers", "論文数", "논문 수"}
)
_DATE_LABELS = frozenset({"日期", "date", "日付", "날짜"})
_COUNT_RE = re.compile(r"\s*(\d+)\s*(?:篇|편|件|papers?)?\s*")
# A line after a paper that carries more of its fields ("[**[PDF]**](url) | **Categories:** cs.DB").
_TRAILER_FIELD_RE = re.compile(r"[^\n]*\*\*[^*\n]{1,40}?(?:[:：]\*\*|\*\*[ \t]*[:：])")
# Lines between papers that mean nothing: blank, a rule, back links ("[⬆️ ...](#toc)").
_IGNORABLE_LINE = r"[^\S\n]*|-{3,}[^\S\n]*|\[⬆️[^\]\n]*\]\(#[^)\n]*\)(?: \| \[⬆️[^\]\n]*\]\(#[^)\n]*\))*[^\S\n]*"
_IGNORABLE_RE = re.compile(_IGNORABLE_LINE)
_IGNORABLE_LINES_RE = re.compile(rf"(?:{_IGNORABLE_LINE})(?:\n(?:{_IGNORABLE_LINE}))*")  # every line ignorable
_SECTION_END_RE = re.compile(r"#{1,2}[ \t]|<(?:div|a) id=")  # what ends a paper that has no </details>


class _FileReader(DigestBuilder):
    """Reads one digest text. Single use."""

    def __init__(self, text: str, source: str, labels: Labels = ()) -> None:
        super().__init__(source, labels)
        self.text = text
        self.papers: list[Paper] = []
        self.separator = ","
        self.section: str | None = None  # the heading the next paper is listed under
        self.date: dt.date | None = None
        self.read_a_paper = False  # a paper came before the structure being scanned

    # -- top level ------------------------------------------------------------------
    def read(self) -> Digest:
        text = self.text
        headings = _find_headings(text)
        if headings:
            self.read_upstream(headings)
        else:
            lines = text.split("\n")
            entries = find_entries(lines)
            if entries:
                self.read_general(lines, entries)
            else:
                self.scan_lines(lines, 1, followed_by_paper=False)
                self.separator = self.author_separator(())
                self.date = self.digest_date()
                if not self.toc_seen and self.no_papers_notice is None and not self.restyle_title:
                    raise InputError(
                        "not an arXiv digest: found no paper (a heading, list item or bold title that links to "
                        "an arXiv paper or a DOI, like ### [1] [Title](https://arxiv.org/abs/ID)), "
                        "no table of contents and no 'no papers' notice",
                        SourceSpan(path=self.source, line=self.stray_lines[0] if self.stray_lines else 1),
                    )
        return self.digest(self.papers, self.date, self.separator, self.stray_lines, "line")

    def read_upstream(self, headings: list[re.Match[str]]) -> None:
        """Papers under the generator's own headings: the fast path for the current template."""
        text = self.text
        # Where each paper's "### " line starts, then the end: paper i runs from bounds[i] to bounds[i + 1].
        bounds = [heading.start() for heading in headings]
        bounds.append(len(text))
        first = bounds[0]
        self.scan_structure(0, first, 1, followed_by_paper=True)
        self.separator = self.author_separator(_author_lines(text, headings))
        self.date = self.digest_date()
        line = text.count("\n", 0, first) + 1
        for heading, start, end in zip(headings, bounds[:-1], bounds[1:], strict=True):
            self.read_block(heading, end, line)
            line += text.count("\n", start, end)

    def read_block(self, heading: re.Match[str], end: int, line: int) -> None:
        """One paper, from its heading to ``end``; the current template never becomes a list of lines."""
        text = self.text
        body_start = heading.end() + 1
        fast = _match_v3(text, body_start, end)
        if fast is not None:
            close = fast[0]
        else:
            close = text.find("\n</details>", heading.end(), end)
            if close < 0 and text.find("<details", body_start, end) >= 0:
                message = "paper block has no closing </details> line; paper skipped"
                self.problem("error", "unclosed-paper", message, line)
                return
        if close >= 0:
            after = close + len("\n</details>")
            if after < end and text[after] != "\n":  # "</details>" must be the whole line
                after = text.find("\n", after)
                after = end if after < 0 else after
        else:  # a layout without <details>: the paper runs to the next section heading or anchor
            close = after = _body_end(text, body_start, end)
        trailer = text[after + 1 : end]  # usually "\n"
        trailing: list[str] | None = None
        if trailer and not trailer.isspace() and not _IGNORABLE_LINES_RE.fullmatch(trailer):
            trailing, trailer = _trailer_fields(trailer)
        else:
            trailer = ""
        number, title, url = heading.groups()
        found = parse_arxiv_id(url)  # the usual case; other links are works of other kinds
        work = None if found is not None else parse_work_link(url, any_url=True)
        if found is None and work is None:
            message = f"paper link {url!r} is not a web address (an arXiv, DOI or other URL); paper skipped"
            self.problem("error", "bad-url", message, line)
        elif fast is not None and not trailing:
            # The current template: every value sliced out already; the paper is built positionally.
            _, label, raw_authors, category, texts = fast
            self.layouts.add("v3" if label == "TL;DR" else "v2")
            tldr, motivation, method, result, conclusion, abstract, comment = texts
            extra: dict[str, str] = {}
            # Most values are summaries: their length or first character rules them out before any pattern runs.
            starts, longest, failed = self.failure_starts, self.failure_longest, self.vocabulary.is_ai_failure
            if (
                (len(tldr) <= longest and tldr[:1] in starts and failed(tldr))  # type: ignore[index,arg-type]
                or (len(motivation) <= longest and motivation[:1] in starts and failed(motivation))  # type: ignore[index,arg-type]
                or (len(method) <= longest and method[:1] in starts and failed(method))  # type: ignore[index,arg-type]
                or (len(result) <= longest and result[:1] in starts and failed(result))  # type: ignore[index,arg-type]
                or (len(conclusion) <= longest and conclusion[:1] in starts and failed(conclusion))  # type: ignore[index,arg-type]
            ):
                fields = {name: value for name, value in zip(AI_FAILURE_KEYS, texts, strict=False) if value}
                self.ai_failures(fields, extra, line)
                tldr, motivation, method, result, conclusion = (fields.get(name) for name in AI_FAILURE_KEYS)
            authors = (
                tuple(raw_authors.split(self.separator))
                if raw_authors and raw_authors[0] != "["
                else self.split_authors(raw_authors, self.separator, line)
            )
            if found is not None:
                arxiv_id, version, scheme = found[0], found[1], "arxiv"
            else:
                assert work is not None
                arxiv_id, version, scheme = work.id, work.version, work.scheme
            self.papers.append(
                new_paper(  # every field of Paper, in its order
                    arxiv_id,  # id
                    version,
                    url,
                    title,
                    authors,
                    category or None,  # primary_category
                    (category,) if category else (),  # categories
                    self.section,
                    int(number) if number else None,  # number
                    tldr,
                    motivation,
                    method,
                    result,
                    conclusion,
                    abstract,
                    comment,
                    extra,
                    self.date,
                    new_span(self.source, line),  # source
                    scheme,  # id_scheme
                    None,  # abstract_translation
                )
            )
        else:
            # the line end before the closing blank line is not part of the last value
            stop = close - 1 if close > body_start and text[close - 1] == "\n" else close
            draft = Draft(line)
            self.body.parse(draft, text[body_start:stop].split("\n") if stop > body_start else [])
            if trailing:
                self.body.parse(draft, trailing, head=False)
            paper = self.paper(
                draft,
                WorkId("arxiv", *found) if found is not None else work,  # type: ignore[arg-type]
                url,
                clean_title(title) if title.startswith(("[", "**")) else title,
                number=int(number) if number else None,
                section=self.section,
                date=self.date,
                separator=self.separator,
            )
            self.papers.append(paper)
        self.read_a_paper = True
        if trailer:
            trailer_line = line + text.count("\n", heading.start(), end - len(trailer))
            # the last paper's trailer runs to the end of the text; any other's, to the next paper
            self.scan_lines(trailer.split("\n"), trailer_line, followed_by_paper=end < len(text))

    def read_general(self, lines: list[str], entries: list[Entry]) -> None:
        """Papers found by the general segmenter, with the structure between them."""
        self.layouts.add("general")
        self.scan_lines(lines[: entries[0].start], 1, followed_by_paper=True)
        self.separator = self.author_separator(_entry_author_lines(lines, entries))
        self.date = self.digest_date()
        for position, entry in enumerate(entries):
            self.read_entry(lines, entry)
            following = entries[position + 1].start if position + 1 < len(entries) else len(lines)
            self.scan_lines(lines[entry.end : following], entry.end + 1, followed_by_paper=following < len(lines))

    def read_entry(self, lines: list[str], entry: Entry) -> None:
        body = [_dedent(line, entry.indent) for line in lines[entry.start + 1 : entry.end]]
        draft = Draft(entry.start + 1, layout="general", title=entry.title)
        self.body.parse(draft, body)
        draft.layout = "general"
        work, url = entry.work, entry.url
        if work is None or url is None:
            found = identifying_link(draft.links) or identifying_link(body)
            if found is None:  # the segmenter saw one; a label may have taken it over
                self.problem("error", "no-identifier", "paper names no arXiv id, DOI or URL; paper skipped", draft.line)
                return
            work, url = found
        self.read_a_paper = True
        title = draft.title or ""
        paper = self.paper(
            draft, work, url, title, number=entry.number, section=self.section, date=self.date, separator=self.separator
        )
        self.papers.append(paper)

    # -- everything between papers ------------------------------------------------------
    def scan_structure(self, start: int, end: int, line: int, *, followed_by_paper: bool) -> None:
        self.scan_lines(self.text[start:end].split("\n"), line, followed_by_paper=followed_by_paper)

    def scan_lines(self, lines: Sequence[str], line: int, *, followed_by_paper: bool) -> None:
        """Structure between papers, ``lines[0]`` being line ``line`` of the file.

        A heading this does not otherwise recognise is a section when a paper
        follows it with no heading of its level or above in between.
        """
        last_at_level: dict[int, int] = {}  # heading level -> offset of the last heading at or above it
        if followed_by_paper:
            for offset, raw in enumerate(lines):
                if raw.startswith("#"):
                    heading = _ANY_HEADING_RE.fullmatch(raw)
                    if heading is not None:
                        for level in range(len(heading.group("marks")), 7):
                            last_at_level[level] = offset
        sections = set(last_at_level.values())  # the headings a paper follows with nothing above them between
        for offset, raw in enumerate(lines):
            self.structure_line(raw, line + offset, offset in sections)

    def structure_line(self, raw: str, line: int, section_ok: bool = False) -> None:
        if not raw or _IGNORABLE_RE.fullmatch(raw):
            return
        first = raw.lstrip()[:1]
        if first == "<":
            anchor = _ANCHOR_RE.fullmatch(raw.strip())
            if anchor:
                name = next(g for g in anchor.groups() if g is not None)
                if name == "toc":
                    self.toc_seen = True
                else:
                    self.pending_anchor = name
                return
        in_toc = self.toc_seen and not self.sections and not self.read_a_paper
        if first == "#" and self.heading_line(raw, line, section_ok, in_toc):
            return
        if first == "-" and in_toc:
            entry = _TOC_ENTRY_RE.fullmatch(raw)
            if entry and parse_work_link("https://arxiv.org/abs/" + entry.group("anchor")) is None:
                total = entry.group("total") or entry.group("total2") or entry.group("total3")
                self.toc.append(
                    TocEntry(
                        category=entry.group("cat"),
                        total=int(total) if total is not None else None,
                        anchor=entry.group("anchor"),
                        line=line,
                    )
                )
                return
        if in_toc and _TOC_LINK_LINE_RE.fullmatch(raw):  # a table of contents that lists papers, or its groups
            return
        # Above the papers: a fork's own notes ("Hand-picked papers ..."), and dated or counted lines.
        if not self.read_a_paper and (self.header_line(raw, line) or "general" in self.layouts):
            return
        if self.no_papers_notice is None:  # the sentence under a notice is part of it
            self.stray_lines.append(line)

    def heading_line(self, raw: str, line: int, section_ok: bool, in_toc: bool) -> bool:
        """A heading between papers: the table of contents', the digest's title, a total or a notice, a
        section; False for one that is none of those."""
        heading = _ANY_HEADING_RE.fullmatch(raw)
        if heading is None:
            return False
        text = _INLINE_ANCHOR_RE.sub("", heading.group("text"))
        if _TOC_HEADING_RE.fullmatch(text):
            self.toc_seen = True
            return True
        title = _TITLE_RE.fullmatch(raw)
        if title:
            self.title = title.group("title").strip()
            self.restyle_title = True
            return True
        stated = _STATED_TOTAL_RE.fullmatch(raw)
        if stated:
            self.stated_total = (int(stated.group("a") or stated.group("b")), line)
            return True
        if _NO_PAPERS_RE.fullmatch(raw):
            self.no_papers_notice = line
            return True
        section = _SECTION_RE.fullmatch(raw)
        if section:
            rest = section.group("rest")
            inline = _ANCHOR_RE.match(rest)
            if inline:
                rest = rest[inline.end() :]
            # an anchor of its own inside a table of contents names one of its groups, unless a paper follows
            if self.pending_anchor is not None or "[[Back]]" in rest or (inline and (section_ok or not in_toc)):
                self.open_section(_BACK_RE.sub("", rest).strip(), line)
                return True
        if line == 1 and len(heading.group("marks")) == 1 and self.title is None and not in_toc:
            self.title = text.strip()  # a generator's own heading: "# 每日 ArXiv 摘要速递: 2025-06-08"
            return True
        if section_ok:  # a paper follows: the heading it is listed under (never one of a TOC's groups)
            self.open_section(_section_name(text), line)
            return True
        return in_toc  # the groups of a table of contents

    def open_section(self, name: str, line: int) -> None:
        self.sections.append(Section(category=name, line=line))
        self.section = name
        self.pending_anchor = None

    def header_line(self, raw: str, line: int) -> bool:
        """A labelled line above the papers (``**日期**: 2025-11-27``, ``**论文数量**: 20 篇``): a date, a
        stated total, or other facts about the run (``**LLM**: …``), none of them stray text."""
        found = _HEADER_LABEL_RE.fullmatch(raw)
        if found is None or "://" in found.group("label"):
            return False
        label = found.group("label").strip().casefold()
        value = found.group("value").replace("*", "")
        if label in _COUNT_LABELS:
            count = _COUNT_RE.fullmatch(value)
            if count:
                self.stated_total = (int(count.group(1)), line)
        elif label in _DATE_LABELS:
            date = DATE_RE.search(value)
            parsed = parse_date(date) if date else None
            if parsed is not None:
                self.header_date = (parsed, line)
        return True


def _body_end(text: str, start: int, end: int) -> int:
    """Where a paper without ``<details>`` ends: before the next section heading or anchor line, and
    before the blank lines, rules and back links that precede it (the position of a line break)."""
    stop = end
    at = start - 1
    while at < end:
        if _SECTION_END_RE.match(text, at + 1, end):
            stop = at
            break
        at = text.find("\n", at + 1, end)
        if at < 0:
            break
    # back over the ignorable lines at the end
    while stop > start:
        line_start = text.rfind("\n", start - 1, stop - 1) + 1
        line = text[max(line_start, start) : stop]
        if not _IGNORABLE_RE.fullmatch(line) and not _BACK_LINKS_RE.fullmatch(line):
            break
        stop = line_start - 1
    return max(stop, start - 1)


def _trailer_fields(trailer: str) -> tuple[list[str], str]:
    """(the labelled lines right after a paper's ``</details>``, what follows them): fields such as
    ``[**[PDF]**](url) | **Categories:** cs.DB, cs.IT`` belong to the paper."""
    lines = trailer.split("\n")
    taken: list[str] = []
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    while index < len(lines) and _TRAILER_FIELD_RE.match(lines[index]):
        taken.append(lines[index])
        index += 1
    if not taken:
        return [], trailer
    return taken, "\n".join(lines[index:])


def _entry_author_lines(lines: Sequence[str], entries: Sequence[Entry]) -> Iterator[str]:
    """The italic line under each paper's first line, without its "*": what decides the author separator."""
    for entry in entries:
        for line in lines[entry.start + 1 : entry.end]:
            line = _dedent(line, entry.indent)
            if line.strip():
                if line.startswith("*") and not line.startswith("**"):
                    yield line.strip().strip("*")
                break


def _dedent(line: str, indent: int) -> str:
    """A list item's body line without the item's indent (lazy continuation lines may have less)."""
    if not indent:
        return line
    return line[indent:] if line[:indent].isspace() else line.lstrip(" ")


def _section_name(text: str) -> str:
    """A section heading's name: no back links, emphasis, or repeated ``[name]`` (``cs.DB [cs.DB]``)."""
    name = _BACK_LINKS_RE.sub("", _BACK_RE.sub("", text)).strip().strip("*_ ")
    if name.endswith("]") and "[" in name:
        head, _, bracketed = name[:-1].rpartition("[")
        if head.strip() == bracketed.strip():
            name = head.strip()
    return name


class DigestMarkdownReader(Reader):
    name: ClassVar[str] = "digest"
    description: ClassVar[str] = (
        "arXiv daily digest Markdown (daily-arXiv-ai-enhanced, every template, and the layouts its forks invent)"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".md", ".markdown")
    aliases: ClassVar[tuple[str, ...]] = ("md", "digest-md", "markdown")

    def sniff(self, head: str, path: str) -> bool:
        """Whole lines only: a page that merely quotes "# Table of Contents" is not a digest."""
        head = head.lstrip("\ufeff")
        if _find_headings(head) or _SNIFF_RE.search(head):
            return True
        return bool(find_entries(head.split("\n")[:-1] if len(head) >= 16384 else head.split("\n")))

    def read(self, data: bytes, source: str) -> Digest:
        problems: list[Problem] = []
        reader = _FileReader(decode_text(data, source, problems), source, self.options.labels)
        reader.problems.extend(problems)
        # Every paper read lives until the digest is returned: the cyclic garbage collector would only
        # traverse them again and again (about 1.5% of a read), as the HTML reader found too.
        collecting = gc.isenabled()
        gc.disable()
        try:
            return reader.read()
        finally:
            if collecting:
                gc.enable()
