"""The docx writer: golden content dumps, every corpus digest reopened by python-docx and docx2python, byte-identical
output, LibreOffice's reading of it, and options, errors and the CLI.

The expected text of each paper is spelled out here from the model (:func:`expected_paper`), independently of
:mod:`converters.writers.docx.layout`, so a layout change that drops or alters content fails a test.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

import docx
import pytest
from click.testing import CliRunner
from docx2python import docx2python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from cli import main
from converters.errors import OutputError
from converters.model import AI_FAILURE_KEYS, Digest, Paper, Section
from converters.registry import get_writer, writer_for_path
from converters.text.clean import one_line, xml_text
from converters.writers.docx.writer import ZIP_TIMESTAMP, DocxWriter

from .conftest import ROOT, SAMPLES, check_golden, check_no_stray_goldens, need_tool, read_digest, sample_files

SAMPLE_FILES = sample_files()
DOT = " \u00b7 "
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LABELS: tuple[tuple[str, str], ...] = (
    ("tldr", "TL;DR"),
    ("motivation", "Motivation"),
    ("method", "Method"),
    ("result", "Result"),
    ("conclusion", "Conclusion"),
)


# --- helpers ---------------------------------------------------------------------------


def write(digests: Sequence[Digest], **options: Any) -> bytes:
    writer = DocxWriter()
    out = io.BytesIO()
    report = writer.write(digests, out, {**writer.default_options(), **options})
    assert report.items == sum(len(d.papers) for d in digests)
    return out.getvalue()


def paragraphs(data: bytes) -> list[dict[str, Any]]:
    """Every body paragraph as python-docx reads it: style name, text (TAB and line breaks included), links."""
    document = docx.Document(io.BytesIO(data))
    names = {style.style_id: style.name for style in document.styles}
    result = []
    for paragraph in document.paragraphs:
        # the style id straight from the element: Paragraph.style looks the style up anew each time (slow)
        entry: dict[str, Any] = {"style": names[paragraph._p.style or "Normal"], "text": paragraph.text}
        links = [[link.url or f"#{link.fragment}", link.text] for link in paragraph.hyperlinks]
        if links:
            entry["links"] = links
        result.append(entry)
    return result


def dump(data: bytes) -> str:
    """What a golden file holds, as text that reads like the document: package parts, properties, page, footer,
    then one line per paragraph (style, then the text as a JSON string so TAB and line breaks show) and its links.
    """
    document = docx.Document(io.BytesIO(data))
    core = document.core_properties
    section = document.sections[0]
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        lines = ["# parts", *(info.filename for info in package.infolist())]
    lines += ["", "# properties"]
    for name in ("title", "subject", "keywords", "author", "category", "comments", "last_modified_by", "revision"):
        lines.append(f"{name}: {getattr(core, name)}")
    lines.append(f"created: {core.created.isoformat() if core.created else None}")
    lines.append(f"modified: {core.modified.isoformat() if core.modified else None}")
    assert section.page_width is not None and section.page_height is not None
    lines += ["", "# page", f"{section.page_width.mm:.1f} x {section.page_height.mm:.1f} mm"]
    lines += ["", "# footer", *(json.dumps(p.text, ensure_ascii=False) for p in section.footer.paragraphs)]
    lines += ["", "# body"]
    for row in paragraphs(data):
        lines.append(f"{row['style']}: {json.dumps(row['text'], ensure_ascii=False)}")
        lines.extend(f"    link {url} {json.dumps(text, ensure_ascii=False)}" for url, text in row.get("links", []))
    return "\n".join(lines) + "\n"


def abstract_paragraphs(text: str) -> list[str]:
    """arXiv's rule, written out again: an indented line starts a paragraph; other line breaks are spaces."""
    chunks = re.split(r"\n[ \t]+", xml_text(text))
    joined = (" ".join(line.strip() for line in chunk.split("\n")).strip() for chunk in chunks)
    return [chunk for chunk in joined if chunk]


