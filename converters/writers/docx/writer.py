"""``docx``: a Word document to read and print, made with python-docx.

The layout (title, contents, a heading per category, per paper its links,
authors, summary and abstract) is :mod:`.docx_layout`; this module puts it
into python-docx's default template: styles, page size, footer, document
properties, link relationships. Two things python-docx cannot do are done here:

* **Linear time.** python-docx's ``add_paragraph`` is quadratic, and so is its
  numbering of new relationships. python-docx therefore saves the styled but
  empty document, and the body (paragraph XML from :mod:`.wordml`) and the
  link relationships are spliced into its ``document.xml`` and
  ``document.xml.rels`` as the package is rewritten: one pass, no parse.
* **Same bytes every run.** Core properties carry the newest digest date (or
  1980-01-01 when no date is known) instead of "now", python-docx's author
  marks are replaced and every zip entry gets the same fixed timestamp.
  (The template's thumbnail, app.xml and Word 2010 style copy are dropped:
  they would be stale.)

See ``docs/docx.md`` for the options and what each field becomes.
"""

from __future__ import annotations

import datetime as dt
import io
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import IO, TYPE_CHECKING, Any, BinaryIO, ClassVar

from ...errors import OutputError
from ...model import Digest
from ..base import OptionSpec, Writer, WriteReport
from . import wordml
from .layout import STYLES, TOC_LEVELS, Layout, LayoutOptions, build

if TYPE_CHECKING:  # python-docx and lxml load only when a document is written
    from docx.document import Document as DocxDocument
    from docx.section import Section

#: Zip entry timestamp of every part: the earliest a zip can hold, so it says nothing about the run.
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)
#: Core-property date of a document without any dated digest.
UNDATED = dt.datetime(1980, 1, 1, tzinfo=dt.UTC)
#: Page sizes and margins in millimetres: (width, height, margin).
PAGE_SIZES: dict[str, tuple[float, float, float]] = {
    "a4": (210.0, 297.0, 20.0),
    "letter": (215.9, 279.4, 25.4),
}
_PROPERTY_LIMIT = 255
_DOCUMENT_PART = "word/document.xml"
#: Bytes of a spliced part kept in memory before its spool file goes to disk (the year's body is 351 MB).
_SPOOL_IN_MEMORY = 64 * 2**20
_DOCUMENT_RELS = "word/_rels/document.xml.rels"
_STALE_PARTS = (
    "http://schemas.openxmlformats.org/package/2006/relationships/metadata/thumbnail",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties",
    "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects",
)


class DocxWriter(Writer):
    name: ClassVar[str] = "docx"
    description: ClassVar[str] = (
        "Word document to read and print: contents, a heading per category, per paper links, summary and abstract"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".docx",)
    aliases: ClassVar[tuple[str, ...]] = ("word",)
    binary: ClassVar[bool] = True
    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            name="toc",
            type="choice",
            choices=tuple(TOC_LEVELS),
            default="categories",
            help="What the table of contents lists: categories, papers (categories and paper titles) or none.",
        ),
        OptionSpec(
            name="abstracts",
            type="flag",
            default=True,
            help="Include each paper's abstract after its AI summary (--no-abstracts for a shorter document).",
        ),
        OptionSpec(
            name="max-authors",
            type="int",
            default=0,
            metavar="N",
            help="List at most N authors per paper and count the rest (0, the default, lists all).",
        ),
        OptionSpec(
            name="page-size",
            type="choice",
            choices=tuple(PAGE_SIZES),
            default="a4",
            help="Paper size for printing: a4 (20 mm margins) or letter (1 inch margins).",
        ),
        OptionSpec(
            name="title",
            type="text",
            default=None,
            metavar="TEXT",
            help="Document title (default: 'arXiv digest — <date or date range>').",
        ),
    )

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        settings = {**self.default_options(), **options}
        layout_options = _layout_options(settings)
        page_size = settings["page_size"]
        if page_size not in PAGE_SIZES:
            raise OutputError(f"--page-size must be one of {', '.join(PAGE_SIZES)}, not {page_size!r}")
        layout = build(digests, layout_options)
        created = newest_date(digests)
        try:
            # zipfile writes a seekable file as it goes; to a pipe it would add data descriptors (other bytes).
            if out.seekable():
                render(layout, out, page_size=page_size, created=created, toc=layout_options.toc)
            else:
                buffer = io.BytesIO()
                render(layout, buffer, page_size=page_size, created=created, toc=layout_options.toc)
                out.write(buffer.getvalue())
        except (ValueError, KeyError) as exc:  # python-docx and lxml report bad data this way
            raise OutputError(f"could not build the DOCX document: {exc}") from None
        except OSError as exc:
            raise OutputError(f"could not write the DOCX document: {exc.strerror or exc}") from None
        return WriteReport(items=layout.papers)


