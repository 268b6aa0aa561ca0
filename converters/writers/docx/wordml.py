"""WordprocessingML body fragments, written as text.

python-docx appends a paragraph by searching the whole body for its section
properties first, so a document of n paragraphs costs O(n²) to build, and it
numbers each new relationship by searching all existing ones. The DOCX writer
instead joins the body's paragraphs and the link relationships into strings
with these functions and splices them into the parts python-docx serialised:
linear time, and the body is never parsed and re-serialised.

Contract: every function returns well-formed XML for ANY Python string it is
given. Text goes through :func:`converters.text.clean.xml_text` (controls other than
TAB and LF, lone surrogates and U+FFFE/U+FFFF are dropped) and is escaped; TAB
becomes ``<w:tab/>`` and LF ``<w:br/>``, which is what Word itself stores for
them. Style ids, bookmark names and relationship ids are the caller's own
identifiers (never input data) and are written as given.
"""

from __future__ import annotations

from collections.abc import Mapping

from ...text.clean import xml_text

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HYPERLINK_TYPE = f"{R_NS}/hyperlink"

#: The root that :func:`body` wraps paragraphs in, so they parse with both prefixes bound.
_BODY_OPEN = f'<w:body xmlns:w="{W_NS}" xmlns:r="{R_NS}">'
_BODY_CLOSE = "</w:body>"


def escape(text: str) -> str:
    """``text`` sanitised for XML and escaped for character data or a double-quoted attribute."""
    return xml_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def _content(text: str) -> str:
    """The inner elements of a run for ``text``: ``w:t`` pieces, ``w:tab`` and ``w:br``."""
    clean = escape(text)
    if "\t" not in clean and "\n" not in clean:
        return f'<w:t xml:space="preserve">{clean}</w:t>' if clean else ""
    parts: list[str] = []
    for line_number, line in enumerate(clean.split("\n")):
        if line_number:
            parts.append("<w:br/>")
        for piece_number, piece in enumerate(line.split("\t")):
            if piece_number:
                parts.append("<w:tab/>")
            if piece:
                parts.append(f'<w:t xml:space="preserve">{piece}</w:t>')
    return "".join(parts)


def run(text: str, style: str | None = None) -> str:
    """One run of ``text``, in the character style ``style`` (a style id) when given."""
    props = f'<w:rPr><w:rStyle w:val="{style}"/></w:rPr>' if style else ""
    return f"<w:r>{props}{_content(text)}</w:r>"


def paragraph(style: str | None, *content: str, new_page: bool = False) -> str:
    """A paragraph in the paragraph style ``style`` (a style id) holding ``content`` (runs, links ...).

    ``new_page`` starts it on a new page.
    """
    props = f'<w:pStyle w:val="{style}"/>' if style else ""
    if new_page:
        props += "<w:pageBreakBefore/>"
    return f"<w:p><w:pPr>{props}</w:pPr>{''.join(content)}</w:p>" if props else f"<w:p>{''.join(content)}</w:p>"


def external_link(relationship_id: str, text: str, style: str) -> str:
    """A clickable link whose target is the external relationship ``relationship_id``."""
    return f'<w:hyperlink r:id="{relationship_id}" w:history="1">{run(text, style)}</w:hyperlink>'


def internal_link(bookmark: str, *content: str) -> str:
    """A link to the bookmark named ``bookmark`` in the same document."""
    return f'<w:hyperlink w:anchor="{bookmark}" w:history="1">{"".join(content)}</w:hyperlink>'


def bookmarked(bookmark_id: int, name: str, *content: str) -> str:
    """``content`` inside a bookmark (what a table of contents or cross-reference points at)."""
    return f'<w:bookmarkStart w:id="{bookmark_id}" w:name="{name}"/>{"".join(content)}<w:bookmarkEnd w:id="{bookmark_id}"/>'


def field_begin(instruction: str) -> str:
    """The runs that open a complex field up to its result: begin, instruction, separate.

    The result that follows is what a reader shows until the field is updated;
    :func:`field_end` closes it, possibly in a later paragraph (a TOC spans many).
    """
    return (
        '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
        f'<w:r><w:instrText xml:space="preserve"> {escape(instruction)} </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    )


def field_end() -> str:
    """The run that closes a complex field."""
    return '<w:r><w:fldChar w:fldCharType="end"/></w:r>'


def body(paragraphs: list[str]) -> bytes:
    """``paragraphs`` as one standalone UTF-8 ``w:body`` element (namespaces declared), for parsing."""
    return "".join([_BODY_OPEN, *paragraphs, _BODY_CLOSE]).encode("utf-8")


def external_relationships(targets: Mapping[str, str]) -> bytes:
    """``Relationship`` elements for hyperlinks, from ``{url: relationship id}``, to splice into a .rels part."""
    return "".join(
        f'<Relationship Id="{rel_id}" Type="{HYPERLINK_TYPE}" Target="{escape(url)}" TargetMode="External"/>'
        for url, rel_id in targets.items()
    ).encode("utf-8")
