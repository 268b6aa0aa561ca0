"""rss and atom on the real corpus, checked by real consumers and by the W3C feed validator's rules.

Every corpus digest becomes one RSS and one Atom feed; feedparser reads each
back (no ``bozo``) and every item is compared with the paper it came from.
Atom feeds also pass the RFC 4287 RELAX NG schema. The rules the W3C Feed
Validation Service applies (required elements, ids, dates, self links, relative
links in content, permalink guids, e-mail-less authors) are asserted on the XML
by :func:`check_rss_rules` and :func:`check_atom_rules`; the validator itself is
a developer check run from its own checkout (docs/feeds.md).
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any
from urllib.parse import quote, urlsplit

import feedparser
import lxml.html
import pytest
from lxml import etree

from converters.model import Digest, Paper
from converters.registry import get_writer
from converters.text.clean import one_line
from converters.writers.feeds.content import feed_text

from .conftest import REQUIRE_TOOLS, VENDOR, read_digest, sample_files

pytestmark = pytest.mark.corpus

ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/elements/1.1/}"
CONTENT_ENCODED = "{http://purl.org/rss/1.0/modules/content/}encoded"
SELF = "https://example.org/arxiv/feed.xml"
OPTIONS = {"feed_self_link": SELF, "feed_link": "https://example.org/arxiv/", "feed_language": "en"}
RFC822_RE = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}"
)
RFC3339_RE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")
FIELDS = ("tldr", "motivation", "method", "result", "conclusion", "abstract", "abstract_translation", "comment")
CONTENT_TAGS = {"p", "strong", "br", "a"}
# Links in the HTML the writers make (checked to be the only markup by the read-back tests).
HREF_RE = re.compile(r'\b(?:href|src)="([^"]*)"')


# --- helpers ---------------------------------------------------------------------------


def write(kind: str, digests: Sequence[Digest], **options: Any) -> bytes:
    writer = get_writer(kind)
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


def clean_line(text: str) -> str:
    return one_line(feed_text(text))


def words(text: str) -> str:
    """Whitespace-insensitive form: HTML renders every whitespace run as one space."""
    return " ".join(text.split())


def expected_papers(digest: Digest) -> list[tuple[int, Paper]]:
    """(position in the digest, paper): one per arXiv id, the first listing wins (one digest, one date)."""
    seen: dict[str, tuple[int, Paper]] = {}
    for position, paper in enumerate(digest.papers):
        seen.setdefault(paper.id, (position, paper))
    return list(seen.values())


def expected_title(paper: Paper) -> str:
    return clean_line(paper.title) or (f"arXiv:{paper.id}" if paper.is_arxiv else paper.label)


def expected_summary(paper: Paper) -> str:
    """The TL;DR, else the abstract, else the digest's translation of it."""
    for value in (paper.tldr, paper.abstract, paper.abstract_translation):
        text = feed_text(value or "").strip()
        if text:
            return text
    return ""


def expected_link(paper: Paper) -> str:
    """An item's link and id: the version-free abstract page, or another work's landing page as a URI."""
    return paper.abs_url or quote(paper.link, safe="!#$%&'()*+,/:;=?@[]~")


def expected_hrefs(paper: Paper) -> list[str]:
    """The links of an item's content: abstract page and PDF for an arXiv paper, the landing page for another work."""
    return [paper.abs_url, paper.pdf_url] if paper.is_arxiv else [expected_link(paper)]


def expected_names(paper: Paper) -> list[str]:
    return [name for name in (clean_line(a) for a in paper.authors) if name]


def expected_categories(digest: Digest, paper_id: str) -> list[str]:
    terms: dict[str, None] = {}
    for paper in digest.papers:
        if paper.id == paper_id:
            for term in paper.categories or (paper.category,):
                if term and clean_line(term):
                    terms.setdefault(clean_line(term), None)
    return list(terms)


def content_text_and_links(fragment: str) -> tuple[str, list[str], set[str]]:
    """(text, hrefs, tag names) of an item's HTML content."""
    root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    tags = {el.tag for el in root.iter() if isinstance(el.tag, str)} - {"div"}
    hrefs = [el.get("href") for el in root.iter("a")]
    return root.text_content(), hrefs, tags


def assert_absolute(url: str | None) -> None:
    assert url, "empty link"
    parts = urlsplit(url)
    assert parts.scheme in ("http", "https") and parts.netloc, f"relative or odd link {url!r}"


# --- the W3C validator's rules, as assertions --------------------------------------------


