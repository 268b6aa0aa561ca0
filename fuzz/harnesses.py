"""Fuzz targets: each takes bytes and raises only when arxport broke a promise.

Readers (``digest``, ``digest-html``, ``digest-jsonl``, ``json``, ``jsonl``): on any
bytes a reader returns digests or raises :class:`~converters.errors.InputError`,
and what it returns keeps the model's contract (a problem is one line of
``file:line: level: message [code]``, an arXiv paper's id is an arXiv id ...).

``escapers``: the LaTeX escaping, the feed HTML, the CSV formula guard, URIs and
JSON for ``<script>`` on arbitrary text; each result checked by what consumes it.

``writers``: arbitrary papers (built from the bytes: see :class:`Draw`), written by
every writer and parsed by that format's real consumer (pybtex and bibtexparser,
rispy, ``json``, feedparser, the ``csv`` module, python-docx, the digest reader),
then checked for injection with ``tests/hostile.py``.

The targets know nothing of atheris: ``fuzz/run.py`` runs them under it, and the
test suite replays seeds and past crashes through them directly.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from converters.errors import ArxportError, InputError
from converters.model import (
    AI_FAILURE_KEYS,
    ID_SCHEMES,
    Digest,
    Paper,
    Section,
    SourceSpan,
    TocEntry,
    parse_arxiv_id,
    parse_work_link,
)
from converters.pipeline import choose_reader
from converters.readers.base import ReadOptions
from converters.registry import get_reader, get_writer
from tests.hostile import (
    ALL_PAYLOADS,
    formula_problems,
    html_problems,
    link_problems,
    script_element_problems,
    tex_problems,
)

Target = Callable[[bytes], None]


class Broken(AssertionError):
    """A promise arxport did not keep (the fuzzer reports it as a crash)."""


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise Broken(message)


# --- readers --------------------------------------------------------------------------------

#: What a reader promises of a problem's code: kebab-case ASCII.
_CODE_RE = re.compile(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*")
_ONE_LINE_BREAKS = re.compile("[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def check_digest(digest: Digest, line_count: int | None) -> None:
    """The model's contract for what a reader returns.

    ``line_count``: the input's lines, which the problems the reader found point into; None for
    arxport's own json, whose problems are data carried over from the first read (any code, any line).
    """
    expect(isinstance(digest, Digest), f"not a Digest: {type(digest).__name__}")
    for problem in digest.problems:
        expect(problem.level in ("error", "warning"), f"problem level {problem.level!r}")
        if line_count is not None:
            expect(bool(_CODE_RE.fullmatch(problem.code)), f"problem code {problem.code!r}")
            expect(1 <= problem.source.line <= line_count + 1, f"problem line {problem.source.line} of {line_count}")
        expect(not _ONE_LINE_BREAKS.search(str(problem)), f"a problem breaks its line: {str(problem)!r}")
    for paper in digest.papers:
        expect(isinstance(paper, Paper), f"not a Paper: {type(paper).__name__}")
        expect(paper.id_scheme in ID_SCHEMES, f"id scheme {paper.id_scheme!r}")
        expect(isinstance(paper.title, str), "a title that is not text")
        if paper.is_arxiv:
            expect(parse_arxiv_id(paper.id) == (paper.id, None), f"arXiv id {paper.id!r}")
        expect(paper.version is None or paper.version >= 0, f"version {paper.version}")
        expect(all(isinstance(a, str) for a in paper.authors), "an author that is not text")


def read_target(reader_name: str, source: str, *, sniff: bool = False) -> Target:
    """A target that reads the bytes with ``reader_name`` (and, with ``sniff``, detects the format first)."""

    def target(data: bytes) -> None:
        if sniff:
            choose_reader(data, source, None)
        reader = get_reader(reader_name)
        reader.options = ReadOptions()
        try:
            digests = reader.read_all(data, source)
        except InputError as exc:
            expect(not _ONE_LINE_BREAKS.search(str(exc)), f"an error breaks its line: {str(exc)!r}")
            return
        lines = data.count(b"\n") + 1 if reader_name != "json" else None
        for digest in digests:
            check_digest(digest, lines)

    return target


# --- drawing values from bytes --------------------------------------------------------------

#: Pieces text is built from: markup of every output format, payloads, and awkward characters.
TOKENS: tuple[str, ...] = (
    *ALL_PAYLOADS,
    *"\\{}$&%#_~^<>|@=+-'\"`[]()*!\n\t \r\x00\x0b\u2028\u0085\u200b\ufeff\ud800é中𝕏",
    "$$",
    "^^",
    "\\\\",
    "\\$",
    "\\{",
    "\\}",
    "{}",
    "$\\alpha$",
    "$x^2$",
    "\\emph{x}",
    "\\frac{a}{b}",
    "\\mathrm",
    "\\text{",
    "\\left(",
    "VOLT",
    "3D",
    "GPT-4o",
    "and",
    " and ",
    "others",
    "Jr.",
    "von",
    "{\\'e}",
    "</p>",
    "<br>",
    "&amp;",
    "&#0;",
    "]]>",
    "</script>",
    "<!--",
    "\n\n",
    "\n- ",
    "\n1) ",
    "### ",
    "**",
    "TL;DR:",
    "Abstract:",
    "</details>",
    "https://arxiv.org/abs/2501.01234",
    "javascript:",
    "ER  - ",
    "TY  - ",
    "\nAU  - x",
)


class Draw:
    """Values taken from the front of a byte string; past its end every draw is the smallest value."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def byte(self) -> int:
        if self.pos >= len(self.data):
            return 0
        self.pos += 1
        return self.data[self.pos - 1]

    def int(self, below: int) -> int:
        """0 .. below-1 (two bytes when one cannot cover it)."""
        value = self.byte()
        if below > 256:
            value = value << 8 | self.byte()
        return value % below if below else 0

    def flag(self) -> bool:
        return self.byte() & 1 == 1

    def text(self, most: int = 12) -> str:
        """Up to ``most`` pieces: a token, or a character (any code point, surrogates included)."""
        parts: list[str] = []
        for _ in range(self.int(most + 1)):
            kind = self.byte()
            if kind < 160:
                parts.append(TOKENS[self.int(len(TOKENS))])
            elif kind < 224:
                parts.append(chr(0x20 + self.byte() % 0x5F) * (1 + self.byte() % 4))
            else:
                parts.append(chr((self.byte() << 16 | self.byte() << 8 | self.byte()) % 0x110000))
        return "".join(parts)

    def optional_text(self, most: int = 12) -> str | None:
        return self.text(most) if self.flag() else None

    def done(self) -> bool:
        return self.pos >= len(self.data)


