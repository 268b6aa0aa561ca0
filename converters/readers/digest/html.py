"""The arXiv digest rendered as HTML: GitHub's view of the ``.md``, a static site, a saved page.

See ``docs/html-input.md`` for what is accepted and what cannot come back
exactly. On the same digest the reader gives what the Markdown reader gives:
the same papers in the same order with the same ids, URLs, versions, numbers,
authors, categories and sections; titles and text as the page shows them.

How a page is read:

1. Tags that are not HTML (``<think>``, ``<EOS>``: the Markdown carries them
   literally and renderers pass them through) are turned back into text before
   parsing; beautifulsoup4's ``html.parser`` then parses the page and keeps the
   source line of every element (:mod:`.html_blocks`).
2. The page is walked as a stream of blocks in document order: headings,
   paragraphs, list items, the bare text a CommonMark renderer leaves inside
   ``<details>``, anchors.
3. The stream is read the way the Markdown reader reads lines: a heading whose
   link points to arXiv starts a paper, the paper's ``<details>`` ends it, a
   block that starts with ``Label:`` (or ``<strong>Label:</strong>``) starts a
   field, and a block without a label continues the field before it (a
   renderer makes a list or a quote of a line such as ``1) ...`` or ``>= 40``).
   Text outside the digest (a site's navigation and footer) is ignored.

Values are the text a reader of the page sees: entities decoded, emphasis,
code and links reduced to their text, TeX math restored to ``$...$`` where the
page kept the TeX. Line breaks inside a paragraph stay as the page source has
them; titles, authors and categories are single lines.
"""

from __future__ import annotations

import datetime as dt
import gc
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from ...errors import InputError
from ...model import Digest, Paper, Section, SourceSpan, TocEntry, parse_arxiv_id, parse_work_link
from ..base import Reader, decode_text
from .common import DigestBuilder
from .fields import LABEL_LIKE, Draft
from .html_blocks import HEADING_LEVELS, Block, anchor_name, blocks, descendants, inline_text, parse

if TYPE_CHECKING:
    from bs4 import BeautifulSoup
    from bs4.element import Tag

# --- sniffing ---------------------------------------------------------------------------

# Lines a Markdown digest is made of, at the start of a line: never in an HTML rendering.
_MARKDOWN_DIGEST_RE = re.compile(
    r"^(?:### (?:\[\d+\] )?\[|#{1,3} (?:Table of Contents|目录)|# (?:AI-Enhanced arXiv Daily|ArXiv Daily Papers)"
    r"|#{1,3} (?:No New Papers Today|今日没有找到新论文)|## (?:Total Papers Today|今日总计))",
    re.M,
)
# What a page holds that is not its text: scripts, styles, comments, and the raw-text elements a page
# may keep a copy of its Markdown in (GitHub keeps the file's lines in a <textarea> or JSON).
_NOT_CONTENT_RE = re.compile(r"<(script|style|textarea|template)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.S | re.I)
# The start of a whole document: an XML declaration, a doctype, then <html>.
_DOCUMENT_RE = re.compile(r"\s*(?:<\?xml[^>]*>\s*)?(?:<!doctype\s+html\b|<html[\s>])", re.I)
_BODY_RE = re.compile(r"<body[\s>]", re.I)
_FEED_RE = re.compile(r"<(?:feed|rss|rdf:RDF)[\s>]", re.I)
_ARXIV_LINK_RE = re.compile(
    r"""<a\s[^>]*href\s*=\s*["']?(?:https?:)?//(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/""", re.I
)
_HEADING_TAG_RE = re.compile(r"<h[1-6][\s>]", re.I)
_DIGEST_HEADING_RE = re.compile(
    r"<h[1-6][^>]*>\s*(?:Table of Contents|目录|AI-Enhanced arXiv Daily|ArXiv Daily Papers|No New Papers Today)", re.I
)


def looks_like_digest_page(head: str) -> bool:
    """True when ``head`` (the start of an input) is HTML that can be a rendered digest.

    A whole document (an optional XML declaration, then a doctype or
    ``<html>``) is accepted as it is: a browser puts tens of KiB of scripts
    before the content, and a Markdown digest never starts that way. A fragment
    is accepted when it has no Markdown digest line (a digest starts with
    ``<div id=toc>`` too, but its ``#`` lines give it away), is not an XML feed,
    and has a ``<body>``, a digest heading, or a heading and an arXiv link
    outside scripts (so the JSON-LD writer's ``<script>`` output is not a page).
    """
    text = head.lstrip("\ufeff \t\r\n")
    if not text.startswith("<"):
        return False
    content = _NOT_CONTENT_RE.sub(" ", text)
    if _DOCUMENT_RE.match(content):
        return True
    if _MARKDOWN_DIGEST_RE.search(content) or _FEED_RE.search(content):
        return False
    return bool(
        _BODY_RE.search(content)
        or _DIGEST_HEADING_RE.search(content)
        or (_ARXIV_LINK_RE.search(content) and _HEADING_TAG_RE.search(content))
    )


# --- what the text of a digest says -------------------------------------------------------

_NUMBER_RE = re.compile(r"\s*\[(\d+)\]")
# A paper heading the renderer left as text because its link did not parse (unbalanced brackets).
# Only tried on headings of a sane length: the pattern backtracks.
_LONGEST_HEADING = 4096
_LITERAL_HEADING_RE = re.compile(r"(?:\[(\d+)\] )?\[(.*)\]\(([^\s()]+)\)")
_PLAIN_LABEL_RE = re.compile(rf"(?P<label>{LABEL_LIKE})(?:: |:\n|:$|：)")
_BOLD_LABEL_RE = re.compile(r"(?P<label>[^*\n]{1,40}?)[:：]")
_AFTER_AUTHORS_RE = re.compile(r"\s*\|\s*(?P<label>[^:\n]+): (?P<value>.*?)\s*", re.S)
_TOC_HEADING_RE = re.compile(r"Table of Contents|目录")
_TOC_TOTAL_RE = re.compile(r"(?:\[Total: (?P<total>\d+)\]|\((?P<total2>\d+) 篇\))?")
_TITLE_RE = re.compile(r"(?:AI-Enhanced arXiv Daily|ArXiv Daily Papers)\b.*")
_STATED_TOTAL_RE = re.compile(r"今日总计: (?P<a>\d+) 篇论文|Total Papers Today: (?P<b>\d+)")
_NO_PAPERS_RE = re.compile(r"No New Papers Today|今日没有找到新论文。?")
_SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})