def expected_paper(number: int, paper: Paper, *, dated: bool, max_authors: int = 0) -> list[dict[str, Any]]:
    """The paragraphs one paper must become, from the model alone."""
    title = one_line(xml_text(paper.title)) or "(untitled)"
    rows: list[dict[str, Any]] = [{"style": "Heading 2", "text": f"[{number}] {title}"}]
    names = [n for n in (one_line(xml_text(a)) for a in paper.authors) if n]
    if names:
        if max_authors and len(names) > max_authors:
            authors = ", ".join(names[:max_authors]) + f", et al. ({len(names):,} authors)"
        else:
            authors = ", ".join(names)
        rows.append({"style": "Paper Authors", "text": authors})
    if paper.is_arxiv:
        vid = xml_text(paper.versioned_id)
        links = [[f"https://arxiv.org/abs/{vid}", f"arXiv:{vid}"], [f"https://arxiv.org/pdf/{vid}", "PDF"]]
    else:  # a DOI, PubMed or URL work: its label, linking to its landing page as a URI; no PDF
        links = [[quote(xml_text(paper.link), safe="!#$%&'()*+,/:;=?@[]~"), paper.label]]
    details = DOT.join(text for _, text in links)
    category = one_line(xml_text(paper.category or ""))
    if category:
        details += f"{DOT}{category}"
    others = [c for c in (one_line(xml_text(c)) for c in paper.categories) if c and c != category]
    if others:
        details += f" (also {', '.join(others)})"
    if dated and paper.date is not None:
        details += f"{DOT}{paper.date.isoformat()}"
    rows.append({"style": "Paper Links", "text": details, "links": links})
    # AI failure messages kept in extra are not shown
    extra = [(label, value) for label, value in paper.extra.items() if label not in AI_FAILURE_KEYS.values()]
    fields = [(label, getattr(paper, name)) for name, label in LABELS] + extra
    for label, value in fields:
        if value and xml_text(value).strip():
            rows.append({"style": "Paper Field", "text": f"{one_line(xml_text(label))}: {xml_text(value)}"})
    if paper.comment and abstract_paragraphs(paper.comment):
        rows.append({"style": "Paper Field", "text": "Comment: " + " ".join(abstract_paragraphs(paper.comment))})
    for label, abstract in (("Abstract", paper.abstract), ("Abstract translation", paper.abstract_translation)):
        for index, text in enumerate(abstract_paragraphs(abstract or "")):
            rows.append({"style": "Paper Abstract", "text": f"{label}: {text}" if index == 0 else text})
    return rows


def categories(digests: Sequence[Digest]) -> dict[str, list[Paper]]:
    groups: dict[str, list[Paper]] = {}
    for digest in digests:
        for section in digest.sections:
            groups.setdefault(one_line(xml_text(section.category)) or "Uncategorised", [])
        for paper in digest.papers:
            key = one_line(xml_text(paper.section or paper.category or "")) or "Uncategorised"
            groups.setdefault(key, []).append(paper)
    return groups


def expected_body(digests: Sequence[Digest], **options: Any) -> list[dict[str, Any]]:
    """Every paragraph after the contents: a heading per category, then its papers (or a note)."""
    dates = {d.date for d in digests if d.date} | {p.date for d in digests for p in d.papers if p.date}
    rows: list[dict[str, Any]] = []
    number = 0
    for category, papers in categories(digests).items():
        rows.append({"style": "Heading 1", "text": category})
        if not papers:
            rows.append({"style": "Paper Note", "text": "No papers listed in this category."})
        for paper in papers:
            number += 1
            rows += expected_paper(number, paper, dated=len(dates) > 1, max_authors=options.get("max_authors", 0))
    return rows


