"""``json`` and ``jsonl``: the model itself, losslessly (read back by the readers of the same names)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

from ..canonical import digest_record, document_head, paper_record
from ..model import Digest
from .base import Writer, WriteReport
from .shared import TextSink, write_indented_json


class JsonWriter(Writer):
    name: ClassVar[str] = "json"
    description: ClassVar[str] = (
        "arxport JSON: one document with every digest, its table of contents, papers and problems"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        sink = TextSink(out)
        write_indented_json(sink.write, document_head(), "digests", map(digest_record, digests))
        sink.write("\n")
        sink.flush()
        return WriteReport(items=sum(len(d.papers) for d in digests))


class JsonlWriter(Writer):
    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = (
        "JSON Lines: one paper per line (id, version, url, title, authors, primary_category, ...)"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")
    aliases: ClassVar[tuple[str, ...]] = ("ndjson",)

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        encode = json.JSONEncoder(ensure_ascii=False).encode
        sink = TextSink(out)
        count = 0
        for digest in digests:
            for paper in digest.papers:
                sink.write(encode(paper_record(paper)) + "\n")
                count += 1
        sink.flush()
        return WriteReport(items=count)