_DOI_ENDINGS = ("5.0319757", "(SICI)1097-4636<448::AID-JBM13>3.0.CO;2-M", "a{b}c\\d%e", "x#y~z")


def draw_work(draw: Draw) -> tuple[str, str, str, int | None]:
    """(id_scheme, id, url, version) of a work as a reader could give it."""
    choice = draw.int(5)
    if choice == 0:
        number = f"{2501 + draw.int(99)}.{draw.int(100000):05d}"
        version = draw.int(12) or None
        url = f"https://arxiv.org/{'pdf' if draw.flag() else 'abs'}/{number}" + (f"v{version}" if version else "")
        return "arxiv", number, url, version
    if choice == 1:
        return "arxiv", "hep-th/9901001", "https://arxiv.org/abs/hep-th/9901001", None
    if choice == 2:
        ending = _DOI_ENDINGS[draw.int(len(_DOI_ENDINGS))] + "".join(draw.text(2).split())
        url = "https://doi.org/10.1234/" + ending
    elif choice == 3:
        url = f"https://pubmed.ncbi.nlm.nih.gov/{draw.int(100000)}/"
    else:
        url = "https://example.org/" + "".join(draw.text(3).split())
    found = parse_work_link(url, any_url=True)
    if found is None:
        return "arxiv", "2501.01234", "https://arxiv.org/abs/2501.01234", None
    return found.scheme, found.id, url, found.version


