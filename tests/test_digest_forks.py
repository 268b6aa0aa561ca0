"""The digest reader on layouts forks invent: the real fork corpus, hand-written families, user labels.

The real files are ``../shared/corpus/forks`` (one per family, see its SOURCES.md);
``tests/data/forks`` holds hand-written files of families the corpus has no file
of (list items, ``## N. Title`` with a PDF link, a bare-URL label, double
brackets with emoji bullets, Japanese labels, labels nobody knows).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
from click.testing import CliRunner

from cli import main
from converters.errors import InputError
from converters.model import AI_FAILURE_KEYS, Digest, parse_work_link
from converters.readers.base import ReadOptions
from converters.readers.digest.fields import split_author_text
from converters.readers.digest.vocabulary import check_labels, normalise, vocabulary
from converters.registry import get_reader

from .conftest import CORPUS, ROOT, read_digest

DATA = ROOT / "tests" / "data" / "forks"
# Every arXiv or DOI link a file holds, wherever it is.
_WORK_LINK_RE = re.compile(r"https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf|html)/|(?:dx\.)?doi\.org/10\.)[^\s)\]>\"']+")


def by_name(digests: list[Digest], name: str) -> Digest:
    return next(d for d in digests if Path(d.source).name == name)


def linked_works(path: Path) -> set[tuple[str, str]]:
    found = set()
    for link in _WORK_LINK_RE.finditer(path.read_text(encoding="utf-8")):
        work = parse_work_link(link.group().rstrip(".,;"))
        if work is not None:
            found.add((work.scheme, work.id))
    return found


def read(path: Path, labels: tuple[tuple[str, str], ...] = ()) -> Digest:
    reader = get_reader("digest")
    reader.options = ReadOptions(labels=labels)
    return reader.read(path.read_bytes(), str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path))


@pytest.fixture(scope="module")
def forks(fork_corpus: list[Path]) -> list[Digest]:
    return [read_digest(path) for path in fork_corpus]


# --- the real forks ---------------------------------------------------------------------------


def test_every_fork_is_read_without_errors_and_papers_equal_the_works_it_links(
    fork_corpus: list[Path], forks: list[Digest]
) -> None:
    counts = {Path(d.source).name: len(d.papers) for d in forks}
    assert counts == {
        "Jiayihua2001__2026-05-12.md": 7,
        "Straw674__2025-10-01.md": 70,
        "Straw674__2026-07-01.md": 108,
        "StringsLi__2026-06-28.md": 10,
        "Tony-tpc__report_2025-11-27.md": 20,
        "junle-chen__2025-06-08.md": 82,
        "junle-chen__2025-12-13_database.md": 3,
    }
    for path, digest in zip(fork_corpus, forks, strict=True):
        assert not digest.errors, (path.name, digest.errors)
        assert {(p.id_scheme, p.id) for p in digest.papers} == linked_works(path), path.name
        assert all(p.title for p in digest.papers), path.name


def test_every_real_paper_is_read_and_no_link_is_left_behind(corpus: list[Path], corpus_digests: list[Digest]) -> None:
    """Every arXiv id a real digest links to is one of its papers (DOIs may be in abstracts: zenodo data)."""
    for path, digest in zip(corpus, corpus_digests, strict=True):
        papers = {(p.id_scheme, p.id) for p in digest.papers}
        linked = linked_works(path)
        assert {w for w in linked if w[0] == "arxiv"} == {w for w in papers if w[0] == "arxiv"}, path.name
        assert papers <= linked, path.name


def test_bold_tldr_and_background_fork(forks: list[Digest]) -> None:
    digest = by_name(forks, "Straw674__2025-10-01.md")
    paper = digest.papers[0]
    assert paper.tldr and paper.tldr.startswith("通过行星状星云(PNe)宇宙学模拟框架")  # **TL;DR**:
    assert paper.motivation and paper.motivation.startswith("行星状星云（PNe）的理论理解")  # Background:
    assert paper.method and paper.result and paper.abstract and paper.abstract.startswith("For decades")
    assert list(paper.extra) == ["Data"]
    assert not [p for p in digest.problems if p.code == "unlabelled-text"]


def test_anchor_headings_with_heading_labels(forks: list[Digest]) -> None:
    digest = by_name(forks, "Straw674__2026-07-01.md")
    paper = digest.papers[0]
    assert (paper.id, paper.version) == ("2606.31978", 1)
    assert paper.title.startswith("COSMOS-Web: does halo mass alone shape")
    assert paper.motivation and paper.motivation.startswith("在标准宇宙学模型中")  # ### Background
    assert paper.tldr and "\n- 在控制晕质量后" in paper.tldr  # ### Summary, its list kept
    assert paper.extra["Relevance"] == "`0.6274`"
    assert digest.template == "general" and paper.section == "Galaxy Formation and Evolution"
    assert [p.code for p in digest.problems] == ["missing-authors"]  # this layout has none: one warning


def test_chinese_plain_labels_and_slashes(forks: list[Digest]) -> None:
    paper = by_name(forks, "StringsLi__2026-06-28.md").papers[0]
    assert paper.tldr and paper.tldr.startswith("高维GAN可解模型")  # 一句话结论
    assert paper.motivation and paper.motivation.startswith("现有可解GAN理论")  # 研究动机
    assert paper.method and paper.method.startswith("在高维极限下")  # 主要方法
    assert paper.result and paper.result.startswith("理论预测的ODE动力学")  # 主要结果
    assert paper.conclusion and paper.conclusion.startswith("结构化潜在协方差")  # 结论
    assert paper.abstract and paper.abstract.startswith("We study a solvable")  # 英文原始摘要
    assert paper.abstract_translation and paper.abstract_translation.startswith("我们研究了")  # 中文摘要
    assert paper.primary_category == "数值计算与科学计算"  # 主分类
    assert paper.extra["实验 / 验证"].startswith("数值模拟验证ODE") and paper.extra["局限 / 后续问题"] == ""
    assert {"研究问题", "主要创新点", "来源", "期刊", "DOI", "免费全文"} <= set(paper.extra)


def test_numbered_headings_with_the_id_in_a_pdf_link(forks: list[Digest]) -> None:
    digest = by_name(forks, "Tony-tpc__report_2025-11-27.md")
    paper = digest.papers[0]
    assert (paper.id, paper.version, paper.number) == ("2511.21620", 1, 1)
    assert paper.title.startswith("Mean-square exponential stability")
    assert paper.authors == ("Jina Yang", "Ky Quan Tran")
    assert paper.categories == ("math.NA", "math.PR") and paper.primary_category == "math.NA"
    assert paper.tldr and paper.tldr.startswith("本文研究了含马尔可夫切换")  # **总结**: with the text below
    truncated = digest.papers[2]
    assert truncated.authors == ("Yun Liu", "Chen Cui", "Shi Shu") and truncated.extra["Authors"].endswith("et al.")
    assert digest.title == "📚 每日 arXiv 论文总结" and not digest.problems  # 论文数量: 20 篇 agrees


def test_headings_without_details_and_a_quoted_abstract(forks: list[Digest]) -> None:
    paper = by_name(forks, "junle-chen__2025-06-08.md").papers[0]
    assert paper.tldr and paper.tldr.startswith("提出了一种动态Epsilon调度")  # **一句话总结:**
    assert paper.authors[:2] == ("Alan Mitkiy", "James Smith") and len(paper.authors) == 6  # no padding
    assert paper.categories == ("cs.CV", "cs.LG")  # `cs.CV`, `cs.LG`
    assert paper.abstract is None  # the layout gives only the translation
    assert paper.abstract_translation and paper.abstract_translation.startswith("对抗训练是防御深度神经网络")
    assert not paper.abstract_translation.startswith(">")  # the quote marks are gone


def test_ai_failure_text_and_fields_after_details(forks: list[Digest]) -> None:
    digest = by_name(forks, "junle-chen__2025-12-13_database.md")
    paper = digest.papers[0]
    assert paper.tldr is None and paper.motivation is None and paper.conclusion is None
    assert paper.extra[AI_FAILURE_KEYS["tldr"]] == "达到API配额限制，请明天再试"
    assert paper.extra[AI_FAILURE_KEYS["motivation"]] == "Error: API quota exceeded"
    assert paper.extra[AI_FAILURE_KEYS["conclusion"]] == "请联系管理员或等待明天API配额重置。"
    assert paper.abstract and paper.abstract.startswith("PANDA is a powerful")
    assert paper.categories == ("cs.DB", "cs.IT", "math.PR")  # from the line after </details>
    assert [s.category for s in digest.sections] == ["cs.DB", "cs.DS"]
    assert [(e.category, e.total) for e in digest.toc] == [("cs.DB", 2), ("cs.DS", 1)]
    codes = Counter(p.code for p in digest.problems)
    assert codes["ai-failure"] == 1 and "15 AI field(s)" in next(
        p.message for p in digest.problems if p.code == "ai-failure"
    )


def test_doi_entries_are_works(forks: list[Digest]) -> None:
    digest = by_name(forks, "Jiayihua2001__2026-05-12.md")
    assert {p.id_scheme for p in digest.papers} == {"doi"}
    assert digest.papers[0].id == "10.1016/j.seppur.2026.138415"
    assert (
        digest.papers[0].link == "https://doi.org/10.1016/j.seppur.2026.138415"
        and digest.papers[0].doi == digest.papers[0].id
    )
    assert not digest.problems and digest.template == "v3"


def test_upstream_fallback_texts_are_ai_failures(corpus_digests: list[Digest]) -> None:
    digest = next(d for d in corpus_digests if d.source.endswith("dw-dengwei__2026-05-21.md"))
    failed = [p for p in digest.papers if AI_FAILURE_KEYS["tldr"] in p.extra]
    assert len(failed) == 48 and all(p.tldr is None for p in failed)
    assert failed[0].extra[AI_FAILURE_KEYS["tldr"]] == "Summary generation failed"
    assert [p.code for p in digest.problems] == ["ai-failure"]


# --- hand-written families --------------------------------------------------------------------


def test_list_items_with_indented_details() -> None:
    digest = read(DATA / "list-items-2025-11-20.md")
    assert [(p.id_scheme, p.id) for p in digest.papers] == [
        ("arxiv", "2511.10001"),
        ("arxiv", "2511.10002"),
        ("doi", "10.1038/s41586-025-00001-x"),
        ("pmid", "39000001"),
    ]
    first = digest.papers[0]
    assert first.title == "Sparse Mixtures Learn Faster Than Dense Ones"
    assert first.authors == ("Ana Silva", "Bo Chen", "Carla Díaz")  # "and"
    assert first.tldr == "Sparse mixtures of experts reach the dense loss in half the steps."
    assert first.abstract == (
        "We show that sparse mixtures of experts converge faster than dense models\n"
        "of the same compute.\nMethods: this line starts with a label but is abstract text."
    )
    assert digest.papers[1].authors == ("Dan Wu", "Eve Park") and digest.papers[1].version == 2  # ";"
    assert digest.papers[2].authors == ("F. Gómez", "H. Ito")  # "et al." dropped, kept in extra
    assert [p.section for p in digest.papers] == ["cs.LG", "cs.LG", "Other sources", "Other sources"]
    assert not digest.problems


def test_numbered_headings_with_bold_labels() -> None:
    digest = read(DATA / "numbered-pdf-2025-11-21.md")
    first, second = digest.papers
    assert (first.id, first.version, first.number, first.title) == (
        "2511.20001",
        1,
        1,
        "Low-Rank Adapters Without Tears",
    )
    assert first.categories == ("cs.LG", "stat.ML")
    assert first.tldr == "Low-rank adapters are trained with a closed-form initialisation.\nTwo lines of summary."
    assert second.authors == ("Ada Lovelace",) and second.number == 2
    assert not digest.problems  # "**Papers**: 2" agrees, "**Date**" agrees with the file name


def test_headings_with_a_title_label_and_a_bare_url() -> None:
    digest = read(DATA / "bare-url-2025-11-22.md")
    first, second = digest.papers
    assert (first.id, first.number, first.title) == ("2511.21491", 1, "Graph Neural Solvers for Elasticity")
    assert first.authors == ("刘云", "崔晨", "舒适")  # full-width commas
    assert first.tldr == "图神经求解器加速了线弹性方程的求解。"
    assert first.abstract == "We propose a vertex-based graph neural solver for linear elasticity."
    assert (second.id, second.version) == ("2511.21418", 2)
    assert not digest.problems


def test_double_brackets_and_emoji_bullets() -> None:
    digest = read(DATA / "double-brackets-2025-11-23.md")
    paper = digest.papers[0]
    assert paper.title == "Video Diffusion With Sparse Keyframes" and (paper.id, paper.version) == ("2511.23001", 1)
    assert paper.authors == ("Lin Mei", "Wang Siyuan", "Zhang Liang")  # **👥 作者**
    assert paper.categories == ("cs.CV", "cs.LG")
    assert (paper.tldr, paper.motivation, paper.method, paper.result, paper.conclusion) == (
        "只用稀疏关键帧即可训练视频扩散模型。",
        "视频扩散模型训练成本高。",
        "在关键帧之间插值潜变量。",
        "训练时间减半，质量不变。",
        "稀疏关键帧足以训练视频扩散模型。",
    )
    assert not digest.problems


def test_japanese_labels() -> None:
    paper = read(DATA / "japanese-2025-11-24.md").papers[0]
    assert paper.primary_category == "cs.CL" and paper.tldr and paper.tldr.startswith("少資源言語")  # 主カテゴリ, 要約
    assert (paper.motivation or "").startswith("少資源言語には") and (paper.method or "").startswith("高資源言語")
    assert (paper.result or "").startswith("8言語") and (paper.conclusion or "").startswith("自動生成データ")
    assert paper.abstract == "We generate reading comprehension data for low-resource languages."


def test_invented_labels_warn_once_and_read_fully_with_a_labels_file() -> None:
    plain = read(DATA / "invented-labels-2025-11-25.md")
    assert [p.code for p in plain.problems] == ["unmapped-labels"]
    assert "'Gist'" in plain.problems[0].message and "--labels" in plain.problems[0].message
    labels = check_labels({"Gist": "tldr", "Why it matters": "motivation", "Recipe": "method", "Outcome": "result"})
    mapped = read(DATA / "invented-labels-2025-11-25.md", labels).papers[0]
    assert mapped.tldr == "Planning from the goal backwards halves the search."
    assert mapped.motivation == "Forward planners waste most of their budget." and mapped.result and mapped.method
    assert set(mapped.extra) == {"Bottom line", "In full"}


def test_labels_file_and_configuration_through_the_cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    digest = str(DATA / "invented-labels-2025-11-25.md")
    result = CliRunner().invoke(
        main, ["convert", digest, "--to", "jsonl", "--labels", str(DATA / "invented-labels.toml")]
    )
    assert result.exit_code == 0 and '"conclusion": "Backward search is a cheap win for agents."' in result.stdout
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.arxport.labels]\n"Bottom line" = "conclusion"\n'
    )
    result = CliRunner().invoke(main, ["convert", digest, "--to", "jsonl"])
    assert result.exit_code == 0 and '"conclusion": "Backward search is a cheap win for agents."' in result.stdout
    (tmp_path / "pyproject.toml").write_text('[tool.arxport.labels]\n"Bottom line" = "conclusions"\n')
    result = CliRunner().invoke(main, ["check", digest])
    assert result.exit_code == 2 and "pyproject.toml:2:" in result.output and "conclusions" in result.output
    (tmp_path / "pyproject.toml").write_text("[tool.arxport]\nlables = {}\n")
    result = CliRunner().invoke(main, ["check", digest])
    assert result.exit_code == 2 and "pyproject.toml:2: unknown key 'lables'" in result.output


# --- the vocabulary, failure text, authors, NUL bytes ---------------------------------------


def test_labels_are_compared_without_their_decoration() -> None:
    field = vocabulary().field_of
    assert [field(x) for x in ("**TL;DR**", "tldr", "👥 作者", "中文摘要 (Abstract in Chinese)", "实验 / 验证")] == [
        "tldr",
        "tldr",
        "authors",
        "abstract_translation",
        None,
    ]
    assert normalise("  **Main  Category：** ") == "main category"
    assert field("一句话总结") == field("Summary") == field("요약") == field("要約") == "tldr"


@pytest.mark.parametrize(
    "text",
    [
        "Summary generation failed",
        "Motivation analysis unavailable",
        "Error: API quota exceeded",
        "error: 429 Too Many Requests",
        "达到API配额限制，请明天再试",
        "请联系管理员或等待明天API配额重置。",
        "错误：AI分析失败。",
        "This content has not passed the compliance test and has been\nhidden.",
        "要約の生成に失敗しました",
        "요약 생성 실패",
    ],
)
def test_ai_failure_messages_are_recognised(text: str) -> None:
    assert vocabulary().is_ai_failure(text)


@pytest.mark.parametrize(
    "text",
    [
        "This paper studies rate limits in LLM serving.",
        "Errors in reward models are analysed.",
        "提出了一种新的配额分配方法。",
        "生成式模型在小样本下的表现。",
        "",
        "The summary generation failed to capture context in prior work, so we propose X." * 3,
    ],
)
def test_summaries_are_not_ai_failures(text: str) -> None:
    assert not vocabulary().is_ai_failure(text)


@pytest.mark.parametrize(
    "text,names,truncated",
    [
        ("A, B, C", ("A", "B", "C"), False),
        ("A,B,C", ("A", "B", "C"), False),
        ("甲，乙，丙", ("甲", "乙", "丙"), False),
        ("A; B; C", ("A", "B", "C"), False),
        ("A, B and C", ("A", "B", "C"), False),
        ("A & B", ("A", "B"), False),
        ("A, B, C et al.", ("A", "B", "C"), True),
        ("A, B et al", ("A", "B"), True),
        ("['A', \"B'C\"]", ("A", "B'C"), False),
        ("Mary Anderson, Sandra Bland", ("Mary Anderson", "Sandra Bland"), False),
    ],
)
def test_author_label_values_split_every_way_forks_write_them(
    text: str, names: tuple[str, ...], truncated: bool
) -> None:
    assert split_author_text(text) == (names, truncated)


def test_no_author_name_has_padding_anywhere(
    fork_corpus: list[Path], forks: list[Digest], corpus_digests: list[Digest]
) -> None:
    for digest in [*forks, *corpus_digests]:
        assert all(a and a == a.strip() for p in digest.papers for a in p.authors), digest.source


def test_a_nul_byte_is_a_warning_and_the_rest_is_read() -> None:
    text = (ROOT / "samples" / "digest-2025-01-02.md").read_bytes()
    broken = text[:600] + b"\x00" + text[600:]
    digest = get_reader("digest").read(broken, "day-2025-01-02.md")
    assert len(digest.papers) == len(get_reader("digest").read(text, "day-2025-01-02.md").papers)
    assert [p.code for p in digest.problems] == ["nul-byte"] and digest.problems[0].source.line > 1
    with pytest.raises(InputError, match="binary"):
        get_reader("digest").read(b"\x00" * 64 + text, "day-2025-01-02.md")


def test_the_corpus_has_no_fork_files_in_the_real_folder() -> None:
    """The two corpora stay apart: real/ is the upstream family, forks/ the restyles."""
    assert not (CORPUS / "Straw674__2025-10-01.md").exists()
