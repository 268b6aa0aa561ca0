"""Property tests for the DOCX escapers and text rules: any string gives well-formed WordprocessingML that reads
back as the documented text (:func:`converters.text.clean.xml_text` of the input, TAB and LF as w:tab and w:br)."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from converters.text.clean import xml_text
from converters.writers.docx import wordml as x
from converters.writers.docx.layout import abstract_paragraphs, author_line

W = f"{{{x.W_NS}}}"
R = f"{{{x.R_NS}}}"
#: Everything, lone surrogates and controls included, with the awkward characters made likely.
ANY_TEXT = st.text(
    st.characters(codec=None)
    | st.sampled_from(["\t", "\n", "\r", "\x08", "\x00", "&", "<", ">", '"', "\ud800", "\ufffe"])
)
FORBIDDEN = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def parse(paragraphs: list[str]) -> etree._Element:
    """The body element, parsed strictly (as Word and python-docx would)."""
    return etree.fromstring(x.body(paragraphs), etree.XMLParser(huge_tree=True, resolve_entities=False))


def in_attribute(text: str) -> str:
    """What an XML parser reads back from an attribute written with :func:`x.escape`: TAB and LF become spaces."""
    return xml_text(text).replace("\t", " ").replace("\n", " ")


def run_text(run: etree._Element) -> str:
    """A run's text the way Word and python-docx read it: w:t text, w:tab as TAB, w:br as LF."""
    pieces = []
    for child in run:
        if child.tag == f"{W}t":
            pieces.append(child.text or "")
        elif child.tag == f"{W}tab":
            pieces.append("\t")
        elif child.tag == f"{W}br":
            pieces.append("\n")
    return "".join(pieces)


@given(ANY_TEXT)
def test_xml_text_leaves_only_what_xml_and_utf8_carry(text: str) -> None:
    clean = xml_text(text)
    assert not FORBIDDEN.search(clean)
    assert xml_text(clean) == clean
    clean.encode("utf-8")  # no lone surrogate left
    assert [c for c in text if not FORBIDDEN.match(c)] == list(clean)  # nothing else removed or changed


@given(ANY_TEXT)
def test_escape_round_trips_as_text_and_attribute(text: str) -> None:
    escaped = x.escape(text)
    element = etree.fromstring(f'<a b="{escaped}">{escaped}</a>'.encode())
    assert (element.text or "") == xml_text(text)
    assert element.get("b") == in_attribute(text)


@given(ANY_TEXT, st.sampled_from([None, "FieldLabel"]))
def test_run_reads_back_as_the_clean_text(text: str, style: str | None) -> None:
    body = parse([x.paragraph("PaperField", x.run(text, style))])
    (paragraph,) = body
    (run,) = paragraph.findall(f"{W}r")
    assert run_text(run) == xml_text(text)
    for piece in run.findall(f"{W}t"):  # leading and trailing spaces survive Word's whitespace handling
        assert piece.get("{http://www.w3.org/XML/1998/namespace}space") == "preserve"


@given(ANY_TEXT, ANY_TEXT, st.booleans())
def test_links_bookmarks_and_fields_are_well_formed(text: str, instruction: str, new_page: bool) -> None:
    body = parse(
        [
            x.paragraph(
                "Heading1",
                x.bookmarked(7, "_TocArx7", x.run(text)),
                x.external_link("rIdArx1", text, "Hyperlink"),
                x.internal_link("_TocArx7", x.run(text)),
                new_page=new_page,
            ),
            x.paragraph("TOC1", x.field_begin(instruction), x.run(text), x.field_end()),
        ]
    )
    first, second = body
    assert (first.find(f"{W}pPr/{W}pageBreakBefore") is not None) == new_page
    (external,) = first.findall(f"{W}hyperlink[@{R}id]")
    assert external.get(f"{R}id") == "rIdArx1"
    assert run_text(external.find(f"{W}r")) == xml_text(text)
    assert first.find(f"{W}hyperlink[@{W}anchor='_TocArx7']") is not None
    assert second.find(f".//{W}instrText").text == f" {xml_text(instruction)} "
    kinds = [c.get(f"{W}fldCharType") for c in second.iter(f"{W}fldChar")]
    assert kinds == ["begin", "separate", "end"]


@given(st.dictionaries(ANY_TEXT, st.integers(1, 99999).map(lambda n: f"rIdArx{n}"), max_size=5))
def test_relationships_keep_each_target(targets: dict[str, str]) -> None:
    xml = b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    root = etree.fromstring(xml + x.external_relationships(targets) + b"</Relationships>")
    got = [(rel.get("Target"), rel.get("Id"), rel.get("TargetMode")) for rel in root]
    expected = [(in_attribute(url), rid, "External") for url, rid in targets.items()]
    assert got == expected


@given(ANY_TEXT)
def test_abstract_paragraphs_change_only_whitespace(text: str) -> None:
    paragraphs = abstract_paragraphs(text)
    assert all(p and p == p.strip() and "\n" not in p for p in paragraphs)
    assert " ".join(" ".join(paragraphs).split()) == " ".join(xml_text(text).split())


def test_abstract_paragraphs_follow_arxiv() -> None:
    hard_wrapped = "Self-supervised learning depends on the\nability to match pixels.\n  To this end, we\npropose X."
    assert abstract_paragraphs(hard_wrapped) == [
        "Self-supervised learning depends on the ability to match pixels.",
        "To this end, we propose X.",
    ]
    assert abstract_paragraphs("Label: line one\nConclusion: still the abstract") == [
        "Label: line one Conclusion: still the abstract"
    ]
    assert abstract_paragraphs("") == []


@given(st.lists(ANY_TEXT, max_size=12), st.integers(min_value=0, max_value=15))
def test_author_line_lists_or_counts(authors: list[str], limit: int) -> None:
    line = author_line(authors, limit)
    names = [" ".join(xml_text(a).split()) for a in authors]
    names = [n for n in names if n]
    if limit and len(names) > limit:
        assert line == ", ".join(names[:limit]) + f", et al. ({len(names):,} authors)"
    else:
        assert line == ", ".join(names)