def draw_paper(draw: Draw, date: dt.date | None, number: int) -> Paper:
    scheme, work_id, url, version = draw_work(draw)
    categories = tuple(draw.text(3) for _ in range(draw.int(3)))
    extra = {draw.text(3): draw.text(8) for _ in range(draw.int(3))}
    if draw.flag():
        extra[list(AI_FAILURE_KEYS.values())[draw.int(5)]] = draw.text(4)
    return Paper(
        id=work_id,
        version=version,
        url=url,
        title=draw.text(16),
        authors=tuple(draw.text(4) for _ in range(draw.int(5))),
        primary_category=draw.optional_text(3),
        categories=categories,
        section=draw.optional_text(3),
        number=number if draw.flag() else None,
        tldr=draw.optional_text(),
        motivation=draw.optional_text(),
        method=draw.optional_text(),
        result=draw.optional_text(),
        conclusion=draw.optional_text(),
        abstract=draw.optional_text(24),
        comment=draw.optional_text(),
        extra=extra,
        date=date,
        source=SourceSpan(path="fuzz.md", line=1 + number),
        id_scheme=scheme,
        abstract_translation=draw.optional_text(),
    )


def draw_digests(draw: Draw) -> list[Digest]:
    digests: list[Digest] = []
    for index in range(1 + draw.int(3)):
        date = dt.date(2025, 1, 1) + dt.timedelta(days=draw.int(400)) if draw.int(8) else None
        papers = tuple(draw_paper(draw, date, n) for n in range(1 + draw.int(4)))
        sections = tuple(dict.fromkeys(p.section for p in papers if p.section))
        digests.append(
            Digest(
                source=f"fuzz-{index}.md",
                date=date,
                title=draw.optional_text(4),
                template=("v3", "v2", "v1", "v0", "restyle", None)[draw.int(6)],
                author_separator=(",", ", ", "; ", "，")[draw.int(4)],
                toc=tuple(TocEntry(category=s, total=draw.int(9)) for s in sections),
                sections=tuple(Section(category=s) for s in sections),
                papers=papers,
            )
        )
        if draw.done():
            break
    return digests


# --- writers and their consumers ------------------------------------------------------------


def _write(name: str, digests: list[Digest], **options: Any) -> bytes:
    writer = get_writer(name)
    out = io.BytesIO()
    given = writer.default_options()
    given.update(options)
    try:
        writer.write(digests, out, given)
    except ArxportError as exc:  # a writer may refuse with a message (none should for these papers)
        raise Broken(f"{name} refused: {exc}") from exc
    return out.getvalue()


def _check_bib(data: bytes, dialect: str, ascii: bool) -> None:
    import bibtexparser
    from pybtex.database import parse_string

    text = data.decode("utf-8")
    parsed = parse_string(text, "bibtex")
    library = bibtexparser.parse_string(text)
    expect(not library.failed_blocks, f"{dialect}: bibtexparser failed blocks: {library.failed_blocks[:1]}")
    expect(len(library.entries) == len(parsed.entries), f"{dialect}: bibtexparser and pybtex disagree")
    for entry in library.entries:
        for field in entry.fields:
            found = tex_problems(str(field.value), ascii=ascii)
            expect(not found, f"{dialect}: {entry.key}.{field.key}: {found}")


def _check_ris(data: bytes) -> None:
    import rispy

    text = data.decode("utf-8-sig")
    records = rispy.loads(text)
    expect(len(records) == text.count("\nER  - ") + text.startswith("ER  - "), "ris: records lost")


def _check_feed(data: bytes, kind: str) -> None:
    import feedparser
    from lxml import etree

    parsed = feedparser.parse(data)
    expect(not parsed.bozo, f"{kind}: feedparser bozo: {parsed.get('bozo_exception')!r}")
    root = etree.fromstring(data)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        local = etree.QName(element).localname
        if local in ("description", "content", "summary", "encoded") and element.text:
            found = html_problems(element.text)
            expect(not found, f"{kind}: {local}: {found}")
        for attribute in ("href",):
            value = element.get(attribute)
            if value is not None:
                expect(not link_problems(value), f"{kind}: {local} href {value!r}")
        if local in ("link", "guid", "id") and element.text and element.text.startswith("http"):
            expect(not link_problems(element.text), f"{kind}: {local} {element.text!r}")