def check_rss_rules(data: bytes, self_link: str | None) -> etree._Element:
    root = etree.fromstring(data)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channels = root.findall("channel")
    assert len(channels) == 1
    channel = channels[0]
    for name in ("title", "link", "description"):  # required channel elements, once each
        found = channel.findall(name)
        assert len(found) == 1 and (found[0].text or "").strip(), f"channel {name}"
    assert_absolute(channel.findtext("link"))
    build = channel.findtext("lastBuildDate") or ""
    assert RFC822_RE.fullmatch(build), build
    parsedate_to_datetime(build)
    selfs = [link for link in channel.findall(f"{ATOM}link") if link.get("rel") == "self"]
    if self_link is None:
        assert selfs == []
    else:
        assert [(link.get("href"), link.get("type")) for link in selfs] == [(self_link, "application/rss+xml")]
    guids: set[str] = set()
    for item in channel.iter("item"):
        assert (item.findtext("title") or "").strip(), "an item needs a title"
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "true"
        assert_absolute(guid.text)  # a permalink guid must be a full URL
        assert guid.text == item.findtext("link"), "the guid is the item's permalink"
        assert guid.text not in guids, f"duplicate guid {guid.text}"
        guids.add(guid.text or "")
        pub = item.findtext("pubDate") or ""
        assert RFC822_RE.fullmatch(pub), pub
        assert parsedate_to_datetime(pub) <= parsedate_to_datetime(build)
        assert item.find("author") is None, "RSS <author> must be an e-mail address; names go in dc:creator"
        for creator in item.findall(f"{DC}creator"):
            assert (creator.text or "").strip()
        children = [child.tag for child in item]
        if "description" in children and CONTENT_ENCODED in children:
            assert children.index("description") < children.index(CONTENT_ENCODED)
        for encoded in item.findall(CONTENT_ENCODED):
            for href in HREF_RE.findall(encoded.text or ""):
                assert_absolute(html.unescape(href))
    # The RSS profile: & and < in plain-text elements as hexadecimal references.
    for match in re.finditer(rb"<(title|category|dc:creator)(?: [^>]*)?>([^<]*)</\1>", data):
        assert b"&amp;" not in match.group(2) and b"&lt;" not in match.group(2), match.group(0)[:200]
    return root


def check_atom_rules(data: bytes, self_link: str | None) -> etree._Element:
    root = etree.fromstring(data)
    assert root.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(root.findall(f"{ATOM}{name}")) == 1, f"feed {name}"
    assert_absolute(root.findtext(f"{ATOM}id"))
    feed_updated = root.findtext(f"{ATOM}updated") or ""
    assert RFC3339_RE.fullmatch(feed_updated), feed_updated
    feed_authors = root.findall(f"{ATOM}author")
    assert feed_authors and all((a.findtext(f"{ATOM}name") or "").strip() for a in feed_authors)
    links = root.findall(f"{ATOM}link")
    alternates = [
        (link.get("type"), link.get("hreflang")) for link in links if link.get("rel", "alternate") == "alternate"
    ]
    assert len(alternates) == len(set(alternates)), "two alternate links with the same type and hreflang"
    selfs = [(link.get("href"), link.get("type")) for link in links if link.get("rel") == "self"]
    assert selfs == ([] if self_link is None else [(self_link, "application/atom+xml")])
    for link in links:
        assert_absolute(link.get("href"))
    ids: set[str] = set()
    instants: set[str] = set()
    for entry in root.iter(f"{ATOM}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, f"entry {name}"
        entry_id = entry.findtext(f"{ATOM}id") or ""
        assert_absolute(entry_id)
        assert entry_id not in ids, f"duplicate id {entry_id}"
        ids.add(entry_id)
        updated = entry.findtext(f"{ATOM}updated") or ""
        published = entry.findtext(f"{ATOM}published") or ""
        assert RFC3339_RE.fullmatch(updated) and RFC3339_RE.fullmatch(published)
        assert dt.datetime.fromisoformat(published) <= dt.datetime.fromisoformat(updated)
        assert dt.datetime.fromisoformat(updated) <= dt.datetime.fromisoformat(feed_updated)
        assert updated not in instants, "two entries with the same atom:updated"
        instants.add(updated)
        entry_links = entry.findall(f"{ATOM}link")
        assert [link.get("rel", "alternate") for link in entry_links] == ["alternate"]
        assert_absolute(entry_links[0].get("href"))
        for author in entry.findall(f"{ATOM}author"):
            assert (author.findtext(f"{ATOM}name") or "").strip()
            assert author.find(f"{ATOM}email") is None
        content = entry.find(f"{ATOM}content")
        assert content is not None and content.get("type") == "html"
        for href in HREF_RE.findall(content.text or ""):
            assert_absolute(html.unescape(href))
    return root


@cache
def relax_ng() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(VENDOR / "atom" / "atom.rng")))


