"""The jsonld writer: golden files, PyLD expansion and rdflib parsing of every corpus digest, safe HTML embedding."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import lxml.html
import pytest
import rdflib
from bs4 import BeautifulSoup
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pyld import jsonld
from pyld.documentloader.frozen import FrozenDocumentLoader
from rdflib import RDF, Literal, URIRef

from cli import main
from converters.model import AI_FAILURE_KEYS, Digest, Paper
from converters.registry import get_writer, writer_for_path
from converters.text.clean import json_for_html_script, utf8
from converters.writers.jsonld import NAMESPACE, PREFIX, JsonLdWriter, article, document, doi_url

from .conftest import (
    REQUIRE_TOOLS,
    SAMPLES,
    VENDOR,
    check_golden,
    check_no_stray_goldens,
    read_digest,
    sample_files,
)

SAMPLE_FILES = sample_files()
SCHEMA_DIR = VENDOR / "schemaorg-30.0"
SDO = rdflib.Namespace("http://schema.org/")
AX = rdflib.Namespace(NAMESPACE)


# --- helpers ---------------------------------------------------------------------------


def write(digests: Sequence[Digest], **options: Any) -> bytes:
    writer = JsonLdWriter()
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


def need_vendor() -> None:
    if not (SCHEMA_DIR / "schemaorgcontext.jsonld").is_file():
        message = f"the schema.org vendor data is missing at {SCHEMA_DIR} (set ARXPORT_SHARED)"
        if REQUIRE_TOOLS:
            pytest.fail(message)
        pytest.skip(message)


@cache
def loader() -> Any:
    """PyLD's loader serving the stored schema.org context; any other URL is an error (no network)."""
    context = SCHEMA_DIR / "schemaorgcontext.jsonld"
    urls = ("https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/")
    return FrozenDocumentLoader(documents={url: context for url in urls})


@cache
def schema_properties() -> frozenset[str]:
    with (SCHEMA_DIR / "schemaorg-current-https-properties.csv").open(encoding="utf-8", newline="") as handle:
        return frozenset(row["label"] for row in csv.DictReader(handle))


@cache
def schema_types() -> frozenset[str]:
    """Terms of the schema.org context that name types (capitalised, mapped to ``schema:Name``)."""
    context = json.loads((SCHEMA_DIR / "schemaorgcontext.jsonld").read_text(encoding="utf-8"))["@context"]
    return frozenset(
        term
        for term, value in context.items()
        if term[:1].isupper() and isinstance(value, dict) and value.get("@id") == f"schema:{term}"
    )


def expand(doc: Any) -> list[dict[str, Any]]:
    return jsonld.expand(doc, {"documentLoader": loader()})  # type: ignore[no-any-return]


def to_graph(expanded: list[dict[str, Any]]) -> rdflib.Graph:
    # rdflib would fetch a remote @context; the expanded form has none.
    return rdflib.Graph().parse(data=json.dumps(expanded), format="json-ld")


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) of every object in a compact document, @context excluded."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "@context":
                continue
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def check_keys(doc: Any) -> int:
    """Every key is a schema.org property, a JSON-LD keyword or an ``arxport:`` term; every type a schema.org type."""
    properties, types, count = schema_properties(), schema_types(), 0
    for key, value in walk(doc):
        count += 1
        if key == "@type":
            assert value in types, f"{value!r} is not a schema.org type"
        elif key.startswith("@"):
            assert key in ("@graph", "@id"), f"unexpected keyword {key}"
        elif ":" in key:
            assert key.startswith(f"{PREFIX}:"), f"{key} uses an unknown prefix"
        else:
            assert key in properties, f"{key!r} is not a schema.org property (@vocab would invent one)"
    return count


