"""Works that are not on arXiv (a DOI, a PubMed id, only a URL) beside arXiv papers, through every writer.

One digest holds two arXiv papers and four other works (an ordinary DOI, a Wiley
SICI DOI with ``<`` and ``>``, a PubMed id, a Zenodo URL), built as ``Paper``
objects (no reader involved). Each writer's output is read back by its real
consumer, as the format's own tests do: pybtex, bibtexparser, biber and
pdflatex + bibtex for ``.bib``; rispy; citeproc-py and pandoc for CSL-JSON;
feedparser, the validator rules and the Atom RELAX NG schema for feeds;
``csv`` and pandas; python-docx and docx2python; PyLD and rdflib for JSON-LD.
Every check asserts content: each work's DOI and link are there, and nothing
arXiv-specific (eprint, arXiv's DOI, an arXiv PDF link) is written for a work
that is not on arXiv. AI failure messages (kept in ``extra``) are never shown
as a summary, and the ``markdown`` writer puts them back where they were.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import bibtexparser
import docx
import feedparser
import pandas as pd
import pytest
import rispy
from docx2python import docx2python
from pybtex.database import parse_string as pybtex_parse

from converters.model import AI_FAILURE_KEYS, Digest, Paper
from converters.registry import get_writer
from converters.writers.citation.bibmerge import parse_existing
from converters.writers.citation.keys import id_style_key, work_year_month
from converters.writers.shared import shown_abstract, shown_extra, uri, work_name

from .conftest import need_tool
from .test_bibtex import _biber, _biber_problems, _compile, keys_of
from .test_csljson import render
from .test_csv import expected_rows, read_rows
from .test_docx import body_of, expected_body
from .test_docx import paragraphs as docx_paragraphs
from .test_feeds_corpus import OPTIONS as FEED_OPTIONS
from .test_feeds_corpus import check_atom_rules, check_relax_ng, check_rss_rules, content_text_and_links
from .test_jsonld import check_expanded_iris, check_graph_against_model, check_keys, expand, need_vendor, to_graph

DATE = dt.date(2026, 5, 12)
SICI = "10.1002/(SICI)1097-4636(199812)43:4<448::AID-JBM13>3.0.CO;2-M"
SICI_URI = "https://doi.org/10.1002/(SICI)1097-4636(199812)43:4%3C448::AID-JBM13%3E3.0.CO;2-M"
FAILURES = ("达到API配额限制，请明天再试", "Error: API quota exceeded", "Summary generation failed")

ARXIV = Paper(
    id="2501.01234",
    version=2,
    url="https://arxiv.org/abs/2501.01234v2",
    title="VOLT: Fast & Accurate 3D Reconstruction",
    authors=("Seung-Woo Jeong", "José Müller"),
    primary_category="cs.CV",
    categories=("cs.CV", "cs.LG"),
    section="cs.CV",
    tldr="VOLT is fast.",
    method="Sparse voxels.",
    abstract="We present VOLT.",
    date=DATE,
)
ARXIV_OLD = Paper(
    id="hep-th/9901001",
    url="http://arxiv.org/abs/hep-th/9901001",
    title="Strings Old and New",
    authors=("Ada Lovelace",),
    primary_category="hep-th",
    section="hep-th",
    abstract="Old.",
    date=DATE,
)
DOI_WORK = Paper(
    id="10.1063/5.0319757",
    id_scheme="doi",
    url="https://doi.org/10.1063/5.0319757",
    title="Decisive role of electron–hole and carrier–phonon interactions on luminescence of Rb2HfCl6",
    authors=("Il-Chol Ri", "Yun-Sim Kim", "Chol-Jun Yu"),
    primary_category="Property prediction & informatics",
    section="Property prediction & informatics",
    tldr="Rb2HfCl6 is promising for light emission.",
    abstract="All-inorganic lead-free vacancy-ordered halide double perovskites ...",
    date=DATE,
)
SICI_WORK = Paper(
    id=SICI,
    id_scheme="doi",
    url=f"https://doi.org/{SICI}",
    title="Biocompatibility of a Polymer Scaffold",
    authors=("Grace Hopper",),
    section="Other",
    abstract=None,
    abstract_translation="这是摘要的中文翻译。",
    extra={
        AI_FAILURE_KEYS["tldr"]: FAILURES[0],
        AI_FAILURE_KEYS["method"]: FAILURES[1],
        "Keywords": "scaffold; polymer",
    },
    date=DATE,
)
PUBMED_WORK = Paper(
    id="41234567",
    id_scheme="pmid",
    url="https://pubmed.ncbi.nlm.nih.gov/41234567/",
    title="Perovskite Solar Cells in the Clinic",
    authors=("Jane Doe", "John Roe"),
    section="PubMed",
    abstract="The original abstract.",
    abstract_translation="原始摘要的翻译。",
    extra={AI_FAILURE_KEYS["tldr"]: FAILURES[2]},
    date=DATE,
)
URL_WORK = Paper(
    id="https://zenodo.org/records/15234567",
    id_scheme="url",
    url="https://zenodo.org/records/15234567",
    title="Dataset of Perovskite Films",
    authors=("Ana Lima",),
    section="Zenodo",
    tldr="A dataset of films.",
    date=DATE,
)
PAPERS = (ARXIV, ARXIV_OLD, DOI_WORK, SICI_WORK, PUBMED_WORK, URL_WORK)
WORKS = (DOI_WORK, SICI_WORK, PUBMED_WORK, URL_WORK)
DIGESTS = [Digest(source="mixed-2026-05-12.md", date=DATE, papers=PAPERS)]
#: Each paper's landing page as every writer links it (a valid URI).
LINKS = {
    ARXIV.id: "https://arxiv.org/abs/2501.01234",
    ARXIV_OLD.id: "https://arxiv.org/abs/hep-th/9901001",
    DOI_WORK.id: "https://doi.org/10.1063/5.0319757",
    SICI: SICI_URI,
    PUBMED_WORK.id: "https://pubmed.ncbi.nlm.nih.gov/41234567/",
    URL_WORK.id: "https://zenodo.org/records/15234567",
}


def write(name: str, digests: Sequence[Digest] = DIGESTS, **options: Any) -> bytes:
    writer = get_writer(name)
    out = io.BytesIO()
    report = writer.write(digests, out, {**writer.default_options(), **options})
    assert report.items == sum(len(d.papers) for d in digests)  # one item per paper: no id collides
    return out.getvalue()


def assert_no_failure_text(text: str) -> None:
    for failure in FAILURES:
        assert failure not in text, failure


# --- the helpers every writer shares ----------------------------------------------------------


def test_names_links_and_abstracts() -> None:
    assert [work_name(p) for p in PAPERS] == [
        "arXiv:2501.01234",  # version-free, unlike Paper.label
        "arXiv:hep-th/9901001",
        "doi:10.1063/5.0319757",
        f"doi:{SICI}",
        "PMID:41234567",
        "https://zenodo.org/records/15234567",
    ]
    assert [uri(p.link) for p in PAPERS] == [LINKS[p.id] for p in PAPERS]
    assert uri("https://example.org/a b/ü?q=%20{x}") == "https://example.org/a%20b/%C3%BC?q=%20%7Bx%7D"
    assert uri("https://example.org/\ud800") == "https://example.org/%EF%BF%BD"
    assert shown_abstract(SICI_WORK) == SICI_WORK.abstract_translation  # no original: the translation
    assert shown_abstract(PUBMED_WORK) == "The original abstract."
    assert shown_abstract(Paper(id="1", url="u", title="t", abstract=" \n", abstract_translation="x")) == "x"
    assert shown_abstract(Paper(id="1", url="u", title="t", abstract="")) == ""  # as it was without a translation
    assert shown_extra(SICI_WORK) == {"Keywords": "scaffold; polymer"}
    assert shown_extra(PUBMED_WORK) == {}


def test_citation_years_and_id_keys() -> None:
    assert [work_year_month(p) for p in PAPERS] == [
        (2025, 1),
        (1999, 1),
        (2026, None),
        (2026, None),
        (2026, None),
        (2026, None),
    ]
    assert work_year_month(Paper(id="41234567", id_scheme="pmid", url="u", title="t")) is None
    assert [id_style_key(p) for p in PAPERS] == [
        "arXiv:2501.01234",
        "arXiv:hep-th_9901001",
        "doi:10.1063_5.0319757",
        "doi:10.1002__SICI_1097-4636_199812_43:4_448::AID-JBM13_3.0.CO_2-M",
        "PMID:41234567",
        "url:zenodo.org_records_15234567",
    ]


# --- BibTeX and BibLaTeX -----------------------------------------------------------------------


def bib_entries(text: str) -> dict[str, str]:
    """Each entry's text by key."""
    return {keys_of(chunk)[0]: chunk for chunk in text.strip().split("\n\n")}


