"""Plain text and HTML for feed items, made from untrusted field values.

Field values may hold ``<``, ``&``, tag-like text (``<think>``), LaTeX, control
characters and newlines. Everything here returns text that XML can carry
(:func:`feed_text`) and, where the result is HTML, that HTML shows the value as
text: no value ever becomes markup. LaTeX is kept as written, like every other
arxport text format does.

A feed holds thousands of items, so :func:`paper_texts` prepares them in
batches: the values of a batch are joined by a NUL, cleaned and escaped by a
fixed number of C-level passes over the joined text, and split again. A NUL is
the one safe separator: :func:`feed_text` removes it from every value, and no
pattern here matches across it. :func:`paragraphs_html` and :func:`item_html` go
through the same batch code; :func:`text_lines` is :func:`text_line` for a
batch (the feed tests compare the two on any title).
"""

from __future__ import annotations

import html
import operator
import re
from collections.abc import Iterator, Sequence
from functools import cache
from typing import NamedTuple

from ...model import Paper
from ...text.clean import one_line
from ..shared import uri, work_name

#: The labelled fields of an item's HTML content, in digest order.
CONTENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("TL;DR", "tldr"),
    ("Motivation", "motivation"),
    ("Method", "method"),
    ("Result", "result"),
    ("Conclusion", "conclusion"),
    ("Abstract", "abstract"),
    ("Abstract translation", "abstract_translation"),
    ("Comment", "comment"),
)
_FIELD_VALUES = operator.attrgetter(*(name for _, name in CONTENT_FIELDS))
_FIELD_NAMES = [name for _, name in CONTENT_FIELDS]
# The summary is the TL;DR, else the abstract (pre-AI digests have no TL;DR), else the digest's translation of it.
_SUMMARY_FIELDS = tuple(_FIELD_NAMES.index(name) for name in ("tldr", "abstract", "abstract_translation"))

# What feed text must not hold: the characters text.xml_text removes (C0 controls but
# TAB and LF, DEL, lone surrogates, U+FFFE/U+FFFF) and the C1 controls U+0080..U+009F,
# which are legal XML but never meant in a digest; feed readers (feedparser, browsers)
# show them as the Windows-1252 characters they stand for, so U+0080 would become a euro
# sign. One class, so that cleaning is one pass. NUL is left out of it: it separates the
# values of a batch (see the module docstring).
_UNSAFE_BUT_NUL = "\x01-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff"
_UNSAFE_RE = re.compile(f"[\x00{_UNSAFE_BUT_NUL}]")
_UNSAFE_IN_BATCH_RE = re.compile(f"[{_UNSAFE_BUT_NUL}]")
# The regex costs some 80 instructions a character and the text almost never holds one of
# these, so a batch is first searched by C-level passes a few times faster (_holds_unsafe):
# in UTF-8, C0 controls and DEL are single bytes, C1 controls are C2 80..C2 9F.
_UNSAFE_BYTES = bytes([*range(0x01, 0x09), *range(0x0B, 0x20), 0x7F])
_C1_UTF8_RE = re.compile(b"\xc2[\x80-\x9f]")
_SEPARATOR = "\x00"
# Papers prepared per batch: enough to make per-call costs vanish, few enough that a
# batch stays in the CPU cache and that one emoji (which makes Python store a string
# at 4 bytes per character) slows down only its own batch.
_BATCH = 64

# A blank line (possibly holding spaces) separates paragraphs.
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
_PARAGRAPH_BREAK = "</p>\n<p>"
# A newline before a line that starts indented or with a list marker ("1)", "1.", "1）",
# "(1)", "-", "*", "•") was a deliberate line break; any other newline is hard wrapping
# and renders as a space. Matched on escaped text, which leaves these characters alone,
# after paragraph breaks are written: their "</p>\n<p>" starts no list item.
_BREAK = "<br>\n"
_KEPT_BREAK_RE = re.compile(r"\n(?=[ \t]|\d{1,3}(?:[.)] |）)|\(\d{1,3}\) |[-*•] )")
# arXiv ids (2501.01234, hep-th/9901001) and versions, separated: nothing to escape or clean.
_PLAIN_IDS_RE = re.compile("[0-9A-Za-z./\x00-]*")


