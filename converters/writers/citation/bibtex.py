"""``bibtex`` and ``biblatex``: one entry per paper, for LaTeX and for citation managers.

``bibtex`` writes arXiv's own export shape (``@misc`` with ``eprint``,
``archivePrefix``, ``primaryClass``), plus the arXiv DOI, the abstract, the
categories as ``keywords``, arXiv's comment as ``note`` and the AI summary as
``annote`` (a field Zotero and JabRef keep as a note and bibliography styles do
not print). ``biblatex`` writes ``@online`` entries in biblatex's data model
(``eprinttype``/``eprintclass``, ``date``, ``urldate``, ``annotation``) that
``biber --validate-datamodel`` accepts without a warning.

A work that is not on arXiv (a DOI, a PubMed id or a URL) is written with what
it has: the same entry type, no arXiv field (``eprint``, ``archivePrefix``,
``primaryClass``; ``eprinttype``, ``eprintclass``, ``version``), its own DOI
when it has one, its landing page as ``url``, and the digest's year as its
year (:func:`~converters.writers.citation.keys.work_year_month`).

Both write UTF-8 by default (``--ascii`` for LaTeX macros instead), escape
every value with :func:`converters.text.latex.latex`, and take keys from
:mod:`converters.writers.citation.keys`. ``--merge refs.bib`` writes the existing file
unchanged followed by entries for the papers it does not have yet; see
:mod:`converters.writers.citation.bibmerge`. docs/citations.md has the full field mapping.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, ClassVar, cast

from ...errors import OutputError
from ...model import Digest, Paper
from ...text.latex import latex, latex_many, to_ascii, to_ascii_many
from ..base import OptionSpec, Writer, WriteReport
from ..shared import TextSink, uri
from .keys import KEY_FORMATS
from .names import PersonName, family_given_lists
from .records import Citation, citation_batches, duplicate_note, unique_papers

if TYPE_CHECKING:
    from .bibmerge import ExistingBib

KEY_FORMAT_OPTION = OptionSpec(
    name="key-format",
    help="Citation keys: 'arxiv' (surname, year and title words, as arXiv's export) or 'id' (arXiv:2511.13751).",
    type="choice",
    choices=KEY_FORMATS,
    default="arxiv",
)
ASCII_OPTION = OptionSpec(
    name="ascii",
    help="Write accents and other non-ASCII characters as LaTeX macros instead of UTF-8.",
    type="flag",
    default=False,
)
MERGE_OPTION = OptionSpec(
    name="merge",
    help="Existing .bib file to extend: its entries and keys are kept, papers it already has are skipped.",
    type="path",
    default=None,
    metavar="BIB",
)

# What a verbatim field (doi) cannot hold: braces would unbalance the entry, a backslash starts a command,
# and "^^" is TeX's character-code escape ("^^5cinput^^7b...^^7d" is "\input{...}" to a style that prints the field).
_BIB_UNSAFE_RE = re.compile(r"[{}\\]|\^\^")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

#: One field of every entry: (name, its value in each entry, braced); month macros are written bare.
Field = tuple[str, Sequence[str], bool]


def bib_name(name: PersonName, ascii: bool) -> str:
    """One name for an ``author`` field: ``{Whole Name}`` for a literal name, else ``von Last, Jr, First``."""
    if name.literal:
        return "{" + latex(name.family, math=False, ascii=ascii) + "}"
    parts = [name.sort_family, name.suffix, name.given] if name.suffix else [name.sort_family, name.given]
    # A name is only split when it holds no TeX special character (converters.writers.citation.names),
    # so its parts need no escaping.
    text = ", ".join(part for part in parts if part)
    return to_ascii(text) if ascii and not text.isascii() else text


def _author_fields(records: Sequence[Citation], ascii: bool) -> list[str]:
    """The ``author`` field of each record (:func:`bib_name` of each name), literal names escaped in one batch.

    Fast: most author lists are written by :func:`family_given_lists` in a few C-level
    passes; only the others are split into :class:`PersonName` values.
    """
    fields = family_given_lists([record.authors for record in records])
    split = {index: records[index].names for index, field in enumerate(fields) if field is None}
    literals = [name.family for names in split.values() for name in names if name.literal]
    escaped = iter(latex_many(literals, math=False, cleaned=True))
    for index, names in split.items():
        parts = []
        for name in names:
            if name.literal:
                parts.append("{" + next(escaped) + "}")
            elif name.suffix:  # a split name with a suffix always has a given name
                parts.append(f"{name.sort_family}, {name.suffix}, {name.given}")
            else:
                parts.append(f"{name.sort_family}, {name.given}" if name.given else name.sort_family)
        fields[index] = " and ".join(parts)
    done = cast(list[str], fields)  # every None was replaced just above
    return to_ascii_many(done) if ascii else done


def _text_columns(records: Sequence[Citation], ascii: bool) -> dict[str, list[str]]:
    """Every escaped text field of every record, by field, each column escaped in one batch."""
    return {
        "title": latex_many([r.title for r in records], protect=True, ascii=ascii, cleaned=True),
        "author": _author_fields(records, ascii),
        "category": latex_many([r.paper.category for r in records], math=False, ascii=ascii),
        "abstract": latex_many([r.abstract for r in records], ascii=ascii),
        "keywords": latex_many([", ".join(r.keywords) for r in records], math=False, ascii=ascii, cleaned=True),
        "note": latex_many([r.paper.comment for r in records], ascii=ascii),
        "summary": latex_many([r.summary_text() for r in records], ascii=ascii, cleaned=True),
    }


def _entries(kind: str, width: int, keys: Sequence[str], fields: Sequence[Field]) -> str:
    """The entries, a blank line between two, built a field at a time over all entries (no Python loop per
    field and entry).

    A field that every entry has is passed to the final join as three columns (its
    start, the values, its end) rather than concatenated first: long values such as
    abstracts are then copied once instead of three times. One join over the pieces
    of all entries in turn makes the whole text, without a string per entry.
    """
    count = len(keys)
    lines: list[Sequence[str]] = [[f"@{kind}{{{key}," for key in keys]]
    for name, values, braced in fields:
        start = f"\n  {name.ljust(width)} = " + ("{" if braced else "")
        end = "}," if braced else ","
        if all(values):
            lines += ([start] * count, values, [end] * count)
        else:
            lines.append([start + value + end if value else "" for value in values])
    lines.append(["\n}\n\n"] * (count - 1) + ["\n}\n"] * min(count, 1))
    return "".join(chain.from_iterable(zip(*lines, strict=True)))


class _BibWriter(Writer):
    """What both dialects share: options, merging, assembling entries."""

    suffixes: ClassVar[tuple[str, ...]] = (".bib",)
    options: ClassVar[tuple[OptionSpec, ...]] = (KEY_FORMAT_OPTION, ASCII_OPTION, MERGE_OPTION)
    #: Entry type and the width field names are padded to.
    kind: ClassVar[str]
    width: ClassVar[int]

    def fields(self, records: Sequence[Citation], text: Mapping[str, Sequence[str]]) -> list[Field]:
        """The fields of the entries, in order; ``text`` holds the escaped text fields (see :func:`_text_columns`)."""
        raise NotImplementedError

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> None:
        """``--merge`` must name an existing file: checked before any input is read."""
        merge = options.get("merge")
        if merge and not Path(str(merge)).is_file():
            what = "is a directory" if Path(str(merge)).is_dir() else "does not exist"
            raise OutputError(f"--merge: {merge} {what} (create an empty file to start a bibliography)")

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        ascii = bool(options.get("ascii", False))
        key_format = options.get("key_format") or "arxiv"
        merge_path = options.get("merge")
        existing: ExistingBib | None = None
        if merge_path:
            from .bibmerge import read_existing  # bibtexparser and logging: only for --merge

            existing = read_existing(str(merge_path))
        papers, repeats = unique_papers(digests)
        notes = list(duplicate_note(repeats))
        if existing is not None:
            kept = [paper for paper in papers if not existing.cites(paper)]
            notes.append(
                f"merged into {existing.path}: kept its {existing.entries} entries,"
                f" skipped {len(papers) - len(kept)} paper(s) it already cites"
            )
            if existing.failed_blocks:
                notes.append(
                    f"{existing.path} has {existing.failed_blocks} block(s) bibtexparser cannot read; kept as they were"
                )
            papers = kept
        sink = TextSink(out)
        head = existing.text if existing is not None and existing.text.strip() else None
        newline = "\r\n" if head is not None and "\r\n" in head else "\n"
        if head is not None:
            sink.write(head if head.endswith("\n") else head + newline)
        entries = authorless = undated = 0
        for records in citation_batches(papers, key_format, existing.keys if existing else ()):
            fields = self.fields(records, _text_columns(records, ascii))
            text = _entries(self.kind, self.width, [record.key for record in records], fields)
            text = "\n" + text if entries else text  # a blank line between two entries, as within a batch
            if head is not None:  # the old entries, a blank line, the new ones, in the old file's line ends
                text = text.replace("\n", newline) if entries else newline + text.replace("\n", newline)
            sink.write(text)
            entries += len(records)
            authorless += sum(1 for record in records if not record.authors)
            undated += sum(1 for record in records if not record.year)
        sink.flush()
        if authorless:
            notes.append(f"{authorless} paper(s) have no authors; their entries have no author field")
        if undated:
            notes.append(f"{undated} work(s) not on arXiv have no digest date; their entries have no year")
        return WriteReport(items=entries, notes=tuple(notes))


class BibtexWriter(_BibWriter):
    name: ClassVar[str] = "bibtex"
    description: ClassVar[str] = "BibTeX @misc entries in arXiv's export shape (eprint, DOI, abstract, AI summary)"
    aliases: ClassVar[tuple[str, ...]] = ("bib",)
    kind: ClassVar[str] = "misc"
    width: ClassVar[int] = len("archivePrefix")

    def fields(self, records: Sequence[Citation], text: Mapping[str, Sequence[str]]) -> list[Field]:
        papers = [record.paper for record in records]
        return [
            ("title", text["title"], True),
            ("author", text["author"], True),
            ("year", [str(record.year) if record.year else "" for record in records], True),
            ("month", [_MONTHS[record.month - 1] if record.month else "" for record in records], False),
            ("eprint", _arxiv_only(papers, [paper.id for paper in papers]), True),
            ("archivePrefix", _arxiv_only(papers, ["arXiv"] * len(papers)), True),
            ("primaryClass", _arxiv_only(papers, text["category"]), True),
            ("doi", _dois(papers), True),
            ("url", [uri(paper.link) for paper in papers], True),
            ("abstract", text["abstract"], True),
            ("keywords", text["keywords"], True),
            ("note", text["note"], True),
            ("annote", text["summary"], True),
        ]


class BiblatexWriter(_BibWriter):
    name: ClassVar[str] = "biblatex"
    description: ClassVar[str] = "BibLaTeX @online entries (eprinttype arxiv, date, DOI, abstract, AI annotation)"
    kind: ClassVar[str] = "online"
    width: ClassVar[int] = len("eprintclass")

    def fields(self, records: Sequence[Citation], text: Mapping[str, Sequence[str]]) -> list[Field]:
        papers = [record.paper for record in records]
        return [
            ("title", text["title"], True),
            ("author", text["author"], True),
            ("date", [_date(record) for record in records], True),
            ("eprint", _arxiv_only(papers, [paper.id for paper in papers]), True),
            ("eprinttype", _arxiv_only(papers, ["arxiv"] * len(papers)), True),
            ("eprintclass", _arxiv_only(papers, text["category"]), True),
            ("version", _arxiv_only(papers, [str(p.version) if p.version is not None else "" for p in papers]), True),
            ("doi", _dois(papers), True),
            ("url", [uri(paper.link) for paper in papers], True),
            ("urldate", [paper.date.isoformat() if paper.date else "" for paper in papers], True),
            ("abstract", text["abstract"], True),
            ("keywords", text["keywords"], True),
            ("note", text["note"], True),
            ("annotation", text["summary"], True),
        ]


def _arxiv_only(papers: Sequence[Paper], values: Sequence[str]) -> Sequence[str]:
    """``values`` for the arXiv papers, '' (no field) for other works; ``values`` itself when all are arXiv papers."""
    if all(paper.is_arxiv for paper in papers):
        return values
    return [value if paper.is_arxiv else "" for paper, value in zip(papers, values, strict=True)]


def _dois(papers: Sequence[Paper]) -> list[str]:
    """The ``doi`` field of each entry: arXiv's DOI, a work's own DOI, or '' (none, or one a ``.bib`` value
    cannot hold as it is: the field is never escaped, and the ``url`` field has the DOI anyway)."""
    return [doi if doi and not _BIB_UNSAFE_RE.search(doi) else "" for doi in (paper.doi for paper in papers)]


def _date(record: Citation) -> str:
    """biblatex's ``date``: ``YYYY-MM`` of the arXiv id, or ``YYYY`` without a month (always, for other works)."""
    if not record.year:
        return ""
    return f"{record.year:04d}-{record.month:02d}" if record.month else f"{record.year:04d}"
