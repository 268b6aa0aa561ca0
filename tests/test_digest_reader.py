"""The digest Markdown reader on the whole real corpus, its variants, and bad input."""

from __future__ import annotations

import io
import json
import re
from collections import Counter
from pathlib import Path

import pytest

from converters.errors import InputError
from converters.model import Digest
from converters.registry import get_reader, get_writer

from .conftest import CORPUS, SAMPLES, read_digest

pytestmark = pytest.mark.corpus

# An independent count of paper blocks: a "### [" line that links to arXiv.
_BLOCK_RE = re.compile(r"^### (?:\[\d+\] )?\[.*\]\(https?://arxiv\.org/(?:abs|pdf)/[^)\s]+\)\s*$", re.M)


def read_bytes(data: bytes, name: str = "x_2025-01-02.md") -> Digest:
    return get_reader("digest").read(data, name)


def by_name(digests: list[Digest], name: str) -> Digest:
    return next(d for d in digests if Path(d.source).name == name)


# --- the whole corpus ------------------------------------------------------------------


def test_every_corpus_file_is_read_and_counts_match(corpus: list[Path], corpus_digests: list[Digest]) -> None:
    assert len(corpus) == 36
    for path, digest in zip(corpus, corpus_digests, strict=True):
        text = path.read_bytes().decode("utf-8")
        assert len(digest.papers) == len(_BLOCK_RE.findall(text)), path.name
        assert digest.date is not None, path.name
        assert not digest.errors, (path.name, digest.errors)
    assert sum(len(d.papers) for d in corpus_digests) == 6466


def test_the_corpus_documentation_file_is_rejected_with_a_position() -> None:
    path = CORPUS / "SOURCES.md"
    if not path.exists():
        pytest.skip("corpus missing")
    with pytest.raises(InputError) as caught:
        read_bytes(path.read_bytes(), str(path))
    assert caught.value.source is not None and caught.value.source.line >= 1
    assert "not an arXiv digest" in caught.value.message


def test_templates_are_recognised(corpus_digests: list[Digest]) -> None:
    templates = {Path(d.source).name: d.template for d in corpus_digests}
    assert templates["dw-dengwei__2025-03-18.md"] == "v0"
    assert templates["dw-dengwei__2025-03-21.md"] == "v1"
    assert templates["dw-dengwei__2025-04-15.md"] == "v2"
    assert templates["dw-dengwei__2025-04-17.md"] == "v3"
    assert templates["fyrsta7__2026-07-22.md"] == "v3-variant"
    assert templates["xmkxabc__2025-06-29.md"] == "restyle"
    assert templates["linyueqian__2025-04-22.md"] == "no-papers"
    assert Counter(templates.values())["v3"] == 26


def _jsonl_pairs() -> list[tuple[Path, Path]]:
    pairs = []
    for jsonl in sorted((CORPUS / "jsonl").glob("*.jsonl")):
        markdown = CORPUS / (jsonl.name.split("_AI_enhanced_")[0] + ".md")
        pairs.append((markdown, jsonl))
    return pairs


@pytest.mark.parametrize("markdown,jsonl", _jsonl_pairs(), ids=lambda p: p.name)
def test_ground_truth_agreement_field_for_field(markdown: Path, jsonl: Path) -> None:
    """Every paper the Markdown shows equals its JSONL record exactly (digest-format.md section 7)."""
    digest = read_digest(markdown)
    records = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(digest.papers) == len(records)
    by_id = {r["id"]: r for r in records}
    for paper in digest.papers:
        record = by_id[paper.id]
        ai = record["AI"]
        assert paper.url == record["abs"]
        assert paper.title == record["title"]
        assert paper.authors == tuple(record["authors"])
        assert paper.abstract == record["summary"]
        assert paper.tldr == ai.get("tldr", ai.get("task"))
        for name in ("motivation", "method", "result", "conclusion"):
            assert getattr(paper, name) == ai[name], (paper.id, name)
        if digest.template != "v1":  # V1 shows no category
            assert paper.primary_category == record["categories"][0]
    numbers = [p.number for p in digest.papers]
    assert numbers == (list(range(1, len(numbers) + 1)) if digest.template != "v1" else [None] * len(numbers))


def test_current_template_files_round_trip_byte_for_byte(corpus: list[Path], corpus_digests: list[Digest]) -> None:
    checked = 0
    for path, digest in zip(corpus, corpus_digests, strict=True):
        if digest.template != "v3":
            continue
        out = io.BytesIO()
        get_writer("markdown").write([digest], out, {})
        assert out.getvalue() == path.read_bytes(), path.name
        checked += 1
    assert checked == 26


# --- what the spec calls out -------------------------------------------------------------