def _layout_options(settings: Mapping[str, Any]) -> LayoutOptions:
    toc = settings["toc"]
    if toc not in TOC_LEVELS:
        raise OutputError(f"--toc must be one of {', '.join(TOC_LEVELS)}, not {toc!r}")
    max_authors = settings["max_authors"]
    if not isinstance(max_authors, int) or isinstance(max_authors, bool) or max_authors < 0:
        raise OutputError(f"--max-authors must be a whole number, 0 or more (got {max_authors!r})")
    title = settings["title"]
    return LayoutOptions(
        toc=toc,
        abstracts=bool(settings["abstracts"]),
        max_authors=max_authors,
        title=title if isinstance(title, str) and title.strip() else None,
    )


def newest_date(digests: Sequence[Digest]) -> dt.datetime:
    """Midnight UTC of the newest digest date, the document's created and modified time."""
    dates = [d.date for d in digests if d.date is not None]
    if not dates:
        return UNDATED
    newest = max(dates)
    return dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC)


def render(layout: Layout, out: IO[bytes], *, page_size: str, created: dt.datetime, toc: str) -> None:
    """Write the .docx of ``layout`` to the seekable ``out``: python-docx's default template, styled, with
    the body spliced in."""
    import docx

    document = docx.Document()
    section = document.sections[0]
    text_width_mm = _set_page(section, page_size)
    _define_styles(document, text_width_mm)
    _set_footer(section, layout.title)
    if TOC_LEVELS[toc]:
        _ask_to_update_fields(document)
    _set_properties(document, layout, created)
    # Template parts that would be stale: the thumbnail pictures its empty page, app.xml
    # claims "Microsoft Macintosh Word" and 1 page, stylesWithEffects.xml is a Word 2010
    # copy of the styles without arxport's. All three are optional; Word rewrites them.
    for rels in (document.part.package.rels, document.part.rels):
        for rel_id in [rel_id for rel_id, rel in rels.items() if rel.reltype in _STALE_PARTS]:
            del rels[rel_id]
    if document.element.body.sectPr is None:  # the default template always has one
        raise ValueError("the template has no section properties")
    buffer = io.BytesIO()
    document.save(buffer)
    body = (piece.encode("utf-8") for piece in layout.body)

    def relationships() -> Iterator[bytes]:
        if next(body, None) is not None:  # the links are known once the body is written
            raise ValueError("the link relationships come before the body in the package")
        yield wordml.external_relationships(layout.links.ids)

    splices = {_DOCUMENT_PART: (b"<w:sectPr", lambda: body), _DOCUMENT_RELS: (b"</Relationships>", relationships)}
    _repackage(buffer.getvalue(), splices, out)


def _parse(paragraphs: list[str]) -> list[Any]:
    """The elements of ``paragraphs``, parsed by python-docx (so its element classes apply)."""
    from docx.oxml import parse_xml

    return list(parse_xml(wordml.body(paragraphs)))


def _set_page(section: Section, page_size: str) -> float:
    """Sets paper size and margins; returns the text width in millimetres."""
    from docx.shared import Mm

    width, height, margin = PAGE_SIZES[page_size]
    section.page_width = Mm(width)
    section.page_height = Mm(height)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(margin))
    section.footer_distance = Mm(margin / 2)
    return width - 2 * margin


def _define_styles(document: DocxDocument, text_width_mm: float) -> None:
    """The look of every style :data:`STYLES` names (built-ins are adjusted, the rest created)."""
    from docx.enum.style import WD_STYLE_TYPE
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT, WD_TAB_LEADER
    from docx.shared import Mm, Pt, RGBColor

    styles = document.styles
    existing = {style.style_id for style in styles}
    for style_id, (name, kind) in STYLES.items():
        if style_id not in existing:
            wanted = WD_STYLE_TYPE.CHARACTER if kind == "character" else WD_STYLE_TYPE.PARAGRAPH
            created = styles.add_style(name, wanted)
            created.style_id = style_id

    normal = styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(4)
    normal.paragraph_format.line_spacing = 1.1

    by_id = {style.style_id: style for style in styles}  # one pass: python-docx looks styles up by scanning

    def paragraph_style(style_id: str) -> Any:
        return by_id[style_id]

    title = paragraph_style("Title")
    title.font.size = Pt(20)
    subtitle = paragraph_style("Subtitle")
    subtitle.font.size = Pt(12)
    subtitle.paragraph_format.space_after = Pt(18)

    heading1 = paragraph_style("Heading1")
    heading1.font.size = Pt(16)
    heading1.paragraph_format.space_before = Pt(28)
    heading1.paragraph_format.space_after = Pt(6)
    contents = paragraph_style("TOCHeading")
    contents.paragraph_format.space_before = Pt(12)
    heading2 = paragraph_style("Heading2")
    heading2.font.size = Pt(12)
    heading2.paragraph_format.space_before = Pt(14)
    heading2.paragraph_format.space_after = Pt(2)

    for style_id, indent in (("TOC1", 0.0), ("TOC2", 5.0)):
        toc = paragraph_style(style_id)
        toc.base_style = normal
        toc.paragraph_format.left_indent = Mm(indent)
        toc.paragraph_format.space_after = Pt(2)
        toc.paragraph_format.tab_stops.add_tab_stop(Mm(text_width_mm), WD_TAB_ALIGNMENT.RIGHT, WD_TAB_LEADER.DOTS)

    authors = paragraph_style("PaperAuthors")
    authors.base_style = normal
    authors.font.italic = True
    authors.paragraph_format.keep_with_next = True
    authors.paragraph_format.space_after = Pt(2)
    links = paragraph_style("PaperLinks")
    links.base_style = normal
    links.font.size = Pt(9)
    links.font.color.rgb = RGBColor(0x59, 0x59, 0x59)
    links.paragraph_format.keep_with_next = True
    links.paragraph_format.space_after = Pt(6)
    field = paragraph_style("PaperField")
    field.base_style = normal
    abstract = paragraph_style("PaperAbstract")
    abstract.base_style = normal
    abstract.font.size = Pt(9.5)
    abstract.font.color.rgb = RGBColor(0x26, 0x26, 0x26)
    abstract.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    note = paragraph_style("PaperNote")
    note.base_style = normal
    note.font.italic = True

    label = paragraph_style("FieldLabel")
    label.font.bold = True
    label.font.color.rgb = RGBColor(0x1F, 0x38, 0x64)
    hyperlink = paragraph_style("Hyperlink")
    hyperlink.font.underline = True
    hyperlink.font.color.rgb = RGBColor(0x05, 0x63, 0xC1)

    for style_id in STYLES:  # show the document's own styles in Word's style gallery
        style = paragraph_style(style_id)
        style.hidden = False
        style.unhide_when_used = False
        style.quick_style = True


