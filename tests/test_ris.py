"""ris writer: golden files, the whole corpus read back by rispy, line syntax, properties."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import rispy
from hypothesis import example, given, settings
from hypothesis import strategies as st

from converters.model import Digest, Paper
from converters.registry import writer_for_path
from converters.text.clean import clean_line as clean
from converters.writers.citation.keys import id_year_month
from converters.writers.citation.records import citations, unique_papers
from converters.writers.citation.ris import RisWriter
from converters.writers.shared import shown_abstract

from .conftest import check_golden, check_no_stray_goldens, read_digest, sample_files

SAMPLE_FILES = sample_files()
# Every RIS line: a tag of two capitals/digits, two spaces, a dash, a space and the value.
LINE_RE = re.compile(r"[A-Z][A-Z0-9]  - .*")


def write(digests: Sequence[Digest], **options: Any) -> bytes:
    writer = RisWriter()
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


def display_name(ris_author: str) -> str:
    """``Last, First[, Suffix]`` back to ``First Last [Suffix]`` (how the digest wrote it)."""
    parts = ris_author.split(", ")
    if len(parts) == 1:
        return parts[0]
    return " ".join([parts[1], parts[0], *parts[2:]])


def paper(**fields: Any) -> Paper:
    base: dict[str, Any] = {"id": "2501.01234", "url": "https://arxiv.org/abs/2501.01234", "title": "T"}
    return Paper(**{**base, **fields})


def check_record(record: dict[str, Any], source: Paper, key: str) -> None:
    """A record read back by rispy carries the model's values (cleaned to one line)."""
    assert record["type_of_reference"] == "GEN"
    assert record["id"] == key
    assert record["title"] == (clean(source.title) or f"arXiv:{source.id}")
    authors = [clean(a) for a in source.authors if clean(a)]
    # a name that already holds a comma is written as it is (RIS reads it as "Last, First")
    shown = [a if "," in b else display_name(a) for a, b in zip(record.get("authors", []), authors, strict=True)]
    assert shown == authors
    year, month = id_year_month(source.id) or (None, None)
    assert record["year"] == str(year) and record["date"] == f"{year:04d}/{month:02d}"
    assert record.get("access_date") == (source.date.strftime("%Y/%m/%d") if source.date else None)
    abstract = shown_abstract(source)
    assert record.get("abstract") == (clean(abstract) if abstract and clean(abstract) else None)
    assert record["doi"] == f"10.48550/arXiv.{source.id}"
    assert record["urls"] == [f"https://arxiv.org/abs/{source.id}"]
    assert record["accession_number"] == source.id and record["name_of_database"] == "arXiv"
    category = clean(source.category) if source.category else ""
    assert record.get("keywords", [""])[0] == category
    tldr = clean(source.tldr) if source.tldr else ""
    if tldr:
        assert record["notes"][0].startswith(f"TL;DR: {tldr}")


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
def test_golden(sample: Path) -> None:
    check_golden("ris", f"{sample.stem}.ris", write([read_digest(sample)]))


def test_golden_samples_merged() -> None:
    digests = [read_digest(p) for p in SAMPLE_FILES]
    check_golden("ris", "all-samples.ris", write(digests))
    check_golden("ris", "all-samples.id-keys.ris", write(digests, key_format="id"))


def test_golden_files_have_no_strays() -> None:
    expected = {f"{p.stem}.ris" for p in SAMPLE_FILES} | {"all-samples.ris", "all-samples.id-keys.ris"}
    check_no_stray_goldens("ris", expected)


# --- the whole corpus read back --------------------------------------------------------------


def test_corpus_reads_back_with_rispy(corpus_digests: list[Digest]) -> None:
    text = write(corpus_digests).decode("utf-8")
    papers = unique_papers(corpus_digests)[0]
    keys = [c.key for c in citations(papers)]
    records = rispy.loads(text)
    assert len(records) == len(papers) == len(set(keys))
    for record, source, key in zip(records, papers, keys, strict=True):
        check_record(record, source, key)
    for line in text.split("\n"):
        assert line == "" or LINE_RE.fullmatch(line), line
    assert text.startswith("TY  - GEN\n") and text.endswith("ER  - \n")


def test_samples_read_back_with_rispy() -> None:
    digests = [read_digest(p) for p in SAMPLE_FILES]
    papers = unique_papers(digests)[0]
    records = rispy.loads(write(digests).decode("utf-8"))
    for record, record_source, key in zip(records, papers, [c.key for c in citations(papers)], strict=True):
        check_record(record, record_source, key)


# --- edge cases and properties -----------------------------------------------------------------


def test_name_forms() -> None:
    authors = ("Jean-Luc Picard Jr.", "Ludwig van Beethoven", "ATLAS Collaboration", "Cher", "de Gaulle")
    record = rispy.loads(write([Digest(source="t", papers=(paper(authors=authors),))]).decode())[0]
    assert record["authors"] == [
        "Picard, Jean-Luc, Jr.",
        "van Beethoven, Ludwig",
        "ATLAS Collaboration",
        "Cher",
        "de Gaulle",
    ]


def test_no_papers_no_records() -> None:
    assert write([]) == b""


def test_repeats_are_written_once() -> None:
    twice = Digest(source="t", papers=(paper(date=dt.date(2025, 1, 1)), paper(date=dt.date(2025, 1, 2))))
    out = io.BytesIO()
    report = RisWriter().write([twice], out, RisWriter.default_options())
    assert report.items == 1 and report.notes and out.getvalue().count(b"TY  - ") == 1


def test_ris_suffix() -> None:
    assert writer_for_path("refs.ris") == "ris"


untrusted = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=80)


@settings(max_examples=150, deadline=None)
@given(untrusted, untrusted, st.lists(untrusted, max_size=4), untrusted)
@example("ER  - x\nTY  - JOUR", "AB  - \r\n", ["Smith, John", " ", "a\x08b c"], "\u2028")
def test_any_text_round_trips_on_valid_lines(title: str, abstract: str, names: list[str], tldr: str) -> None:
    source = paper(title=title, abstract=abstract, authors=tuple(names), tldr=tldr, date=dt.date(2025, 1, 2))
    text = write([Digest(source="t", papers=(source,))]).decode("utf-8")
    for line in text.split("\n"):
        assert line == "" or LINE_RE.fullmatch(line), line
    [record] = rispy.loads(text)
    check_record(record, source, record["id"])
