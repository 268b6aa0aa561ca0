"""The csv writer: golden files, every corpus digest read back by ``csv`` and pandas, the formula guard."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from cli import main
from converters.errors import OutputError
from converters.model import Digest, Paper, SourceSpan
from converters.registry import get_writer, writer_for_path
from converters.writers.csv import (
    COLUMNS,
    DEFAULT_COLUMNS,
    EXCEL_CELL_LIMIT,
    FORMULA_START,
    CsvWriter,
    guard_formula,
    parse_columns,
    unguard_formula,
)

from .conftest import SAMPLES, check_golden, check_no_stray_goldens, read_digest, sample_files

SAMPLE_FILES = sample_files()
#: What a spreadsheet runs as a formula (the guard's own ' is not one).
DANGEROUS_START = FORMULA_START - {"'"}


# --- helpers ---------------------------------------------------------------------------


def write(digests: Sequence[Digest], **options: Any) -> bytes:
    writer = CsvWriter()
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


def read_rows(data: bytes) -> list[list[str]]:
    """The file as Python's csv module reads it (BOM removed, strict RFC quoting)."""
    text = data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), strict=True))


def expected_cell(paper: Paper, column: str) -> str:
    """What a column holds for a paper, computed from the model without the writer's code."""
    optional = {
        "version": paper.version,
        "primary_category": paper.primary_category,
        "tldr": paper.tldr,
        "motivation": paper.motivation,
        "method": paper.method,
        "result": paper.result,
        "conclusion": paper.conclusion,
        "abstract": paper.abstract,
        "section": paper.section,
        "abstract_translation": paper.abstract_translation,
        "number": paper.number,
        "comment": paper.comment,
        "date": paper.date.isoformat() if paper.date else None,
        "source_file": paper.source.path if paper.source else None,
        "line": paper.source.line if paper.source else None,
    }
    if column in optional:
        value = optional[column]
        return "" if value is None else str(value)
    fixed = {
        "id": paper.id,
        "url": paper.url,
        "title": paper.title,
        "authors": "; ".join(paper.authors),
        "categories": "; ".join(paper.categories),
        "extra": json.dumps(dict(paper.extra), ensure_ascii=False) if paper.extra else "",
        # arXiv's pages and DOI for an arXiv paper; a DOI work's own DOI; nothing else for other works
        "abs_url": f"https://arxiv.org/abs/{paper.id}" if paper.is_arxiv else "",
        "pdf_url": f"https://arxiv.org/pdf/{paper.id}" if paper.is_arxiv else "",
        "doi": f"10.48550/arXiv.{paper.id}" if paper.is_arxiv else paper.id if paper.id_scheme == "doi" else "",
        "id_scheme": paper.id_scheme,
        "link": {
            "arxiv": f"https://arxiv.org/abs/{paper.id}",
            "doi": f"https://doi.org/{paper.id}",
            "pmid": f"https://pubmed.ncbi.nlm.nih.gov/{paper.id}/",
        }.get(paper.id_scheme, paper.id),
    }
    return fixed[column]


def expected_rows(digests: Sequence[Digest], columns: Sequence[str]) -> list[list[str]]:
    return [[expected_cell(p, c) for c in columns] for d in digests for p in d.papers]


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_default(sample: Path) -> None:
    check_golden("csv", f"{sample.stem}.csv", write([read_digest(sample)]))


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_all_columns_raw_without_bom(sample: Path) -> None:
    check_golden(
        "csv", f"{sample.stem}.all-raw-nobom.csv", write([read_digest(sample)], columns="all", raw=True, bom=False)
    )


def test_golden_samples_merged() -> None:
    check_golden("csv", "all-samples.csv", write([read_digest(p) for p in SAMPLE_FILES]))


def test_golden_files_have_no_strays() -> None:
    expected = {f"{p.stem}{suffix}" for p in SAMPLE_FILES for suffix in (".csv", ".all-raw-nobom.csv")}
    expected.add("all-samples.csv")
    check_no_stray_goldens("csv", expected)


# --- the format ------------------------------------------------------------------------


def paper(**fields: Any) -> Paper:
    base: dict[str, Any] = {"id": "2501.01234", "url": "https://arxiv.org/abs/2501.01234", "title": "T"}
    return Paper(**{**base, **fields})


def digest(*papers: Paper) -> Digest:
    return Digest(source="x.md", papers=papers)


def test_rfc4180_bytes() -> None:
    one = paper(
        title='Fast & "quoted", with comma',
        authors=("José Müller", "Łukasz Kaiser"),
        tldr='=HYPERLINK("http://evil.example","click") VOLT is fast.',
        result="line one\nline two",
        date=dt.date(2025, 1, 2),
        source=SourceSpan(path="d.md", line=7),
    )
    data = write([digest(one)], columns="id,title,authors,tldr,result,date,line")
    assert data == (
        b"\xef\xbb\xbfid,title,authors,tldr,result,date,line\r\n"
        b'2501.01234,"Fast & ""quoted"", with comma",'
        + "José Müller; Łukasz Kaiser".encode()
        + b',"\'=HYPERLINK(""http://evil.example"",""click"") VOLT is fast.",'
        b'"line one\nline two",2025-01-02,7\r\n'
    )


