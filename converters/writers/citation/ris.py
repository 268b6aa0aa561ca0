"""``ris``: RIS records for Zotero, Mendeley and EndNote, written with rispy.

One ``TY  - GEN`` (generic) record per paper: ``ID`` the citation key, ``TI``,
one ``AU`` per author (``Last, First, Suffix``), ``PY`` and ``DA`` from the arXiv
id, ``Y2`` (access date) the digest date, ``AB``, one ``KW`` per category, ``DO``
(arXiv's DOI), ``UR``, ``DB  - arXiv`` and ``AN`` (the arXiv id), and ``N1``
notes for the AI summary and arXiv's comment. RIS has no escaping and one value
per line, so every value is cleaned to one line without control characters.

A work that is not on arXiv has no arXiv value: ``DO`` is its own DOI (when it
has one), ``UR`` its landing page, ``PY`` the digest's year and no ``DA``; a
PubMed work gets ``DB  - PubMed`` and ``AN`` its PubMed id (where EndNote keeps
it; Zotero reads ``DB``/``AN`` as archive and location in archive, as for arXiv).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any, BinaryIO, ClassVar

from ...model import Digest
from ...text.clean import clean_line
from ..base import OptionSpec, Writer, WriteReport
from ..shared import TextSink, uri
from .bibtex import KEY_FORMAT_OPTION
from .names import PersonName
from .records import Citation, citation_batches, duplicate_note, unique_papers


def ris_name(name: PersonName) -> str:
    """``Last, First, Suffix`` (the RIS form), or the whole name when it cannot be split."""
    if name.literal:
        return name.family
    return ", ".join(part for part in (name.sort_family, name.given, name.suffix) if part)


#: ``DB`` (name of database) and ``AN`` (accession number) hold the id of a paper in these schemes.
DATABASES: dict[str, str] = {"arxiv": "arXiv", "pmid": "PubMed"}


def ris_record(record: Citation) -> dict[str, Any]:
    """The rispy record (rispy's field names) of one paper; empty values are left out."""
    paper = record.paper
    database = DATABASES.get(paper.id_scheme, "")
    notes = []
    if record.summary:
        notes.append(record.summary_text())
    comment = clean_line(paper.comment) if paper.comment else ""
    if comment:
        notes.append(f"arXiv comment: {comment}")
    fields: dict[str, Any] = {
        "type_of_reference": "GEN",
        "id": record.key,
        "title": record.title,
        "authors": [ris_name(name) for name in record.names],
        "year": str(record.year) if record.year else "",
        "date": f"{record.year:04d}/{record.month:02d}" if record.year and record.month else "",
        "access_date": paper.date.strftime("%Y/%m/%d") if paper.date else "",
        "abstract": clean_line(record.abstract) if record.abstract else "",
        "keywords": list(record.keywords),
        "doi": paper.doi,
        # Readers split UR at ";" (rispy does, as RIS files list several URLs so): a ";" of the link is escaped.
        "urls": [uri(paper.link).replace(";", "%3B")],
        "name_of_database": database,
        "accession_number": paper.id if database else "",
        "notes": notes,
    }
    return {name: value for name, value in fields.items() if value}


@cache
def _ris_writer() -> type:
    import rispy

    class RisWriter(rispy.RisWriter):  # type: ignore[misc]
        """rispy's writer without the ``1.``, ``2.`` ... line it puts before each record."""

        def set_header(self, count: int) -> str:
            return ""

    return RisWriter


class RisWriter(Writer):
    name: ClassVar[str] = "ris"
    description: ClassVar[str] = "RIS records (TY GEN) for Zotero, Mendeley and EndNote import"
    suffixes: ClassVar[tuple[str, ...]] = (".ris",)
    options: ClassVar[tuple[OptionSpec, ...]] = (KEY_FORMAT_OPTION,)

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        import rispy

        papers, repeats = unique_papers(digests)
        sink = TextSink(out)
        count = 0
        for batch in citation_batches(papers, options.get("key_format") or "arxiv"):
            # rispy puts an empty line between two records: between two batches too.
            sink.write(
                ("\n" if count else "") + rispy.dumps(list(map(ris_record, batch)), implementation=_ris_writer())
            )
            count += len(batch)
        sink.flush()
        return WriteReport(items=count, notes=duplicate_note(repeats))
