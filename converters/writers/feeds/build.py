"""The feedgen calls that turn a :class:`~.selection.Selection` into RSS 2.0 or Atom 1.0 bytes.

feedgen is imported inside the functions: other formats must not pay for it.
The feedgen 1.0.0 traps worked around here (``output-formats.md`` section 2.3):
``add_entry`` prepends unless told to append, ``updated``/``lastBuildDate``
default to now, ``entry.id()`` alone makes an RSS guid that is not a permalink,
Atom entry links lose their attributes (so each entry has exactly one link),
and ``author()`` without an e-mail writes nothing in RSS (names go in
``dc:creator``).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Literal

from ...errors import OutputError
from ...model import Paper
from ..shared import uri
from .content import PaperText, paper_texts, text_line
from .selection import FeedItem, Selection
from .settings import FeedSettings

if TYPE_CHECKING:
    from feedgen.entry import FeedEntry
    from feedgen.feed import FeedGenerator

FeedKind = Literal["rss", "atom"]

#: The scheme arXiv's own feeds use for category terms.
CATEGORY_SCHEME = "http://arxiv.org/schemas/atom"
GENERATOR = "arxport"
DEFAULT_AUTHOR = "arxport"
#: How many categories the default title names before "and N more".
TITLE_CATEGORIES = 4
# An arXiv category name (cs.CV, hep-th, math-ph, q-bio.NC) is safe in a URL path; digest text may be anything.
_ARXIV_CATEGORY_RE = re.compile(r"[a-z]+(?:-[a-z]+)*(?:\.[A-Za-z]+(?:-[A-Za-z]+)*)?")
# RSS elements that hold plain text, with their text (no element inside them holds a raw "<").
_PLAIN_TEXT_ELEMENT_RE = re.compile(rb"(<(title|category|dc:creator)(?: [^>]*)?>)([^<]*)(</\2>)")
MEDIA_TYPES: dict[FeedKind, str] = {"rss": "application/rss+xml", "atom": "application/atom+xml"}


@dataclass(frozen=True, kw_only=True, slots=True)
class FeedHead:
    """Feed-level metadata with every default filled in."""

    title: str
    link: str
    self_link: str | None
    description: str
    language: str | None
    author: str

    @property
    def id(self) -> str:
        """The Atom feed id: the self link when known, else the page link (both permanent URLs)."""
        return self.self_link or self.link


def feed_head(selection: Selection, settings: FeedSettings) -> FeedHead:
    """Options where given, otherwise defaults built from the items' categories and the digest dates."""
    categories = _categories(name for item in selection.items for name in item.categories[:1])
    default_link = "https://arxiv.org/"
    if len(categories) == 1 and _ARXIV_CATEGORY_RE.fullmatch(categories[0]):
        default_link += f"list/{categories[0]}/new"
    default_title = "arXiv digest"
    if categories:
        shown = ", ".join(categories[:TITLE_CATEGORIES])
        more = len(categories) - TITLE_CATEGORIES
        default_title += f": {shown}" + (f" and {more} more" if more > 0 else "")
    span = selection.first_date.isoformat()
    if selection.last_date != selection.first_date:
        span += f" to {selection.last_date.isoformat()}"
    default_description = f"Papers from arXiv daily digests, {span}"
    if categories:
        default_description += f", in {', '.join(categories)}"
    return FeedHead(
        title=settings.title or default_title,
        link=settings.link or default_link,
        self_link=settings.self_link,
        description=settings.description or default_description + ".",
        language=settings.language,
        author=settings.author or DEFAULT_AUTHOR,
    )


#: Items rendered per feedgen document: feedgen builds a whole lxml tree, so a run of 80,000 papers in one
#: tree took 2 GB; a chunk's tree is a few MB.
CHUNK = 500
#: The start of the first item and the end of the last, as lxml pretty-prints them. No text can hold them:
#: the channel's text is escaped, and an item's HTML holds only arxport's tags.
_ITEMS_START: dict[FeedKind, bytes] = {"rss": b"\n    <item>", "atom": b"\n  <entry>"}
_ITEMS_END: dict[FeedKind, bytes] = {"rss": b"</item>\n", "atom": b"</entry>\n"}


def render(kind: FeedKind, selection: Selection, head: FeedHead) -> Iterator[bytes]:
    """The feed document in pieces, UTF-8 with an XML declaration, pretty-printed: the bytes one feedgen
    document of every item would be.

    feedgen renders :data:`CHUNK` items at a time; each chunk's document gives its items, the first one the
    document's head and tail too (every chunk has the same, checked). A value that still trips feedgen or
    lxml is reported as :class:`OutputError` (the model is sanitised first, so that would be a bug worth a
    clear message).
    """
    items = selection.items
    if not items:
        yield _document(kind, selection, head, ())
        return
    texts = paper_texts([item.paper for item in items])
    frame: tuple[bytes, bytes] | None = None
    for start in range(0, len(items), CHUNK):
        chunk = items[start : start + CHUNK]
        document = _document(kind, selection, head, zip(chunk, texts, strict=False))  # texts: the next ones
        first = document.index(_ITEMS_START[kind]) + 1
        last = document.rindex(_ITEMS_END[kind]) + len(_ITEMS_END[kind])
        if frame is None:
            frame = document[:first], document[last:]
            yield frame[0]
        elif (document[:first], document[last:]) != frame:
            raise OutputError(f"could not build the {kind} feed: feedgen wrote another head for items from {start}")
        yield document[first:last]
    assert frame is not None
    yield frame[1]