class PaperText(NamedTuple):
    """What a feed item shows of one paper, ready for feedgen."""

    #: Plain text on one line; ``arXiv:<id>`` (:func:`~converters.writers.shared.work_name`) when the digest gave none.
    title: str
    #: The TL;DR (else the abstract, else its translation) as HTML-escaped text; '' when the paper has none.
    summary: str
    #: The full content as HTML (:func:`item_html`).
    html: str
    #: Clean author names, empty ones left out.
    authors: tuple[str, ...]


def feed_text(text: str) -> str:
    """``text`` without what XML cannot hold (as :func:`~converters.text.clean.xml_text`) and without C1 controls."""
    return _UNSAFE_RE.sub("", text)


def text_line(value: str | None) -> str:
    """``value`` as one line of clean plain text (titles, names, categories); '' for None."""
    return one_line(feed_text(value)) if value else ""


def text_block(value: str | None) -> str:
    """``value`` as clean plain text with its line breaks, ends trimmed; '' for None."""
    return feed_text(value).strip() if value else ""


def escape_text(text: str) -> str:
    """``text`` as HTML character data: shown literally, whatever it contains."""
    return html.escape(feed_text(text), quote=False)


def paragraphs_html(text: str, label: str | None = None) -> str:
    """``text`` as HTML paragraphs, the first one led by a bold ``label:`` when given.

    Blank lines start a new paragraph; a newline before an indented line or a
    list item becomes ``<br>``; other newlines (hard wrapping) are kept and render
    as spaces. Returns '' when ``text`` is blank.
    """
    [body] = _paragraph_bodies(_escaped_blocks([text]))
    if not body:
        return ""
    return f"<p>{_lead(label) if label else ''}{body}</p>"


def item_html(paper: Paper) -> str:
    """The item's full content as HTML: the AI fields, the abstract and its translation, the comment and absolute
    links."""
    [text] = paper_texts([paper])
    return text.html


def paper_texts(papers: Sequence[Paper]) -> Iterator[PaperText]:
    """The :class:`PaperText` of each paper, in order, prepared a batch at a time."""
    for start in range(0, len(papers), _BATCH):
        yield from _paper_texts(papers[start : start + _BATCH])


def _paper_texts(papers: Sequence[Paper]) -> list[PaperText]:
    width = len(CONTENT_FIELDS)
    blocks = _escaped_blocks([value or "" for paper in papers for value in _FIELD_VALUES(paper)])
    paragraphs = list(map(_paragraphs_with_lead, _LEADS * len(papers), _paragraph_bodies(blocks)))
    links = _links_html(papers)
    titles = text_lines([paper.title for paper in papers])
    names = text_lines([name for paper in papers for name in paper.authors])
    texts = []
    first_name = 0
    for index, paper in enumerate(papers):
        row = index * width
        last_name = first_name + len(paper.authors)
        texts.append(
            PaperText(
                title=titles[index] or work_name(paper),
                summary=next((blocks[row + field] for field in _SUMMARY_FIELDS if blocks[row + field]), ""),
                html="\n".join([part for part in paragraphs[row : row + width] if part] + [links[index]]),
                authors=tuple(name for name in names[first_name:last_name] if name),
            )
        )
        first_name = last_name
    return texts