def check_relax_ng(data: bytes) -> None:
    if not (VENDOR / "atom" / "atom.rng").is_file():
        message = f"the Atom RELAX NG schema is missing at {VENDOR / 'atom'} (set ARXPORT_SHARED)"
        if REQUIRE_TOOLS:
            pytest.fail(message)
        pytest.skip(message)
    schema = relax_ng()
    assert schema.validate(etree.fromstring(data).getroottree()), schema.error_log.last_error


# --- per digest: what goes in comes out --------------------------------------------------


def parse(data: bytes, *, sanitize: bool) -> Any:
    """feedparser's reading of a feed; ``sanitize=False`` skips its HTML clean-up, which doubles the time."""
    return feedparser.parse(data, sanitize_html=sanitize, resolve_relative_uris=sanitize)


def check_items_against_digest(kind: str, parsed: Any, digest: Digest) -> None:
    """Every entry feedparser read equals the paper it came from."""
    assert not parsed.bozo, parsed.get("bozo_exception")
    papers = expected_papers(digest)
    entries = parsed.entries
    assert len(entries) == len(papers)
    assert digest.date is not None
    for index, (entry, (position, paper)) in enumerate(zip(entries, papers, strict=True)):
        assert entry.id == expected_link(paper) and entry.link == expected_link(paper)
        assert entry.title == expected_title(paper)
        published = dt.datetime(*entry.published_parsed[:6]).replace(tzinfo=dt.UTC)
        # Digest date at midnight UTC, seconds counting down so digest order is time order.
        assert published.date() == digest.date
        assert published == dt.datetime.combine(digest.date, dt.time(), dt.UTC) + dt.timedelta(
            seconds=len(digest.papers) - 1 - position
        )
        summary = expected_summary(paper)
        if summary:
            assert html.unescape(entry.summary) == summary
            content = entry.content[0].value
        elif kind == "rss":  # no summary: the HTML content is the description
            assert "content" not in entry
            content = entry.summary
        else:  # feedparser copies the content into the summary
            content = entry.content[0].value
        names = expected_names(paper)
        if kind == "atom":
            assert [a.get("name") for a in entry.get("authors", [])] == names
        elif names:
            assert entry.author == ", ".join(names)
        assert [t.term for t in entry.get("tags", [])] == expected_categories(digest, paper.id)
        text, hrefs, tags = content_text_and_links(content)
        assert tags <= CONTENT_TAGS, f"item {index}: markup from the data: {tags - CONTENT_TAGS}"
        assert hrefs == expected_hrefs(paper)
        flat = words(text)
        for field in FIELDS:
            value = words(feed_text(getattr(paper, field) or ""))
            if value:
                assert value in flat, f"{paper.id}: {field} not shown as text"


@pytest.fixture(scope="module")
def corpus_feeds(corpus_digests: list[Digest]) -> dict[str, dict[str, bytes]]:
    """kind -> digest source -> feed bytes."""
    return {kind: {d.source: write(kind, [d], **OPTIONS) for d in corpus_digests} for kind in ("rss", "atom")}


@pytest.fixture(scope="module")
def corpus_parsed(corpus_feeds: dict[str, dict[str, bytes]]) -> dict[str, dict[str, Any]]:
    """kind -> digest source -> feedparser's result, without its HTML sanitiser (see HARD_DIGESTS)."""
    return {
        kind: {source: parse(data, sanitize=False) for source, data in feeds.items()}
        for kind, feeds in corpus_feeds.items()
    }


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_every_corpus_feed_reads_back_item_for_item(
    kind: str, corpus_digests: list[Digest], corpus_parsed: dict[str, dict[str, Any]]
) -> None:
    total = 0
    for digest in corpus_digests:
        check_items_against_digest(kind, corpus_parsed[kind][digest.source], digest)
        total += len(corpus_parsed[kind][digest.source].entries)
    # Counts in = counts out: one item per distinct arXiv id of each digest.
    assert total == sum(len({p.id for p in d.papers}) for d in corpus_digests) > 5000


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_every_corpus_feed_follows_the_validator_rules(
    kind: str, corpus_digests: list[Digest], corpus_feeds: dict[str, dict[str, bytes]]
) -> None:
    for digest in corpus_digests:
        data = corpus_feeds[kind][digest.source]
        if kind == "rss":
            check_rss_rules(data, SELF)
        else:
            check_atom_rules(data, SELF)
            check_relax_ng(data)


#: Digests whose text tests the HTML path hardest, read again with feedparser's sanitiser on
#: (what feed readers do); the bigger tag-like cases are covered above and in the samples.
HARD_DIGESTS = {
    "dw-dengwei__2025-09-11.md": "a title that is a <think> ... </think> trace, Who&When in a TL;DR",
    "Alice-Shimada__2026-03-23.md": "a BACKSPACE in a TL;DR, LaTeX everywhere",
}