def _check_csv(data: bytes) -> None:
    text = data.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    expect(len({len(row) for row in rows}) <= 1, "csv: rows of different lengths")
    for row in rows[1:]:
        found = formula_problems(row)
        expect(not found, f"csv: {found}")


def _check_docx(data: bytes) -> None:
    import docx
    from lxml import etree

    document = docx.Document(io.BytesIO(data))
    for relationship in document.part.rels.values():
        if relationship.is_external:
            expect(not link_problems(relationship.target_ref), f"docx: link {relationship.target_ref!r}")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        expect(archive.testzip() is None, "docx: a damaged zip member")
        body = etree.fromstring(archive.read("word/document.xml"))
    for instruction in body.iter("{*}instrText"):
        expect((instruction.text or "").strip().startswith(("TOC", "PAGE", "NUMPAGES")), "docx: a field instruction")


def _check_jsonld(data: bytes, embedded: bool) -> None:
    text = data.decode("utf-8")
    if embedded:
        found = script_element_problems(text)
        expect(not found, f"jsonld --embed-html: {found}")
        start, end = text.index(">") + 1, text.rindex("</script>")
        text = text[start:end]
    document = json.loads(text)
    for key, value in _walk(document):
        if key in ("@id", "url", "sameAs") and isinstance(value, str) and not value.startswith(_JSONLD_PREFIXES):
            expect(not link_problems(value), f"jsonld: {key} {value!r}")
    loader = _jsonld_loader()
    if loader is not None:  # PyLD expands it against the stored schema.org context: every node IRI is http(s)
        from pyld import jsonld

        for key, value in _walk(jsonld.expand(document, {"documentLoader": loader})):
            if key == "@id" and isinstance(value, str) and not value.startswith("_:"):
                expect(not link_problems(value), f"jsonld: expanded @id {value!r}")


@functools.cache
def _jsonld_loader() -> Any:
    """PyLD's loader serving the schema.org context of the shared vendor data (None without it): no network."""
    from fuzz.seeds import SHARED

    context = SHARED / "vendor-data" / "schemaorg-30.0" / "schemaorgcontext.jsonld"
    if not context.is_file():
        return None
    from pyld.documentloader.frozen import FrozenDocumentLoader

    urls = ("https://schema.org", "https://schema.org/", "http://schema.org", "http://schema.org/")
    return FrozenDocumentLoader(documents={url: context for url in urls})


#: Compact IRIs and blank nodes that the JSON-LD writer's own context defines.
_JSONLD_PREFIXES = ("_:", "schema:", "arxport:")