def body_of(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The paragraphs from the first category heading on (title block and contents cut off)."""
    starts = [i for i, row in enumerate(rows) if row["style"] == "Heading 1"]
    return rows[starts[0] :] if starts else []


def sample_digests(names: Sequence[Path] = SAMPLE_FILES) -> list[Digest]:
    return [read_digest(path) for path in names]


# --- golden files ------------------------------------------------------------------------

GOLDEN_CASES: list[tuple[str, list[Path], dict[str, Any]]] = [
    *((path.stem, [path], {}) for path in SAMPLE_FILES),
    ("all-samples", SAMPLE_FILES, {}),
    (
        "all-samples-options",
        SAMPLE_FILES,
        {"toc": "papers", "abstracts": False, "max_authors": 2, "page_size": "letter", "title": "Reading list"},
    ),
]


@pytest.mark.parametrize(("name", "inputs", "options"), GOLDEN_CASES, ids=[case[0] for case in GOLDEN_CASES])
def test_golden(name: str, inputs: list[Path], options: dict[str, Any]) -> None:
    """The document's content (not its bytes) for each sample, all samples merged, and with every option changed."""
    text = dump(write(sample_digests(inputs), **options))
    check_golden("docx", f"{name}.txt", text.encode("utf-8"))


def test_golden_files_have_no_strays() -> None:
    check_no_stray_goldens("docx", {f"{name}.txt" for name, _, _ in GOLDEN_CASES})


def test_samples_exist() -> None:
    assert SAMPLE_FILES, "samples/*.md are missing, so the golden tests ran on nothing"


def test_samples_match_the_model() -> None:
    digests = sample_digests()
    rows = paragraphs(write(digests))
    assert body_of(rows) == expected_body(digests)
    options = {"toc": "none", "max_authors": 1}
    assert body_of(paragraphs(write(digests, **options))) == expected_body(digests, **options)


# --- structure, options ------------------------------------------------------------------


def test_front_matter_and_contents() -> None:
    digests = sample_digests([SAMPLES / "digest-2025-01-02.md"])
    rows = paragraphs(write(digests))
    assert rows[0] == {"style": "Title", "text": "arXiv digest \u2014 2025-01-02"}
    assert rows[1]["style"] == "Subtitle"
    groups = categories(digests)
    assert rows[1]["text"] == f"{DOT.join(groups)} \u2014 {len(digests[0].papers)} papers"
    assert rows[2] == {"style": "TOC Heading", "text": "Contents"}
    toc = [row for row in rows if row["style"] == "toc 1"]
    assert [row["text"].split("\t")[0] for row in toc] == list(groups)
    for row, papers in zip(toc, groups.values(), strict=True):
        assert row["text"].split("\t")[1] == f"{len(papers)} paper" + ("" if len(papers) == 1 else "s")
        assert row["links"][0][0].startswith("#_TocArx")  # an internal link to the heading's bookmark


def test_toc_field_and_update_request() -> None:
    data = write(sample_digests())
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        document = package.read("word/document.xml").decode()
        settings_xml = package.read("word/settings.xml").decode()
    root = etree.fromstring(document.encode())
    assert [e.text for e in root.iter(f"{W}instrText")] == [' TOC \\o "1-1" \\h \\z \\u ']
    assert [e.get(f"{W}fldCharType") for e in root.iter(f"{W}fldChar")] == ["begin", "separate", "end"]
    # updateFields must come before w:compat, or the settings part fails schema validation
    assert settings_xml.index("<w:updateFields") < settings_xml.index("<w:compat>")

    data = write(sample_digests(), toc="none")
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        assert "TOC \\o" not in package.read("word/document.xml").decode()
        assert "updateFields" not in package.read("word/settings.xml").decode()
    assert not [row for row in paragraphs(data) if row["style"] in ("TOC Heading", "toc 1")]


def test_toc_papers_lists_every_paper_heading() -> None:
    digests = sample_digests()
    rows = paragraphs(write(digests, toc="papers"))
    toc = [row["text"].split("\t")[0] for row in rows if row["style"] in ("toc 1", "toc 2")]
    headings = [row["text"] for row in rows if row["style"] in ("Heading 1", "Heading 2")]
    assert toc == headings


def test_no_abstracts_and_title_and_letter() -> None:
    digests = sample_digests()
    data = write(digests, abstracts=False, title="My\treading\nlist", page_size="letter")
    rows = paragraphs(data)
    assert not [row for row in rows if row["style"] == "Paper Abstract"]
    assert rows[0]["text"] == "My reading list"
    document = docx.Document(io.BytesIO(data))
    assert document.core_properties.title == "My reading list"
    width = document.sections[0].page_width
    assert width is not None and round(width.mm, 1) == 215.9


def test_max_authors_counts_the_rest() -> None:
    many = tuple(f"Author {k}" for k in range(3303))
    paper = Paper(id="2501.00001", url="https://arxiv.org/abs/2501.00001", title="Big team", authors=many)
    rows = paragraphs(write([Digest(source="x", papers=(paper,))], max_authors=3))
    authors = next(row["text"] for row in rows if row["style"] == "Paper Authors")
    assert authors == "Author 0, Author 1, Author 2, et al. (3,303 authors)"
    rows = paragraphs(write([Digest(source="x", papers=(paper,))]))
    assert next(row["text"] for row in rows if row["style"] == "Paper Authors") == ", ".join(many)


def test_empty_input_is_a_document() -> None:
    for digests in ([], [Digest(source="empty.md", date=dt.date(2025, 4, 22))]):
        rows = paragraphs(write(digests))
        assert rows[0]["style"] == "Title"
        assert {"style": "Paper Note", "text": "No papers."} in rows


def test_empty_section_is_shown() -> None:
    digest = Digest(source="x.md", sections=(Section(category="cs.MM"),))
    rows = paragraphs(write([digest]))
    assert body_of(rows) == [
        {"style": "Heading 1", "text": "cs.MM"},
        {"style": "Paper Note", "text": "No papers listed in this category."},
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"toc": "chapters"}, "--toc"),
        ({"max_authors": -1}, "--max-authors"),
        ({"page_size": "a3"}, "--page-size"),
    ],
)
def test_bad_options_are_output_errors(options: dict[str, Any], message: str) -> None:
    with pytest.raises(OutputError, match=message):
        write([], **options)


