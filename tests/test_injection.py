"""Injection stays closed: one shared payload set (``tests/hostile.py``) in every field, through every writer.

Every payload (TeX primitives in and out of math, ``^^`` escapes, ``<script>``,
event attributes, ``javascript:`` and ``data:`` links, ``</script>``, spreadsheet
formulas, line and record breakers) is put in every text field of a paper, and
the digests go through every writer, both as the model holds them and after a
round trip through the Markdown digest reader (the way hostile text really
arrives). Each output is parsed by its real consumer and checked by
``tests/hostile.py``: no TeX command outside what the escaper writes, no markup
or link in feeds, DOCX and JSON-LD beyond the writer's own, no cell that starts
a formula, no record or paper more than went in. BibTeX is compiled with
pdflatex and bibtex; nothing may be read or written.

File names derived from content: the export command names files after
digests, months and categories (:func:`converters.export.safe_name`); every
function in :data:`FILE_NAME_MAKERS` is checked against every payload.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from converters import export
from converters.model import Digest, Paper, Section, SourceSpan
from converters.registry import get_reader, get_writer, writer_names
from fuzz.harnesses import WRITER_CHECKS

from .conftest import need_tool
from .hostile import (
    ALL_PAYLOADS,
    PAYLOADS,
    file_name_problems,
    formula_problems,
    html_problems,
    link_problems,
    script_element_problems,
    tex_problems,
)

DATE = dt.date(2025, 1, 2)


def hostile_paper(number: int, payload: str) -> Paper:
    arxiv_id = f"2501.{10000 + number}"
    return Paper(
        id=arxiv_id,
        url=f"https://arxiv.org/abs/{arxiv_id}",
        title=f"Title {payload} end",
        authors=(f"Ada {payload}", payload, "Alan Turing"),
        primary_category="cs.CV",
        categories=("cs.CV", payload),
        section="cs.CV",
        number=number,
        tldr=payload,
        motivation=f"m {payload}",
        method=payload,
        result=payload,
        conclusion=payload,
        abstract=f"{payload} abstract {payload}",
        comment=payload,
        extra={"Keywords": payload, f"Label {payload}": payload},
        date=DATE,
        source=SourceSpan(path="hostile-2025-01-02.md", line=number),
        abstract_translation=payload,
    )


def model_digests() -> list[Digest]:
    papers = tuple(hostile_paper(n, p) for n, p in enumerate(ALL_PAYLOADS, start=1))
    return [
        Digest(
            source="hostile-2025-01-02.md",
            date=DATE,
            title="Digest <script>alert(1)</script> \\input{x}",
            papers=papers,
            sections=(Section(category="cs.CV"),),
        )
    ]


def read_back_digests() -> list[Digest]:
    """The payloads as the digest reader gives them: written as a digest, then read."""
    out = io.BytesIO()
    get_writer("markdown").write(model_digests(), out, {})
    return [get_reader("digest").read(out.getvalue(), "hostile-2025-01-02.md")]


SOURCES: dict[str, Callable[[], list[Digest]]] = {"model": model_digests, "read-back": read_back_digests}


def write(name: str, digests: list[Digest], **options: Any) -> bytes:
    writer = get_writer(name)
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


@pytest.mark.parametrize("source", list(SOURCES))
@pytest.mark.parametrize("check", WRITER_CHECKS, ids=lambda c: c.writer + "".join(f"-{k}" for k in c.options))
def test_every_writer_keeps_every_payload_inert(check: Any, source: str) -> None:
    """The fuzz harness's consumer checks: pybtex/bibtexparser + TeX commands, rispy, feedparser + HTML and links,
    csv + formulas, python-docx + links and fields, JSON-LD links and the script element, json/jsonl read back."""
    digests = SOURCES[source]()
    check.check(write(check.writer, digests, **check.options), digests)


def test_every_writer_is_checked() -> None:
    assert {c.writer for c in WRITER_CHECKS} == set(writer_names())


def test_the_read_back_digest_holds_every_payload_paper() -> None:
    """No payload makes the digest reader see another paper, or lose one (``### [9] [Injected]`` in a field)."""
    [digest] = read_back_digests()
    assert [p.id for p in digest.papers] == [p.id for p in model_digests()[0].papers]


def test_ris_records_are_not_split_by_payloads() -> None:
    import rispy

    data = write("ris", model_digests()).decode("utf-8-sig")
    records = rispy.loads(data)
    assert len(records) == len(ALL_PAYLOADS)
    for line in data.splitlines():
        assert not line or (line[:2].isupper() and line[2:6] == "  - "), repr(line)


def test_bibtex_payloads_compile_without_reading_or_writing_anything(tmp_path: Path) -> None:
    """pdflatex + bibtex on every payload entry: it compiles, reads no file but its own, writes none but its own.

    With ``--ascii``, the option for pdflatex: it has no glyph for the emoji and U+FFFD of the text payloads.
    """
    from .test_bibtex import _compile

    need_tool("pdflatex", "texlive-latex-base")
    digests = model_digests()
    data = write("bibtex", digests, ascii=True).decode("utf-8")
    assert not tex_problems(data, ascii=True)
    import bibtexparser

    keys = [entry.key for entry in bibtexparser.parse_string(data).entries]
    log = _compile(tmp_path, data, keys)
    assert "(/etc/passwd" not in log and "root:x:" not in log  # TeX logs each file it opens as "(path"
    assert not (tmp_path / "pwned").exists() and not (tmp_path / "pwned.tex").exists()
    made = {p.name for p in tmp_path.iterdir()}
    assert made <= {"refs.bib", "doc.tex", "doc.log", "doc.aux", "doc.bbl", "doc.blg", "doc.pdf", "doc.out"}, made


@pytest.mark.parametrize("kind", ["rss", "atom"])
def test_feed_text_elements_hold_no_markup(kind: str) -> None:
    """Beyond the item HTML the harness checks: titles, categories and the feed's own text are text (hex
    references in RSS), and feedparser's sanitiser has nothing left to remove from the content."""
    import feedparser

    data = write(kind, model_digests())
    parsed = feedparser.parse(data, sanitize_html=True)
    raw = feedparser.parse(data, sanitize_html=False)
    assert not parsed.bozo
    for clean, entry in zip(parsed.entries, raw.entries, strict=True):
        assert clean.get("content", [{}])[0].get("value") == entry.get("content", [{}])[0].get("value")
        assert not html_problems(entry.get("summary", ""))
    if kind == "rss":
        assert b"<script" not in data.split(b"<item>")[0]


def test_csv_cells_never_start_a_formula_unless_raw_is_asked_for() -> None:
    for options in ({}, {"columns": "all"}, {"bom": False}):
        rows = list(csv.reader(io.StringIO(write("csv", model_digests(), **options).decode("utf-8-sig"), newline="")))
        assert not formula_problems([cell for row in rows[1:] for cell in row]), options
    raw = write("csv", model_digests(), raw=True).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw, newline="")))
    assert formula_problems([cell for row in rows[1:] for cell in row]), "--raw keeps values as written"