_V3_LABELS = ("Main category", "TL;DR", "Motivation", "Method", "Result", "Conclusion", "Abstract")
_V2_LABELS = ("Main category", "TLDR", *_V3_LABELS[2:])


def _one_line(text: str) -> str:
    """Line breaks (which a renderer may add or move) as single spaces, ends trimmed; other spacing kept."""
    if "\n" not in text:
        return text.strip(" ")
    # str methods, not a regular expression: "[ \t]*\n" is quadratic on a long run of spaces.
    return " ".join(part for part in (line.strip(" \t") for line in text.split("\n")) if part)


def _is_toc_link(href: object) -> bool:
    return isinstance(href, str) and href.startswith("#") and href[1:].removeprefix("user-content-") == "toc"


@dataclass
class _Draft(Draft):
    """A paper while its blocks are being read: a :class:`~.fields.Draft` and what the page adds."""

    number: int | None = None
    url: str = ""
    heading: str = ""  # the title, as the heading's link gave it
    section: str | None = None
    #: The field being filled: its label and its value so far (assigned when the next one starts).
    current: tuple[str, str] | None = None
    details_depth: int = 0
    details_seen: bool = False
    abstract_details: bool = False  # V0: <summary>Abstract</summary>


class _PageReader(DigestBuilder):
    """Reads one parsed page. Single use."""

    def __init__(self, soup: BeautifulSoup, source: str) -> None:
        super().__init__(source)
        self.soup = soup
        self.drafts: list[_Draft] = []
        self.draft: _Draft | None = None
        self.author_lines: list[str] = []
        self.started = False  # a digest heading or anchor was seen; text before it is the site's
        self.quote_depth = 0
        self.quote_opened = False  # the next block is the first of a blockquote
        self.straight_quotes = self.curly_quotes = 0  # apostrophes in the text, to tell smart punctuation

    # -- the stream -------------------------------------------------------------------------
    def read(self) -> Digest:
        for block in blocks(self.soup):
            draft = self.draft
            if block.kind == "open":
                if block.text == "blockquote":
                    self.quote_depth += 1
                    self.quote_opened = True
                elif draft is not None:
                    draft.details_depth += 1
                    draft.details_seen = True
            elif block.kind == "close":
                if block.text == "blockquote":
                    self.quote_depth = max(0, self.quote_depth - 1)
                elif draft is not None:
                    draft.details_depth -= 1
                    if draft.details_depth <= 0:  # a paper ends with its <details>
                        self.close_paper()
            elif block.kind == "heading":
                self.heading(block)
            elif draft is not None:
                self.paper_block(draft, block)
            else:
                self.structure(block)
            if block.kind in ("text", "heading"):
                self.quote_opened = False
                self.straight_quotes += block.text.count("'")
                self.curly_quotes += block.text.count("\u2019")
        self.close_paper()
        if not self.drafts and not self.toc_seen and self.no_papers_notice is None and self.title is None:
            raise InputError(
                "not an arXiv digest page: no heading links to an arXiv paper "
                '(<h3>[N] <a href="https://arxiv.org/abs/ID">Title</a></h3>) and there is no table of contents '
                "and no 'no papers' notice",
                SourceSpan(path=self.source, line=1),
            )
        return self.finish()

    def heading(self, block: Block) -> None:
        tag = block.tag
        assert tag is not None  # headings always have their element
        if self.start_paper(tag, block):
            return
        draft = self.draft
        if draft is not None and draft.details_depth > 0:  # an abstract line that started with "#"
            text = "#" * HEADING_LEVELS.get(tag.name, 1) + " " + block.text.strip()
            self.paper_block(draft, Block("text", block.line, None, text))
            return
        self.close_paper()
        self.structure_heading(tag, block)

    def start_paper(self, tag: Tag, block: Block) -> bool:
        """Open a paper when ``tag`` is a paper heading: ``[N]`` and a link to arXiv."""
        text = _one_line(block.text)
        literal = _LITERAL_HEADING_RE.fullmatch(text) if len(text) <= _LONGEST_HEADING else None
        number: str | None
        if literal and parse_arxiv_id(literal.group(3)) is not None:
            number, title, url = literal.group(1), literal.group(2), literal.group(3)
        else:
            link = None
            for candidate in descendants(tag, ("a",)):
                href = candidate.get("href")
                if isinstance(href, str) and "arxiv.org/" in href and parse_arxiv_id(href.strip()) is not None:
                    link = candidate  # the last one, as the Markdown reader takes the last "]("
            if link is None:
                return False
            url, title = str(link.get("href")).strip(), _one_line(inline_text(link))
            found = _NUMBER_RE.match(text)
            number = found.group(1) if found else None
        self.close_paper()
        self.started = True
        section = self.sections[-1].category if self.sections else None
        number_value = int(number) if number else None
        self.draft = _Draft(block.line, layout="", number=number_value, url=url, heading=title, section=section)
        return True

    def close_paper(self) -> None:
        draft = self.draft
        if draft is None:
            return
        self.draft = None
        self.drafts.append(draft)
        self.flush(draft)
        if not draft.layout:  # the exact current template, V2's "TLDR:", or the template with changes
            labels = tuple(draft.labels)
            draft.layout = "v3" if labels == _V3_LABELS else "v2" if labels == _V2_LABELS else "v3-variant"

    def flush(self, draft: _Draft) -> None:
        """Assign the field being filled, now that its value is complete."""
        if draft.current is not None:
            label, value = draft.current
            draft.current = None
            self.body.assign(draft, label, value)

    # -- inside a paper ---------------------------------------------------------------------
    def paper_block(self, draft: _Draft, block: Block) -> None:
        if block.kind == "summary":
            draft.abstract_details = draft.abstract_details or block.text == "Abstract"
            self.flush(draft)
            return
        if block.kind != "text":
            return
        if draft.abstract_details and draft.details_depth > 0:  # V0: the whole <details> body is the abstract
            draft.layout = "v0"
            previous = draft.fields.get("abstract")
            draft.fields["abstract"] = block.text if previous is None else previous + "\n" + block.text
            return
        fresh = not draft.author_style and not draft.fields and not draft.details_seen
        if fresh and self.author_line(draft, block):
            return
        label = self.label(block)
        if label is not None:
            name, value, bold = label
            if bold:
                draft.layout = "restyle"
            if name.strip().lower() == "task":
                draft.layout = "v1"
            self.flush(draft)
            draft.current = (name, value)
            return
        text = block.marker + block.text
        if self.quote_opened:  # the ">" that opened the quote; its later lines may have had none
            text = "> " + text
        if draft.current is not None:
            # A second paragraph had a blank line before it; a list item, quote or heading is a line
            # of the field that the renderer gave a block of its own.
            paragraph = block.tag is None or block.tag.name == "p"
            name, value = draft.current
            draft.current = name, value + ("\n\n" if paragraph and not self.quote_depth else "\n") + text
        else:
            draft.extra["Text"] = draft.extra["Text"] + "\n" + text if "Text" in draft.extra else text
            draft.unlabelled = True

    def author_line(self, draft: _Draft, block: Block) -> bool:
        """Take ``<p><em>A,B</em></p>`` (``*A,B*``), or the restyle's quoted translated title before it."""
        from bs4.element import NavigableString, Tag

        tag = block.tag
        if tag is None or tag.name != "p":
            return False
        parts = [c for c in tag.contents if not (isinstance(c, NavigableString) and not c.strip())]
        if not parts or not isinstance(parts[0], Tag) or parts[0].name not in ("em", "i"):
            return False
        # Emphasis inside the author line can only be asterisks in a name ("A. *Star* Author"); put them back.
        for inner in list(descendants(parts[0], ("em", "i", "strong", "b"))):
            marker = "**" if inner.name in ("strong", "b") else "*"
            inner.insert(0, marker)
            inner.append(marker)
        rest = "".join(inline_text(c) if isinstance(c, Tag) else str(c) for c in parts[1:])
        after = _AFTER_AUTHORS_RE.fullmatch(rest)  # *A, B* | **Main category: cs.LG**
        # A "*" inside the text ends the emphasis early: then the whole paragraph is the value.
        text = _one_line(inline_text(parts[0]) if after or not rest.strip() else inline_text(tag))
        if self.quote_depth:  # > *translated title*
            if "Translated title" in draft.extra:
                return False
            draft.extra["Translated title"] = text
            draft.layout = "restyle"
            return True
        draft.raw_authors, draft.author_style = text, "italic"
        self.author_lines.append(text)
        if after:
            draft.layout = "restyle"
            self.body.assign(draft, after.group("label"), after.group("value"))
        return True

    def label(self, block: Block) -> tuple[str, str, bool] | None:
        """(label, value, bold) when a block starts with ``Label:`` or ``<strong>Label:</strong>``."""
        from bs4.element import NavigableString, Tag

        if block.marker:
            return None
        tag = block.tag
        if tag is not None:
            first = next((c for c in tag.contents if not (isinstance(c, NavigableString) and not c.strip())), None)
            if isinstance(first, Tag) and first.name in ("strong", "b"):
                strong = inline_text(first).strip()
                bold = _BOLD_LABEL_RE.fullmatch(strong)
                if bold and block.text.startswith(strong):
                    value = block.text[len(strong) :]
                    return bold.group("label"), value[1:] if value[:1] in (" ", "\n") else value, True
        plain = _PLAIN_LABEL_RE.match(block.text)
        if plain:
            return plain.group("label"), block.text[plain.end() :], False
        return None

    def category_text(self, value: str) -> str:
        return _one_line(value)  # a renderer may wrap a long category line

    # -- between papers -----------------------------------------------------------------------
    def structure_heading(self, tag: Tag, block: Block) -> None:
        text = _one_line(block.text)
        stated = _STATED_TOTAL_RE.fullmatch(text)
        if _TOC_HEADING_RE.fullmatch(text):
            self.toc_seen = True
        elif _TITLE_RE.fullmatch(text):
            self.title = text
            self.restyle_title = True
        elif stated:
            self.stated_total = (int(stated.group("a") or stated.group("b")), block.line)
        elif _NO_PAPERS_RE.fullmatch(text):
            self.no_papers_notice = block.line
        elif tag.name in ("h1", "h2") and self.section_heading(tag, block):
            pass
        else:
            self.stray(block.line)
            return
        self.started = True

    def section_heading(self, tag: Tag, block: Block) -> bool:
        """A category heading: after an anchor, or holding one, or with a back link to the TOC."""
        back = [a for a in tag.find_all("a", href=True) if _is_toc_link(a.get("href"))]
        inline_anchor = any(anchor_name(t) is not None for t in tag.find_all(("a", "div", "span")))
        if not (back or inline_anchor or self.pending_anchor is not None):
            return False
        for element in [*back, *tag.find_all("small")]:  # "[Back]", "<small>[⬆️ 返回目录]</small>"
            element.extract()
        self.sections.append(Section(category=_one_line(inline_text(tag)), line=block.line))
        self.pending_anchor = None
        return True

    def structure(self, block: Block) -> None:
        if block.kind == "anchor":
            if block.text == "toc":
                self.toc_seen = self.started = True
            else:
                self.pending_anchor = block.text
            return
        if block.kind != "text":
            return
        tag = block.tag
        if tag is not None and tag.name == "li" and self.toc_seen and not self.sections and self.toc_entry(tag, block):
            return
        if tag is not None and _only_internal_links(tag):  # back links: "[⬆️ 返回分类顶部](#cscr) | ..."
            return
        if self.no_papers_notice is None:  # the sentence under a notice belongs to it
            self.stray(block.line)

    def toc_entry(self, tag: Tag, block: Block) -> bool:
        """``<li><a href="#cs.AI">cs.AI</a> [Total: 1]</li>`` (or ``(1 篇)``)."""
        link = tag.find("a", href=True)
        href = link.get("href") if link is not None else None
        if link is None or not isinstance(href, str) or not href.startswith("#"):
            return False
        name = inline_text(link).strip()
        totals = _TOC_TOTAL_RE.fullmatch(block.text[len(name) :].strip()) if block.text.startswith(name) else None
        if totals is None:
            return False
        total = totals.group("total") or totals.group("total2")
        anchor = href[1:].removeprefix("user-content-")
        self.toc.append(
            TocEntry(category=_one_line(name), total=int(total) if total else None, anchor=anchor, line=block.line)
        )
        return True

    def stray(self, line: int) -> None:
        if self.started:
            self.stray_lines.append(line)

    # -- the whole page -------------------------------------------------------------------------
    def finish(self) -> Digest:
        separator = self.author_separator(self.author_lines)
        date = self.digest_date()
        # A smart-punctuation renderer curls every apostrophe but the odd escaped one; a page rendered
        # without it has mostly straight ones in its English abstracts (Chinese text writes its quotes curly).
        smart = self.curly_quotes > 3 * self.straight_quotes
        papers = [self.page_paper(draft, separator, date, smart) for draft in self.drafts]
        # Text after the last paper heading is the site's footer, or the paper's own trailer.
        last = self.drafts[-1].line if self.drafts else None
        stray = [n for n in self.stray_lines if last is None or n < last]
        return self.digest(papers, date, separator, stray, "block")

    def page_paper(self, draft: _Draft, separator: str, date: dt.date | None, smart: bool) -> Paper:
        work = parse_work_link(draft.url)
        assert work is not None  # start_paper opens papers only for arXiv links
        if smart:  # the renderer curled the quotes of names such as O'Donnell; arXiv has them straight
            draft.raw_authors = draft.raw_authors.translate(_SMART_QUOTES)
        return self.paper(
            draft,
            work,
            draft.url,
            draft.heading,
            number=draft.number,
            section=draft.section,
            date=date,
            separator=separator,
        )