def test_unwritable_output_is_an_output_error() -> None:
    class Broken(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

    with pytest.raises(OutputError, match="No space left on device"):
        DocxWriter().write(sample_digests(), Broken(), DocxWriter.default_options())


def test_registry_and_suffix() -> None:
    assert isinstance(get_writer("docx"), DocxWriter)
    assert isinstance(get_writer("word"), DocxWriter)
    assert writer_for_path("reading/list.DOCX") == "docx"
    assert DocxWriter.binary


# --- determinism ---------------------------------------------------------------------------


def test_same_bytes_every_run_and_fixed_dates() -> None:
    digests = sample_digests()
    first, second = write(digests), write(digests)
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as package:
        assert package.testzip() is None
        infos = package.infolist()
        assert {info.date_time for info in infos} == {ZIP_TIMESTAMP}
        assert infos[0].filename == "[Content_Types].xml"
        names = [info.filename for info in infos]
        assert "docProps/thumbnail.jpeg" not in names  # the template's picture of an empty page
        core = package.read("docProps/core.xml").decode()
    newest = max(d.date for d in digests if d.date)
    assert f'<dcterms:created xsi:type="dcterms:W3CDTF">{newest.isoformat()}T00:00:00Z' in core
    assert f'<dcterms:modified xsi:type="dcterms:W3CDTF">{newest.isoformat()}T00:00:00Z' in core
    assert "python-docx" not in core
    properties = docx.Document(io.BytesIO(first)).core_properties
    assert (properties.author, properties.last_modified_by, properties.revision) == ("arxport", "arxport", 1)


def test_undated_documents_get_a_fixed_date() -> None:
    paper = Paper(id="2501.00001", url="https://arxiv.org/abs/2501.00001", title="T")
    properties = docx.Document(io.BytesIO(write([Digest(source="<stdin>", papers=(paper,))]))).core_properties
    assert properties.created == properties.modified == dt.datetime(1980, 1, 1, tzinfo=dt.UTC)


def test_same_bytes_in_another_process_with_another_hash_seed(tmp_path: Path) -> None:
    """Nothing depends on str hashing (set or dict order) or the clock: other processes write the same bytes."""
    script = (
        "import sys, io\n"
        "from pathlib import Path\n"
        "from converters.registry import get_reader\n"
        "from converters.writers.docx.writer import DocxWriter\n"
        "paths = sorted(Path('samples').glob('*.md'))\n"
        "digests = [get_reader('digest').read(p.read_bytes(), str(p)) for p in paths]\n"
        "out = io.BytesIO()\n"
        "DocxWriter().write(digests, out, {**DocxWriter.default_options(), 'toc': 'papers'})\n"
        "Path(sys.argv[1]).write_bytes(out.getvalue())\n"
    )
    outputs = []
    for seed in ("1", "4242"):
        target = tmp_path / f"seed-{seed}.docx"
        env = {**os.environ, "PYTHONHASHSEED": seed, "TZ": "Pacific/Kiritimati" if seed == "1" else "UTC"}
        subprocess.run([sys.executable, "-c", script, str(target)], cwd=ROOT, env=env, check=True, timeout=120)
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1]


