"""Read back arxport's own ``json`` and ``jsonl`` output, validated against the model."""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from ..canonical import document_adapter, paper_adapter
from ..errors import InputError
from ..model import Digest, Paper, Problem, SourceSpan
from .base import Reader, decode_text

if TYPE_CHECKING:
    from pydantic import ValidationError

_DOCUMENT_RE = re.compile(r'\s*\{\s*"format"\s*:\s*"arxport"')
_RECORD_RE = re.compile(r'\s*\{"id": "(?:[^"\\]|\\.)*", "version": [^,]*, "url": ')


def _describe(error: ValidationError) -> str:
    first = error.errors()[0]
    where = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in first["loc"]).lstrip(".")
    more = f" (and {error.error_count() - 1} more)" if error.error_count() > 1 else ""
    return f"{where or 'document'}: {first['msg']}{more}"


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
            return document_adapter().validate_json(text).digests
        except ValidationError as exc:
            if any(e["type"] == "json_invalid" for e in exc.errors()):
                try:
                    json.loads(text)
                except json.JSONDecodeError as bad:
                    raise InputError(f"invalid JSON: {bad.msg}", SourceSpan(path=source, line=bad.lineno)) from None
            raise InputError(f"not an arxport document: {_describe(exc)}", SourceSpan(path=source, line=1)) from None


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
                papers.append(adapter.validate_json(line))
            except ValidationError as exc:
                message = f"record skipped: {_describe(exc)}"
                problems.append(
                    Problem(
                        level="error", code="bad-record", message=message, source=SourceSpan(path=source, line=number)
                    )
                )
        dates = Counter(p.date for p in papers)
        return Digest(
            source=source,
            date=next(iter(dates)) if len(dates) == 1 else None,
            template="jsonl",
            papers=tuple(papers),
            problems=tuple(problems),
        )