def test_default_columns_are_the_documented_order() -> None:
    assert DEFAULT_COLUMNS == (
        "id",
        "version",
        "url",
        "title",
        "authors",
        "primary_category",
        "date",
        "tldr",
        "motivation",
        "method",
        "result",
        "conclusion",
        "abstract",
        "source_file",
        "line",
    )
    assert list(COLUMNS)[: len(DEFAULT_COLUMNS)] == list(DEFAULT_COLUMNS)
    assert read_rows(write([digest()]))[0] == list(DEFAULT_COLUMNS)


def test_columns_are_documented() -> None:
    doc = (Path(__file__).resolve().parent.parent / "docs" / "csv.md").read_text(encoding="utf-8")
    for name in COLUMNS:
        assert f"`{name}`" in doc, f"column {name} is not described in docs/csv.md"


def test_bom_and_no_bom() -> None:
    assert write([digest(paper())]).startswith(codecs.BOM_UTF8)
    plain = write([digest(paper())], bom=False)
    assert plain.startswith(b"id,") and plain.decode("utf-8").count("\ufeff") == 0


def test_an_empty_run_is_a_header() -> None:
    assert write([], bom=False) == (",".join(DEFAULT_COLUMNS) + "\r\n").encode()


@pytest.mark.parametrize(
    ("spec", "columns"),
    [
        (None, DEFAULT_COLUMNS),
        ("", DEFAULT_COLUMNS),
        ("title,id", ("title", "id")),
        (" Title , SOURCE-FILE ,", ("title", "source_file")),
        ("all", tuple(COLUMNS)),
        ("doi,default", ("doi", *DEFAULT_COLUMNS)),
    ],
)
def test_parse_columns(spec: str | None, columns: tuple[str, ...]) -> None:
    assert parse_columns(spec) == columns


@pytest.mark.parametrize(
    ("spec", "message"),
    [("id,bogus", "unknown CSV column 'bogus'"), ("id,title,id", "id more than once"), (",", "names no column")],
)
def test_bad_columns_are_output_errors(spec: str, message: str) -> None:
    with pytest.raises(OutputError, match=message):
        write([digest(paper())], columns=spec)


def test_guard_and_raw() -> None:
    risky = paper(title="=1+2", tldr="+x", motivation="-y", method="@SUM(A1)", result="\tz", conclusion="'q'")
    columns = "title,tldr,motivation,method,result,conclusion"
    guarded = read_rows(write([digest(risky)], columns=columns))[1]
    assert guarded == ["'=1+2", "'+x", "'-y", "'@SUM(A1)", "'\tz", "''q'"]
    raw = read_rows(write([digest(risky)], columns=columns, raw=True))[1]
    assert raw == ["=1+2", "+x", "-y", "@SUM(A1)", "\tz", "'q'"]


def test_notes_count_guarded_cells_and_excel_limits() -> None:
    writer = CsvWriter()
    long_authors = tuple(f"Author {i}" for i in range(4000))
    report = writer.write(
        [digest(paper(tldr="=x", motivation="-y", authors=long_authors))], io.BytesIO(), writer.default_options()
    )
    assert report.items == 1
    assert report.notes[0].startswith("2 cell(s) began with")
    assert f"longer than Excel's {EXCEL_CELL_LIMIT:,} characters (2501.01234)" in report.notes[1]
    quiet = writer.write([digest(paper(tldr="=x"))], io.BytesIO(), {**writer.default_options(), "raw": True})
    assert quiet.notes == ()


def test_lone_surrogates_become_replacement_characters() -> None:
    # json.loads (the generator-JSONL reader) accepts "\ud800"; UTF-8 cannot encode it.
    rows = read_rows(write([digest(paper(title="a\ud800b", authors=("x\udfff",)))], columns="title,authors"))
    assert rows[1] == ["a\ufffdb", "x\ufffd"]


def test_registered_for_csv_suffix() -> None:
    assert isinstance(get_writer("csv"), CsvWriter)
    assert writer_for_path("papers.CSV") == "csv"


# --- escapers and values, for any text ------------------------------------------------

# Lone surrogates cannot come out of a UTF-8 file; utf8() replaces them (tested in test_jsonld).
any_text = st.text(st.characters(exclude_categories=["Cs"]))


@given(any_text)
def test_guard_is_reversible_and_neutral(value: str) -> None:
    cell = guard_formula(value)
    assert unguard_formula(cell) == value
    assert not cell or cell[0] not in DANGEROUS_START
    if not value or value[0] not in FORMULA_START:
        assert cell == value