def test_hard_wrapped_abstract_keeps_column_zero_labels(corpus_digests: list[Digest]) -> None:
    digest = by_name(corpus_digests, "dw-dengwei__2025-04-29.md")
    abstracts = [p.abstract or "" for p in digest.papers]
    assert any("\nConclusion: SPR is an inherently complex task" in a for a in abstracts)
    assert all(not a.endswith("\n") for a in abstracts)


def test_multi_line_fields_and_control_characters_come_through(corpus_digests: list[Digest]) -> None:
    methods = [p.method or "" for p in by_name(corpus_digests, "dw-dengwei__2025-08-19.md").papers]
    assert any(re.search(r"\n2\)", m) for m in methods)
    texts = [v for p in by_name(corpus_digests, "dw-dengwei__2025-07-11.md").papers for v in (p.tldr, p.method) if v]
    assert any("S\textsc{urprise}3D" in t for t in texts)
    tldrs = [p.tldr or "" for p in by_name(corpus_digests, "Alice-Shimada__2026-03-23.md").papers]
    assert any("\x08ar" in t for t in tldrs)
    restyle = by_name(corpus_digests, "xmkxabc__2025-06-29.md")
    assert any("\u200b" in v for p in restyle.papers for v in p.extra.values())


def test_empty_tldr_is_an_empty_string(corpus_digests: list[Digest]) -> None:
    paper = next(p for p in by_name(corpus_digests, "sanghyun-son__2025-08-21.md").papers if p.number == 152)
    assert paper.tldr == ""


def test_three_thousand_authors_on_one_line(corpus_digests: list[Digest]) -> None:
    paper = max(by_name(corpus_digests, "dw-dengwei__2025-07-10.md").papers, key=lambda p: len(p.authors))
    assert len(paper.authors) == 3303


def test_titles_keep_tags_and_brackets(corpus_digests: list[Digest]) -> None:
    titles = [p.title for p in by_name(corpus_digests, "dw-dengwei__2025-09-11.md").papers]
    assert any(t.startswith("<think> So let's replace this phrase with insult") for t in titles)
    assert any("in <100LOC" in p.title for p in by_name(corpus_digests, "wlsgur073__2026-06-14.md").papers)


def test_older_templates(corpus_digests: list[Digest]) -> None:
    v0 = by_name(corpus_digests, "dw-dengwei__2025-03-18.md")
    assert all(p.abstract and p.tldr is None and p.number is None for p in v0.papers)
    assert sum(p.code == "duplicate-paper" for p in v0.problems) == 137
    v2 = by_name(corpus_digests, "dw-dengwei__2025-04-15.md")
    assert all(p.tldr is not None for p in v2.papers)
    assert sum(p.code == "duplicate-paper" for p in v2.problems) == 351
    first, again = v2.papers[0], next(p for p in v2.papers[1:] if p.id == v2.papers[0].id)
    assert first.tldr != again.tldr  # kept, not merged: the AI text differs


def test_fork_variants(corpus_digests: list[Digest]) -> None:
    lin = by_name(corpus_digests, "linyueqian__2025-06-17.md")
    assert lin.author_separator == ", " and all(p.url.startswith("https://arxiv.org/pdf/") for p in lin.papers)
    assert len(lin.papers) == 962
    fyrsta = by_name(corpus_digests, "fyrsta7__2026-07-22.md")
    paper = fyrsta.papers[0]
    assert list(paper.extra) == ["Selection reason"]
    assert paper.abstract and paper.abstract.startswith("Modern agentic systems")
    assert paper.abstract_translation and paper.abstract_translation.startswith("现代智能体系统")  # 中文摘要
    backfill = by_name(corpus_digests, "fyrsta7__2026-04-18.md")
    assert {p.version for p in backfill.papers} >= {1, 2}
    assert any(p.conclusion and p.conclusion.endswith("\n}") for p in backfill.papers)
    restyle = by_name(corpus_digests, "xmkxabc__2025-06-29.md")
    cross = next(p for p in restyle.papers if len(p.categories) > 1)
    assert cross.primary_category == cross.categories[0] == cross.section
    assert {"Translated title", "Keywords", "AI_Comments", "ai_Abstract"} <= set(cross.extra)
    assert cross.abstract_translation  # 摘要翻译
    assert sorted(p.number or 0 for p in restyle.papers) == list(range(1, 451))
    broken = by_name(corpus_digests, "xmkxabc__610-2319__2025-06-10.md")
    assert "Timothy J. O'Donnell" in broken.papers[2].authors
    assert (
        broken.papers[0].comment
        == "Accepted for publication at CAV 2025, the 37th International\n  Conference on Computer Aided Verification"
    )
    assert [p.code for p in broken.problems] == ["unfilled-placeholder"]
    assert broken.papers[0].tldr == "" and broken.papers[0].primary_category is None