@pytest.mark.parametrize("key_format", ["arxiv", "id"])
@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_bib_entries_carry_what_each_work_has(dialect: str, key_format: str) -> None:
    text = write(dialect, key_format=key_format).decode("utf-8")
    data = pybtex_parse(text, "bibtex")  # strict: duplicate keys and bad syntax raise
    assert not bibtexparser.parse_string(text).failed_blocks
    entries = list(data.entries.values())
    assert len(entries) == len(PAPERS)
    keys = list(data.entries.keys())
    assert len({key.casefold() for key in keys}) == len(keys)
    assert all(re.fullmatch(r"[A-Za-z0-9.:_-]+", key) for key in keys)
    chunks = list(bib_entries(text).values())
    arxiv_fields = {"eprint", "archiveprefix", "primaryclass", "eprinttype", "eprintclass", "version"}
    for paper, entry, chunk in zip(PAPERS, entries, chunks, strict=True):
        fields = {name.lower(): value for name, value in entry.fields.items()}
        assert entry.type == ("misc" if dialect == "bibtex" else "online")
        assert fields["url"] == LINKS[paper.id]
        if paper.is_arxiv:
            assert fields["eprint"] == paper.id and fields["doi"] == f"10.48550/arXiv.{paper.id}"
            continue
        assert not arxiv_fields & set(fields), paper.id
        assert "arxiv" not in chunk.lower() and "10.48550" not in chunk
        assert fields.get("doi") == (paper.id if paper.id_scheme == "doi" else None)
        assert fields["year" if dialect == "bibtex" else "date"] == "2026"
        assert "month" not in fields
    if key_format == "arxiv":
        assert keys[2:] == ["ri2026decisiveroleelectronholecarrierphonon", "hopper2026biocompatibilitypolymerscaffold",
                            "doe2026perovskitesolarcellsclinic", "lima2026datasetperovskitefilms"]  # fmt: skip
    else:
        assert keys == [id_style_key(p) for p in PAPERS]