texts_with_traps = st.one_of(
    any_text,
    st.sampled_from(["=1+2", "+1", "-1", "@x", "\tx", "\rx", "\nx", "'x", "a,b", 'a"b', "a\r\nb", "\x00", " "]),
)


@settings(max_examples=150, deadline=None)
@given(
    title=texts_with_traps,
    tldr=st.none() | texts_with_traps,
    abstract=st.none() | texts_with_traps,
    comment=st.none() | texts_with_traps,
    authors=st.lists(texts_with_traps.filter(lambda s: "; " not in s), max_size=4),
    extra=st.dictionaries(any_text, any_text, max_size=3),
    raw=st.booleans(),
)
def test_any_value_survives_csv_and_pandas(
    title: str,
    tldr: str | None,
    abstract: str | None,
    comment: str | None,
    authors: list[str],
    extra: dict[str, str],
    raw: bool,
) -> None:
    one = paper(title=title, tldr=tldr, abstract=abstract, comment=comment, authors=tuple(authors), extra=extra)
    columns = ("id", "title", "tldr", "abstract", "comment", "authors", "extra")
    data = write([digest(one)], columns=",".join(columns), raw=raw)
    expected = expected_rows([digest(one)], columns)
    rows = read_rows(data)
    cells = rows[1] if raw else [unguard_formula(cell) for cell in rows[1]]
    assert [rows[0], cells] == [list(columns), expected[0]]
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    values = frame.values.tolist()[0]
    assert (values if raw else [unguard_formula(v) for v in values]) == expected[0]
    if one.extra:
        assert json.loads(cells[columns.index("extra")]) == extra


# --- real consumers over the whole corpus ---------------------------------------------


def check_consumers(digests: Sequence[Digest], data: bytes) -> int:
    """Read ``data`` back with csv and pandas and compare every cell with the model. Returns the row count."""
    columns = list(COLUMNS)
    expected = expected_rows(digests, columns)
    assert data.startswith(codecs.BOM_UTF8)
    rows = read_rows(data)
    assert rows[0] == columns
    assert all(len(row) == len(columns) for row in rows), "every record has the header's field count"
    assert len(rows) - 1 == sum(len(d.papers) for d in digests)
    for row in rows[1:]:
        assert not any(cell and cell[0] in DANGEROUS_START for cell in row)
    assert [[unguard_formula(cell) for cell in row] for row in rows[1:]] == expected
    frame = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(frame.columns) == columns
    assert [[unguard_formula(cell) for cell in row] for row in frame.values.tolist()] == expected
    # Records end with CRLF; a bare LF only ever sits inside a quoted value.
    assert data.endswith(b"\r\n") or len(rows) == 1
    return len(rows) - 1


@pytest.mark.corpus
def test_corpus_each_digest(corpus_digests: list[Digest]) -> None:
    total = 0
    for one in corpus_digests:
        total += check_consumers([one], write([one], columns="all"))
    assert total == sum(len(d.papers) for d in corpus_digests) > 6000


@pytest.mark.corpus
def test_corpus_merged_raw(corpus_digests: list[Digest]) -> None:
    rows = read_rows(write(corpus_digests, raw=True, bom=False))
    assert rows[0] == list(DEFAULT_COLUMNS)
    assert rows[1:] == expected_rows(corpus_digests, DEFAULT_COLUMNS)
    # The corpus holds cells the guard exists for (AI text starting with "+" or "-"); --raw leaves them alone.
    assert any(cell[:1] in DANGEROUS_START for row in rows[1:] for cell in row)


@pytest.mark.corpus
def test_corpus_authors_split_back(corpus_digests: list[Digest]) -> None:
    papers = [p for d in corpus_digests for p in d.papers]
    assert not any("; " in name for p in papers for name in p.authors), "'; ' would make the authors cell ambiguous"
    rows = read_rows(write(corpus_digests, columns="id,authors", raw=True))
    assert [tuple(row[1].split("; ")) if row[1] else () for row in rows[1:]] == [p.authors for p in papers]
    assert max(len(p.authors) for p in papers) > 3000  # the Gemini 2.5 line stays one cell


# --- the command line -----------------------------------------------------------------


def test_cli_options(tmp_path: Path) -> None:
    out = tmp_path / "papers.csv"
    sample = str(SAMPLES / "digest-2025-01-02.md")
    result = CliRunner().invoke(
        main, ["convert", sample, "-o", str(out), "--columns", "doi,title", "--no-bom", "--raw", "-q"]
    )
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    assert data.startswith(b"doi,title\r\n10.48550/arXiv.2501.01234,")
    assert len(read_rows(data)) == 5


def test_cli_bad_column_is_a_usage_error_before_reading(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["convert", str(tmp_path / "missing.md"), "--to", "csv", "--columns", "id,nope"])
    assert result.exit_code == 2
    assert "unknown CSV column 'nope'" in result.output and "missing.md" not in result.output