@pytest.mark.parametrize("name", sorted(HARD_DIGESTS))
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_hard_digests_survive_the_html_sanitiser(
    kind: str, name: str, corpus_digests: list[Digest], corpus_feeds: dict[str, dict[str, bytes]]
) -> None:
    digest = next(d for d in corpus_digests if d.source.endswith(name))
    check_items_against_digest(kind, parse(corpus_feeds[kind][digest.source], sanitize=True), digest)


def test_tag_like_and_control_text_stays_text(
    corpus_digests: list[Digest], corpus_feeds: dict[str, dict[str, bytes]], corpus_parsed: dict[str, dict[str, Any]]
) -> None:
    by_name = {d.source.rsplit("/", 1)[-1]: d for d in corpus_digests}
    think = next(p for p in by_name["dw-dengwei__2025-09-11.md"].papers if "<think>" in p.title)
    bare = next(p for p in by_name["wlsgur073__2026-06-14.md"].papers if "<100LOC" in p.title)
    for kind in ("rss", "atom"):
        for paper, digest in ((think, "dw-dengwei__2025-09-11.md"), (bare, "wlsgur073__2026-06-14.md")):
            parsed = corpus_parsed[kind][by_name[digest].source]
            entry = next(e for e in parsed.entries if e.id == paper.abs_url)
            assert entry.title == clean_line(paper.title)
            assert entry.title_detail.type == "text/plain"
    backspace = by_name["Alice-Shimada__2026-03-23.md"]
    assert any("\b" in (p.tldr or "") for p in backspace.papers)
    for kind in ("rss", "atom"):
        assert b"\x08" not in corpus_feeds[kind][backspace.source]
        assert b"\t" in corpus_feeds[kind][by_name["dw-dengwei__2025-07-11.md"].source]  # TAB is valid XML: kept


def test_three_thousand_authors_are_one_atom_author_each(
    corpus_digests: list[Digest], corpus_feeds: dict[str, dict[str, bytes]]
) -> None:
    digest = next(d for d in corpus_digests if d.source.endswith("dw-dengwei__2025-07-10.md"))
    paper = max(digest.papers, key=lambda p: len(p.authors))
    assert len(paper.authors) > 3000
    root = etree.fromstring(corpus_feeds["atom"][digest.source])
    entry = next(e for e in root.iter(f"{ATOM}entry") if e.findtext(f"{ATOM}id") == paper.abs_url)
    assert len(entry.findall(f"{ATOM}author")) == len(expected_names(paper))
    rss = etree.fromstring(corpus_feeds["rss"][digest.source])
    item = next(i for i in rss.iter("item") if i.findtext("guid") == paper.abs_url)
    assert [c.text for c in item.findall(f"{DC}creator")] == [", ".join(expected_names(paper))]


# --- the whole corpus as one rolling feed --------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_merged_corpus_feed(kind: str, corpus_digests: list[Digest]) -> None:
    data = write(kind, corpus_digests, **OPTIONS)
    root = check_rss_rules(data, SELF) if kind == "rss" else check_atom_rules(data, SELF)
    if kind == "atom":
        check_relax_ng(data)
    listings = [p for d in corpus_digests for p in d.papers]
    newest: dict[str, dt.date] = {}
    oldest: dict[str, dt.date] = {}
    for paper in listings:
        assert paper.date is not None
        newest[paper.id] = max(newest.get(paper.id, paper.date), paper.date)
        oldest[paper.id] = min(oldest.get(paper.id, paper.date), paper.date)
    if kind == "rss":
        ids = [item.findtext("guid") for item in root.iter("item")]
        dates = [parsedate_to_datetime(item.findtext("pubDate") or "").date() for item in root.iter("item")]
        assert dates == [oldest[i.removeprefix("https://arxiv.org/abs/")] for i in ids if i]
    else:
        ids = [e.findtext(f"{ATOM}id") for e in root.iter(f"{ATOM}entry")]
        updated = [dt.datetime.fromisoformat(e.findtext(f"{ATOM}updated") or "") for e in root.iter(f"{ATOM}entry")]
        assert updated == sorted(updated, reverse=True), "newest first"
        assert [u.date() for u in updated] == [newest[i.removeprefix("https://arxiv.org/abs/")] for i in ids if i]
    assert len(ids) == len(set(ids)) == len(newest) == 5966
    assert {i.removeprefix("https://arxiv.org/abs/") for i in ids if i} == set(newest)


# --- the bundled samples, with the sanitiser -------------------------------------------------


SAMPLE_FILES = sample_files()


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_sample_feeds_read_back_and_follow_the_rules(kind: str, path: Any) -> None:
    digest = read_digest(path)
    data = write(kind, [digest])
    check_items_against_digest(kind, parse(data, sanitize=True), digest)
    if kind == "rss":
        check_rss_rules(data, None)
    else:
        check_atom_rules(data, None)
        check_relax_ng(data)