def check_expanded_iris(expanded: Any) -> None:
    """After expansion every property and type IRI is schema.org's (and exists) or arxport's."""
    properties, types = schema_properties(), schema_types()
    for key, value in walk(expanded):
        if key == "@type":  # a list on nodes, one datatype IRI on typed values (schema:Date)
            for iri in [value] if isinstance(value, str) else value:
                assert iri.startswith(str(SDO)) and iri.removeprefix(str(SDO)) in types, iri
        elif not key.startswith("@"):
            if key.startswith(NAMESPACE):
                continue
            assert key.startswith(str(SDO)), key
            assert key.removeprefix(str(SDO)) in properties, key


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_golden(sample: Path) -> None:
    digests = [read_digest(sample)]
    check_golden("jsonld", f"{sample.stem}.jsonld", write(digests))
    check_golden("jsonld", f"{sample.stem}.html", write(digests, embed_html=True))


def test_golden_samples_merged() -> None:
    check_golden("jsonld", "all-samples.jsonld", write([read_digest(p) for p in SAMPLE_FILES]))


def test_golden_files_have_no_strays() -> None:
    expected = {f"{p.stem}{suffix}" for p in SAMPLE_FILES for suffix in (".jsonld", ".html")}
    expected.add("all-samples.jsonld")
    check_no_stray_goldens("jsonld", expected)


# --- the mapping -----------------------------------------------------------------------


def paper(**fields: Any) -> Paper:
    base: dict[str, Any] = {"id": "2501.01234", "url": "https://arxiv.org/abs/2501.01234", "title": "T"}
    return Paper(**{**base, **fields})


def test_article_mapping() -> None:
    one = paper(
        version=2,
        url="http://arxiv.org/pdf/2501.01234v2",
        title="VOLT for $\\alpha$-Networks",
        authors=("José Müller", "Kimi Team"),
        primary_category="cs.CV",
        categories=("cs.CV", "cs.LG"),
        tldr="VOLT is fast.",
        motivation="M",
        method="",
        result="R",
        conclusion=None,
        abstract="We present VOLT.",
        comment="12 pages",
        extra={"Keywords": "voxels"},
        date=dt.date(2025, 1, 2),
    )
    doi = "https://doi.org/10.48550/arXiv.2501.01234"
    assert article(one) == {
        "@type": "ScholarlyArticle",
        "@id": doi,
        "identifier": [
            {
                "@type": "PropertyValue",
                "propertyID": "arXiv",
                "value": "2501.01234",
                "url": "https://arxiv.org/abs/2501.01234",
            },
            {"@type": "PropertyValue", "propertyID": "DOI", "value": "10.48550/arXiv.2501.01234", "url": doi},
        ],
        "url": "https://arxiv.org/abs/2501.01234",
        "sameAs": doi,
        "version": 2,
        "name": "VOLT for $\\alpha$-Networks",
        "author": [{"@type": "Person", "name": "José Müller"}, {"@type": "Person", "name": "Kimi Team"}],
        "abstract": "We present VOLT.",
        "about": [
            {"@type": "DefinedTerm", "termCode": "cs.CV", "inDefinedTermSet": "https://arxiv.org/category_taxonomy"},
            {"@type": "DefinedTerm", "termCode": "cs.LG", "inDefinedTermSet": "https://arxiv.org/category_taxonomy"},
        ],
        "arxport:comment": "12 pages",
        "isAccessibleForFree": True,
        "subjectOf": {
            "@type": "CreativeWork",
            "name": "AI-generated summary of arXiv:2501.01234",
            "digitalSourceType": {"@id": "schema:TrainedAlgorithmicMediaDigitalSource"},
            "isBasedOn": doi,
            "description": "VOLT is fast.",
            "arxport:motivation": "M",
            "arxport:result": "R",
            "arxport:extra": [{"@type": "PropertyValue", "name": "Keywords", "value": "voxels"}],
            "dateCreated": "2025-01-02",
        },
    }


def test_unknowns_are_left_out() -> None:
    bare = article(paper(title="", date=dt.date(2025, 1, 2)))
    assert "name" not in bare and "author" not in bare and "subjectOf" not in bare and "about" not in bare
    text = json.dumps(document([Digest(source="x.md", papers=(paper(),))]))
    assert "inLanguage" not in text and "datePublished" not in text


def test_section_stands_in_for_a_missing_category() -> None:
    assert article(paper(section="hep-th"))["about"][0]["termCode"] == "hep-th"


