"""The daily-arXiv-ai-enhanced Markdown digest, in every template that exists.

See ``docs/digest-format.md`` for what is accepted. The reader works on the text,
never on a Markdown or HTML parse of it: titles and abstracts are raw text that
happens to contain ``[``, ``*``, ``<think>`` and column-0 ``Conclusion:`` lines.

How a file is taken apart:

1. every ``### [N] [Title](URL)`` line (``### [Title](URL)`` in V0/V1) starts a paper;
2. a paper block runs to its first ``</details>`` line; what follows up to the
   next paper is structure (section headings, back links, separators);
3. a block in the exact current template (V3, or V2's ``TLDR:``) is the fast
   path; every other block goes through the general parser, which knows
   labelled paragraphs (``Label: value`` or ``**Label:** value``) and keeps
   labels it does not know in ``Paper.extra``.

A field runs from its label to the blank line before the next label, so values
come back byte for byte: multi-line text, trailing spaces, control characters.

Why it is fast: the text is never split into lines. ``str.find`` finds the
candidate heading lines and the regex runs only there; a
current-template block is a chain of ``str.find`` calls for the delimiters that
end its values, on bounds in the whole text, so each value is copied once;
line numbers come from one ``str.count`` per block. Only the general parser
(paragraphs, and the few lines right under a heading) and the structure
between papers look at smaller pieces.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import ClassVar

from ...errors import InputError
from ...model import Digest, Paper, Section, SourceSpan, TocEntry, new_paper, new_span, parse_arxiv_id
from ..base import Reader, decode_text
from .common import LABEL_LIKE, DigestBuilder

# --- the lines that make up a digest ------------------------------------------------

# Matched at the start of the text and after each "\n###".
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
# A bold label (``**Label:**``, ``> **Label:**``) or else a plain one (``Label: ``), in one match call.
_LABEL_RE = re.compile(rf"(?:> )?\*\*(?P<bold>[^*\n]{{1,40}}?)[:：]\*\*(?: |$)|(?P<plain>{LABEL_LIKE})(?:: |:$|：)")
_PARAGRAPH_BREAK_RE = re.compile(r"(\n\n+)")
_AUTHOR_LINE_RE = re.compile(r"\*(?P<authors>.*)\*[ \t]*")
_AUTHOR_CATEGORY_LINE_RE = re.compile(r"\*(?P<authors>.*)\* \| \*\*(?P<label>[^*:\n]+): (?P<value>.*)\*\*[ \t]*")
_TRANSLATED_TITLE_RE = re.compile(r"> \*(?P<title>.*)\*[ \t]*")
_DETAILS_LINE_RE = re.compile(r"[ \t]*(?:<details>|<summary>(?P<summary>.*)</summary>)[ \t]*")

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


_TOC_HEADING_RE = re.compile(r"#{1,3} (?:Table of Contents|目录)\s*")
_TOC_ENTRY_RE = re.compile(
    r"- \[(?P<cat>[^\]]+)\]\(#(?P<anchor>[^)]*)\)(?: \[Total: (?P<total>\d+)\]| \((?P<total2>\d+) 篇\))?\s*"
)
_SECTION_RE = re.compile(r"#{1,2} (?P<rest>.*)")
_BACK_RE = re.compile(r"\s*(?:\[\[Back\]\]\(#toc\)|<small>.*</small>)\s*$")
_TITLE_RE = re.compile(r"# (?P<title>(?:AI-Enhanced arXiv Daily|ArXiv Daily Papers)\b.*)")
_STATED_TOTAL_RE = re.compile(r"## (?:今日总计: (?P<a>\d+) 篇论文|Total Papers Today: (?P<b>\d+))\s*")
_NO_PAPERS_RE = re.compile(r"#{1,3} (?:No New Papers Today|今日没有找到新论文。?)\s*")
_SNIFF_RE = re.compile(
    r"^(?:#{1,3} (?:Table of Contents|目录)|# (?:AI-Enhanced arXiv Daily|ArXiv Daily Papers)\b.*"
    r"|#{1,3} (?:No New Papers Today|今日没有找到新论文。?))[ \t]*\r?$",
    re.M,
)
# Lines between papers that mean nothing: blank, a rule, back links ("[⬆️ ...](#toc)").
_IGNORABLE_LINE = r"[^\S\n]*|-{3,}[^\S\n]*|\[⬆️[^\]\n]*\]\(#[^)\n]*\)(?: \| \[⬆️[^\]\n]*\]\(#[^)\n]*\))*[^\S\n]*"
_IGNORABLE_RE = re.compile(_IGNORABLE_LINE)
_IGNORABLE_LINES_RE = re.compile(rf"(?:{_IGNORABLE_LINE})(?:\n(?:{_IGNORABLE_LINE}))*")  # every line ignorable


@dataclass
class _Draft:
    """A paper while its block is being read; frozen into a Paper at the end."""

    line: int
    raw_authors: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    extra: dict[str, str] = field(default_factory=dict)
    categories: tuple[str, ...] = ()
    layout: str = "v3-variant"


class _FileReader(DigestBuilder):
    """Reads one digest text. Single use."""

    def __init__(self, text: str, source: str) -> None:
        super().__init__(source)
        self.text = text
        self.papers: list[Paper] = []
        self.separator = ","
        self.section: str | None = None  # the heading the next paper is listed under
        self.date: dt.date | None = None

    # -- top level ------------------------------------------------------------------
    def read(self) -> Digest:
        text = self.text
        headings = _find_headings(text)
        # Where each paper's "### " line starts, then the end: paper i runs from bounds[i] to bounds[i + 1].
        bounds = [heading.start() for heading in headings]
        bounds.append(len(text))
        first = bounds[0]
        self.scan_structure(0, first, 1)
        self.separator = self.author_separator(_author_lines(text, headings))
        self.date = self.digest_date()
        line = text.count("\n", 0, first) + 1
        for heading, start, end in zip(headings, bounds[:-1], bounds[1:], strict=True):
            self.read_block(heading, end, line)
            line += text.count("\n", start, end)
        if not headings and not self.toc_seen and self.no_papers_notice is None and self.title is None:
            raise InputError(
                "not an arXiv digest: found no paper heading (### [N] [Title](https://arxiv.org/abs/ID)), "
                "no table of contents and no 'no papers' notice",
                SourceSpan(path=self.source, line=self.stray_lines[0] if self.stray_lines else 1),
            )
        return self.finish()

    def read_block(self, heading: re.Match[str], end: int, line: int) -> None:
        """One paper, from its heading to ``end``; the current template never becomes a list of lines."""
        text = self.text
        number, title, url = heading.groups()
        body_start = heading.end() + 1
        fast = _match_v3(text, body_start, end)
        close = fast[0] if fast is not None else text.find("\n</details>", heading.end(), end)
        if close < 0:
            self.problem("error", "unclosed-paper", "paper block has no closing </details> line; paper skipped", line)
            return
        after = close + len("\n</details>")
        if after < end and text[after] != "\n":  # "</details>" must be the whole line
            after = text.find("\n", after)
            after = end if after < 0 else after
        arxiv_id = parse_arxiv_id(url)
        if arxiv_id is None:
            self.problem("error", "bad-url", f"paper link {url!r} is not an arXiv abs or pdf URL; paper skipped", line)
        else:
            if fast is not None:
                _, label, raw_authors, category, texts = fast
                self.layouts.add("v3" if label == "TL;DR" else "v2")
                extra: dict[str, str] = {}
                categories: tuple[str, ...] = (category,) if category else ()
            else:  # the line end before the closing blank line is not part of the last value
                stop = close - 1 if close > body_start and text[close - 1] == "\n" else close
                draft = self.take_general(text[body_start:stop], line)
                raw_authors, extra, fields = draft.raw_authors, draft.extra, draft.fields
                category = fields.get("primary_category", "")
                categories = draft.categories or ((category,) if category else ())
                texts = tuple(map(fields.get, _TEXT_FIELDS))
            tldr, motivation, method, result, conclusion, abstract, comment = texts
            authors = (
                tuple(raw_authors.split(self.separator))
                if raw_authors and raw_authors[0] != "["
                else self.split_authors(raw_authors, self.separator, line)
            )
            self.papers.append(
                new_paper(  # every field of Paper, in its order
                    arxiv_id[0],  # id
                    arxiv_id[1],  # version
                    url,
                    title,
                    authors,
                    category or None,  # primary_category
                    categories,
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
                    "arxiv",  # id_scheme
                    None,  # abstract_translation
                )
            )
        trailer = text[after + 1 : end]  # usually "\n"
        if trailer and not trailer.isspace() and not _IGNORABLE_LINES_RE.fullmatch(trailer):
            trailer_line = line + text.count("\n", heading.start(), after + 1)
            self.scan_structure(after + 1, end, trailer_line)

    # -- paper blocks -----------------------------------------------------------------
    def take_general(self, body: str, line_number: int) -> _Draft:
        """Read a block of any layout: labelled paragraphs, bold or plain.

        Only the few lines under the heading are taken one at a time (with
        str.find, not by splitting the block into lines); the paragraphs that
        follow go to take_paragraphs as one string.
        """
        draft = _Draft(line_number)
        start = 0  # the line being looked at
        while start <= len(body):
            stop = body.find("\n", start)
            stop = len(body) if stop < 0 else stop
            line = body[start:stop]
            taken = not draft.raw_authors and self.take_head_line(draft, line)
            if not taken and line.strip():
                break
            start = stop + 1
        self.take_paragraphs(draft, body[start:])
        if not draft.raw_authors:
            self.problem("warning", "missing-authors", "paper has no author line", draft.line)
        self.layouts.add(draft.layout)
        return draft

    def take_head_line(self, draft: _Draft, line: str) -> bool:
        """Take a line directly under the heading: a translated title, then the author line.

        Each pattern runs only on lines with its literal start (and the author-and-category
        line's "* | **"), so the lines that end the head cost no backtracking over long text.
        """
        if line.startswith("> *"):  # the literal start of _TRANSLATED_TITLE_RE
            translated = _TRANSLATED_TITLE_RE.fullmatch(line)
            if translated:
                draft.extra["Translated title"] = translated.group("title")
                draft.layout = "restyle"
                return True
        if line.startswith("*"):  # both author patterns start with "*"; only the first holds "* | **"
            author = ("* | **" in line and _AUTHOR_CATEGORY_LINE_RE.fullmatch(line)) or _AUTHOR_LINE_RE.fullmatch(line)
            if author:
                draft.raw_authors = author.group("authors") or ""
                if "label" in author.groupdict():
                    draft.layout = "restyle"
                    self.assign(draft, author.group("label"), author.group("value"))
                return True
        return False

    def take_paragraphs(self, draft: _Draft, rest: str) -> None:
        """Assign each labelled paragraph of ``rest`` to a field."""
        parts = _PARAGRAPH_BREAK_RE.split(rest)
        current: str | None = None  # the key in draft.fields / draft.extra being filled
        current_in_extra = False
        summary_abstract = False
        # parts alternates paragraph, blank-line run, paragraph ...: pair each paragraph with the run before it
        for para, sep in zip(parts[::2], ["", *parts[1::2]], strict=True):
            if para[:1] in ("<", " ", "\t", "\n"):  # <details>/<summary> lines may lead
                para_lines = para.split("\n")
                skip = 0
                for pl in para_lines:
                    details = _DETAILS_LINE_RE.fullmatch(pl)
                    if details is None and pl.strip():
                        break
                    if details is not None and (details.group("summary") or "").strip() == "Abstract":
                        summary_abstract = True
                    skip += 1
                if skip:
                    para = "\n".join(para_lines[skip:])
                    sep = ""  # a structural line separates the value from what came before
                    current = None
            if not para:
                continue
            if summary_abstract:  # V0: the whole <details> body is the abstract
                draft.layout = "v0"
                draft.fields["abstract"] = draft.fields.get("abstract", "") + sep + para
                continue
            label_match = _LABEL_RE.match(para)
            if label_match is not None:
                bold, plain = label_match.groups()
                if bold is not None:
                    draft.layout = "restyle"
                label = bold if bold is not None else plain
                value = para[label_match.end() :]
                if label.strip().lower() == "task":
                    draft.layout = "v1"
                slot = self.assign(draft, label, value)
                current, current_in_extra = slot if slot else (None, False)
            elif current is not None:  # a field that holds a blank line
                target = draft.extra if current_in_extra else draft.fields
                target[current] += sep + para
            else:
                draft.extra["Text"] = draft.extra.get("Text", "") + sep + para
                self.problem(
                    "warning", "unlabelled-text", "text without a label; kept as extra field 'Text'", draft.line
                )

    # -- everything between papers ------------------------------------------------------
    def scan_structure(self, start: int, end: int, line: int) -> None:
        for offset, raw in enumerate(self.text[start:end].split("\n")):
            self.structure_line(raw, line + offset)

    def structure_line(self, raw: str, line: int) -> None:
        if _IGNORABLE_RE.fullmatch(raw):
            return
        anchor = _ANCHOR_RE.fullmatch(raw.strip())
        if anchor:
            name = next(g for g in anchor.groups() if g is not None)
            if name == "toc":
                self.toc_seen = True
            else:
                self.pending_anchor = name
            return
        if _TOC_HEADING_RE.fullmatch(raw):
            self.toc_seen = True
            return
        entry = _TOC_ENTRY_RE.fullmatch(raw)
        if entry and self.toc_seen and not self.sections:
            total = entry.group("total") or entry.group("total2")
            self.toc.append(
                TocEntry(
                    category=entry.group("cat"),
                    total=int(total) if total is not None else None,
                    anchor=entry.group("anchor"),
                    line=line,
                )
            )
            return
        title = _TITLE_RE.fullmatch(raw)
        if title:
            self.title = title.group("title").strip()
            return
        stated = _STATED_TOTAL_RE.fullmatch(raw)
        if stated:
            self.stated_total = (int(stated.group("a") or stated.group("b")), line)
            return
        if _NO_PAPERS_RE.fullmatch(raw):
            self.no_papers_notice = line
            return
        section = _SECTION_RE.fullmatch(raw)
        if section:
            rest = section.group("rest")
            inline = _ANCHOR_RE.match(rest)
            if inline:
                rest = rest[inline.end() :]
            if self.pending_anchor is not None or inline or "[[Back]]" in rest:
                name = _BACK_RE.sub("", rest).strip()
                self.sections.append(Section(category=name, line=line))
                self.section = name
                self.pending_anchor = None
                return
        if self.no_papers_notice is None:  # the sentence under a notice is part of it
            self.stray_lines.append(line)

    # -- the whole file ---------------------------------------------------------------
    def finish(self) -> Digest:
        return self.digest(self.papers, self.date, self.separator, self.stray_lines, "line")


class DigestMarkdownReader(Reader):
    name: ClassVar[str] = "digest"
    description: ClassVar[str] = (
        "arXiv daily digest Markdown (daily-arXiv-ai-enhanced and its forks; V0-V3, fork layouts)"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".md", ".markdown")
    aliases: ClassVar[tuple[str, ...]] = ("md", "digest-md", "markdown")

    def sniff(self, head: str, path: str) -> bool:
        """Whole lines only: a page that merely quotes "# Table of Contents" is not a digest."""
        return bool(_find_headings(head) or _SNIFF_RE.search(head.lstrip("\ufeff")))

    def read(self, data: bytes, source: str) -> Digest:
        return _FileReader(decode_text(data, source), source).read()
