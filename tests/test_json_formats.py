"""arxport's own json/jsonl read back losslessly; the generator's JSON Lines read field for field."""

from __future__ import annotations

import dataclasses
import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters.canonical import (
    PLAIN_ANNOTATIONS,
    Document,
    digest_head,
    document_adapter,
    document_head,
    paper_adapter,
    paper_record,
)
from converters.errors import InputError
from converters.model import Digest, Paper, SourceSpan
from converters.registry import detect_reader, get_reader, get_writer
from converters.text.clean import utf8
from converters.writers.shared import StreamedList, indented_json, json_line, write_indented_json

from .conftest import CORPUS, SAMPLES, check_golden, check_no_stray_goldens, read_digest, sample_files


def write(name: str, digests: list[Digest]) -> bytes:
    out = io.BytesIO()
    get_writer(name).write(digests, out, {})
    return out.getvalue()


@pytest.mark.corpus
def test_json_round_trip_is_lossless_on_the_corpus(corpus_digests: list[Digest]) -> None:
    data = write("json", corpus_digests)
    assert detect_reader(data[:4096].decode(), "all.json") == "json"
    back = get_reader("json").read_all(data, "all.json")
    assert list(back) == corpus_digests  # every field, problem, TOC entry and section
    assert write("json", list(back)) == data


@pytest.mark.corpus
def test_jsonl_round_trip_keeps_every_paper(corpus_digests: list[Digest]) -> None:
    data = write("jsonl", corpus_digests)
    assert detect_reader(data[:4096].decode(), "all.jsonl") == "jsonl"
    back = get_reader("jsonl").read(data, "all.jsonl")
    assert back.papers == tuple(p for d in corpus_digests for p in d.papers)
    assert len(data.splitlines()) == 6466


def test_jsonl_public_keys_come_first_in_order() -> None:
    line = json.loads(write("jsonl", [read_digest(SAMPLES / "digest-2025-01-02.md")]).splitlines()[0])
    assert list(line)[:12] == [
        "id", "version", "url", "title", "authors", "primary_category",
        "categories", "section", "number", "tldr", "motivation", "method",
    ]  # fmt: skip
    assert {"result", "conclusion", "abstract", "extra", "date", "source"} <= set(line)


def test_a_bad_jsonl_record_is_skipped_with_its_line() -> None:
    good = write("jsonl", [read_digest(SAMPLES / "digest-2025-01-03.md")])
    data = good + b'{"id": 5}\n' + b"not json\n"
    digest = get_reader("jsonl").read(data, "x.jsonl")
    assert len(digest.papers) == 2
    assert [(p.code, p.source.line) for p in digest.problems] == [("bad-record", 3), ("bad-record", 4)]


def test_a_broken_json_document_names_the_line() -> None:
    with pytest.raises(InputError) as caught:
        get_reader("json").read_all(b'{"format": "arxport",\n "version": 1,\n "digests": [}', "x.json")
    assert caught.value.source is not None and caught.value.source.line == 3
    with pytest.raises(InputError, match="digests"):
        get_reader("json").read_all(b'{"format": "arxport", "version": 1, "digests": 7}', "x.json")


def _pairs() -> list[tuple[Path, Path]]:
    return [
        (CORPUS / (j.name.split("_AI_enhanced_")[0] + ".md"), j) for j in sorted((CORPUS / "jsonl").glob("*.jsonl"))
    ]


@pytest.mark.corpus
@pytest.mark.parametrize("markdown,records", _pairs(), ids=lambda p: p.name)
def test_generator_jsonl_agrees_with_its_markdown(markdown: Path, records: Path) -> None:
    data = records.read_bytes()
    assert detect_reader(data[:4096].decode(), str(records)) == "digest-jsonl"
    from_jsonl = get_reader("digest-jsonl").read(data, str(records))
    from_markdown = read_digest(markdown)
    assert not from_jsonl.problems
    assert from_jsonl.date == from_markdown.date
    by_id = {p.id: p for p in from_jsonl.papers}
    assert set(by_id) == {p.id for p in from_markdown.papers}
    for paper in from_markdown.papers:
        other = by_id[paper.id]
        for name in ("url", "title", "authors", "tldr", "motivation", "method", "result", "conclusion", "abstract"):
            assert getattr(other, name) == getattr(paper, name), (paper.id, name)
        assert other.extra["pdf"] == f"https://arxiv.org/pdf/{paper.id}"
        assert other.categories[0] == (paper.primary_category or other.categories[0])
    if "2026-07-01" in records.name:
        assert sum("code_url" in p.extra for p in from_jsonl.papers) == 56


def test_generator_jsonl_bad_lines_are_reported() -> None:
    data = b'{"id": "2501.00001", "pdf": "x", "title": "T", "abs": "https://arxiv.org/abs/2501.00001"}\n[1]\n{"id": "x"}\n{oops\n'
    digest = get_reader("digest-jsonl").read(data, "d_2025-01-02.jsonl")
    assert [p.title for p in digest.papers] == ["T"]
    assert [(p.level, p.source.line) for p in digest.problems] == [("error", 2), ("error", 3), ("error", 4)]