def test_bib_abstracts_summaries_and_no_failure_text() -> None:
    text = write("biblatex").decode("utf-8")
    assert_no_failure_text(text)
    entries = pybtex_parse(text, "bibtex").entries
    by_key = dict(zip([p.id for p in PAPERS], entries.values(), strict=True))
    assert by_key[SICI].fields["abstract"] == SICI_WORK.abstract_translation  # no original: the translation
    assert "annotation" not in by_key[SICI].fields  # its AI fields failed: no summary at all
    assert by_key[PUBMED_WORK.id].fields["abstract"] == "The original abstract."
    assert by_key[DOI_WORK.id].fields["annotation"] == f"TL;DR: {DOI_WORK.tldr}"


def test_biblatex_validates_with_biber(tmp_path: Path) -> None:
    assert not _biber_problems(_biber(tmp_path, write("biblatex").decode("utf-8")))


def test_bibtex_compiles_with_pdflatex_and_bibtex(tmp_path: Path) -> None:
    bib = write("bibtex").decode("utf-8")
    _compile(tmp_path, bib, keys_of(bib))


MERGE_INTO = """@article{known1, title = {Decisive}, doi = {https://doi.org/10.1063/5.0319757}}

@article{known2, title = {Scaffold}, DOI = {10.1002/(sici)1097-4636(199812)43:4<448::aid-jbm13>3.0.co;2-m}}

@article{known3, title = {Clinic}, url = {https://pubmed.ncbi.nlm.nih.gov/41234567}}

@misc{known4, title = {Films}, url = {https://zenodo.org/records/15234567}}
"""


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_merge_recognises_works_by_doi_pmid_and_url(dialect: str, tmp_path: Path) -> None:
    existing = parse_existing(MERGE_INTO)
    assert all(existing.cites(work) for work in WORKS)
    assert not any(existing.cites(paper) for paper in (ARXIV, ARXIV_OLD))
    refs = tmp_path / "refs.bib"
    refs.write_text(MERGE_INTO, encoding="utf-8")
    writer = get_writer(dialect)
    out = io.BytesIO()
    report = writer.write(DIGESTS, out, {**writer.default_options(), "merge": str(refs)})
    added = out.getvalue().decode("utf-8")[len(MERGE_INTO) :]
    assert report.items == 2 and "skipped 4 paper(s)" in " ".join(report.notes)
    assert "eprint" in added and "doi.org/10.1063" not in added
    # what arxport wrote is recognised in turn: merging the whole digest again adds nothing
    refs.write_bytes(write(dialect))
    assert writer.write(DIGESTS, io.BytesIO(), {**writer.default_options(), "merge": str(refs)}).items == 0


