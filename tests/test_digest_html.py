"""The digest-html reader: golden pages for the samples, whole saved pages, GitHub's view, math,
detection, positions, garbage, and properties of the tag escaper and of write -> render -> read.

The corpus-wide agreement with the Markdown reader is in ``test_digest_html_corpus.py``.
"""

from __future__ import annotations

import dataclasses
import io
import json
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from cli import main
from converters import registry
from converters.errors import InputError, OutputError
from converters.model import Digest, Paper, Section, TocEntry
from converters.readers.digest.html import DigestHtmlReader, looks_like_digest_page
from converters.readers.digest.html_blocks import HTML_TAGS, escape_unknown_tags, inline_text, parse
from converters.readers.digest.markdown import DigestMarkdownReader
from converters.registry import get_reader, get_writer

from .conftest import GOLDEN, SAMPLES, UPDATE_GOLDEN, check_golden, check_no_stray_goldens, need_tool, sample_files
from .test_digest_html_corpus import comparable, markdown_escapes_removed

SAMPLE_FILES = sample_files()
GOLDEN_DIR = GOLDEN / "digest-html"
IDENTITY = ("id", "url", "version", "number", "section", "primary_category", "categories")
TEXT = ("title", "tldr", "motivation", "method", "result", "conclusion", "abstract", "comment")


def read(page: str | bytes, name: str = "page_2025-01-02.html") -> Digest:
    data = page.encode("utf-8") if isinstance(page, str) else page
    return DigestHtmlReader().read(data, name)


def render(markdown: bytes) -> str:
    return str(MarkdownIt("commonmark").render(markdown.decode("utf-8-sig").replace("\r\n", "\n")))


def without_sources(digest: Digest) -> list[Paper]:
    return [dataclasses.replace(p, source=None) for p in digest.papers]


def assert_same_papers(page: Digest, markdown: Digest, *, text: Callable[[str], str] | None = lambda s: s) -> None:
    """Identity fields exact, authors up to Markdown escapes, text after the documented normalisation.

    ``text`` is what the page did to the Markdown's text beyond that (None: text is not compared).
    """
    assert [p.id for p in page.papers] == [p.id for p in markdown.papers]
    for got, want in zip(page.papers, markdown.papers, strict=True):
        for name in IDENTITY:
            assert getattr(got, name) == getattr(want, name), (want.number, name)
        assert got.authors == tuple(markdown_escapes_removed(a) for a in want.authors), want.number
        if text is None:
            continue
        for name in TEXT:
            value, reference = getattr(got, name), getattr(want, name)
            expected = comparable(None if reference is None else text(reference), markdown=True)
            assert comparable(value, markdown=False) == expected, (want.number, name)


def json_of(digest: Digest) -> str:
    out = io.BytesIO()
    writer = get_writer("json")
    writer.write([digest], out, writer.default_options())
    return out.getvalue().decode("utf-8")


# --- golden pages for the bundled samples --------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_golden_page_of_each_sample(sample: Path) -> None:
    """``<sample>.html`` (markdown-it's rendering) reads as ``<sample>.json`` (the json writer's view)."""
    page_path = GOLDEN_DIR / f"{sample.stem}.html"
    if UPDATE_GOLDEN:
        GOLDEN_DIR.mkdir(parents=True, exist_ok=True)
        page_path.write_text(render(sample.read_bytes()), encoding="utf-8")
    if not page_path.exists():
        pytest.fail(f"no golden page for {sample.name}: run with ARXPORT_UPDATE_GOLDEN=1")
    digest = read(page_path.read_bytes(), page_path.name)
    check_golden("digest-html", f"{sample.stem}.json", json_of(digest).encode("utf-8"))
    # The golden page is still the rendering of the sample: same papers as the Markdown.
    assert_same_papers(digest, get_reader("digest").read(sample.read_bytes(), str(sample)))


def test_golden_files_have_no_strays() -> None:
    """A page and its reading for each sample, nothing else."""
    check_no_stray_goldens("digest-html", {f"{p.stem}{suffix}" for p in SAMPLE_FILES for suffix in (".html", ".json")})