def test_docx_links_and_text() -> None:
    import docx

    data = write("docx", model_digests())
    document = docx.Document(io.BytesIO(data))
    targets = [r.target_ref for r in document.part.rels.values() if r.is_external]
    assert targets and all(not link_problems(t) for t in targets)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    assert "<script" not in xml and "javascript:" not in xml.split("<w:body>")[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in xml  # the payload is there, as text


def test_jsonld_links_expand_to_http_iris() -> None:
    from .test_jsonld import expand, need_vendor

    need_vendor()
    document = json.loads(write("jsonld", model_digests()))
    for node in expand(document):
        stack: list[Any] = [node]
        while stack:
            value = stack.pop()
            if isinstance(value, dict):
                if isinstance(value.get("@id"), str) and not value["@id"].startswith("_:"):
                    assert not link_problems(value["@id"]), value["@id"]
                stack.extend(value.values())
            elif isinstance(value, list):
                stack.extend(value)
    page = write("jsonld", model_digests(), embed_html=True).decode("utf-8")
    assert not script_element_problems(page)


#: Links a digest may give for a work that is not on arXiv: every character a DOI or URL may hold that means
#: something to TeX, HTML or a spreadsheet.
HOSTILE_LINKS = (
    "https://doi.org/10.1234/x^^5cinput^^7b/etc/passwd^^7d",
    "https://doi.org/10.1234/a{b}c\\input%d#e&f_g~h$i",
    "https://doi.org/10.1002/(SICI)1097-4636<448::AID-JBM13>3.0.CO;2-M",
    'https://doi.org/10.1234/"><script>alert(1)</script>',
    'https://example.org/a"onmouseover="alert(1)',
    "https://example.org/</script><script>alert(1)</script>",
    "https://example.org/=HYPERLINK(1)?q=^^5c&x={y}",
    "https://pubmed.ncbi.nlm.nih.gov/123/#<script>",
)


def test_work_links_carry_no_payload_into_any_writer() -> None:
    """Regression: a DOI holding ``^^5c`` went verbatim into the ``doi`` field, where a style printing it
    would have read ``\\``; the link of a work is never markup, TeX or a formula in any output."""
    from converters.model import parse_work_link

    papers = []
    for number, link in enumerate(HOSTILE_LINKS, start=1):
        work = parse_work_link(link, any_url=True)
        assert work is not None, link
        papers.append(
            Paper(id=work.id, url=link, title=f"Work {number}", id_scheme=work.scheme, date=DATE, authors=("A B",))
        )
    digests = [Digest(source="links-2025-01-02.md", date=DATE, papers=tuple(papers))]
    for check in WRITER_CHECKS:
        check.check(write(check.writer, digests, **check.options), digests)
    for dialect in ("bibtex", "biblatex"):
        assert "^^" not in write(dialect, digests).decode("utf-8")


def test_payloads_cover_every_context() -> None:
    assert set(PAYLOADS) == {"tex", "html", "formula", "file-name", "text"}
    assert all(PAYLOADS.values())


# --- file names derived from content ---------------------------------------------------------------

#: Functions that make a file name from content (a category, a digest's name ...).
FILE_NAME_MAKERS: list[Any] = [
    pytest.param(export.safe_name, id="export-safe-name"),
    pytest.param(lambda text: export.digest_stem(f"{text}.md"), id="export-digest-stem"),
]


@pytest.mark.parametrize("make", FILE_NAME_MAKERS)
def test_file_names_made_from_content_are_safe(make: Callable[[str], str]) -> None:
    names = set()
    for payload in (*ALL_PAYLOADS, "cs.CV", "cs.cv", "hep-th", "Computer Vision", "中文"):
        name = make(payload)
        assert not file_name_problems(name), (payload, name, file_name_problems(name))
        names.add(name)
    assert len(names) > 1


@pytest.mark.parametrize("name", PAYLOADS["file-name"], ids=repr)
def test_the_file_name_check_refuses_every_hostile_name(name: str) -> None:
    assert file_name_problems(name)


@pytest.mark.parametrize("name", ["cs.CV.bib", "hep-th.csv", "papers.biblatex.bib", "中文.md", "q-bio_NC"])
def test_the_file_name_check_accepts_ordinary_names(name: str) -> None:
    assert not file_name_problems(name)
