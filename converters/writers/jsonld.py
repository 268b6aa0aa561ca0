"""``jsonld``: schema.org JSON-LD, for web pages and knowledge graphs.

The document is a ``@graph`` with one ``ItemList`` per digest; each list item
is a ``ScholarlyArticle`` identified by its DOI URL (arXiv's DOI for an arXiv
paper), or by its landing page when it has no DOI (a PubMed id or a URL). What the digest's
LLM wrote about a paper is kept apart from the paper itself: it is a separate
``CreativeWork`` (``subjectOf`` the article) marked with schema.org's
``digitalSourceType`` for AI-generated text, never the article's ``abstract``.
Fields schema.org has no term for use the ``arxport:`` namespace
(:data:`NAMESPACE`). The digest's translation of the abstract belongs to that
digest-made part too (``arxport:abstractTranslation``), and so do its other
labelled fields; an AI field's failure message is left out.

Values are written as the model holds them (TeX and control characters
included; JSON escapes what it must). Empty values are left out, and so is
everything the model does not know: the paper's publication date (a digest
date is a crawl date, so it only dates the summary) and its language.

``--embed-html`` wraps the document in ``<script type="application/ld+json">``
with ``<``, ``>``, ``&``, U+2028 and U+2029 escaped, so the block can be pasted
into a page as is. ``docs/jsonld.md`` has the full mapping.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import IO, Any, ClassVar

from ..model import Digest, Paper
from ..text.clean import json_for_html_script
from .base import OptionSpec, Writer, WriteReport
from .shared import StreamedList, TextSink, shown_extra, uri, work_name, write_indented_json

SCHEMA_CONTEXT = "https://schema.org"
#: Prefix and IRI of arxport's own terms. ``.invalid`` (RFC 2606) can never name
#: anyone else's vocabulary; the IRIs identify terms and are not meant to be fetched.
PREFIX = "arxport"
NAMESPACE = "https://arxport.invalid/ns#"

DOI_RESOLVER = "https://doi.org/"
CATEGORY_TAXONOMY = "https://arxiv.org/category_taxonomy"
#: IPTC digital source type for text made by a trained model (schema.org's own IRI, as the context expands it).
AI_GENERATED = "schema:TrainedAlgorithmicMediaDigitalSource"

#: Summary fields other than the TL;DR, as ``arxport:`` terms (the TL;DR is the summary's ``description``).
_AI_TERMS = (
    ("motivation", f"{PREFIX}:motivation"),
    ("method", f"{PREFIX}:method"),
    ("result", f"{PREFIX}:result"),
    ("conclusion", f"{PREFIX}:conclusion"),
)


def doi_url(paper: Paper) -> str:
    """The ``@id`` of a paper: its DOI as a resolver URL (arXiv's DOI for an arXiv paper), else its landing
    page (PubMed's page, the URL), as a valid URI (:func:`~converters.writers.shared.uri`)."""
    return uri(DOI_RESOLVER + paper.doi if paper.doi else paper.link)


def _identifiers(paper: Paper, identifier: str) -> list[dict[str, Any]]:
    """``identifier`` PropertyValues: ``arXiv`` for an arXiv paper, ``DOI`` for anything with a DOI, ``PMID``
    for a PubMed work (a work known only by its URL has none: its ``url`` is all there is)."""
    found = []
    if paper.is_arxiv:
        found.append({"@type": "PropertyValue", "propertyID": "arXiv", "value": paper.id, "url": paper.abs_url})
    if paper.doi:
        found.append({"@type": "PropertyValue", "propertyID": "DOI", "value": paper.doi, "url": identifier})
    if paper.id_scheme == "pmid":
        found.append({"@type": "PropertyValue", "propertyID": "PMID", "value": paper.id, "url": identifier})
    return found


def _categories(paper: Paper) -> list[str]:
    """Primary category first, then the others, each once; the section heading when nothing else is known."""
    found = [c for c in (paper.primary_category, *paper.categories) if c]
    if not found and paper.section:
        found = [paper.section]
    return list(dict.fromkeys(found))


def _summary(paper: Paper) -> dict[str, Any] | None:
    """The AI-written part of a paper's entry as its own CreativeWork, or None when the digest has none."""
    node: dict[str, Any] = {
        "@type": "CreativeWork",
        "name": f"AI-generated summary of {work_name(paper)}",
        "digitalSourceType": {"@id": AI_GENERATED},
        "isBasedOn": doi_url(paper),
    }
    filled = False
    if paper.tldr:
        node["description"] = paper.tldr
        filled = True
    for field, term in _AI_TERMS:
        value = getattr(paper, field)
        if value:
            node[term] = value
            filled = True
    if paper.abstract_translation:
        node[f"{PREFIX}:abstractTranslation"] = paper.abstract_translation
        filled = True
    extra = shown_extra(paper)
    if extra:
        # Fork-specific fields (keywords, translations, selection reasons ...): added by the digest, not by arXiv.
        node[f"{PREFIX}:extra"] = [
            {"@type": "PropertyValue", "name": label, "value": value} for label, value in extra.items()
        ]
        filled = True
    if not filled:
        return None
    if paper.date is not None:
        node["dateCreated"] = paper.date.isoformat()
    return node


def article(paper: Paper) -> dict[str, Any]:
    """One paper as a schema.org ScholarlyArticle node (keys in a fixed order)."""
    identifier = doi_url(paper)
    url = uri(paper.link)
    node: dict[str, Any] = {"@type": "ScholarlyArticle", "@id": identifier}
    identifiers = _identifiers(paper, identifier)
    if identifiers:
        node["identifier"] = identifiers
    node["url"] = url
    if identifier != url:
        # Consumers that ignore @id (search engines) still get the DOI.
        node["sameAs"] = identifier
    if paper.version is not None:
        node["version"] = paper.version
    if paper.title:
        node["name"] = paper.title
    authors = [{"@type": "Person", "name": name} for name in paper.authors if name]
    if authors:
        node["author"] = authors
    if paper.abstract:
        node["abstract"] = paper.abstract
    categories = _categories(paper)
    if categories and paper.is_arxiv:
        node["about"] = [
            {"@type": "DefinedTerm", "termCode": code, "inDefinedTermSet": CATEGORY_TAXONOMY} for code in categories
        ]
    elif categories:  # another work's categories are the digest's own topics, not arXiv's taxonomy
        node["about"] = [{"@type": "DefinedTerm", "name": name} for name in categories]
    if paper.comment:
        node[f"{PREFIX}:comment"] = paper.comment
    if paper.is_arxiv:
        node["isAccessibleForFree"] = True  # arXiv's papers are; another work may be behind a paywall
    summary = _summary(paper)
    if summary is not None:
        node["subjectOf"] = summary
    return node


def item_list(digest: Digest) -> dict[str, Any]:
    """One digest as a schema.org ItemList of its papers, in digest order."""
    return {**_list_head(digest), "itemListElement": list(_list_items(digest))}


def _list_head(digest: Digest) -> dict[str, Any]:
    dated = f"arXiv digest {digest.date.isoformat()}" if digest.date is not None else "arXiv digest"
    name = digest.title or dated
    return {"@type": "ItemList", "name": name, "numberOfItems": len(digest.papers), "itemListElement": []}


def _list_items(digest: Digest) -> Iterator[dict[str, Any]]:
    for position, paper in enumerate(digest.papers, start=1):
        yield {"@type": "ListItem", "position": position, "item": article(paper)}


def document(digests: Sequence[Digest]) -> dict[str, Any]:
    """The whole JSON-LD document for a run: the context and one ItemList per digest."""
    return {**_HEAD, "@graph": [item_list(digest) for digest in digests]}


_HEAD: dict[str, Any] = {"@context": [SCHEMA_CONTEXT, {PREFIX: NAMESPACE}], "@graph": []}


class JsonLdWriter(Writer):
    name: ClassVar[str] = "jsonld"
    description: ClassVar[str] = "schema.org JSON-LD: ScholarlyArticle items with AI summaries marked as such"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonld",)
    aliases: ClassVar[tuple[str, ...]] = ("json-ld", "schema.org")
    single_pass: ClassVar[bool] = True
    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            name="embed-html",
            help='Wrap the JSON-LD in a <script type="application/ld+json"> element that is safe to paste into HTML.',
            type="flag",
            default=False,
        ),
    )

    def write(self, digests: Sequence[Digest], out: IO[bytes], options: Mapping[str, Any]) -> WriteReport:
        ids: set[str] = set()
        listings = 0

        def lists() -> Iterator[StreamedList]:  # a digest's ItemList, its items one at a time
            nonlocal listings
            for digest in digests:
                listings += len(digest.papers)
                ids.update(paper.id for paper in digest.papers)
                yield StreamedList(_list_head(digest), "itemListElement", _list_items(digest))

        items = lists()
        sink = TextSink(out)
        if options.get("embed_html", False):
            sink.write('<script type="application/ld+json">\n')
            # The escapes replace single characters: escaping piece by piece gives what escaping the whole would.
            write_indented_json(lambda text: sink.write(json_for_html_script(text)), _HEAD, "@graph", items)
            sink.write("\n</script>\n")
        else:
            write_indented_json(sink.write, _HEAD, "@graph", items)
            sink.write("\n")
        sink.flush()
        return WriteReport(items=listings, notes=_notes(listings, len(ids)))


def _notes(listings: int, distinct: int) -> tuple[str, ...]:
    if distinct == listings:
        return ()
    return (
        f"{listings - distinct} paper(s) are listed more than once; "
        "in RDF each paper (arXiv id, DOI ...) is one node, with every summary attached to it",
    )