def _walk(value: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key, inner
            yield from _walk(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _walk(inner)


def _check_markdown(data: bytes) -> None:
    try:
        back = get_reader("digest").read(data, "fuzz-2025-01-02.md")
    except InputError:
        return
    check_digest(back, data.count(b"\n") + 1)


def _check_canonical(data: bytes, digests: list[Digest], kind: str) -> None:
    read = get_reader(kind).read_all(data, f"fuzz.{kind}")
    papers = [p for d in read for p in d.papers]
    expect(len(papers) == sum(len(d.papers) for d in digests), f"{kind}: papers lost on the way back")


@dataclass(frozen=True)
class WriterCheck:
    """One writer with options, and how its output is checked."""

    writer: str
    options: dict[str, Any]
    check: Callable[[bytes, list[Digest]], None]


WRITER_CHECKS: tuple[WriterCheck, ...] = (
    WriterCheck("bibtex", {}, lambda d, _: _check_bib(d, "bibtex", False)),
    WriterCheck("bibtex", {"ascii": True, "key_format": "id"}, lambda d, _: _check_bib(d, "bibtex", True)),
    WriterCheck("biblatex", {}, lambda d, _: _check_bib(d, "biblatex", False)),
    WriterCheck("ris", {}, lambda d, _: _check_ris(d)),
    WriterCheck("csljson", {}, lambda d, _: json.loads(d)),
    WriterCheck("rss", {}, lambda d, _: _check_feed(d, "rss")),
    WriterCheck("atom", {}, lambda d, _: _check_feed(d, "atom")),
    WriterCheck("csv", {}, lambda d, _: _check_csv(d)),
    WriterCheck("csv", {"columns": "all", "bom": False}, lambda d, _: _check_csv(d)),
    WriterCheck("docx", {}, lambda d, _: _check_docx(d)),
    WriterCheck("jsonld", {}, lambda d, _: _check_jsonld(d, False)),
    WriterCheck("jsonld", {"embed_html": True}, lambda d, _: _check_jsonld(d, True)),
    WriterCheck("json", {}, lambda d, digests: _check_canonical(d, digests, "json")),
    WriterCheck("jsonl", {}, lambda d, digests: _check_canonical(d, digests, "jsonl")),
    WriterCheck("markdown", {}, lambda d, _: _check_markdown(d)),
)


def writers_target(data: bytes) -> None:
    """Papers drawn from the bytes, through one writer (picked by the first byte) and its consumer."""
    if not data:
        return
    check = WRITER_CHECKS[data[0] % len(WRITER_CHECKS)]
    digests = draw_digests(Draw(data[1:]))
    if check.writer in ("rss", "atom") and not all(d.date for d in digests):
        return  # feeds refuse papers without any date, with a message (tested elsewhere)
    output = _write(check.writer, digests, **check.options)
    check.check(output, digests)


# --- escapers -------------------------------------------------------------------------------


def escapers_target(data: bytes) -> None:
    """One drawn text through every escaper, each result checked by its consumer."""
    from pybtex.database import parse_string

    from converters.text.clean import json_for_html_script, xml_text
    from converters.text.latex import latex
    from converters.writers.csv import guard_formula, unguard_formula
    from converters.writers.feeds.content import paragraphs_html
    from converters.writers.shared import uri

    draw = Draw(data)
    text = draw.text(32)
    math, protect, ascii = draw.flag(), draw.flag(), draw.flag()
    escaped = latex(text, math=math, protect=protect, ascii=ascii)
    found = tex_problems(escaped, ascii=ascii)
    expect(not found, f"latex({text!r}) = {escaped!r}: {found}")
    expect("\n" not in escaped and (not ascii or escaped.isascii()), f"latex({text!r}) = {escaped!r}")
    entry = parse_string("@misc{k, title = {" + escaped + "}}", "bibtex").entries["k"]
    same = entry.fields["title"].split() == escaped.split()  # BibTeX collapses white space runs
    expect(same, f"latex({text!r}) does not stay inside its braces")

    page = paragraphs_html(text, "Label")
    found = html_problems(page)
    expect(not found, f"paragraphs_html({text!r}): {found}")

    cell = guard_formula(text)
    expect(not formula_problems([cell]) and unguard_formula(cell) == text, f"guard_formula({text!r}) = {cell!r}")

    link = uri("https://example.org/" + text)
    expect(not link_problems(link), f"uri(...{text!r}) = {link!r}")

    xml = xml_text(text)
    from lxml import etree

    etree.fromstring(f"<r>{html.escape(xml)}</r>".encode("utf-8", "surrogatepass"))

    script = json_for_html_script(json.dumps({"v": text}, ensure_ascii=False))
    expect("<" not in script and json.loads(script) == {"v": text}, f"json_for_html_script({text!r})")


# --- the registry ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Harness:
    """A target, the seed sources it starts from (see ``fuzz/seeds.py``) and the longest input worth trying."""

    target: Target
    seeds: str
    max_len: int


HARNESSES: dict[str, Harness] = {
    "digest": Harness(read_target("digest", "fuzz-2025-01-02.md", sniff=True), "markdown", 32768),
    "digest-html": Harness(read_target("digest-html", "fuzz-2025-01-02.html", sniff=True), "html", 32768),
    "digest-jsonl": Harness(read_target("digest-jsonl", "fuzz-2025-01-02_AI_enhanced_English.jsonl"), "jsonl", 16384),
    "json": Harness(read_target("json", "fuzz.json"), "json", 16384),
    "jsonl": Harness(read_target("jsonl", "fuzz.jsonl"), "jsonl-canonical", 16384),
    "escapers": Harness(escapers_target, "bytes", 4096),
    "writers": Harness(writers_target, "bytes", 4096),
}