def text_lines(values: Sequence[str | None]) -> list[str]:
    """:func:`text_line` of each value, in a fixed number of passes over the batch."""
    if not values:
        return []
    # The separator is not whitespace, so splitting the batch at whitespace collapses
    # every run to one space inside each value; what is left at a value's ends is one
    # space next to a separator (or at the ends of the batch, which split() trims).
    lines = " ".join(_cleaned_batch([value or "" for value in values]).split())
    lines = lines.replace(" " + _SEPARATOR, _SEPARATOR).replace(_SEPARATOR + " ", _SEPARATOR)
    return lines.split(_SEPARATOR)


def _escaped_blocks(values: Sequence[str]) -> list[str]:
    """``escape_text(text_block(value))`` of each value: cleaned, HTML-escaped, ends trimmed."""
    if not values:
        return []
    # Escaping does not touch whitespace, so trimming after it trims the same characters.
    escaped = html.escape(_cleaned_batch(values), quote=False)
    return [block.strip() for block in escaped.split(_SEPARATOR)]


def _paragraph_bodies(blocks: Sequence[str]) -> list[str]:
    """Each escaped block's HTML paragraphs without the first ``<p>`` and the last ``</p>``; '' for ''."""
    joined = _SEPARATOR.join(blocks)
    if "\n" in joined:
        joined = _KEPT_BREAK_RE.sub(_BREAK, _PARAGRAPH_RE.sub(_PARAGRAPH_BREAK, joined))
    return joined.split(_SEPARATOR)


def _cleaned_batch(values: Sequence[str]) -> str:
    """:func:`feed_text` of each value, joined by the separator (one pass over the batch)."""
    joined = _SEPARATOR.join(values)
    if joined.count(_SEPARATOR) >= len(values):
        # A value holds a NUL itself, which feed_text drops: drop it before it reads as a separator.
        joined = _SEPARATOR.join([value.replace(_SEPARATOR, "") for value in values])
    return _UNSAFE_IN_BATCH_RE.sub("", joined) if _holds_unsafe(joined) else joined


def _holds_unsafe(text: str) -> bool:
    """Whether ``text`` holds a character of ``_UNSAFE_IN_BATCH_RE`` (found without that regex)."""
    if "\ufffe" in text or "\uffff" in text:
        return True
    try:
        data = text.encode()
    except UnicodeEncodeError:  # a lone surrogate
        return True
    if len(data.translate(None, _UNSAFE_BYTES)) != len(data):
        return True
    return b"\xc2" in data and _C1_UTF8_RE.search(data) is not None


def _links_html(papers: Sequence[Paper]) -> list[str]:
    """The last paragraph of each item, as absolute links: the label (``arXiv:<id>v<N>``) linking to the
    abstract page and the PDF for an arXiv paper; the label (``doi:...``, ``PMID:...``, the URL) linking to
    the landing page for another work, which has no PDF link."""
    versioned = [paper.versioned_id for paper in papers]
    if all(paper.is_arxiv for paper in papers) and _PLAIN_IDS_RE.fullmatch(_SEPARATOR.join(versioned)):
        # The usual case: arXiv ids that neither escaping nor cleaning changes.
        return [
            f'<p><a href="{paper.abs_url}">arXiv:{label}</a> | <a href="{paper.pdf_url}">PDF</a></p>'
            for paper, label in zip(papers, versioned, strict=True)
        ]
    return [_links_paragraph(paper) for paper in papers]


def _links_paragraph(paper: Paper) -> str:
    label = escape_text(paper.label)
    link = html.escape(uri(paper.link), quote=True)
    if paper.pdf_url is None:
        return f'<p><a href="{link}">{label}</a></p>'
    pdf_url = html.escape(paper.pdf_url, quote=True)
    return f'<p><a href="{link}">{label}</a> | <a href="{pdf_url}">PDF</a></p>'


def _paragraphs_with_lead(lead: str, body: str) -> str:
    return f"<p>{lead}{body}</p>" if body else ""


@cache
def _lead(label: str) -> str:
    return f"<strong>{escape_text(label)}:</strong> "


_LEADS = tuple(_lead(label) for label, _ in CONTENT_FIELDS)
