"""``csv``: one row per paper, for spreadsheets and pandas.

The file is RFC 4180: CRLF between records, a header row naming the columns,
and a field quoted (inner ``"`` doubled) when it holds ``,``, ``"``, CR or LF.
A line break inside a value stays in its cell as written. The bytes are UTF-8,
preceded by a BOM unless ``--no-bom``, because Excel only detects UTF-8 by it.

Values are the model's, unchanged (TeX, control characters and all), with two
documented exceptions: a missing value is an empty cell, and unless ``--raw``
a cell that a spreadsheet could run as a formula gets a leading ``'`` (see
:func:`guard_formula`). ``docs/csv.md`` lists the columns.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Mapping, Sequence
from typing import IO, Any, ClassVar

from ..errors import OutputError
from ..model import Digest, Paper
from ..text.clean import utf8
from .base import OptionSpec, Writer, WriteReport

#: Joins authors and categories in one cell (Zotero's CSV export does the same).
LIST_SEPARATOR = "; "

BOM = b"\xef\xbb\xbf"

#: Excel shows at most this many characters of a cell; the file keeps them all.
EXCEL_CELL_LIMIT = 32_767
#: Excel's sheet size, the header row included.
EXCEL_ROW_LIMIT = 1_048_576


def _text(value: str | None) -> str:
    return value if value is not None else ""


def _number(value: int | None) -> str:
    return str(value) if value is not None else ""


def _extra(paper: Paper) -> str:
    # JSON keeps labels, order and every character recoverable in one cell.
    return json.dumps(dict(paper.extra), ensure_ascii=False) if paper.extra else ""


#: Every column, in the documented order (``--columns all``). Names are stable: pipelines select by them.
COLUMNS: dict[str, Callable[[Paper], str]] = {
    "id": lambda p: p.id,
    "version": lambda p: _number(p.version),
    "url": lambda p: p.url,
    "title": lambda p: p.title,
    "authors": lambda p: LIST_SEPARATOR.join(p.authors),
    "primary_category": lambda p: _text(p.primary_category),
    "date": lambda p: p.date.isoformat() if p.date is not None else "",
    "tldr": lambda p: _text(p.tldr),
    "motivation": lambda p: _text(p.motivation),
    "method": lambda p: _text(p.method),
    "result": lambda p: _text(p.result),
    "conclusion": lambda p: _text(p.conclusion),
    "abstract": lambda p: _text(p.abstract),
    "source_file": lambda p: p.source.path if p.source is not None else "",
    "line": lambda p: str(p.source.line) if p.source is not None else "",
    "categories": lambda p: LIST_SEPARATOR.join(p.categories),
    "section": lambda p: _text(p.section),
    "number": lambda p: _number(p.number),
    "comment": lambda p: _text(p.comment),
    "extra": _extra,
    "abs_url": lambda p: p.abs_url or "",
    "pdf_url": lambda p: p.pdf_url or "",
    "doi": lambda p: p.doi or "",
    # Added later, so at the end: --columns all gains them, the default columns are unchanged.
    "id_scheme": lambda p: p.id_scheme,
    "link": lambda p: p.link,
    "abstract_translation": lambda p: _text(p.abstract_translation),
}

#: The columns written when ``--columns`` is not given.
DEFAULT_COLUMNS: tuple[str, ...] = (
    "id",
    "version",
    "url",
    "title",
    "authors",
    "primary_category",
    "date",
    "tldr",
    "motivation",
    "method",
    "result",
    "conclusion",
    "abstract",
    "source_file",
    "line",
)

#: First characters that make Excel, LibreOffice or Google Sheets read a cell as a
#: formula (OWASP CSV injection: = + - @ TAB CR LF; NUL per ASVS), plus the guard's
#: own ``'`` so that stripping one leading ``'`` always gives the value back.
FORMULA_START = frozenset("=+-@\t\r\n\x00'")


def guard_formula(cell: str) -> str:
    """``cell`` with a ``'`` in front when it starts with one of :data:`FORMULA_START`.

    Spreadsheets then show it as text. The inverse is :func:`unguard_formula`.
    """
    return "'" + cell if cell and cell[0] in FORMULA_START else cell


def unguard_formula(cell: str) -> str:
    """The value :func:`guard_formula` was given: ``cell`` without one leading ``'``."""
    return cell[1:] if cell.startswith("'") else cell