def test_one_item_list_per_digest() -> None:
    days = [
        Digest(source="a.md", date=dt.date(2025, 1, 2), papers=(paper(), paper(id="2501.00002"))),
        Digest(source="b.md", title="AI-Enhanced arXiv Daily 2025-06-28"),
        Digest(source="-"),
    ]
    graph = json.loads(write(days))["@graph"]
    assert [(g["name"], g["numberOfItems"], len(g["itemListElement"])) for g in graph] == [
        ("arXiv digest 2025-01-02", 2, 2),
        ("AI-Enhanced arXiv Daily 2025-06-28", 0, 0),
        ("arXiv digest", 0, 0),
    ]
    assert [item["position"] for item in graph[0]["itemListElement"]] == [1, 2]


def test_duplicates_are_reported() -> None:
    writer = JsonLdWriter()
    report = writer.write([Digest(source="x", papers=(paper(), paper()))], io.BytesIO(), writer.default_options())
    assert report.items == 2 and "1 paper(s) are listed more than once" in report.notes[0]


def test_output_is_the_document_and_deterministic() -> None:
    digests = [read_digest(p) for p in SAMPLE_FILES]
    data = write(digests)
    assert json.loads(data) == json.loads(json.dumps(document(digests)))
    assert data == write(digests)
    assert data.endswith(b"}\n")


def test_lone_surrogates_become_replacement_characters() -> None:
    doc = json.loads(write([Digest(source="x", papers=(paper(title="a\ud800b"),))]))
    assert doc["@graph"][0]["itemListElement"][0]["item"]["name"] == "a\ufffdb"


def test_registered() -> None:
    assert isinstance(get_writer("jsonld"), JsonLdWriter)
    assert isinstance(get_writer("json-ld"), JsonLdWriter)
    assert writer_for_path("page.jsonld") == "jsonld"


def test_samples_expand_and_use_only_known_terms() -> None:
    need_vendor()
    doc = json.loads(write([read_digest(p) for p in SAMPLE_FILES]))
    assert check_keys(doc) > 100
    expanded = expand(doc)
    check_expanded_iris(expanded)
    graph = to_graph(expanded)
    ai = URIRef(str(SDO) + "TrainedAlgorithmicMediaDigitalSource")
    summaries = set(graph.subjects(SDO.digitalSourceType, ai))
    assert len(summaries) == 11  # every sample paper has AI text, and none merge (blank nodes)


# --- HTML embedding --------------------------------------------------------------------


def script_text(page: bytes) -> str:
    """The JSON inside the one ld+json script, as two real HTML parsers see it (they must agree)."""
    soup = BeautifulSoup(page.decode("utf-8"), "html.parser")
    scripts = soup.find_all("script")
    assert len(scripts) == 1 and scripts[0].get("type") == "application/ld+json"
    text = scripts[0].string
    assert isinstance(text, str)
    # huge_tree: libxml2 otherwise stops a text node at 10 MB (the merged corpus is 28 MB).
    tree = lxml.html.fragment_fromstring(page.decode("utf-8"), parser=lxml.html.HTMLParser(huge_tree=True))
    assert tree.tag == "script" and tree.text == text
    return text


def embedded_document(digests: Sequence[Digest]) -> Any:
    """Write with ``--embed-html``, check the escaping, and return the JSON that HTML parsers find in the page."""
    page = write(digests, embed_html=True)
    text = page.decode("utf-8")
    body = text[text.index(">") + 1 : text.rindex("</script>")]
    for bad in ("<", ">", "&", "\u2028", "\u2029"):
        assert bad not in body
    return json.loads(script_text(page))


def test_embedding_samples() -> None:
    digests = [read_digest(p) for p in SAMPLE_FILES]
    assert embedded_document(digests) == json.loads(write(digests))


def test_embedding_survives_hostile_text() -> None:
    hostile = "</script><script>alert(1)</script><!-- <![CDATA[ ]]> & \u2028\u2029 </SCRIPT >"
    digests = [Digest(source="x", papers=(paper(title=hostile, abstract=hostile, tldr=hostile),))]
    doc = embedded_document(digests)
    assert doc == json.loads(write(digests))
    assert doc["@graph"][0]["itemListElement"][0]["item"]["name"] == hostile


