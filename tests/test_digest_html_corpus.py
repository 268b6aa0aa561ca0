"""The digest-html reader against the Markdown reader on the whole real corpus.

Every current-template digest is rendered to HTML in the test, the way people
see digests: by a CommonMark renderer (markdown-it-py; GitHub's cmark-gfm
behaves the same on these files), by pandoc as a static site would run it
(``-f markdown --mathjax``: smart punctuation, TeX math, raw TeX) and by pandoc's
GitHub-flavoured reader. Each rendering is read back and compared field by
field with what the Markdown reader gives. Run with ``pytest -s`` to see the
agreement table. Nothing rendered is kept: it lives in memory for the session.

The normalisation used for titles and text is :func:`comparable`; it is the one
``docs/html-input.md`` documents.
"""

from __future__ import annotations

import functools
import html
import re
import shutil
import subprocess
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from converters.model import Digest
from converters.readers.digest.html import DigestHtmlReader
from converters.readers.digest.markdown import DigestMarkdownReader

from .conftest import need_tool, read_digest

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

CURRENT_TEMPLATES = ("v3", "v3-variant")
TEXT_FIELDS = ("title", "tldr", "motivation", "method", "result", "conclusion", "abstract", "comment")
EXACT_FIELDS = ("id", "url", "version", "number", "section", "primary_category", "categories")
PANDOC_SITE = ("-f", "markdown", "-t", "html", "--mathjax")
PANDOC_GFM = ("-f", "gfm", "-t", "html")
# pandoc's GFM reader differs from markdown-it only in re-wrapping, NFC and emoji: the smaller files show it.
PANDOC_GFM_MAX_BYTES = 200_000

# --- the documented normalisation -------------------------------------------------------

