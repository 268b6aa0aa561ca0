"""``csljson``: CSL-JSON, the item format of Zotero, pandoc (``--citeproc``) and citeproc.

A JSON array with one ``"type": "article"`` item per paper, shaped as Zotero
exports arXiv preprints: ``id`` (the citation key, so ``[@key]`` in pandoc
matches ``\\cite{key}``), ``title``, ``author`` (``family``/``given`` with
particle and suffix, ``literal`` for names that cannot be split), ``issued``
(year and month of the arXiv id), ``accessed`` (the digest date), ``publisher``
``arXiv``, ``number`` ``arXiv:<id>`` (APA renders "(arXiv:2501.01234). arXiv."),
``DOI``, ``URL``,
``abstract``, ``keyword`` (categories), ``note`` (arXiv's comment), ``annote``
(the AI summary, one line per field) and ``version``. Values are plain text
(CSL-JSON has no TeX), cleaned of control characters, on one line.

A work that is not on arXiv has no ``publisher``, ``number`` or ``version``
(arXiv's); its ``DOI`` is its own (when it has one), ``PMID`` its PubMed id,
``URL`` its landing page and ``issued`` the digest's year.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

from ...model import Digest
from ...text.clean import clean_line
from ..base import OptionSpec, Writer, WriteReport
from ..shared import TextSink, uri
from .bibtex import KEY_FORMAT_OPTION
from .names import PersonName
from .records import Citation, citation_batches, duplicate_note, unique_papers


def csl_name(name: PersonName) -> dict[str, str]:
    """A CSL name object: ``literal`` for organisations and unsplittable names, else its parts."""
    if name.literal:
        return {"literal": name.family}
    parts = {
        "family": name.family,
        "given": name.given,
        "non-dropping-particle": name.particle,
        "suffix": name.suffix,
    }
    return {key: value for key, value in parts.items() if value}


def csl_item(record: Citation) -> dict[str, Any]:
    """The CSL-JSON item of one paper; empty values are left out."""
    paper = record.paper
    issued = [record.year, record.month] if record.month else [record.year]
    accessed = [paper.date.year, paper.date.month, paper.date.day] if paper.date else None
    arxiv = paper.is_arxiv
    item: dict[str, Any] = {
        "id": record.key,
        "type": "article",
        "title": record.title,
        "author": [csl_name(name) for name in record.names],
        "issued": {"date-parts": [issued]} if record.year else None,
        "accessed": {"date-parts": [accessed]} if accessed else None,
        "publisher": "arXiv" if arxiv else None,
        "number": f"arXiv:{paper.id}" if arxiv else None,
        "version": str(paper.version) if arxiv and paper.version is not None else None,
        "DOI": paper.doi,
        "PMID": paper.id if paper.id_scheme == "pmid" else None,
        "URL": uri(paper.link),
        "abstract": clean_line(record.abstract) if record.abstract else None,
        "keyword": ", ".join(record.keywords),
        "note": clean_line(paper.comment) if paper.comment else None,
        "annote": record.summary_text("\n"),
    }
    return {key: value for key, value in item.items() if value}


class CslJsonWriter(Writer):
    name: ClassVar[str] = "csljson"
    description: ClassVar[str] = "CSL-JSON items (type article) for Zotero, pandoc --citeproc and citeproc"
    suffixes: ClassVar[tuple[str, ...]] = (".csl.json",)
    aliases: ClassVar[tuple[str, ...]] = ("csl-json", "csl")
    options: ClassVar[tuple[OptionSpec, ...]] = (KEY_FORMAT_OPTION,)

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        papers, repeats = unique_papers(digests)
        sink = TextSink(out)
        count = 0
        # One item per line: readable, diff-friendly, and json's C encoder (indent= would use the slow one).
        for batch in citation_batches(papers, options.get("key_format") or "arxiv"):
            for record in batch:
                sink.write(("," if count else "[") + "\n" + json.dumps(csl_item(record), ensure_ascii=False))
                count += 1
        sink.write("\n]\n" if count else "[]\n")
        sink.flush()
        return WriteReport(items=count, notes=duplicate_note(repeats))