# --- escapers, for any text ------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_json_for_html_script(value: Any) -> None:
    text = json_for_html_script(json.dumps(value, ensure_ascii=False))
    assert not any(bad in text for bad in ("<", ">", "&", "\u2028", "\u2029"))
    assert json.loads(text) == value
    page = f'<script type="application/ld+json">{text}</script>'
    assert BeautifulSoup(page, "html.parser").script.string == text  # type: ignore[union-attr]


@given(st.text())
def test_utf8_never_raises(value: str) -> None:
    data = utf8(value)
    decoded = data.decode("utf-8")
    assert len(decoded) == len(value)
    assert all(a == b or (0xD800 <= ord(a) <= 0xDFFF and b == "\ufffd") for a, b in zip(value, decoded, strict=True))


texts = st.text(st.characters(exclude_categories=["Cs"]), min_size=1)


@settings(max_examples=40, deadline=None)
@given(title=texts, abstract=texts, tldr=texts, author=texts, extra_value=texts)
def test_any_text_survives_json_and_expansion(
    title: str, abstract: str, tldr: str, author: str, extra_value: str
) -> None:
    need_vendor()
    one = paper(title=title, abstract=abstract, tldr=tldr, authors=(author,), extra={"Keywords": extra_value})
    data = write([Digest(source="x", papers=(one,))], embed_html=True)
    doc = json.loads(script_text(data))
    node = doc["@graph"][0]["itemListElement"][0]["item"]
    assert (node["name"], node["abstract"], node["author"][0]["name"]) == (title, abstract, author)
    assert node["subjectOf"]["description"] == tldr
    expanded = expand(doc)
    item = expanded[0][str(SDO.itemListElement)][0][str(SDO.item)][0]
    assert item[str(SDO.name)] == [{"@value": title}]
    assert item[str(SDO.abstract)] == [{"@value": abstract}]
    summary = item[str(SDO.subjectOf)][0]
    assert summary[str(SDO.description)] == [{"@value": tldr}]
    assert summary[str(AX.extra)][0][str(SDO.value)] == [{"@value": extra_value}]


# --- real consumers over the whole corpus ---------------------------------------------


def expected_url(paper: Paper) -> str:
    """An article's ``url``: the version-free abstract page, or another work's landing page as a URI."""
    return paper.abs_url or quote(paper.link, safe="!#$%&'()*+,/:;=?@[]~")


def expected_identifiers(paper: Paper) -> dict[str, str]:
    """propertyID -> value of an article's identifiers: arXiv and its DOI, a DOI, a PubMed id, or none (a URL)."""
    if paper.is_arxiv:
        return {"arXiv": paper.id, "DOI": f"10.48550/arXiv.{paper.id}"}
    return {{"doi": "DOI", "pmid": "PMID"}[paper.id_scheme]: paper.id} if paper.id_scheme != "url" else {}


def has_summary(paper: Paper) -> bool:
    """Whether the digest wrote anything about the paper: AI text, its own fields (not AI failure messages),
    a translation of the abstract."""
    extra = set(paper.extra) - set(AI_FAILURE_KEYS.values())
    ai = (paper.tldr, paper.motivation, paper.method, paper.result, paper.conclusion)
    return any(ai) or bool(extra) or bool(paper.abstract_translation)