def parse_columns(spec: str | None) -> tuple[str, ...]:
    """The columns a ``--columns`` value names, in its order.

    Names are comma-separated and case-insensitive (``-`` may stand for ``_``);
    ``default`` stands for :data:`DEFAULT_COLUMNS` and ``all`` for every column.
    None or an empty value gives the defaults. Unknown or repeated names are an
    :class:`OutputError`.
    """
    if spec is None or not spec.strip():
        return DEFAULT_COLUMNS
    chosen: list[str] = []
    for part in spec.split(","):
        name = part.strip().lower().replace("-", "_")
        if not name:
            continue
        if name == "all":
            chosen.extend(COLUMNS)
        elif name == "default":
            chosen.extend(DEFAULT_COLUMNS)
        elif name in COLUMNS:
            chosen.append(name)
        else:
            raise OutputError(f"unknown CSV column {part.strip()!r}; known columns: {', '.join(COLUMNS)}")
    if not chosen:
        raise OutputError("--columns names no column")
    repeated = sorted({name for name in chosen if chosen.count(name) > 1}, key=chosen.index)
    if repeated:
        raise OutputError(f"--columns names {', '.join(repeated)} more than once")
    return tuple(chosen)


class CsvWriter(Writer):
    name: ClassVar[str] = "csv"
    description: ClassVar[str] = "CSV (RFC 4180, UTF-8 with BOM) for spreadsheets and pandas, one row per paper"
    suffixes: ClassVar[tuple[str, ...]] = (".csv",)
    options: ClassVar[tuple[OptionSpec, ...]] = (
        OptionSpec(
            name="columns",
            help=(
                "CSV columns to write, comma-separated, in order, from: "
                + ", ".join(COLUMNS)
                + f". 'default' stands for the first {len(DEFAULT_COLUMNS)} (written when this is not given), "
                "'all' for every one."
            ),
            metavar="NAMES",
        ),
        OptionSpec(
            name="bom",
            help="Start the CSV with a UTF-8 byte order mark, which Excel needs to read non-ASCII text.",
            type="flag",
            default=True,
        ),
        OptionSpec(
            name="raw",
            help="Keep cells exactly as written: no ' before cells a spreadsheet would run as a formula.",
            type="flag",
            default=False,
        ),
    )

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> None:
        parse_columns(options.get("columns"))

    single_pass: ClassVar[bool] = True

    def write(self, digests: Sequence[Digest], out: IO[bytes], options: Mapping[str, Any]) -> WriteReport:
        columns = parse_columns(options.get("columns"))
        raw = bool(options.get("raw", False))
        getters = [COLUMNS[name] for name in columns]
        buffer = io.StringIO()
        rows = csv.writer(buffer, dialect="excel", lineterminator="\r\n")
        rows.writerow(columns)
        if options.get("bom", True):
            out.write(BOM)
        count = guarded = 0
        too_long: list[str] = []
        for digest in digests:
            for paper in digest.papers:
                cells = [getter(paper) for getter in getters]
                if not raw:
                    safe = [guard_formula(cell) for cell in cells]
                    guarded += sum(a is not b for a, b in zip(safe, cells, strict=True))
                    cells = safe
                if any(len(cell) > EXCEL_CELL_LIMIT for cell in cells):
                    too_long.append(paper.id)
                rows.writerow(cells)
                count += 1
                if count % 512 == 0:  # bounded memory for any number of papers
                    out.write(utf8(buffer.getvalue()))
                    buffer.seek(0)
                    buffer.truncate()
        out.write(utf8(buffer.getvalue()))
        return WriteReport(items=count, notes=_notes(count, guarded, too_long))


def _notes(count: int, guarded: int, too_long: list[str]) -> tuple[str, ...]:
    notes: list[str] = []
    if guarded:
        notes.append(
            f"{guarded} cell(s) began with =, +, -, @, ' or a control character and got a leading ' "
            "so spreadsheets show them as text (--raw keeps them as written)"
        )
    if too_long:
        shown = ", ".join(too_long[:3]) + (" ..." if len(too_long) > 3 else "")
        notes.append(
            f"{len(too_long)} row(s) have a cell longer than Excel's {EXCEL_CELL_LIMIT:,} characters ({shown}); "
            "Excel cuts those cells, csv readers and pandas get them whole"
        )
    if count + 1 > EXCEL_ROW_LIMIT:
        notes.append(f"{count:,} rows exceed Excel's {EXCEL_ROW_LIMIT:,}-row sheet; Excel shows only the first")
    return tuple(notes)