_GOLDEN_SUFFIX = {"json": ".json", "jsonl": ".jsonl", "markdown": ".md"}


@pytest.mark.parametrize("writer", list(_GOLDEN_SUFFIX))
@pytest.mark.parametrize("sample", sample_files(), ids=lambda p: p.stem)
def test_golden(writer: str, sample: Path) -> None:
    check_golden(writer, sample.stem + _GOLDEN_SUFFIX[writer], write(writer, [read_digest(sample)]))


@pytest.mark.parametrize("writer", list(_GOLDEN_SUFFIX))
def test_golden_all_samples_merged(writer: str) -> None:
    digests = [read_digest(p) for p in sample_files()]
    check_golden(writer, "all-samples" + _GOLDEN_SUFFIX[writer], write(writer, digests))


@pytest.mark.parametrize("writer", list(_GOLDEN_SUFFIX))
def test_golden_files_have_no_strays(writer: str) -> None:
    names = [p.stem for p in sample_files()] + ["all-samples"]
    check_no_stray_goldens(writer, {name + _GOLDEN_SUFFIX[writer] for name in names})


def test_current_template_sample_round_trips_through_markdown() -> None:
    sample = SAMPLES / "digest-2025-01-02.md"
    assert write("markdown", [read_digest(sample)]) == sample.read_bytes()


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(_JSON_VALUES)
def test_indented_json_is_the_standard_library_s_text(value: object) -> None:
    """orjson writes the indented JSON (json, jsonld): the same text as json.dumps, whatever the data
    (a lone surrogate or a huge integer, which orjson refuses, goes to json.dumps)."""
    assert indented_json(value) == json.dumps(value, ensure_ascii=False, indent=2)


@settings(max_examples=400, deadline=None)
@given(_JSON_VALUES)
def test_json_line_is_the_standard_library_s_text(value: object) -> None:
    """A streamed jsonl run writes its lines with orjson, separators restored: the same bytes as json.dumps."""
    assert json_line(value) == utf8(json.dumps(value, ensure_ascii=False))


def test_jsonl_is_the_same_from_a_sequence_and_from_digests_as_they_are_read() -> None:
    digests = [read_digest(path) for path in sample_files()]
    streamed = io.BytesIO()
    get_writer("jsonl").write(iter(digests), streamed, {})  # type: ignore[arg-type]
    assert streamed.getvalue() == write("jsonl", digests)


_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)
_PAPERS = st.builds(
    Paper,
    id=st.just("2501.00001"),
    url=st.just("https://arxiv.org/abs/2501.00001"),
    title=_TEXT,
    version=st.none() | st.integers(1, 99),
    authors=st.tuples(_TEXT, _TEXT),
    categories=st.lists(_TEXT, max_size=3).map(tuple),
    primary_category=st.none() | _TEXT,
    number=st.none() | st.integers(0, 10**6),
    abstract=st.none() | _TEXT,
    extra=st.dictionaries(_TEXT, _TEXT, max_size=3),
    date=st.none() | st.dates(),
    source=st.none() | st.builds(SourceSpan, path=_TEXT, line=st.integers(1, 10**6)),
)


def _line(record: object) -> str:
    return json.dumps(record, ensure_ascii=False)  # tuples and lists are the same JSON


@settings(max_examples=300, deadline=None)
@given(_PAPERS)
def test_paper_record_is_pydantic_s_dump(paper: Paper) -> None:
    assert _line(paper_record(paper)) == _line(paper_adapter().dump_python(paper, mode="json"))


def test_paper_record_knows_every_field_type_of_the_model() -> None:
    for field in dataclasses.fields(Paper):
        assert str(field.type) in PLAIN_ANNOTATIONS or field.name in ("extra", "date", "source"), field


@pytest.mark.corpus
def test_the_records_are_pydantic_s_dump_on_the_corpus(corpus_digests: list[Digest]) -> None:
    dump = paper_adapter().dump_python
    for paper in (paper for digest in corpus_digests for paper in digest.papers):
        assert _line(paper_record(paper)) == _line(dump(paper, mode="json"))
    document = document_adapter().dump_python(Document(digests=tuple(corpus_digests)), mode="json")
    digests = [{**digest_head(d), "papers": [paper_record(p) for p in d.papers]} for d in corpus_digests]
    assert _line({**document_head(), "digests": digests}) == _line(document)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(_JSON_VALUES, max_size=4), max_size=4), st.dictionaries(st.text(), _JSON_VALUES, max_size=3))
def test_streamed_lists_write_the_indented_text(lists: list[list[object]], extra: dict[str, object]) -> None:
    """json and jsonld write a document a paper at a time (StreamedList inside a streamed list): the same text."""
    head = {"format": "x", **extra, "digests": []}
    items = [StreamedList({"n": len(inner), "papers": [], "after": True}, "papers", iter(inner)) for inner in lists]
    pieces: list[str] = []
    write_indented_json(pieces.append, head, "digests", iter(items))
    whole = {**head, "digests": [{"n": len(inner), "papers": inner, "after": True} for inner in lists]}
    assert "".join(pieces) == json.dumps(whole, ensure_ascii=False, indent=2)