def check_graph_against_model(graph: rdflib.Graph, papers: Sequence[Paper]) -> None:
    """The RDF says what the model says: one node per paper id, its names, authors, abstracts and summaries."""
    by_id: dict[str, list[Paper]] = {}
    for one in papers:
        by_id.setdefault(one.id, []).append(one)
    articles = set(graph.subjects(RDF.type, SDO.ScholarlyArticle))
    assert articles == {URIRef(doi_url(group[0])) for group in by_id.values()}
    ai = URIRef(str(SDO) + "TrainedAlgorithmicMediaDigitalSource")
    for group in by_id.values():
        node = URIRef(doi_url(group[0]))
        assert (node, SDO.url, URIRef(expected_url(group[0]))) in graph
        assert set(graph.objects(node, SDO.name)) == {Literal(p.title) for p in group if p.title}
        # AI text never lands in the abstract: the article's abstracts are exactly the model's.
        assert set(graph.objects(node, SDO.abstract)) == {Literal(p.abstract) for p in group if p.abstract}
        names = {str(name) for person in graph.objects(node, SDO.author) for name in graph.objects(person, SDO.name)}
        assert names == {a for p in group for a in p.authors if a}
        values = {
            str(graph.value(pv, SDO.propertyID)): str(graph.value(pv, SDO.value))
            for pv in graph.objects(node, SDO.identifier)
        }
        assert values == expected_identifiers(group[0])
        summaries = list(graph.objects(node, SDO.subjectOf))
        expected = [p for p in group if has_summary(p)]
        assert len(summaries) == len(expected)
        for summary in summaries:
            assert (summary, SDO.digitalSourceType, ai) in graph
        assert {graph.value(s, SDO.description) for s in summaries} - {None} == {
            Literal(p.tldr) for p in expected if p.tldr
        }
        assert {graph.value(s, AX.method) for s in summaries} - {None} == {
            Literal(p.method) for p in expected if p.method
        }
    assert len(set(graph.subjects(RDF.type, SDO.ListItem))) == len(papers)


@pytest.fixture(scope="module")
def corpus_outputs(corpus_digests: list[Digest]) -> list[tuple[Digest, Any, list[dict[str, Any]]]]:
    """(digest, compact document, expanded document) for every corpus digest, expanded once."""
    need_vendor()
    outputs = []
    for one in corpus_digests:
        doc = json.loads(write([one]))
        outputs.append((one, doc, expand(doc)))
    return outputs


@pytest.mark.corpus
def test_corpus_keys_are_schema_org_or_namespaced(corpus_outputs: list[tuple[Digest, Any, Any]]) -> None:
    keys = 0
    for _one, doc, expanded in corpus_outputs:
        keys += check_keys(doc)
        check_expanded_iris(expanded)
    assert keys > 100_000


@pytest.mark.corpus
@pytest.mark.slow
def test_corpus_rdf_matches_the_model(corpus_outputs: list[tuple[Digest, Any, Any]]) -> None:
    papers = triples = 0
    for one, _doc, expanded in corpus_outputs:
        graph = to_graph(expanded)
        assert len(set(graph.subjects(RDF.type, SDO.ItemList))) == 1
        check_graph_against_model(graph, one.papers)
        papers += len(one.papers)
        triples += len(graph)
    assert papers > 6000 and triples > 300_000


@pytest.mark.corpus
def test_corpus_merged_output(corpus_digests: list[Digest]) -> None:
    """All digests in one document, embedded in HTML: what two HTML parsers read back is the model."""
    doc = embedded_document(corpus_digests)
    assert doc == document(corpus_digests)
    assert len(doc["@graph"]) == len(corpus_digests)
    items = [item["item"] for g in doc["@graph"] for item in g["itemListElement"]]
    papers = [p for d in corpus_digests for p in d.papers]
    assert [node["@id"] for node in items] == [doi_url(p) for p in papers]
    assert [node.get("name") for node in items] == [p.title or None for p in papers]
    assert [node.get("abstract") for node in items] == [p.abstract or None for p in papers]
    assert [[a["name"] for a in node.get("author", [])] for node in items] == [
        [a for a in p.authors if a] for p in papers
    ]


# --- the command line -----------------------------------------------------------------


def test_cli_embed_html() -> None:
    sample = str(SAMPLES / "digest-2025-01-02.md")
    result = CliRunner().invoke(main, ["convert", sample, "--to", "jsonld", "--embed-html", "-q"])
    assert result.exit_code == 0, result.output
    page = result.stdout_bytes
    assert page.startswith(b'<script type="application/ld+json">\n')
    assert json.loads(script_text(page))["@graph"][0]["numberOfItems"] == 4


def test_cli_suffix_picks_jsonld(tmp_path: Path) -> None:
    out = tmp_path / "papers.jsonld"
    result = CliRunner().invoke(main, ["convert", str(SAMPLES / "digest-2025-01-03.md"), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_bytes())["@graph"][0]["numberOfItems"] == 2