def _document(
    kind: FeedKind, selection: Selection, head: FeedHead, items: Iterable[tuple[FeedItem, PaperText]]
) -> bytes:
    """One feedgen document of the feed's head and ``items``."""
    try:
        generator = _feed(kind, selection, head)
        add_entry = _rss_entry if kind == "rss" else _atom_entry
        for item, text in items:
            add_entry(generator.add_entry(order="append"), item, text, _category_terms(item.categories))
        if kind == "rss":
            return _hex_references(generator.rss_str(pretty=True, encoding="UTF-8"))
        data: bytes = generator.atom_str(pretty=True, encoding="UTF-8")
        return data
    except (ValueError, TypeError) as exc:
        raise OutputError(f"could not build the {kind} feed: {exc}") from None


def _feed(kind: FeedKind, selection: Selection, head: FeedHead) -> FeedGenerator:
    from feedgen.feed import FeedGenerator

    generator = FeedGenerator()
    if kind == "rss":
        from .creator import CreatorEntryExtension, CreatorExtension

        generator.register_extension("dc", CreatorExtension, CreatorEntryExtension, atom=False, rss=True)
        generator.dc.creator = head.author
    updated = selection.updated
    generator.id(head.id)
    generator.title(head.title)
    # Also the RSS <description>, which readers render as HTML (like an item's): there it is escaped text,
    # since categories come from the digest and may hold markup.
    generator.subtitle(html.escape(head.description, quote=False) if kind == "rss" else head.description)
    generator.author({"name": head.author})
    generator.updated(updated)
    generator.lastBuildDate(updated)
    generator.generator(GENERATOR)
    if head.language:
        generator.language(head.language)
    if head.self_link:
        generator.link(href=head.self_link, rel="self", type=MEDIA_TYPES[kind])
    # Added last: RSS <link> is the last rel="alternate" link.
    generator.link(href=head.link, rel="alternate", type="text/html")
    return generator


def item_url(paper: Paper) -> str:
    """An item's link and permanent id (RSS ``guid``, Atom ``id``): the version-free arXiv abstract page,
    or another work's landing page (``https://doi.org/<doi>``, PubMed's page, the URL) as a valid URI."""
    return uri(paper.link)


def _rss_entry(entry: FeedEntry, item: FeedItem, text: PaperText, terms: Sequence[str]) -> None:
    url = item_url(item.paper)
    entry.title(text.title)
    entry.link(href=url)
    entry.guid(url, permalink=True)
    if text.summary:
        # RSS readers render <description> as HTML, so the summary is escaped plain text.
        entry.description(text.summary)
    entry.content(text.html)  # content:encoded, HTML
    if terms:
        entry.category(_category_list(item.paper, terms))
    entry.pubDate(item.published)
    if text.authors:
        # One dc:creator with every name, as arXiv's own feeds have it: readers show only one.
        entry.dc.creator = ", ".join(text.authors)


def _atom_entry(entry: FeedEntry, item: FeedItem, text: PaperText, terms: Sequence[str]) -> None:
    url = item_url(item.paper)
    entry.title(text.title)
    entry.id(url)
    entry.link(href=url, rel="alternate")
    if text.summary:
        # type="html" holding escaped text, like the RSS description: validators take a
        # literal "&lt;" or "Who&When" in a text summary for undeclared HTML.
        entry.summary(text.summary, type="html")
    entry.content(text.html, type="html")
    if terms:
        entry.category(_category_list(item.paper, terms))
    entry.published(item.published)
    entry.updated(item.updated)
    if text.authors:
        entry.author([{"name": name} for name in text.authors])


def _category_list(paper: Paper, terms: Sequence[str]) -> list[dict[str, str]]:
    """feedgen categories: in arXiv's scheme for an arXiv paper; without a scheme for another work, whose
    categories are the digest's own topics."""
    if paper.is_arxiv:
        return [{"term": term, "scheme": CATEGORY_SCHEME} for term in terms]
    return [{"term": term} for term in terms]


def _hex_references(rss: bytes) -> bytes:
    """RSS plain-text elements with ``&`` and ``<`` as ``&#x26;`` and ``&#x3C;`` (the RSS Best Practices Profile).

    Readers disagree on whether an RSS title is text or HTML; hexadecimal
    references read the same either way. lxml cannot be told to write them, and
    these elements hold no markup (their ``<`` is always escaped), so the
    serialised text is rewritten.
    """

    def rewrite(match: re.Match[bytes]) -> bytes:
        text = match.group(3).replace(b"&amp;", b"&#x26;").replace(b"&lt;", b"&#x3C;")
        return match.group(1) + text + match.group(4)

    return _PLAIN_TEXT_ELEMENT_RE.sub(rewrite, rss)


@lru_cache(maxsize=4096)  # once per distinct tuple of categories: a feed has few
def _category_terms(values: tuple[str | None, ...]) -> list[str]:
    return _categories(values)


def _categories(values: Iterable[str | None]) -> list[str]:
    """Distinct clean category names in first-seen order."""
    seen: dict[str, None] = {}
    for value in values:
        term = text_line(value)
        if term:
            seen.setdefault(term, None)
    return list(seen)
