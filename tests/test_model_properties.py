"""Property tests: any paper the current template can carry survives write -> read unchanged;
arXiv ids parse in every form; the fast constructors build the same frozen instances;
plugins are found through entry points."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import inspect
import io
import pickle
from importlib.metadata import EntryPoint
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from converters import registry
from converters.model import (
    Digest,
    Paper,
    Section,
    SourceSpan,
    TocEntry,
    fast_constructor,
    new_paper,
    new_span,
    parse_arxiv_id,
)
from converters.readers.base import Reader
from converters.registry import get_reader, get_writer
from converters.writers import markdown as markdown_writer

# Text as digests carry it: any script, LaTeX and Markdown punctuation, tags, TAB,
# BACKSPACE, U+200B, single line breaks. What the template itself cannot carry is
# excluded: CR (line endings are normalised), a blank line followed by a label or
# heading, and a closing </details> line.
_ALPHABET = st.sampled_from(list("abcXYZ019 .,;:!?'\"()[]{}*_`~^$\\<>&#%|/-=+@\t\x08\u200bé中한Ω\n"))
# No line that reads as digest structure: the markdown writer puts a backslash before one (docs/security.md).
_text = st.text(_ALPHABET, max_size=60).filter(
    lambda s: "\n\n" not in s and not s.startswith("\n") and markdown_writer._text(s) == s
)
_line = st.text(st.sampled_from(list("abcXYZ019 .,;:!?'\"()[]{}*_`~^$\\<>&#%|/-=+@\t\x08é中")), min_size=1, max_size=40)
# A name never starts or ends with a space; one that did could not be told from a ", " separator.
_author = _line.filter(lambda s: "," not in s and s == s.strip())
_category = st.sampled_from(["cs.CV", "cs.CL", "hep-th", "cond-mat.mtrl-sci", "q-bio.NC"])
_arxiv_id = st.one_of(
    st.from_regex(r"\A[0-9]{4}\.[0-9]{5}\Z"),
    st.from_regex(r"\A(hep-th|math|cond-mat)/[0-9]{7}\Z"),
)


@st.composite
def papers(draw: st.DrawFn) -> Paper:
    arxiv_id = draw(_arxiv_id)
    category = draw(_category)
    return Paper(
        id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        title=draw(_line),
        authors=tuple(draw(st.lists(_author, min_size=1, max_size=5))),
        primary_category=category,
        categories=(category,),
        section=category,
        tldr=draw(_text),
        motivation=draw(_text),
        method=draw(_text),
        result=draw(_text),
        conclusion=draw(_text),
        abstract=draw(_text),
    )


_COMPARED = ("id", "url", "title", "authors", "primary_category", "tldr")
_COMPARED += ("motivation", "method", "result", "conclusion", "abstract")


@settings(max_examples=150, deadline=None)
@given(st.lists(papers(), min_size=1, max_size=6))
def test_markdown_write_then_read_keeps_every_field(generated: list[Paper]) -> None:
    sections = tuple(Section(category=c) for c in dict.fromkeys(p.section for p in generated if p.section))
    ordered = [p for s in sections for p in generated if p.section == s.category]
    digest = Digest(source="generated_2025-01-02.md", papers=tuple(ordered), sections=sections)
    out = io.BytesIO()
    get_writer("markdown").write([digest], out, {})
    back = get_reader("digest").read(out.getvalue(), "generated_2025-01-02.md")
    assert not back.errors
    assert len(back.papers) == len(ordered)
    for before, after in zip(ordered, back.papers, strict=True):
        for name in _COMPARED:
            assert getattr(after, name) == getattr(before, name), name
    assert [e.total for e in back.toc] == [sum(p.section == s.category for p in ordered) for s in sections]
    again = io.BytesIO()
    get_writer("markdown").write([back], again, {})
    assert again.getvalue() == out.getvalue()


@settings(max_examples=200, deadline=None)
@given(_arxiv_id, st.one_of(st.none(), st.integers(min_value=1, max_value=99)), st.sampled_from(["abs", "pdf"]))
def test_arxiv_ids_parse_from_every_url_form(arxiv_id: str, version: int | None, kind: str) -> None:
    suffix = f"v{version}" if version else ""
    for text in (
        f"{arxiv_id}{suffix}",
        f"https://arxiv.org/{kind}/{arxiv_id}{suffix}",
        f"http://arxiv.org/{kind}/{arxiv_id}{suffix}",
    ):
        assert parse_arxiv_id(text) == (arxiv_id, version)


@pytest.mark.parametrize(
    "text",
    ["", "2501.123", "https://example.com/abs/2501.01234", "arXiv", "2501.01234vx", "٢٥٠١.٠١٢٣٤", "2501.01234v٢"],
)
def test_non_ids_are_refused(text: str) -> None:
    assert parse_arxiv_id(text) is None


def test_paper_links() -> None:
    paper = Paper(id="2501.01234", version=2, url="https://arxiv.org/pdf/2501.01234v2", title="T")
    assert paper.abs_url == "https://arxiv.org/abs/2501.01234"
    assert paper.pdf_url == "https://arxiv.org/pdf/2501.01234"
    assert paper.doi == "10.48550/arXiv.2501.01234"
    assert paper.versioned_id == "2501.01234v2"
    assert paper.category is None and Paper(id="x", url="u", title="t", section="cs.CV").category == "cs.CV"


@settings(max_examples=100, deadline=None)
@given(papers(), st.one_of(st.none(), st.integers(1, 9)), st.dictionaries(_line, _text, max_size=3))
def test_the_fast_constructor_builds_the_same_frozen_paper(
    paper: Paper, version: int | None, extra: dict[str, str]
) -> None:
    values = {f.name: getattr(paper, f.name) for f in dataclasses.fields(Paper)}
    values.update(version=version, extra=extra, date=dt.date(2025, 1, 2), source=new_span("p.md", 7))
    fast, slow = new_paper(*values.values()), Paper(**values)
    assert type(fast) is Paper and fast == slow and repr(fast) == repr(slow)
    assert fast.source == SourceSpan(path="p.md", line=7) and hash(fast.source) == hash(slow.source)
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.title = "changed"  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(fast)) == fast == copy.deepcopy(fast)
    assert dataclasses.replace(fast, title="x").title == "x"


def test_the_fast_constructor_takes_every_field_by_position_in_field_order() -> None:
    for cls, built in ((Paper, new_paper), (SourceSpan, new_span)):
        parameters = inspect.signature(built).parameters.values()
        assert [p.name for p in parameters] == [f.name for f in dataclasses.fields(cls)]
        assert all(p.kind is p.POSITIONAL_ONLY and p.default is p.empty for p in parameters)
    with pytest.raises(TypeError):
        new_span(path="p.md", line=1)
    with pytest.raises(TypeError):
        new_span("p.md")


def test_the_fast_constructor_refuses_classes_it_cannot_build() -> None:
    @dataclasses.dataclass(frozen=True)
    class NoSlots:
        x: int

    @dataclasses.dataclass(slots=True)
    class NotFrozen:
        x: int

    for cls in (NoSlots, NotFrozen):
        with pytest.raises(TypeError, match="frozen, slotted"):
            fast_constructor(cls)


def test_toc_entries_keep_stated_totals() -> None:
    assert TocEntry(category="cs.CV", total=3).total == 3


# --- plugins --------------------------------------------------------------------------------


class SamplePluginReader(Reader):
    name: ClassVar[str] = "sample-plugin"
    description: ClassVar[str] = "a reader that a third party ships"
    suffixes: ClassVar[tuple[str, ...]] = (".sample",)

    def sniff(self, head: str, path: str) -> bool:
        return head.startswith("SAMPLE")

    def read(self, data: bytes, source: str) -> Digest:
        return Digest(source=source)


@pytest.fixture
def plugins(monkeypatch: pytest.MonkeyPatch) -> Any:
    entries = {
        registry.READER_GROUP: [
            EntryPoint("sample-plugin", f"{__name__}:SamplePluginReader", registry.READER_GROUP),
            EntryPoint("broken-plugin", "no_such_module_anywhere:Reader", registry.READER_GROUP),
            EntryPoint("not-a-reader", "json:dumps", registry.READER_GROUP),
        ],
        registry.WRITER_GROUP: [],
    }
    monkeypatch.setattr(registry, "entry_points", lambda group: entries[group])
    fresh_readers = registry._Catalogue("reader", registry.READER_GROUP, registry.BUILTIN_READERS, Reader)  # type: ignore[type-abstract]
    monkeypatch.setattr(registry, "_READERS", fresh_readers)
    return fresh_readers


def test_a_plugin_reader_is_found_and_a_broken_one_is_skipped(plugins: Any) -> None:
    assert "sample-plugin" in registry.reader_names()
    assert registry.detect_reader("SAMPLE data", "x.sample") == "sample-plugin"
    assert registry.origin("reader", "sample-plugin").startswith("plugin")
    errors = registry.plugin_errors()
    assert any("broken-plugin" in e for e in errors) and any("not-a-reader" in e for e in errors)
    assert "broken-plugin" not in registry.reader_names()