# --- hostile field values ----------------------------------------------------------------

_TEXT = st.text(st.characters(codec="utf-8"), max_size=80) | st.sampled_from(
    ["", "\x08ar", "S\textsc{urprise}", "a\u200bb", "<think>x</think> & $\\alpha$", "line\n  indented", "\r\n\x00"]
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    title=_TEXT,
    authors=st.lists(_TEXT, max_size=4),
    tldr=st.none() | _TEXT,
    abstract=st.none() | _TEXT,
    extra=st.dictionaries(_TEXT, _TEXT, max_size=2),
    category=st.none() | _TEXT,
)
def test_any_field_values_reopen_with_the_model_text(
    title: str, authors: list[str], tldr: str | None, abstract: str | None, extra: dict[str, str], category: str | None
) -> None:
    """Control characters, lone surrogates, markup and empty strings never crash and come back as documented."""
    paper = Paper(
        id="2501.00001",
        url="https://arxiv.org/abs/2501.00001",
        title=title,
        authors=tuple(authors),
        tldr=tldr,
        abstract=abstract,
        extra=extra,
        primary_category=category,
    )
    digest = Digest(source="x.md", papers=(paper,))
    data = write([digest])
    assert body_of(paragraphs(data)) == expected_body([digest])
    with docx2python(io.BytesIO(data)) as reopened:
        assert '<a href="https://arxiv.org/abs/2501.00001">arXiv:2501.00001</a>' in reopened.text


# --- the real corpus ---------------------------------------------------------------------


@pytest.mark.corpus
def test_every_corpus_digest_reopens_with_python_docx(corpus_digests: list[Digest]) -> None:
    """Each digest alone: every paper's heading, links, authors, fields and abstract equal the model's values."""
    totals = {"papers": 0, "links": 0, "documents": 0}
    for digest in corpus_digests:
        data = write([digest])
        rows = paragraphs(data)
        assert body_of(rows) == expected_body([digest]), digest.source
        headings = [row for row in rows if row["style"] == "Heading 2"]
        links = [link for row in rows for link in row.get("links", []) if not link[0].startswith("#")]
        assert len(headings) == len(digest.papers)
        assert len(links) == 2 * len(digest.papers)
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            assert package.testzip() is None
        totals["papers"] += len(headings)
        totals["links"] += len(links)
        totals["documents"] += 1
    assert totals["papers"] == sum(len(d.papers) for d in corpus_digests)
    assert totals["documents"] == len(corpus_digests) >= 36