def test_the_awkward_sample_keeps_tags_entities_and_versions() -> None:
    sample = SAMPLES / "awkward-2025-01-04.md"
    if not sample.exists():
        pytest.skip("sample missing")
    digest = read(render(sample.read_bytes()), "awkward-2025-01-04.html")
    first = digest.papers[0]
    assert first.title == '[RE] Re-examining "Grokking": <answer> Tags, $O(n^2)$ Costs & the [MASK] Token'
    assert (first.id, first.version, first.url) == ("2501.04004", 2, "https://arxiv.org/pdf/2501.04004v2")
    assert first.extra["Selection reason"] == "kept because the title is hard to parse."
    assert first.tldr == ""
    assert "S\textsc{urprise}" in (first.method or "")  # a TAB from the JSON escapes survives the page
    assert (first.abstract or "").split("\n")[1].startswith("Conclusion: this line starts with a label")
    assert [(e.category, e.total) for e in digest.toc] == [("cs.LG", 3), ("cs.MM", 0), ("stat.ML", 1)]
    assert digest.date is not None and digest.date.isoformat() == "2025-01-04"


# --- whole pages as people save them ----------------------------------------------------------

_SCRIPT = (
    "var state = {heading: '<h3>[9] <a href=\"https://arxiv.org/abs/2501.99999\">decoy</a></h3>'};\n"
    "// ### [9] [decoy](https://arxiv.org/abs/2501.99999)\n" * 150
)
_STYLE = "h3 { font-size: 1.2em; } .markdown-body details summary { cursor: pointer; }\n" * 100


