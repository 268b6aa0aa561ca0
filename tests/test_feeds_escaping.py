"""Property tests for every escaper of the feed writers: any text stays text, and always valid XML."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from typing import Any

import feedparser
import lxml.html
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from converters.model import Digest, Paper
from converters.registry import get_writer
from converters.text.clean import one_line
from converters.writers.feeds.build import _hex_references
from converters.writers.feeds.content import escape_text, feed_text, item_html, paragraphs_html, text_block, text_line

ATOM = "{http://www.w3.org/2005/Atom}"
# Text the way digests hold it: any code point (controls, surrogates, U+FFFE included) with
# the troublemakers of the corpus over-represented.
NASTY = st.sampled_from(
    ["<", ">", "&", "&amp;", "&lt;", "]]>", "<think>", "</b>", "\b", "\t", "\n", "\n\n", "\n  ", "\r", "\x00",
     "\u200b", "\ud800", "\ufffe", "$\\alpha$", "\\emph{x}", "1) ", '"', "'", "é", "数"]
)  # fmt: skip
TEXT = st.lists(st.one_of(st.text(max_size=8), NASTY), max_size=12).map("".join)
XML_CHAR_RE = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def words(text: str) -> str:
    return " ".join(text.split())


@given(TEXT)
def test_feed_text_drops_what_xml_or_readers_cannot_show(text: str) -> None:
    clean = feed_text(text)
    assert not XML_CHAR_RE.search(clean) and not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", clean)
    assert feed_text(clean) == clean
    assert [c for c in text if c in "\t\n" or c.isalnum()] == [c for c in clean if c in "\t\n" or c.isalnum()]


@given(TEXT)
def test_escape_text_is_inert_html(text: str) -> None:
    escaped = escape_text(text)
    assert "<" not in escaped and ">" not in escaped
    assert html.unescape(escaped) == feed_text(text)
    assert not XML_CHAR_RE.search(escaped)


@given(TEXT)
def test_text_line_and_block_are_xml_chars(text: str) -> None:
    line = text_line(text)
    assert line == one_line(line) and "\n" not in line
    assert not XML_CHAR_RE.search(line) and not XML_CHAR_RE.search(text_block(text))
    assert "\r" not in text_block(text)


@given(TEXT, st.sampled_from(["TL;DR", "Method", "A&B <label>"]))
def test_paragraphs_html_shows_the_text_and_only_its_own_markup(text: str, label: str) -> None:
    fragment = paragraphs_html(text, label)
    if not feed_text(text).strip():
        assert fragment == ""
        return
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    assert {el.tag for el in root.iter()} <= {"div", "p", "strong", "br"}
    assert words(root.text_content()) == words(f"{label}: {feed_text(text)}")


@given(TEXT)
def test_hex_references_keep_plain_text_elements_equal(text: str) -> None:
    title = text_line(text)
    item = etree.Element("item")
    etree.SubElement(item, "title").text = title
    etree.SubElement(item, "description").text = title  # HTML element: left alone
    rewritten = _hex_references(etree.tostring(item, encoding="UTF-8"))
    parsed = etree.fromstring(rewritten)
    assert parsed.findtext("title") == title == parsed.findtext("description")
    assert b"&amp;" not in rewritten.split(b"<description>")[0]


def one_paper_digest(title: str, tldr: str, author: str, category: str) -> Digest:
    date = dt.date(2025, 1, 2)
    paper = Paper(
        id="2501.01234",
        url="https://arxiv.org/abs/2501.01234",
        title=title,
        authors=(author, "Plain Name"),
        primary_category=category,
        categories=(category,),
        tldr=tldr,
        method=tldr,
        abstract=title,
        date=date,
    )
    return Digest(source="2025-01-02.md", date=date, papers=(paper,))


def write(kind: str, digest: Digest, **options: Any) -> bytes:
    writer = get_writer(kind)
    out = io.BytesIO()
    writer.write([digest], out, {**writer.default_options(), **options})
    return out.getvalue()


def as_feedparser_reads(text: str) -> str:
    """``text`` after feedparser's repair of "UTF-8 that was taken for Latin-1": every element value that is
    all Latin-1 and whose Latin-1 bytes are valid UTF-8 is decoded again (``"Â¡"`` becomes ``"¡"``). The feed
    carries the exact text; only this reader's guess changes it."""
    try:
        return text.encode("iso-8859-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return text


def assert_text(kind: str, detail: Any, expected: str) -> None:
    """A plain-text element as feedparser read it equals ``expected``.

    Atom says "this is text" (type="text"), so it must come back exactly. RSS has no
    way to say it: feedparser, like many readers, guesses HTML when the text holds a
    real tag or entity (a literal "&amp;" or "</b>") and then renders that markup.
    The RSS file still carries the exact text (checked on the XML itself); only the
    reader's guess differs, and only for text that looks like markup.
    """
    if kind == "rss" and detail.type == "text/html":
        assert re.search(r"&\w+;|&#|</\w+>", expected), "feedparser guessed HTML for text without markup"
    else:
        assert detail.type == "text/plain"
        assert detail.value == as_feedparser_reads(expected)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, tldr=TEXT, author=TEXT, category=TEXT, feed_title=TEXT)
def test_any_field_values_give_well_formed_feeds_that_read_back(
    title: str, tldr: str, author: str, category: str, feed_title: str
) -> None:
    digest = one_paper_digest(title, tldr, author, category)
    paper = digest.papers[0]
    for kind in ("rss", "atom"):
        data = write(kind, digest, feed_title=feed_title)
        root = etree.fromstring(data)  # well-formed, or this raises
        if kind == "rss":
            assert root.findtext("channel/item/title") == (text_line(title) or "arXiv:2501.01234")
        parsed = feedparser.parse(data)
        assert not parsed.bozo, parsed.get("bozo_exception")
        [entry] = parsed.entries
        assert_text(kind, entry.title_detail, text_line(title) or "arXiv:2501.01234")
        assert entry.id == paper.abs_url
        summary = text_block(tldr) or text_block(title)
        if summary:
            assert html.unescape(entry.summary) == as_feedparser_reads(summary)
        content = entry.content[0].value if "content" in entry else entry.summary
        assert words(feed_text(tldr)) in words(
            lxml.html.fragment_fromstring(content, create_parent="div").text_content()
        )
        default_title = "arXiv digest" + (f": {text_line(category)}" if text_line(category) else "")
        assert_text(kind, parsed.feed.title_detail, text_line(feed_title) or default_title)


def test_item_html_links_are_absolute_and_versioned_label() -> None:
    paper = Paper(id="hep-th/9901001", version=3, url="https://arxiv.org/abs/hep-th/9901001v3", title="t")
    fragment = item_html(paper)
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    assert [a.get("href") for a in root.iter("a")] == [
        "https://arxiv.org/abs/hep-th/9901001",
        "https://arxiv.org/pdf/hep-th/9901001",
    ]
    assert "arXiv:hep-th/9901001v3" in root.text_content()