@pytest.mark.corpus
def test_whole_corpus_merged_into_one_document(corpus_digests: list[Digest]) -> None:
    """All 36 digests in one document: categories merged in first-seen order, papers numbered through, all listed.

    Paragraph text is checked per digest above; here the headings and contents entries (python-docx) and the
    link relationships (one per distinct URL) of the merged document.
    """
    data = write(corpus_digests, toc="papers")
    document = docx.Document(io.BytesIO(data))
    names = {style.style_id: style.name for style in document.styles}
    by_style: dict[str, list[Any]] = {}
    for paragraph in document.paragraphs:
        by_style.setdefault(names[paragraph._p.style or "Normal"], []).append(paragraph)
    expected = expected_body(corpus_digests)
    papers = sum(len(d.papers) for d in corpus_digests)
    for style in ("Heading 1", "Heading 2"):
        assert [p.text for p in by_style[style]] == [row["text"] for row in expected if row["style"] == style]
    assert len(by_style["Heading 2"]) == len(by_style["toc 2"]) == papers
    assert len(by_style["Paper Links"]) == papers
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        rels = package.read("word/_rels/document.xml.rels").decode()
    distinct = {p.versioned_id for d in corpus_digests for p in d.papers}
    assert rels.count('TargetMode="External"') == 2 * len(distinct)


PAPER_TEXT = ("title", "tldr", "motivation", "method", "result", "conclusion", "abstract")

#: What makes a paper awkward to render; the docx2python check takes two of each from every digest that has them.
AWKWARD: dict[str, Callable[[Paper], bool]] = {
    "control characters": lambda p: any(
        re.search(r"[\x00-\x09\x0b-\x1f\x7f\u200b]", getattr(p, n) or "") for n in PAPER_TEXT
    ),
    "markup": lambda p: bool(re.search(r"[<>&]", p.title + (p.abstract or ""))),
    "multi-line AI field": lambda p: any("\n" in (getattr(p, n) or "") for n, _ in LABELS),
    "empty AI field": lambda p: any(getattr(p, n) == "" for n, _ in LABELS),
    "missing AI fields": lambda p: p.tldr is None,
    "huge author list": lambda p: len(p.authors) > 50,
    "version": lambda p: p.version is not None,
    "no primary category": lambda p: p.primary_category is None,
    "extra fields": lambda p: bool(p.extra),
    "comment": lambda p: bool(p.comment),
}


def awkward_papers(digest: Digest, first: int = 3, each: int = 2) -> list[Paper]:
    """The first papers of a digest and the first ``each`` papers of every :data:`AWKWARD` kind, in file order."""
    chosen = set(range(min(first, len(digest.papers))))
    for test in AWKWARD.values():
        chosen.update([i for i, paper in enumerate(digest.papers) if test(paper)][:each])
    return [digest.papers[i] for i in sorted(chosen)]


@pytest.mark.corpus
def test_corpus_reopens_with_docx2python(corpus_digests: list[Digest]) -> None:
    """docx2python (independent of python-docx) sees the same paragraphs, with every link as <a href>.

    docx2python takes about 10 ms a paper and rebuilds the relationship table for every link it
    meets (quadratic), so each corpus digest is checked with its first papers plus two of every
    awkward kind it has (:data:`AWKWARD`); python-docx checks every paper above.
    """
    checked: dict[str, int] = dict.fromkeys(AWKWARD, 0)
    for digest in corpus_digests:
        papers = awkward_papers(digest)
        subset = Digest(source=digest.source, date=digest.date, sections=digest.sections, papers=tuple(papers))
        data = write([subset])
        with docx2python(io.BytesIO(data)) as reopened:
            texts = list(reopened.body[0][0][0])
            properties = reopened.core_properties
        expected = expected_body([subset])
        # docx2python writes external links as <a href="url">text</a> inside the paragraph text
        for row in expected:
            for url, text in row.get("links", []):
                row["text"] = row["text"].replace(text, f'<a href="{url}">{text}</a>', 1)
        assert texts[len(texts) - len(expected) :] == [row["text"] for row in expected], digest.source
        assert properties["title"] == (f"arXiv digest \u2014 {digest.date}" if digest.date else "arXiv digest")
        for kind, test in AWKWARD.items():
            checked[kind] += sum(1 for paper in papers if test(paper))
    assert all(checked.values()), checked  # the corpus has every kind, so each one was exercised


# --- LibreOffice -------------------------------------------------------------------------


