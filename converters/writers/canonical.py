"""``json`` and ``jsonl``: the model itself, losslessly (read back by the readers of the same names)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

from ..canonical import digest_head, document_head, paper_record
from ..model import Digest
from ..text.clean import utf8
from .base import Writer, WriteReport
from .shared import StreamedList, TextSink, json_line, write_indented_json


class JsonWriter(Writer):
    name: ClassVar[str] = "json"
    description: ClassVar[str] = (
        "arxport JSON: one document with every digest, its table of contents, papers and problems"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".json",)

    single_pass: ClassVar[bool] = True

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        papers = 0

        def records() -> Iterator[StreamedList]:  # a digest, its papers one at a time
            nonlocal papers
            for digest in digests:
                papers += len(digest.papers)
                yield StreamedList(digest_head(digest), "papers", map(paper_record, digest.papers))

        sink = TextSink(out)
        write_indented_json(sink.write, document_head(), "digests", records())
        sink.write("\n")
        sink.flush()
        return WriteReport(items=papers)


class JsonlWriter(Writer):
    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = (
        "JSON Lines: one paper per line (id, version, url, title, authors, primary_category, ...)"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl", ".ndjson")
    aliases: ClassVar[tuple[str, ...]] = ("ndjson",)
    single_pass: ClassVar[bool] = True

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        # Digests handed over as they are read (not a sequence: see single_pass) die once written, and with
        # them the UTF-8 copies orjson leaves on their strings; digests the caller keeps would keep those.
        if isinstance(digests, Sequence):
            encode = json.JSONEncoder(ensure_ascii=False).encode

            def line(record: dict[str, Any]) -> bytes:
                return utf8(encode(record))
        else:
            line = json_line
        lines: list[bytes] = []
        count = 0
        for digest in digests:
            for paper in digest.papers:
                lines.append(line(paper_record(paper)))
                count += 1
                if len(lines) == 512:
                    out.write(b"\n".join(lines) + b"\n")
                    lines.clear()
        if lines:
            out.write(b"\n".join(lines) + b"\n")
        return WriteReport(items=count)
