"""Properties of the digest reader: it never fails on any text, and reads back what the markdown writer wrote.

The first property runs on arbitrary text and on text built from the pieces
digests and forks are made of (headings at any level, list items, bold and
plain labels, links to arXiv and DOIs, quotes, details blocks), so the general
segmenter and field parser meet every combination, not only the corpus's.
"""

from __future__ import annotations

import datetime as dt
import io

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from converters.errors import InputError
from converters.model import Digest, Paper
from converters.readers.digest.vocabulary import vocabulary
from converters.registry import get_reader, get_writer
from converters.writers import markdown as markdown_writer

_PIECES = st.sampled_from(
    [
        "# Title 2025-01-02",
        "## cs.LG",
        "## 1. A Title",
        "### [1] [T](https://arxiv.org/abs/2501.00001)",
        "### [[T]](http://arxiv.org/abs/2501.00002v1)",
        '## <a id="x"></a>[T](https://arxiv.org/abs/2501.00003) [[back]](#toc)',
        "- **[T](https://arxiv.org/abs/2501.00004)**",
        "- [T](https://doi.org/10.1000/xyz)",
        "**[T](https://pubmed.ncbi.nlm.nih.gov/123/)**",
        "*A, B*",
        "*A,B* | **Category: cs.CV**",
        "**Authors:** A, B et al.",
        "**链接**: [2501.00005v1](https://arxiv.org/pdf/2501.00005v1)",
        "**arXiv:** https://arxiv.org/abs/2501.00006",
        "TL;DR: t",
        "**TL;DR**: t",
        "*   **👥 作者**: 甲，乙",
        "Main category: cs.CV",
        "一句话结论: x",
        "实验 / 验证: y",
        "### Summary",
        "#### 中文摘要 (Abstract in Chinese)",
        "> quoted",
        "> **TL;DR:** q",
        "<details>",
        "<details open>",
        "  <summary>Abstract</summary>",
        "  <summary>Details</summary>",
        "</details>",
        "---",
        "[**[PDF]**](https://arxiv.org/pdf/2501.00007) | **Categories:** cs.DB",
        "- [cs.LG (2)](#cs-lg)",
        "<div id='cs.LG'></div>",
        "# Table of Contents",
        "Error: API quota exceeded",
        "Abstract: a\nMethods: b",
        "{tldr}",
        "",
        "   ",
        "text",
    ]
)
_ANY_LINE = st.one_of(_PIECES, st.text(max_size=30))


def _read(text: str, name: str = "x-2025-01-02.md") -> Digest | None:
    try:
        return get_reader("digest").read(text.encode("utf-8", "surrogatepass"), name)
    except InputError:
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_ANY_LINE, max_size=40))
def test_any_lines_give_papers_and_problems_or_an_input_error(lines: list[str]) -> None:
    digest = _read("\n".join(lines))
    if digest is not None:
        assert all(p.title is not None and p.id for p in digest.papers)
        assert all(p.source is not None and p.source.line >= 1 for p in digest.papers)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gives_a_digest_or_an_input_error(text: str) -> None:
    _read(text)


# --- the markdown writer's output reads back --------------------------------------------------

# What the current template can carry: a field ends at the blank line before the next one, so a
# value holds no blank line; titles are one line without "]("; names hold no comma. Nothing else
# is excluded (control characters, CJK, label-like lines, Markdown and HTML are all kept).
_CHARS = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\x00")
_VALUE = st.text(_CHARS, max_size=60).filter(lambda v: "\n\n" not in v and not v.endswith("\n"))
_LINE = st.text(_CHARS, min_size=1, max_size=40).filter(lambda v: "\n" not in v)
_TITLE = _LINE.filter(lambda v: "](" not in v and v.strip() == v and not v.startswith("[") and not v.endswith("]"))
_NAME = _LINE.filter(lambda v: "," not in v and v.strip() == v and "*" not in v and not v.startswith("["))
_CATEGORY = st.sampled_from(["cs.LG", "cs.CV", "hep-th", "q-bio.NC"])


@st.composite
def _papers(draw: st.DrawFn) -> list[Paper]:
    count = draw(st.integers(min_value=1, max_value=4))
    failure = vocabulary().is_ai_failure
    papers = []
    for number in range(1, count + 1):
        texts = [draw(_VALUE) for _ in range(6)]
        assume(not any(failure(t) for t in texts[:5]))  # failure messages are read into extra, by design
        assume(not any(t.strip().startswith("{") and t.strip().endswith("}") for t in texts))  # placeholders
        # A line that would read as the digest's structure (a heading, <details>, an anchor) is written with a
        # backslash so that it cannot end its paper or make another (docs/security.md): it reads back with it.
        assume(all(markdown_writer._text(t) == t for t in texts))
        category = draw(_CATEGORY)
        papers.append(
            Paper(
                id=f"2501.{10000 + number}",
                url=f"https://arxiv.org/abs/2501.{10000 + number}",
                title=draw(_TITLE),
                authors=tuple(draw(st.lists(_NAME, min_size=1, max_size=3))),
                primary_category=category,
                categories=(category,),
                section=category,
                number=number,
                tldr=texts[0],
                motivation=texts[1],
                method=texts[2],
                result=texts[3],
                conclusion=texts[4],
                abstract=texts[5],
                date=dt.date(2025, 1, 2),
            )
        )
    # The writer groups papers by section: number them in the order they will be written.
    ordered = sorted(papers, key=lambda p: [q.section for q in papers].index(p.section))
    return [Paper(**{**_fields(p), "number": i}) for i, p in enumerate(ordered, start=1)]


def _fields(paper: Paper) -> dict[str, object]:
    return {name: getattr(paper, name) for name in Paper.__dataclass_fields__}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(_papers())
def test_a_paper_the_markdown_writer_wrote_reads_back_equal(papers: list[Paper]) -> None:
    out = io.BytesIO()
    get_writer("markdown").write([Digest(source="x-2025-01-02.md", papers=tuple(papers))], out, {})
    back = get_reader("digest").read(out.getvalue(), "x-2025-01-02.md")
    assert not back.errors
    assert [{**_fields(p), "source": None} for p in back.papers] == [{**_fields(p), "source": None} for p in papers]