def _set_footer(section: Section, title: str) -> None:
    """``<title> · page N of M``, centred, on every page."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    footer = section.footer
    footer.is_linked_to_previous = False
    line = wordml.paragraph(
        "Footer",
        wordml.run(f"{title} \u00b7 page "),
        wordml.field_begin("PAGE"),
        wordml.run("1"),
        wordml.field_end(),
        wordml.run(" of "),
        wordml.field_begin("NUMPAGES"),
        wordml.run("1"),
        wordml.field_end(),
    )
    old = footer.paragraphs[0]._p
    (new,) = _parse([line])
    old.getparent().replace(old, new)
    footer.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER


def _ask_to_update_fields(document: DocxDocument) -> None:
    """Word refreshes the table of contents (page numbers) on opening; the schema wants this before w:compat."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    settings = document.settings.element
    update = OxmlElement("w:updateFields", {qn("w:val"): "true"})
    compat = settings.find(qn("w:compat"))
    if compat is not None:
        compat.addprevious(update)
    else:
        settings.append(update)


def _set_properties(document: DocxDocument, layout: Layout, created: dt.datetime) -> None:
    """Title, subject and keywords from the layout; fixed author marks and dates (no clock)."""
    properties = document.core_properties
    properties.title = _property(layout.title)
    subject = f"arXiv papers in {', '.join(layout.categories)}" if layout.categories else "arXiv papers"
    properties.subject = _property(subject)
    properties.keywords = _property("; ".join(("arXiv", *layout.categories)))
    properties.category = "arXiv digest"
    properties.author = "arxport"
    properties.last_modified_by = "arxport"
    properties.comments = f"{layout.papers} papers, converted by arxport"
    properties.revision = 1
    properties.created = created
    properties.modified = created


def _property(text: str) -> str:
    """``text`` cut to the 255 characters a core property may hold (python-docx enforces the limit)."""
    return text if len(text) <= _PROPERTY_LIMIT else text[: _PROPERTY_LIMIT - 1] + "\u2026"


def _repackage(data: bytes, splices: Mapping[str, tuple[bytes, Callable[[], Iterable[bytes]]]], out: IO[bytes]) -> None:
    """Write the package ``data`` to ``out`` with fixed timestamps and ``splices`` applied.

    ``splices`` maps a part name to (marker, content): the content, made when its
    part is written, goes in front of the LAST occurrence of the marker (the
    body's own ``w:sectPr`` is the last one in document.xml); the part is
    gathered in a spool file (memory up to 64 MiB, then disk) and zipped from it. Every entry is dated :data:`ZIP_TIMESTAMP`, because
    zipfile stamps entries with the clock.
    """
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            content = source.read(info)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIMESTAMP)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            if info.filename not in splices:
                target.writestr(entry, content)
                continue
            marker, addition = splices[info.filename]
            at = content.rfind(marker)
            if at < 0:
                raise ValueError(f"{info.filename} has no {marker.decode()}")
            with tempfile.SpooledTemporaryFile(max_size=_SPOOL_IN_MEMORY) as spool:
                spool.write(content[:at])
                for piece in addition():
                    spool.write(piece)
                spool.write(content[at:])
                # What writestr does with the whole content: its size is known before the entry opens, which
                # decides zip64 the same way; the bytes then go in a MiB at a time.
                entry.file_size = spool.tell()
                spool.seek(0)
                with target.open(entry, "w") as part:
                    shutil.copyfileobj(spool, part, 2**20)