def test_problems_are_reported_with_lines(corpus_digests: list[Digest]) -> None:
    codes = {Path(d.source).name: Counter(p.code for p in d.problems) for d in corpus_digests}
    assert codes["dw-dengwei__2026-03-30.jsonl.md"] == {"toc-total-mismatch": 1, "empty-section": 1, "no-papers": 1}
    assert codes["linyueqian__2025-04-23.md"] == {"empty-section": 1}
    assert codes["linyueqian__2025-04-22.md"] == {"no-papers": 1}
    assert codes["zihu97__2026-05-09.md"] == {"no-papers": 1}
    assert codes["dw-dengwei__2026-07-01.md"] == {}
    empty = next(p for p in by_name(corpus_digests, "linyueqian__2025-04-23.md").problems)
    assert empty.source.line > 1 and "cs.MM" in empty.message


def test_sections_and_toc_are_kept(corpus_digests: list[Digest]) -> None:
    digest = by_name(corpus_digests, "dw-dengwei__2026-07-01.md")
    assert [e.category for e in digest.toc] == [s.category for s in digest.sections]
    assert [e.total for e in digest.toc] == [
        sum(p.section == s.category for p in digest.papers) for s in digest.sections
    ]


# --- the samples and synthetic edge cases -----------------------------------------------------


def test_crlf_and_bom_sample() -> None:
    data = (SAMPLES / "awkward-2025-01-04.md").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    digest = read_bytes(data, "awkward-2025-01-04.md")
    first = digest.papers[0]
    assert first.title == '[RE] Re-examining "Grokking": <answer> Tags, $O(n^2)$ Costs & the [MASK] Token'
    assert first.version == 2 and first.id == "2501.04004"
    assert first.authors == ("A. *Star* Author", "B_underscore Person", "Ç. Ödegaard")
    assert first.tldr == ""
    assert (
        first.method
        == "Retrain with S\textsc{urprise} schedules; the model\x08s weights are compared.\n  An indented continuation line."
    )
    assert first.abstract is not None and "\nConclusion: this line" in first.abstract and "\r" not in first.abstract
    assert dict(first.extra) == {"Selection reason": "kept because the title is hard to parse."}
    assert {p.code for p in digest.problems} == {"toc-total-mismatch", "empty-section", "duplicate-paper"}


def test_same_text_with_lf_and_crlf_reads_the_same() -> None:
    data = (SAMPLES / "digest-2025-01-02.md").read_bytes()
    plain = read_bytes(data)
    crlf = read_bytes(b"\xef\xbb\xbf" + data.replace(b"\n", b"\r\n"))
    assert plain.papers == crlf.papers


def test_old_style_ids() -> None:
    digest = read_bytes((SAMPLES / "digest-2025-01-02.md").read_bytes())
    old = next(p for p in digest.papers if "/" in p.id)
    assert old.id == "hep-th/9901001" and old.abs_url == "https://arxiv.org/abs/hep-th/9901001"


@pytest.mark.parametrize(
    "data,message",
    [
        (b"", "empty"),
        (b"   \n\n", "empty"),
        (b"\x00\x01\x02binary", "binary"),
        (b"### [1] [T](https://arxiv.org/abs/2501.00001)\n" + b"\xff\xfe", "UTF-8"),
        (b"# My project\n\nSome README text.\n\n## Install\n\npip install it\n", "not an arXiv digest"),
    ],
)
def test_garbage_is_an_input_error_with_a_line(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_bytes(data)
    assert message in caught.value.message
    assert caught.value.source is not None and caught.value.source.line >= 1


def test_a_link_that_is_no_web_address_is_an_error_problem_not_a_crash() -> None:
    text = (SAMPLES / "digest-2025-01-03.md").read_text(encoding="utf-8")
    broken = text.replace("https://arxiv.org/abs/2501.03003", "paper.html")
    digest = read_bytes(broken.encode())
    assert len(digest.papers) == 1
    assert [p.code for p in digest.errors] == ["bad-url"]


def test_a_web_address_that_is_not_arxiv_is_a_work_identified_by_its_url() -> None:
    text = (SAMPLES / "digest-2025-01-03.md").read_text(encoding="utf-8")
    other = text.replace("https://arxiv.org/abs/2501.03003", "https://example.org/paper/42")
    digest = read_bytes(other.encode())
    assert not digest.errors and len(digest.papers) == 2
    work = digest.papers[0]
    assert (work.id_scheme, work.id, work.link) == (
        "url",
        "https://example.org/paper/42",
        "https://example.org/paper/42",
    )
    assert work.abs_url is None and work.doi is None and work.tldr  # read like any other paper


def test_a_truncated_file_reports_the_unclosed_paper() -> None:
    text = (SAMPLES / "digest-2025-01-03.md").read_text(encoding="utf-8")
    digest = read_bytes(text[: text.rindex("</details>")].encode())
    assert len(digest.papers) == 1
    assert [p.code for p in digest.errors] == ["unclosed-paper"]


def test_all_corpus_files_are_listed(corpus: list[Path]) -> None:
    assert len(corpus) == 36