def saved_page(content: str) -> str:
    """``content`` inside a page as a browser saves it: head full of scripts, navigation, footer."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>arXiv daily</title>\n'
        f"<script>\n{_SCRIPT}</script>\n<style>\n{_STYLE}</style>\n</head>\n<body>\n"
        '<header><nav><h2>Site menu</h2><ul><li><a href="/">Home</a></li><li><a href="/archive">Archive</a></li>'
        "</ul></nav></header>\n<main>\n"
        f"{content}"
        "</main>\n<footer><p>Built with a static site generator.</p>"
        "<script>document.querySelectorAll('details').forEach(d => d.open = true);</script></footer>\n"
        "</body>\n</html>\n"
    )


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_a_saved_browser_page_reads_like_its_content(sample: Path) -> None:
    content = render(sample.read_bytes())
    page = saved_page(content)
    head = page.encode("utf-8")[:16384].decode("utf-8", errors="replace")
    assert head.count("<script") == 1 and "<main>" not in head  # the content is beyond the sniffed head
    assert looks_like_digest_page(head)
    assert registry.detect_reader(head, "saved.html") == "digest-html"
    assert registry.detect_reader(head, "saved") == "digest-html"
    assert registry.detect_reader(head, "saved.md") == "digest-html"  # the Markdown reader declines it
    whole, bare = read(page, f"{sample.stem}.html"), read(content, f"{sample.stem}.html")
    assert without_sources(whole) == without_sources(bare)
    assert [p.code for p in whole.problems] == [p.code for p in bare.problems]
    assert [(e.category, e.total) for e in whole.toc] == [(e.category, e.total) for e in bare.toc]


def github_view(rendering: str) -> str:
    """A rendering dressed the way GitHub shows a ``.md`` file (a synthetic model, not a captured page).

    GitHub wraps headings with a permalink anchor holding an SVG icon, prefixes
    ids with ``user-content-``, adds ``dir="auto"`` and ``rel="nofollow"``, and its
    sanitizer drops tags it does not allow (``<think>``, ``<answer>``) but keeps their text.
    """
    html = re.sub(r"</?(?:think|answer|EOS)>", "", rendering)
    html = re.sub(r"<div id='?([^'>]+)'?></div>", r'<div id="user-content-\1"></div>', html)
    html = html.replace("<p>", '<p dir="auto">').replace('<a href="http', '<a rel="nofollow" href="http')

    def heading(match: re.Match[str]) -> str:
        level, inner = match.group(1), match.group(2)
        slug = re.sub(r"[^a-z0-9 -]", "", re.sub(r"<[^>]+>", "", inner).lower()).replace(" ", "-")
        return (
            f'<div class="markdown-heading" dir="auto"><h{level} tabindex="-1" class="heading-element" dir="auto">'
            f'{inner}</h{level}><a id="user-content-{slug}" class="anchor" aria-label="Permalink: {slug}" '
            f'href="#{slug}"><svg class="octicon octicon-link" viewBox="0 0 16 16" width="16" height="16" '
            'aria-hidden="true"><path d="m7.775 3.275 1.25-1.25a3.5 3.5 0 1 1 4.95 4.95"></path></svg></a></div>'
        )

    html = re.sub(r"<h([1-6])>(.*?)</h\1>", heading, html)
    return saved_page(f'<article class="markdown-body entry-content container-lg" itemprop="text">{html}</article>')


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=lambda p: p.stem)
def test_github_view_of_a_sample(sample: Path) -> None:
    markdown = get_reader("digest").read(sample.read_bytes(), str(sample))
    digest = read(github_view(render(sample.read_bytes())), f"{sample.stem}.html")
    assert_same_papers(digest, markdown, text=lambda s: re.sub(r"</?(?:think|answer|EOS)>", "", s))
    for got, want in zip(digest.papers, markdown.papers, strict=True):  # only the dropped tags differ
        assert got.title == re.sub(r"</?(?:think|answer|EOS)>", "", want.title)
    assert [s.category for s in digest.sections] == [s.category for s in markdown.sections]
    assert [(e.category, e.total, e.anchor) for e in digest.toc] == [
        (e.category, e.total, e.anchor) for e in markdown.toc
    ]
    assert [p.code for p in digest.problems] == [p.code for p in markdown.problems]


@pytest.mark.parametrize(
    ("reader", "maths"),
    [
        ("gfm", "--mathjax"),
        ("markdown", "--mathjax"),
        ("markdown", "--katex"),
        ("markdown", "--mathml"),
        ("markdown", "--webtex"),
    ],
)
def test_pandoc_standalone_page(reader: str, maths: str) -> None:
    """``pandoc -s`` writes a whole document with its own <head> and <style>; every maths output keeps the TeX."""
    pandoc = need_tool("pandoc", "pandoc")
    sample = SAMPLES / "digest-2025-01-02.md"
    page = subprocess.run(
        [pandoc, "-s", "-f", reader, "-t", "html", maths, "--metadata", "title=arXiv 2025-01-02"],
        input=sample.read_bytes(),
        capture_output=True,
        check=True,
    ).stdout
    assert b"<style>" in page and b"<!DOCTYPE html>" in page
    digest = read(page, "digest-2025-01-02.html")
    markdown = get_reader("digest").read(sample.read_bytes(), str(sample))
    # pandoc's own Markdown drops raw TeX such as \cite{x} from the page (docs/html-input.md).
    assert_same_papers(digest, markdown, text=(lambda s: s) if reader == "gfm" else None)
    assert digest.papers[0].title == markdown.papers[0].title  # "$\\alpha$" comes back from the math span


# --- what the page says, exactly ---------------------------------------------------------------

_PAGE = """<div id=toc></div>
<h1>Table of Contents</h1>
<ul>
<li><a href="#cs.CL">cs.CL</a> [Total: 3]</li>
</ul>
<div id='cs.CL'></div>
<h1>cs.CL <a href="#toc">[Back]</a></h1>
<h3>[7] <a href="https://arxiv.org/abs/2509.08358v3"><think> Let&#x2019;s &amp; </think> Lessons &lt;100LOC <em>LLMs</em></a></h3>
<p><em>Shun’ya Mizoguchi,Wei “Wayne” Chen</em></p>
<p>Main category: cs.CL</p>
<p>TL;DR: First line<br />
second <code>line</code> with <span class="math inline">\\(\\alpha &lt; \\beta\\)</span>.</p>
<details>
  <summary>Details</summary>
