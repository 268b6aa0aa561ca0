"""Read back arxport's own ``json`` and ``jsonl`` output, validated against the model."""

from __future__ import annotations

import dataclasses
import json
import re
from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from ..canonical import document_adapter, paper_adapter
from ..errors import InputError
from ..model import ID_SCHEMES, Digest, Paper, Problem, SourceSpan, parse_arxiv_id, parse_work_link
from .base import Reader, decode_text

if TYPE_CHECKING:
    from pydantic import ValidationError

_DOCUMENT_RE = re.compile(r'\s*\{\s*"format"\s*:\s*"arxport"')
_RECORD_RE = re.compile(r'\s*\{"id": "(?:[^"\\]|\\.)*", "version": [^,]*, "url": ')
_DOI_ID_RE = re.compile(r"10\.\d{4,9}/\S+")
_PMID_RE = re.compile(r"\d{1,9}", re.ASCII)


def contract_problem(paper: Paper) -> str | None:
    """What makes ``paper`` one no digest reader could have made, or None.

    The schema says only "a string"; writers rely on more: an arXiv id is an arXiv
    id (it goes unescaped into ``eprint``, keys and links), a DOI or PubMed id has
    its form, and ``url`` names that same work. A hand-edited or hostile document
    must not smuggle TeX, markup or ``javascript:`` links through those fields.
    """
    scheme, work_id = paper.id_scheme, paper.id
    if scheme not in ID_SCHEMES:
        return f"id_scheme {scheme!r} is none of {', '.join(ID_SCHEMES)}"
    if scheme == "arxiv":
        valid = parse_arxiv_id(work_id) == (work_id, None)
    elif scheme == "doi":
        valid = bool(_DOI_ID_RE.fullmatch(work_id))
    elif scheme == "pmid":
        valid = bool(_PMID_RE.fullmatch(work_id))
    else:
        valid = parse_work_link(work_id, any_url=True) == (scheme, work_id, None)
    if not valid:
        return f"id {work_id[:80]!r} is not a valid {scheme} id"
    if paper.version is not None and (scheme != "arxiv" or paper.version < 0):
        return f"version {paper.version} for a {scheme} id"
    found = parse_work_link(paper.url, any_url=True)
    if found is None or (found.scheme, found.id) != (scheme, work_id):
        return f"url {paper.url[:80]!r} does not name the work {work_id[:80]!r}"
    return None


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where or 'document'}: {first['msg']}{more}"


def _keep_valid(digest: Digest, source: str) -> Digest:
    """``digest`` without the papers that break :func:`contract_problem`, each one a ``bad-record`` error."""
    problems: list[Problem] = []
    papers: list[Paper] = []
    for index, paper in enumerate(digest.papers):
        wrong = contract_problem(paper)
        if wrong is None:
            papers.append(paper)
            continue
        message = f"paper skipped: {digest.source}: papers[{index}]: {wrong}"
        problems.append(
            Problem(level="error", code="bad-record", message=message, source=SourceSpan(path=source, line=1))
        )
    if not problems:
        return digest
    return dataclasses.replace(digest, papers=tuple(papers), problems=(*digest.problems, *problems))


class JsonReader(Reader):
    name: ClassVar[str] = "json"
    description: ClassVar[str] = "arxport JSON (what --to json writes)"
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def sniff(self, head: str, path: str) -> bool:
        return bool(_DOCUMENT_RE.match(head))

    def read(self, data: bytes, source: str) -> Digest:
        digests = self.read_all(data, source)
        if len(digests) != 1:
            raise InputError(f"the document holds {len(digests)} digests, not one", SourceSpan(path=source, line=1))
        return digests[0]

    def read_all(self, data: bytes, source: str) -> tuple[Digest, ...]:
        from pydantic import ValidationError

        text = decode_text(data, source)
        try:
            digests = document_adapter().validate_json(text).digests
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                try:
                    json.loads(text)
                except json.JSONDecodeError as bad:
                    raise InputError(f"invalid JSON: {bad.msg}", SourceSpan(path=source, line=bad.lineno)) from None
                except RecursionError:  # arrays or objects nested thousands deep
                    raise InputError("invalid JSON: nested too deeply", SourceSpan(path=source, line=1)) from None
            raise InputError(f"not an arxport document: {_describe(exc)}", SourceSpan(path=source, line=1)) from None
        return tuple(_keep_valid(digest, source) for digest in digests)


class JsonlReader(Reader):
    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = "arxport JSON Lines (what --to jsonl writes), one paper per line"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")
    aliases: ClassVar[tuple[str, ...]] = ("ndjson",)

    def sniff(self, head: str, path: str) -> bool:
        return bool(_RECORD_RE.match(head))

    def read(self, data: bytes, source: str) -> Digest:
        from pydantic import ValidationError

        adapter = paper_adapter()
        papers: list[Paper] = []
        problems: list[Problem] = []
        for number, line in enumerate(decode_text(data, source).split("\n"), start=1):
            if not line.strip():
                continue
            try:
                paper = adapter.validate_json(line)
                wrong = contract_problem(paper)
                if wrong is None:
                    papers.append(paper)
                    continue
                message = f"record skipped: {wrong}"
            except ValidationError as exc:
                message = f"record skipped: {_describe(exc)}"
            problems.append(
                Problem(level="error", code="bad-record", message=message, source=SourceSpan(path=source, line=number))
            )
        dates = Counter(p.date for p in papers)
        return Digest(
            source=source,
            date=next(iter(dates)) if len(dates) == 1 else None,
            template="jsonl",
            papers=tuple(papers),
            problems=tuple(problems),
        )