def test_libreoffice_renders_the_text(tmp_path: Path) -> None:
    soffice = need_tool("soffice", "libreoffice-writer-nogui")
    pdftotext = need_tool("pdftotext", "poppler-utils")
    source = tmp_path / "digest.docx"
    source.write_bytes(write(sample_digests([SAMPLES / "digest-2025-01-02.md"])))
    home = tmp_path / "home"  # a private profile: no clash with a running LibreOffice, no state left behind
    home.mkdir()
    subprocess.run(
        [soffice, "--headless", "--norestore", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        env={**os.environ, "HOME": str(home)},
        capture_output=True,
        timeout=180,
        check=False,
    )
    pdf = tmp_path / "digest.pdf"
    assert pdf.exists(), "LibreOffice made no PDF: it could not read the document"
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True, timeout=60
    ).stdout.decode()
    flat = " ".join(text.split())
    for expected in (
        "arXiv digest \u2014 2025-01-02",
        "Contents",
        "[1] VOLT: Fast & Accurate 3D Reconstruction",
        "arXiv:2501.01234",
        "TL;DR: VOLT reconstructs 3D scenes",
        "Method: Sparse voxel grids with a learned hash:",
        "Abstract: We present VOLT, a method_name that uses {braces}",
        "Calibration of <think> Traces",
        "page 1 of",
    ):
        assert expected in flat, expected


# --- the command line --------------------------------------------------------------------


def test_cli_options(tmp_path: Path) -> None:
    target = tmp_path / "out.docx"
    sample = str(SAMPLES / "digest-2025-01-02.md")
    arguments = ["convert", sample, "-o", str(target), "--toc", "papers", "--no-abstracts", "--max-authors", "1"]
    arguments += ["--page-size", "letter", "--title", "Weekly reading"]
    result = CliRunner().invoke(main, arguments)
    assert result.exit_code == 0, result.output
    rows = paragraphs(target.read_bytes())
    assert rows[0]["text"] == "Weekly reading"
    assert [row for row in rows if row["style"] == "toc 2"]
    assert not [row for row in rows if row["style"] == "Paper Abstract"]
    assert any(row["text"].endswith("et al. (5 authors)") for row in rows if row["style"] == "Paper Authors")


def test_cli_picks_docx_from_the_suffix_and_rejects_bad_choices(tmp_path: Path) -> None:
    target = tmp_path / "list.docx"
    result = CliRunner().invoke(main, ["convert", str(SAMPLES / "digest-2025-01-03.md"), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(target)
    result = CliRunner().invoke(
        main, ["convert", str(SAMPLES / "digest-2025-01-03.md"), "-o", str(target), "--toc", "x"]
    )
    assert result.exit_code == 2


@pytest.mark.parametrize("toc", ["none", "categories", "papers"])
@pytest.mark.parametrize("batch", [1, 2, 3])
def test_a_body_made_in_batches_is_the_body_made_whole(toc: str, batch: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The body is made and zipped a few hundred papers at a time (bounded memory): the same bytes."""
    from converters.writers.docx import layout

    digests = [read_digest(path) for path in sorted(SAMPLES.glob("*.md"))]
    whole = write(digests, toc=toc)
    monkeypatch.setattr(layout, "BATCH", batch)
    assert write(digests, toc=toc) == whole
    sink = io.BytesIO()  # a pipe cannot be zipped in place: the document goes through a buffer, same bytes
    sink.seekable = lambda: False  # type: ignore[method-assign]
    get_writer("docx").write(digests, sink, {**get_writer("docx").default_options(), "toc": toc})
    assert sink.getvalue() == whole


def test_a_streamed_part_decides_zip64_as_writestr_does(monkeypatch: pytest.MonkeyPatch) -> None:
    """The body is zipped a piece at a time; with its size set first, a part past zipfile's zip64 line (here
    patched down to a few KB, in life 2 GiB) gets the same zip64 entry writestr would have made."""
    digests = [read_digest(path) for path in sorted(SAMPLES.glob("*.md"))]
    normal = write(digests)
    monkeypatch.setattr(zipfile, "ZIP64_LIMIT", 4096)
    expected = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(normal)) as source, zipfile.ZipFile(expected, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, source.read(info))
    assert expected.getvalue() != normal  # the patched limit does change the zip
    assert write(digests) == expected.getvalue()
