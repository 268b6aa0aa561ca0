"""Plain text and HTML for feed items, made from untrusted field values.

Field values may hold ``<``, ``&``, tag-like text (``<think>``), LaTeX, control
characters and newlines. Everything here returns text that XML can carry
(:func:`feed_text`) and, where the result is HTML, that HTML shows the value as
text: no value ever becomes markup. LaTeX is kept as written, like every other
arxport text format does.
"""

from __future__ import annotations

import html
import re
from functools import cache

from ...model import Paper
from ...text import one_line, xml_text

#: The labelled fields of an item's HTML content, in digest order.
CONTENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("TL;DR", "tldr"),
    ("Motivation", "motivation"),
    ("Method", "method"),
    ("Result", "result"),
    ("Conclusion", "conclusion"),
    ("Abstract", "abstract"),
    ("Comment", "comment"),
)

_C1_RE = re.compile("[\x80-\x9f]")
# A blank line (possibly holding spaces) separates paragraphs.
_PARAGRAPH_RE = re.compile(r"\n[ \t]*\n")
# A newline before a line that starts indented or with a list marker ("1)", "1.", "1）",
# "(1)", "-", "*", "•") was a deliberate line break; any other newline is hard wrapping
# and renders as a space. Matched on escaped text, which leaves these characters alone.
_BREAK = "<br>\n"
_KEPT_BREAK_RE = re.compile(r"\n(?=[ \t]|\d{1,3}(?:[.)] |）)|\(\d{1,3}\) |[-*•] )")


def feed_text(text: str) -> str:
    """``text`` without what XML cannot hold (:func:`xml_text`) and without C1 controls.

    U+0080..U+009F are legal XML but never meant in a digest; feed readers
    (feedparser, browsers) show them as the Windows-1252 characters they stand
    for, so U+0080 would become a euro sign.
    """
    clean = xml_text(text)
    return clean if clean.isascii() else _C1_RE.sub("", clean)


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
    clean = feed_text(text).strip()
    if not clean:
        return ""
    lead = _lead(label) if label else ""
    parts = []
    # Escaping first is safe: it changes only &, < and >, none of which the breaks look at.
    escaped = html.escape(clean, quote=False)
    for paragraph in _PARAGRAPH_RE.split(escaped) if "\n" in escaped else (escaped,):
        if "\n" in paragraph:
            paragraph = _KEPT_BREAK_RE.sub(_BREAK, paragraph)
        parts.append(f"<p>{lead}{paragraph}</p>")
        lead = ""
    return "\n".join(parts)


@cache
def _lead(label: str) -> str:
    return f"<strong>{escape_text(label)}:</strong> "


def summary_text(paper: Paper) -> str:
    """The item's summary: the TL;DR, else the abstract (pre-AI digests have no TL;DR); may be ''."""
    return text_block(paper.tldr) or text_block(paper.abstract)


def item_title(paper: Paper) -> str:
    """The item title as plain text; ``arXiv:<id>`` when the digest gave an empty one (feeds need a title)."""
    return text_line(paper.title) or f"arXiv:{paper.id}"


def item_html(paper: Paper) -> str:
    """The item's full content as HTML: the AI fields, the abstract, the comment and absolute links."""
    parts = [paragraphs_html(getattr(paper, name) or "", label) for label, name in CONTENT_FIELDS]
    label = escape_text(f"arXiv:{paper.versioned_id}")
    abs_url = html.escape(paper.abs_url, quote=True)
    pdf_url = html.escape(paper.pdf_url, quote=True)
    parts.append(f'<p><a href="{abs_url}">{label}</a> | <a href="{pdf_url}">PDF</a></p>')
    return "\n".join(part for part in parts if part)