# --- RIS and CSL-JSON ---------------------------------------------------------------------------


def test_ris_records() -> None:
    text = write("ris").decode("utf-8")
    assert_no_failure_text(text)
    records = rispy.loads(text)
    assert len(records) == len(PAPERS)
    for paper, record in zip(PAPERS, records, strict=True):
        assert record["urls"] == [LINKS[paper.id].replace(";", "%3B")]  # rispy splits UR at ";"
        if paper.is_arxiv:
            assert (record["name_of_database"], record["accession_number"]) == ("arXiv", paper.id)
            assert record["doi"] == f"10.48550/arXiv.{paper.id}"
            continue
        assert record.get("doi") == (paper.id if paper.id_scheme == "doi" else None)
        assert record["year"] == "2026" and "date" not in record
        if paper.id_scheme == "pmid":
            assert (record["name_of_database"], record["accession_number"]) == ("PubMed", paper.id)
        else:
            assert "name_of_database" not in record and "accession_number" not in record
    by_id = dict(zip([p.id for p in PAPERS], records, strict=True))
    assert by_id[SICI]["abstract"] == SICI_WORK.abstract_translation
    assert "notes" not in by_id[SICI] and "notes" not in by_id[PUBMED_WORK.id]  # failed summaries: no note


def test_csl_items_render_with_citeproc_and_pandoc(tmp_path: Path) -> None:
    text = write("csljson").decode("utf-8")
    assert_no_failure_text(text)
    items = json.loads(text)
    assert len(items) == len(PAPERS)
    for paper, item in zip(PAPERS, items, strict=True):
        assert item["URL"] == LINKS[paper.id]
        if paper.is_arxiv:
            assert (item["publisher"], item["number"]) == ("arXiv", f"arXiv:{paper.id}")
            continue
        assert not {"publisher", "number", "version", "archive"} & set(item), paper.id
        assert item.get("DOI") == (paper.id if paper.id_scheme == "doi" else None)
        assert item.get("PMID") == (paper.id if paper.id_scheme == "pmid" else None)
        assert item["issued"] == {"date-parts": [[2026]]}
        assert "arxiv" not in json.dumps(item).lower()
    for style in ("apa", "ieee"):
        entries = render(items, style)
        assert len(entries) == len(items)
        joined = "\n".join(entries)
        assert "10.1063/5.0319757" in joined and "zenodo.org/records/15234567" in joined
    pandoc = need_tool("pandoc", "pandoc")
    (tmp_path / "refs.json").write_text(text, encoding="utf-8")
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
    run = subprocess.run(
        [pandoc, "doc.md", "--citeproc", "--bibliography=refs.json", "-t", "plain", "--wrap=none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr[-2000:]
    assert len([entry for entry in run.stdout.split("\n\n") if entry.strip()]) == len(items)
    assert "https://doi.org/10.1063/5.0319757" in run.stdout
    assert run.stdout.count("10.48550/arXiv.") == 2  # the two arXiv papers only


# --- RSS and Atom ------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_items(kind: str) -> None:
    data = write(kind, **FEED_OPTIONS)
    (check_rss_rules if kind == "rss" else check_atom_rules)(data, FEED_OPTIONS["feed_self_link"])
    if kind == "atom":
        check_relax_ng(data)
    assert_no_failure_text(data.decode("utf-8"))
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) == len(PAPERS)
    for paper, entry in zip(PAPERS, parsed.entries, strict=True):
        assert entry.id == LINKS[paper.id] and entry.link == LINKS[paper.id]  # arXiv's: exactly as before
        content = entry.content[0].value
        text, hrefs, _ = content_text_and_links(content)
        if paper.is_arxiv:
            assert hrefs == [f"https://arxiv.org/abs/{paper.id}", f"https://arxiv.org/pdf/{paper.id}"]
            assert [tag.scheme for tag in entry.tags] == ["http://arxiv.org/schemas/atom"] * len(entry.tags)
            continue
        assert hrefs == [LINKS[paper.id]]  # the landing page, no PDF
        assert paper.label in text and "arxiv" not in content.lower()
        assert [tag.term for tag in entry.tags] == [paper.section] and not entry.tags[0].get("scheme")
    by_id = dict(zip([p.id for p in PAPERS], parsed.entries, strict=True))
    sici = by_id[SICI]
    assert sici.summary == SICI_WORK.abstract_translation  # no TL;DR, no abstract: the translation
    assert "Abstract translation:" in sici.content[0].value
    pubmed = content_text_and_links(by_id[PUBMED_WORK.id].content[0].value)[0]
    assert "Abstract: The original abstract." in pubmed and "Abstract translation: 原始摘要的翻译。" in pubmed
    assert by_id[PUBMED_WORK.id].summary == "The original abstract."


# --- CSV ---------------------------------------------------------------------------------------


def test_csv_rows() -> None:
    default = write("csv")
    assert_no_failure_text(default.decode("utf-8-sig"))
    data = write("csv", columns="all", raw=True)
    rows = read_rows(data)
    assert rows[1:] == expected_rows(DIGESTS, rows[0])
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert len(frame) == len(PAPERS)
    assert (
        list(frame["abs_url"])
        == ["https://arxiv.org/abs/2501.01234", "https://arxiv.org/abs/hep-th/9901001"] + [""] * 4
    )
    assert list(frame["pdf_url"])[2:] == [""] * 4
    assert list(frame["doi"]) == ["10.48550/arXiv.2501.01234", "10.48550/arXiv.hep-th/9901001",
                                  DOI_WORK.id, SICI, "", ""]  # fmt: skip
    # the failure messages stay data in the extra column, under their own labels, never in a summary column
    assert json.loads(frame["extra"][3]) == dict(SICI_WORK.extra)
    assert list(frame["tldr"])[3:5] == ["", ""]
    assert list(frame["id_scheme"]) == [p.id_scheme for p in PAPERS]
    assert list(frame["link"]) == [p.link for p in PAPERS]  # the model's link, as the digest's DOI had it
    assert list(frame["abstract_translation"]) == [p.abstract_translation or "" for p in PAPERS]
    assert list(frame["abstract"])[3] == ""  # the original only: a CSV carries both


# --- DOCX --------------------------------------------------------------------------------------


def test_docx_links_abstracts_and_no_failure_text() -> None:
    data = write("docx")
    rows = docx_paragraphs(data)
    assert body_of(rows) == expected_body(DIGESTS)
    links = [row["links"] for row in rows if row["style"] == "Paper Links"]
    assert links == [
        [["https://arxiv.org/abs/2501.01234v2", "arXiv:2501.01234v2"], ["https://arxiv.org/pdf/2501.01234v2", "PDF"]],
        [["https://arxiv.org/abs/hep-th/9901001", "arXiv:hep-th/9901001"], ["https://arxiv.org/pdf/hep-th/9901001", "PDF"]],
        [[LINKS[DOI_WORK.id], "doi:10.1063/5.0319757"]],
        [[SICI_URI, f"doi:{SICI}"]],
        [[LINKS[PUBMED_WORK.id], "PMID:41234567"]],
        [[URL_WORK.id, URL_WORK.id]],
    ]  # fmt: skip
    texts = [row["text"] for row in rows]
    assert "Abstract translation: 这是摘要的中文翻译。" in texts and "Keywords: scaffold; polymer" in texts
    assert "Abstract: The original abstract." in texts and "Abstract translation: 原始摘要的翻译。" in texts
    with docx2python(io.BytesIO(data)) as reopened:
        text = reopened.text
    assert_no_failure_text(text)
    assert f'<a href="{LINKS[PUBMED_WORK.id]}">PMID:41234567</a>' in text
    assert text.count("arxiv.org/pdf/") == 2
    document = docx.Document(io.BytesIO(data))
    targets = {rel.target_ref for rel in document.part.rels.values() if rel.is_external}
    assert targets == {url for row in links for url, _ in row}  # one relationship per link, each a valid URI


# --- JSON-LD -----------------------------------------------------------------------------------


def test_jsonld_nodes_expand_and_load_in_rdflib() -> None:
    need_vendor()
    text = write("jsonld").decode("utf-8")
    assert_no_failure_text(text)
    doc = json.loads(text)
    check_keys(doc)
    expanded = expand(doc)
    check_expanded_iris(expanded)
    check_graph_against_model(to_graph(expanded), PAPERS)
    items = [item["item"] for item in doc["@graph"][0]["itemListElement"]]
    for paper, node in zip(PAPERS, items, strict=True):
        ids = {pv["propertyID"]: pv["value"] for pv in node.get("identifier", [])}
        if paper.is_arxiv:
            assert node["@id"] == f"https://doi.org/10.48550/arXiv.{paper.id}" and node["isAccessibleForFree"]
            assert ids == {"arXiv": paper.id, "DOI": f"10.48550/arXiv.{paper.id}"}
            continue
        assert node["@id"] == node["url"] == LINKS[paper.id] and "sameAs" not in node
        assert "isAccessibleForFree" not in node and "arxiv" not in json.dumps(node).lower()
        assert ids == (
            {"DOI": paper.id} if paper.id_scheme == "doi" else {"PMID": paper.id} if paper.id_scheme == "pmid" else {}
        )
    by_id = dict(zip([p.id for p in PAPERS], items, strict=True))
    sici = by_id[SICI]
    assert "abstract" not in sici  # the translation is the digest's, not the article's abstract
    assert sici["subjectOf"]["arxport:abstractTranslation"] == SICI_WORK.abstract_translation
    assert sici["subjectOf"]["name"] == f"AI-generated summary of doi:{SICI}"
    assert sici["subjectOf"]["arxport:extra"] == [
        {"@type": "PropertyValue", "name": "Keywords", "value": "scaffold; polymer"}
    ]
    assert by_id[PUBMED_WORK.id]["abstract"] == "The original abstract."
    assert "description" not in by_id[PUBMED_WORK.id]["subjectOf"]


# --- json and jsonl: the model itself ------------------------------------------------------------


def test_json_and_jsonl_keep_the_scheme_and_the_translation() -> None:
    lines = [json.loads(line) for line in write("jsonl").decode("utf-8").splitlines()]
    assert [(line["id"], line["id_scheme"]) for line in lines] == [(p.id, p.id_scheme) for p in PAPERS]
    assert [line["abstract_translation"] for line in lines] == [p.abstract_translation for p in PAPERS]
    assert [line["extra"] for line in lines] == [dict(p.extra) for p in PAPERS]
    document = json.loads(write("json"))
    assert [p["id_scheme"] for p in document["digests"][0]["papers"]] == [p.id_scheme for p in PAPERS]


# --- markdown: failure messages and translations go back where they were ----------------------------


#: A current-template block as the digest had it; empty fields end in "label: " (a trailing space).
V3_BLOCK = (
    "### [1] [Biocompatibility of a Polymer Scaffold](https://doi.org/{sici})\n"
    "*Grace Hopper*\n\n"
    "Main category: Other\n\n"
    "TL;DR: 达到API配额限制，请明天再试\n\n\n"
    "<details>\n  <summary>Details</summary>\n"
    "Motivation: Needs testing.\n\n"
    "Method: Error: API quota exceeded\n\n"
    "Result: \n\n"
    "Conclusion: \n\n"
    "Keywords: scaffold; polymer\n\n"
    "Abstract translation: 这是摘要的中文翻译。\n\n"
    "Abstract: \n\n"
    "</details>\n"
)


def test_markdown_puts_failure_text_and_translation_back() -> None:
    paper = Paper(
        **{**{f: getattr(SICI_WORK, f) for f in SICI_WORK.__dataclass_fields__}, "motivation": "Needs testing."}
    )
    text = write("markdown", [Digest(source="x.md", papers=(paper,))]).decode("utf-8")
    block = text[text.index("### [1]") :]
    assert block == V3_BLOCK.format(sici=SICI)
    assert text.count("(AI failure)") == 0


def test_markdown_keeps_a_failure_key_whose_field_has_text_as_an_extra() -> None:
    paper = Paper(
        id="1", url="https://x.org/1", title="T", tldr="Real.", extra={AI_FAILURE_KEYS["tldr"]: "old failure"}
    )
    text = write("markdown", [Digest(source="x.md", papers=(paper,))]).decode("utf-8")
    assert "TL;DR: Real.\n" in text and "TL;DR (AI failure): old failure\n\n" in text
    assert "Abstract translation" not in text  # only written when the paper has one