_AUTOLINK_RE = re.compile(r"<((?:https?|ftp)://[^\s<>]*|[^\s<>@]+@[^\s<>@]+)>")
_TYPOGRAPHY: tuple[tuple[str, str], ...] = (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"'))
_TYPOGRAPHY += (("\u2013", "--"), ("\u2014", "---"), ("\u2026", "..."))
_LIST_MARKER_RE = re.compile(r"(?<!\S)(?:\d{1,9}[.)]|[-+*])(?=\s|$)")
_IGNORED_RE = re.compile(r"[*_`~^$\\\ufe0e\ufe0f\s]+")
_TEX_WORD_RE = re.compile(r"\\[A-Za-z]+")


def comparable(text: str | None, *, markdown: bool) -> str | None:
    """A field value with what Markdown rendering changes taken out, for comparison only.

    On the Markdown side, autolinks lose their angle brackets and entity
    references are decoded (renderers do both). On both sides: Unicode NFC
    (pandoc composes), smart punctuation folded back to ASCII, list markers
    dropped (a renderer writes ``1.`` for ``1)``), then the characters Markdown
    emphasis, code, escapes and math consume (``* _ ` ~ ^ $ \\``), variation
    selectors and all whitespace (renderers re-wrap lines and strip indentation).
    """
    if text is None:
        return None
    if markdown:
        text = html.unescape(_AUTOLINK_RE.sub(r"\1", text))
    text = unicodedata.normalize("NFC", text)
    for curly, plain in _TYPOGRAPHY:
        text = text.replace(curly, plain)
    return _IGNORED_RE.sub("", _LIST_MARKER_RE.sub(" ", text))


def markdown_escapes_removed(text: str) -> str:
    """``text`` as Markdown displays it: ``\\~`` is ``~`` (the one change renderers make to author names)."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", text)


# --- rendering ------------------------------------------------------------------------------


def render_markdown_it(markdown: bytes) -> bytes:
    return str(MarkdownIt("commonmark").render(markdown.decode("utf-8"))).encode("utf-8")


def render_pandoc(arguments: Sequence[str]) -> Callable[[bytes], bytes]:
    def render(markdown: bytes) -> bytes:
        done = subprocess.run(["pandoc", *arguments], input=markdown, capture_output=True, check=True)
        return bytes(done.stdout)

    return render


@dataclass
class Rendering:
    path: Path
    markdown: Digest
    html: bytes

    @functools.cached_property
    def digest(self) -> Digest:
        return DigestHtmlReader().read(self.html, self.path.with_suffix(".html").name)


def render_all(paths: Sequence[Path], render: Callable[[bytes], bytes]) -> list[Rendering]:
    return [Rendering(path, read_digest(path), render(path.read_bytes())) for path in paths]


@pytest.fixture(scope="session")
def current_files(corpus: list[Path], corpus_digests: list[Digest]) -> list[Path]:
    files = [p for p, d in zip(corpus, corpus_digests, strict=True) if d.template in CURRENT_TEMPLATES]
    assert len(files) >= 25
    return files


@pytest.fixture(scope="session")
def pandoc_jobs(current_files: list[Path]) -> Iterator[dict[str, list[Future[bytes]]]]:
    """pandoc renderings, started at once in the background.

    pandoc is the slow part of this file; its subprocesses run on the second
    core while the CommonMark renderings are read on the first.
    """
    if shutil.which("pandoc") is None:
        yield {}
        return
    gfm_files = [p for p in current_files if p.stat().st_size < PANDOC_GFM_MAX_BYTES]
    with ThreadPoolExecutor(max_workers=2) as pool:
        site = [pool.submit(render_pandoc(PANDOC_SITE), p.read_bytes()) for p in current_files]
        gfm = [pool.submit(render_pandoc(PANDOC_GFM), p.read_bytes()) for p in gfm_files]
        yield {"site": site, "gfm": gfm}
        for job in [*site, *gfm]:
            job.cancel()


def finished(jobs: dict[str, list[Future[bytes]]], name: str, paths: Sequence[Path]) -> list[Rendering]:
    need_tool("pandoc", "pandoc")
    pages = [job.result() for job in jobs[name]]
    return [Rendering(path, read_digest(path), page) for path, page in zip(paths, pages, strict=True)]


@pytest.fixture(scope="session")
def markdown_it_pages(current_files: list[Path], pandoc_jobs: dict[str, list[Future[bytes]]]) -> list[Rendering]:
    return render_all(current_files, render_markdown_it)


@pytest.fixture(scope="session")
def pandoc_site_pages(current_files: list[Path], pandoc_jobs: dict[str, list[Future[bytes]]]) -> list[Rendering]:
    return finished(pandoc_jobs, "site", current_files)


@pytest.fixture(scope="session")
def pandoc_gfm_pages(current_files: list[Path], pandoc_jobs: dict[str, list[Future[bytes]]]) -> list[Rendering]:
    return finished(pandoc_jobs, "gfm", [p for p in current_files if p.stat().st_size < PANDOC_GFM_MAX_BYTES])


# --- comparison -------------------------------------------------------------------------------


@dataclass
class Agreement:
    """How many values agreed, per field: exactly, and after the documented normalisation."""

    compared: Counter[str]
    exact: Counter[str]
    normalised: Counter[str]
    unexplained: list[str]  # normalised mismatches whose Markdown has no raw TeX

    def rate(self, name: str, normalised: bool = False) -> float:
        counter = self.normalised if normalised else self.exact
        return 100.0 * counter[name] / self.compared[name] if self.compared[name] else 100.0

    def table(self, title: str) -> str:
        lines = [f"\n{title}: {self.compared['id']} papers", f"  {'field':18} {'exact':>8} {'normalised':>11}"]
        for name in self.compared:
            lines.append(f"  {name:18} {self.rate(name):7.2f}% {self.rate(name, True):10.2f}%")
        return "\n".join(lines)


def compare(pages: Sequence[Rendering]) -> Agreement:
    agreement = Agreement(Counter(), Counter(), Counter(), [])

    def count(name: str, exact: bool, normalised: bool) -> None:
        agreement.compared[name] += 1
        agreement.exact[name] += exact
        agreement.normalised[name] += normalised

    for page in pages:
        digest = page.digest
        expected = page.markdown
        assert [p.id for p in digest.papers] == [p.id for p in expected.papers], page.path.name
        assert [(e.category, e.total, e.anchor) for e in digest.toc] == [
            (e.category, e.total, e.anchor) for e in expected.toc
        ], page.path.name
        assert [s.category for s in digest.sections] == [s.category for s in expected.sections], page.path.name
        assert digest.date == expected.date and digest.template == expected.template, page.path.name
        assert digest.author_separator == expected.author_separator, page.path.name
        for got, want in zip(digest.papers, expected.papers, strict=True):
            for name in EXACT_FIELDS:
                same = getattr(got, name) == getattr(want, name)
                count(name, same, same)
            count(
                "authors",
                got.authors == want.authors,
                got.authors == tuple(markdown_escapes_removed(a) for a in want.authors),
            )
            for name in TEXT_FIELDS:
                value, reference = getattr(got, name), getattr(want, name)
                same = comparable(value, markdown=False) == comparable(reference, markdown=True)
                count(name, value == reference, same)
                if not same and not _TEX_WORD_RE.search(reference or ""):
                    agreement.unexplained.append(f"{page.path.name} [{want.number}] {name}")
            same_extra = {k: comparable(v, markdown=False) for k, v in got.extra.items()} == {
                k: comparable(v, markdown=True) for k, v in want.extra.items()
            }
            count("extra", got.extra == want.extra, same_extra)
    return agreement


def assert_identity_fields(agreement: Agreement) -> None:
    """ids, URLs, versions, numbers, sections, categories exact; authors exact up to Markdown escapes."""
    for name in (*EXACT_FIELDS, "authors"):
        assert agreement.rate(name, normalised=True) == 100.0, name
    for name in EXACT_FIELDS:
        assert agreement.rate(name) == 100.0, name


# --- the tests ----------------------------------------------------------------------------------


def test_commonmark_rendering_agrees_with_the_markdown_reader(markdown_it_pages: list[Rendering]) -> None:
    agreement = compare(markdown_it_pages)
    print(agreement.table("markdown-it (CommonMark)"))
    assert agreement.compared["id"] > 4500
    assert_identity_fields(agreement)
    for name in (*TEXT_FIELDS, "extra"):
        assert agreement.rate(name, normalised=True) == 100.0, name
    # CommonMark keeps line breaks and most characters: nearly every title comes back byte for byte
    # (the others had Markdown escapes or emphasis, such as "Plug\\&Play" or "$D^{(*)}$").
    assert agreement.rate("title") > 99.5


def test_pandoc_site_rendering_agrees_except_raw_tex(pandoc_site_pages: list[Rendering]) -> None:
    agreement = compare(pandoc_site_pages)
    print(agreement.table("pandoc -f markdown -t html --mathjax"))
    assert_identity_fields(agreement)
    # pandoc's Markdown drops raw TeX outside $...$ (\textbf{X}, \emph{X}, \cite{X}): that text is not
    # in the page at all. Every other field agrees after normalisation.
    assert agreement.unexplained == []
    for name in TEXT_FIELDS:
        assert agreement.rate(name, normalised=True) > 90.0, name
    assert agreement.rate("extra", normalised=True) == 100.0


def test_pandoc_gfm_rendering_agrees_with_the_markdown_reader(pandoc_gfm_pages: list[Rendering]) -> None:
    agreement = compare(pandoc_gfm_pages)
    print(agreement.table("pandoc -f gfm -t html"))
    assert_identity_fields(agreement)
    for name in (*TEXT_FIELDS, "extra"):
        assert agreement.rate(name, normalised=True) == 100.0, name


def test_renderings_report_the_same_problems(
    markdown_it_pages: list[Rendering], pandoc_site_pages: list[Rendering]
) -> None:
    """``arxport check`` on a page says what it says on the Markdown, at the page's own lines."""
    for page in [*markdown_it_pages, *pandoc_site_pages]:
        digest = page.digest
        assert Counter(p.code for p in digest.problems) == Counter(p.code for p in page.markdown.problems), page.path
        lines = page.html.decode("utf-8").split("\n")
        for paper in digest.papers:
            assert paper.source is not None
            nearby = "\n".join(lines[paper.source.line - 1 : paper.source.line + 3])
            assert "<h3" in lines[paper.source.line - 1] and paper.url in nearby, (page.path.name, paper.number)


def test_the_sniffers_tell_pages_from_markdown(
    corpus: list[Path], markdown_it_pages: list[Rendering], pandoc_site_pages: list[Rendering]
) -> None:
    html_reader, markdown_reader = DigestHtmlReader(), DigestMarkdownReader()
    for path in corpus:
        head = path.read_bytes()[:16384].decode("utf-8", errors="replace")
        assert not html_reader.sniff(head, path.name), path.name
    for page in [*markdown_it_pages, *pandoc_site_pages]:
        head = page.html[:16384].decode("utf-8", errors="replace")
        assert html_reader.sniff(head, "page"), page.path.name
        assert not markdown_reader.sniff(head, "page"), page.path.name


def test_every_template_through_commonmark(corpus: list[Path], corpus_digests: list[Digest]) -> None:
    """The older templates and the fork layouts read from a CommonMark page as well."""
    others = [(p, d) for p, d in zip(corpus, corpus_digests, strict=True) if d.template not in CURRENT_TEMPLATES]
    assert {d.template for _, d in others} == {"v0", "v1", "v2", "restyle", "no-papers"}
    pages = []
    for path, digest in others:
        markdown = first_papers(path.read_bytes(), 150)
        if len(markdown) < path.stat().st_size:  # a slice of the big ones keeps the suite fast
            digest = DigestMarkdownReader().read(markdown, str(path))
        pages.append(Rendering(path, digest, render_markdown_it(markdown)))
    agreement = compare(pages)
    print(agreement.table("markdown-it, older templates and fork layouts"))
    assert_identity_fields(agreement)
    for name in (*TEXT_FIELDS, "extra"):
        assert agreement.rate(name, normalised=True) == 100.0, name


def first_papers(markdown: bytes, count: int) -> bytes:
    """``markdown`` up to its ``count``-th paper heading after the first (the whole file when shorter)."""
    starts = [m.start() for m in re.finditer(rb"\n### ", markdown)]
    return markdown[: starts[count] + 1] if len(starts) > count else markdown


def test_pandoc_default_math_keeps_the_papers(current_files: list[Path]) -> None:
    """Plain ``pandoc -f markdown -t html`` turns TeX into Unicode (not recoverable); papers still agree."""
    need_tool("pandoc", "pandoc")
    small = [p for p in current_files if p.stat().st_size < 100_000]
    agreement = compare(render_all(small, render_pandoc(("-f", "markdown", "-t", "html"))))
    print(agreement.table("pandoc -f markdown -t html (no --mathjax), small files"))
    assert_identity_fields(agreement)