Motivation: raw <EOS> text, kept &amp; decoded
<p>Method: do it</p>
<ol>
<li>first step</li>
<li>second step</li>
</ol>
<blockquote>
<p>= 40 Gy and more</p>
</blockquote>
<p>Result: fine</p>
<p>Conclusion: ok</p>
<p>Abstract: We study ’quotes’ and <span class="katex"><span class="katex-mathml"><math><semantics><mi>x</mi>
<annotation encoding="application/x-tex">x^2</annotation></semantics></math></span></span> maths.
Second line.</p>
</details>
"""


def test_fields_come_back_as_the_page_shows_them() -> None:
    digest = read(_PAGE)
    paper = digest.papers[0]
    assert (paper.id, paper.version, paper.number, paper.section) == ("2509.08358", 3, 7, "cs.CL")
    assert paper.title == "<think> Let’s & </think> Lessons <100LOC LLMs"  # only names get straight quotes back
    assert paper.authors == ("Shun'ya Mizoguchi", 'Wei "Wayne" Chen')  # smart quotes undone in names
    assert paper.tldr == "First line\nsecond line with $\\alpha < \\beta$."
    assert paper.motivation == "raw <EOS> text, kept & decoded"
    assert paper.method == "do it\n1. first step\n2. second step\n> = 40 Gy and more"
    assert paper.abstract == "We study ’quotes’ and $x^2$ maths.\nSecond line."
    assert digest.template == "v3" and digest.author_separator == ","
    assert [(p.code, p.source.line) for p in digest.problems] == [("toc-total-mismatch", 4)]


def test_positions_are_lines_of_the_page() -> None:
    again = '<h3>[7] <a href="https://arxiv.org/abs/2509.08358">Again</a></h3>\n'
    page = "\n\n" + _PAGE + again
    lines = page.split("\n")
    heading_lines = [n for n, line in enumerate(lines, 1) if line.startswith("<h3")]
    toc_line = next(n for n, line in enumerate(lines, 1) if line.startswith("<li>"))
    digest = read(page)
    assert [p.source.line for p in digest.papers if p.source] == heading_lines
    problems = {p.code: p.source.line for p in digest.problems}
    assert problems == {
        "toc-total-mismatch": toc_line,
        "duplicate-paper": heading_lines[1],
        "duplicate-number": heading_lines[1],
        "missing-authors": heading_lines[1],
    }


def test_an_unparsed_heading_link_is_read_from_its_text() -> None:
    """``[A] B](url)`` has unbalanced brackets: CommonMark leaves the whole heading as text."""
    page = render(b"### [1] [A] B](https://arxiv.org/abs/2501.00001)\n*X*\n\nTL;DR: t\n")
    assert "<a " not in page
    paper = read(page).papers[0]
    assert (paper.id, paper.title, paper.number, paper.authors) == ("2501.00001", "A] B", 1, ("X",))


def test_restyled_layout_bold_labels_and_quoted_fields() -> None:
    markdown = (
        "# AI-Enhanced arXiv Daily 2025-06-10\n\n<a id='toc'></a>\n## 今日总计: 1 篇论文\n### 目录\n"
        "- [cs.LG](#cslg) (1 篇)\n\n---\n<a id='cslg'></a>\n## cs.LG  <small>[⬆️ 返回目录](#toc)</small>\n\n"
        "### [1] [Title](https://arxiv.org/abs/2506.06333)\n> *翻译的标题*\n\n"
        "*A. One, B. Two* | **Main category: cs.LG**\n\n**Keywords:** a, b\n\n> **TL;DR:** 简短。\n\n"
        "<details>\n  <summary>Details</summary>\n\n**Motivation:** m\n\n> **摘要翻译:** 摘要\n\n</details>\n\n"
        "[⬆️ 返回分类顶部](#cslg) | [⬆️ 返回总目录](#toc)\n"
    )
    digest = read(render(markdown.encode()), "x_2025-06-10.html")
    expected = get_reader("digest").read(markdown.encode(), "x_2025-06-10.md")
    assert without_sources(digest) == without_sources(expected)
    assert digest.title == expected.title and digest.template == "restyle"
    assert [p.code for p in digest.problems] == [p.code for p in expected.problems] == []


def test_no_papers_pages() -> None:
    for markdown in (
        b"# No New Papers Today\nNothing was announced.",
        b"<div id=toc></div>\n\n# Table of Contents\n\n",
    ):
        digest = read(render(markdown))
        assert digest.papers == ()
        assert [p.code for p in digest.problems] == ["no-papers"]


# --- detection -----------------------------------------------------------------------------------


def test_sniff_rejects_markdown_digests_and_accepts_renderings() -> None:
    reader, markdown_reader = DigestHtmlReader(), DigestMarkdownReader()
    for sample in SAMPLE_FILES:
        text = sample.read_bytes().decode("utf-8-sig")
        assert not reader.sniff(text[:16384], sample.name), sample.name
        page = render(sample.read_bytes())
        assert reader.sniff(page[:16384], "page"), sample.name
        assert not markdown_reader.sniff(page[:16384], "page"), sample.name


def test_sniff_rejects_every_output_of_arxport() -> None:
    """Our own outputs are never taken for a page, the JSON-LD ``<script>`` element included."""
    sample = SAMPLES / "digest-2025-01-02.md"
    digest = get_reader("digest").read(sample.read_bytes(), str(sample))
    checked = []
    for name in registry.writer_names():
        writer = get_writer(name)
        variants = [writer.default_options()]
        if "embed_html" in variants[0]:
            variants.append({**variants[0], "embed_html": True})
        for options in variants:
            out = io.BytesIO()
            try:
                writer.write([digest], out, options)
            except OutputError:
                continue  # a writer that needs an option this test does not give
            head = out.getvalue()[:16384].decode("utf-8", errors="replace").lstrip("\ufeff")
            assert not looks_like_digest_page(head), (name, options)
            assert registry.detect_reader(head, f"out.{name}") != "digest-html", name
            checked.append(name)
    assert {"json", "jsonl", "markdown"} <= set(checked)


def test_a_page_that_keeps_its_markdown_in_a_script_is_still_a_page() -> None:
    """GitHub's file view carries the raw lines as JSON; the Markdown reader's sniff would accept them."""
    raw = json.dumps({"rawLines": ["<div id=toc></div>", "", "# Table of Contents", "", "### [1] [T](x)"]})
    page = saved_page(
        f'<script type="application/json">{raw}</script>' + render((SAMPLES / "digest-2025-01-03.md").read_bytes())
    )
    head = page[:16384]
    assert registry.detect_reader(head, "page.html") == "digest-html"
    assert registry.detect_reader(head, "page") == "digest-html"
    assert read(page, "digest-2025-01-03.html").papers


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<!DOCTYPE html><html><head><script>" + "x" * 20000, True),
        ('<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>', True),
        ("<!-- saved from url=(0042)https://example.org/ -->\n<html><head><title>x</title>", True),
        # GitHub keeps the raw lines of the file in the page too; they are not what the page shows.
        ("<!DOCTYPE html><html><body><textarea>\n# Table of Contents\n### [1] [T](x)\n</textarea>", True),
        (
            '<script type="application/json">{"rawLines": ["# Table of Contents"]}</script><h1>Table of Contents</h1>',
            True,
        ),
        ('<h3>[1] <a href="https://arxiv.org/abs/2501.00001">T</a></h3>', True),
        ("<h1>Table of Contents</h1>", True),
        ("<p>just a paragraph</p>", False),
        ('<script type="application/ld+json">{"url": "<a href=\\"https://arxiv.org/abs/1\\">"}</script>', False),
        ('<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>t</title>', False),
        ('<?xml version="1.0"?><rss version="2.0"><channel><item><h3>', False),
        ("<div id=toc></div>\n\n# Table of Contents\n\n- [cs.AI](#cs.AI) [Total: 1]\n", False),
        ("### [1] [T](https://arxiv.org/abs/2501.00001)\n*A*\n", False),
        ('{"format": "arxport"}', False),
        ("", False),
    ],
)
def test_sniff_cases(head: str, expected: bool) -> None:
    assert looks_like_digest_page(head) is expected


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"<html>\x00</html>", "binary"),
        (b"<p>caf\xe9</p>", "UTF-8"),
        (b"<html><body><h1>Hello</h1><p>World</p></body></html>", "not an arXiv digest page"),
        (b'<h3>[1] <a href="https://example.org/x">Elsewhere</a></h3>', "not an arXiv digest page"),
        (b'<h3>[1] <a href="https://arxiv.org/abs/2501.00001', "not an arXiv digest page"),
        (b"<![ x", "could not be parsed"),
        (b"<div>" * 20000, "not an arXiv digest page"),
    ],
)
def test_garbage_is_an_input_error(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read(data)
    assert message in caught.value.message
    assert caught.value.source is not None and caught.value.source.line >= 1


def test_truncated_and_deeply_nested_pages_still_read() -> None:
    heading = '<h3>[1] <a href="https://arxiv.org/abs/2501.00001">T</a></h3>'
    truncated = read(_PAGE[: _PAGE.index("<p>Result")])
    assert truncated.papers[0].method == "do it\n1. first step\n2. second step\n> = 40 Gy and more"
    deep = read("<div>" * 20000 + heading + "<p><em>A</em></p>")
    assert [p.id for p in deep.papers] == ["2501.00001"] and deep.papers[0].authors == ("A",)
    nested = read(heading.replace(">T<", ">" + "<em>" * 20000 + "T<"))
    assert nested.papers[0].title == "T"
    # Shapes that would take minutes if any step were quadratic.
    spans = read("<span>" * 20000 + "<p>x</p>" + heading)
    assert [p.title for p in spans.papers] == ["T"]
    spaced = read(heading.replace(">T<", ">" + " \n" * 100000 + "T<") + "<p>TL;DR: " + " " * 300000 + "x</p>")
    assert spaced.papers[0].title == "T"
    toc = read("<h1>Table of Contents</h1><ul><li><a href='#x'>x</a>" + " " * 300000 + "y</li></ul>")
    assert toc.toc == ()


_HTMLISH = st.sampled_from(
    [
        "<h3>",
        "</h3>",
        "[1] ",
        '<a href="https://arxiv.org/abs/2501.00001">',
        '<a href="#toc">',
        "</a>",
        "<p>",
        "</p>",
        "<em>",
        "</em>",
        "<details>",
        "</details>",
        "<summary>Details</summary>",
        "<ul><li>",
        "<div id=toc>",
        "</div>",
        "<h1>",
        "</h1>",
        "Table of Contents",
        "TL;DR: ",
        "Abstract: ",
        "Main category: cs.AI",
        "<think>",
        "<!--",
        "-->",
        "<![CDATA[",
        "&amp;",
        "&#",
        "<",
        ">",
        "\n",
        "x",
        "<br>",
        '<span class="math inline">\\(',
        "<math><annotation encoding='application/x-tex'>",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(_HTMLISH, st.text(max_size=5)), max_size=40))
def test_any_markup_gives_a_digest_or_an_input_error(pieces: list[str]) -> None:
    data = "".join(pieces).encode("utf-8", errors="surrogatepass")
    try:
        digest = read(data)
    except InputError as error:
        assert error.message and error.source is not None
        return
    for paper in digest.papers:
        assert paper.url and paper.id and "\n" not in paper.title
        assert all("\n" not in author for author in paper.authors)
    for problem in digest.problems:
        assert problem.source.line >= 1


# --- properties of the escaper and of the reader ----------------------------------------------

_NON_HTML_NAMES = st.from_regex(r"\A[A-Za-z][A-Za-z0-9_]{0,8}\Z").filter(lambda s: s.lower() not in HTML_TAGS)


@given(st.text())
def test_escaping_keeps_lines_and_is_idempotent(text: str) -> None:
    escaped = escape_unknown_tags(text)
    assert escaped.count("\n") == text.count("\n")
    assert escape_unknown_tags(escaped) == escaped
    assert "<" not in text or escaped.count("<") <= text.count("<")


_PLAIN = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="<&"), max_size=8)


@given(st.lists(st.one_of(_PLAIN, _NON_HTML_NAMES.map(lambda n: f"<{n}>"), _NON_HTML_NAMES.map(lambda n: f"</{n}>"))))
def test_tags_that_are_not_html_come_back_as_text(pieces: list[str]) -> None:
    """What a renderer passes through raw (``<think>``, ``</answer>``, ``<EOS>``) is text again after parsing."""
    text = "".join(pieces)
    paragraph = parse(f"<p>{text}</p>").find("p")
    assert paragraph is not None
    assert inline_text(paragraph) == text


@given(st.sampled_from(sorted({"p", "em", "strong", "div", "code", "a", "span", "h3", "li"})))
def test_html_tags_are_left_alone(name: str) -> None:
    text = f'<{name} class="x">y</{name}>'
    assert escape_unknown_tags(text) == text


# What a digest field can hold and a CommonMark page shows as text: no raw "<tag", no blank lines,
# no line that starts a block (renderers may turn those into lists or quotes, which the normalisation
# covers but the reader cannot make exact), no label at the start of a line.
_WORDS = st.text(st.sampled_from(list("abcXYZ019 .,;:!?'\"()/-=+@%é中한Ω")), min_size=1, max_size=30).map(
    lambda s: " ".join(s.split()) or "x"
)
_FIELD = st.lists(_WORDS, min_size=1, max_size=3).map(lambda words: " & ".join(words))
_NAME = st.text(st.sampled_from(list("abcdeXYZ .-'é")), min_size=1, max_size=20).map(
    lambda s: " ".join(s.replace(" -", " ").split()).strip(".-' ") or "Ann"
)
_CATEGORY = st.sampled_from(["cs.CV", "cs.CL", "hep-th", "cond-mat.mtrl-sci"])


@st.composite
def digests(draw: st.DrawFn) -> Digest:
    papers = []
    for number in range(1, draw(st.integers(1, 4)) + 1):
        arxiv_id = draw(st.from_regex(r"\A2[0-9]{3}\.[0-9]{5}\Z"))
        category = draw(_CATEGORY)
        papers.append(
            Paper(
                id=arxiv_id,
                url=f"https://arxiv.org/abs/{arxiv_id}",
                title=draw(_FIELD),
                authors=tuple(draw(st.lists(_NAME, min_size=1, max_size=4))),
                primary_category=category,
                categories=(category,),
                section=category,
                number=number,
                tldr=draw(_FIELD),
                motivation=draw(_FIELD),
                method=draw(_FIELD),
                result=draw(_FIELD),
                conclusion=draw(_FIELD),
                abstract=draw(_FIELD),
            )
        )
    sections = tuple(dict.fromkeys(p.section or "" for p in papers))
    return Digest(
        source="generated_2025-01-02.md",
        papers=tuple(papers),
        sections=tuple(Section(category=c) for c in sections),
        toc=tuple(TocEntry(category=c, total=sum(p.section == c for p in papers), anchor=c) for c in sections),
    )


@settings(max_examples=60, deadline=None)
@given(digests())
def test_written_rendered_and_read_back(digest: Digest) -> None:
    """markdown writer -> CommonMark page -> digest-html gives what the digest reader gives on the Markdown."""
    out = io.BytesIO()
    get_writer("markdown").write([digest], out, {})
    markdown = get_reader("digest").read(out.getvalue(), "generated_2025-01-02.md")
    page = read(render(out.getvalue()), "generated_2025-01-02.html")
    assert_same_papers(page, markdown)
    for got, want in zip(page.papers, markdown.papers, strict=True):
        assert got.title == want.title  # CommonMark keeps a title's text exactly
    assert [(e.category, e.total) for e in page.toc] == [(e.category, e.total) for e in markdown.toc]


# --- the command line ------------------------------------------------------------------------------


def test_cli_converts_and_checks_a_page(tmp_path: Path) -> None:
    sample = SAMPLES / "digest-2025-01-02.md"
    page = tmp_path / "digest-2025-01-02.html"
    page.write_text(saved_page(render(sample.read_bytes())), encoding="utf-8")
    runner = CliRunner()
    from_page = runner.invoke(main, ["convert", str(page), "--to", "jsonl"])
    from_markdown = runner.invoke(main, ["convert", str(sample), "--to", "jsonl"])
    assert from_page.exit_code == 0, from_page.output
    rows = [json.loads(line) for line in from_page.stdout.splitlines()]
    expected = [json.loads(line) for line in from_markdown.stdout.splitlines()]
    assert [(r["id"], r["url"], r["authors"], r["primary_category"]) for r in rows] == [
        (r["id"], r["url"], r["authors"], r["primary_category"]) for r in expected
    ]
    forced = runner.invoke(
        main, ["convert", "-", "--from", "html", "--to", "jsonl", "--date", "2025-01-02"], input=page.read_bytes()
    )
    assert forced.exit_code == 0 and len(forced.stdout.splitlines()) == len(rows)
    listed = runner.invoke(main, ["formats"])
    assert "digest-html" in listed.output


def test_cli_check_reports_page_lines(tmp_path: Path) -> None:
    page = tmp_path / "broken_2025-01-02.html"
    page.write_text(_PAGE, encoding="utf-8")
    result = CliRunner().invoke(main, ["check", str(page), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    text = json.dumps(report)
    assert "toc-total-mismatch" in text and '"line": 4' in text
    strict = CliRunner().invoke(main, ["check", str(page), "--strict"])
    assert strict.exit_code == 5
    assert f"{page}:4: warning:" in strict.output
    garbage = tmp_path / "garbage.html"
    garbage.write_text("<html><body><p>nothing here</p></body></html>", encoding="utf-8")
    failed = CliRunner().invoke(main, ["check", str(garbage)])
    assert failed.exit_code == 3 and "not an arXiv digest page" in failed.output