def _only_internal_links(tag: Tag) -> bool:
    """True for a block made only of in-page links and separators (``[⬆️ back](#toc) | ...``)."""
    links = tag.find_all("a")
    if not links or not all(str(a.get("href", "")).startswith("#") for a in links):
        return False
    rest = inline_text(tag)
    for link in links:
        rest = rest.replace(inline_text(link), "", 1)
    return not rest.replace("|", "").strip()


class DigestHtmlReader(Reader):
    name: ClassVar[str] = "digest-html"
    description: ClassVar[str] = "an arXiv digest rendered as HTML (GitHub, pandoc, markdown-it, a saved web page)"
    suffixes: ClassVar[tuple[str, ...]] = (".html", ".htm", ".xhtml")
    aliases: ClassVar[tuple[str, ...]] = ("html",)

    def sniff(self, head: str, path: str) -> bool:
        return looks_like_digest_page(head)

    def read(self, data: bytes, source: str) -> Digest:
        text = decode_text(data, source)
        # A page is a few hundred thousand small objects that live until the read ends: the cyclic
        # garbage collector would traverse them again and again (reading 10,000 papers took a third longer).
        collecting = gc.isenabled()
        gc.disable()
        try:
            try:
                soup = parse(text)
            except Exception as exc:  # html.parser rejects some malformed declarations; never a traceback
                reason = str(exc).strip().splitlines()[-1].strip() if str(exc).strip() else type(exc).__name__
                raise InputError(f"the HTML could not be parsed ({reason})", SourceSpan(path=source, line=1)) from None
            return _PageReader(soup, source).read()
        except RecursionError:
            raise InputError("the HTML is nested too deeply to read", SourceSpan(path=source, line=1)) from None
        finally:
            if collecting:
                gc.enable()
