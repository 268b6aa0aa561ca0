"""The generator's own JSON Lines records (``data/YYYY-MM-DD[_AI_enhanced_<Language>].jsonl``).

They carry more than the Markdown shows: every category, the arXiv comment, the
PDF link and the code links. Known keys map to the model; every other key is
kept in ``Paper.extra`` (non-string values as compact JSON).
"""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar

from ...model import Digest, Paper, Problem, Section, SourceSpan, parse_arxiv_id
from ..base import Reader, date_from_name, decode_text
from .common import ai_failure_message, set_aside_ai_failures
from .vocabulary import vocabulary

_RECORD_RE = re.compile(r'\s*\{"id": "[^"]*", "(?:categories|pdf)": ')
_MODEL_KEYS = {"id", "categories", "abs", "authors", "title", "comment", "summary", "AI"}
_AI_KEYS = ("tldr", "motivation", "method", "result", "conclusion")


class DigestJsonlReader(Reader):
    name: ClassVar[str] = "digest-jsonl"
    description: ClassVar[str] = "the digest generator's JSON Lines records (raw crawl or _AI_enhanced_<Language>)"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl",)

    def sniff(self, head: str, path: str) -> bool:
        return bool(_RECORD_RE.match(head))

    def read(self, data: bytes, source: str) -> Digest:
        papers: list[Paper] = []
        problems: list[Problem] = []
        sections: dict[str, Section] = {}
        first_line: dict[str, int] = {}
        date = date_from_name(source)

        failures: dict[str, int] = {}  # AI failure messages set aside, for one warning
        failure_line = 0

        def problem(level: str, code: str, message: str, line: int) -> None:
            problems.append(Problem(level=level, code=code, message=message, source=SourceSpan(path=source, line=line)))  # type: ignore[arg-type]

        for number, line in enumerate(decode_text(data, source).split("\n"), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                problem("error", "bad-record", f"record skipped: invalid JSON ({exc.msg}, column {exc.colno})", number)
                continue
            except RecursionError:  # arrays or objects nested thousands deep
                problem("error", "bad-record", "record skipped: invalid JSON (nested too deeply)", number)
                continue
            if not isinstance(record, dict):
                problem("error", "bad-record", "record skipped: not a JSON object", number)
                continue
            before = sum(failures.values())
            paper = self._paper(record, source, number, date, problem, failures)
            if paper is None:
                continue
            if not failure_line and sum(failures.values()) > before:
                failure_line = number
            if paper.id in first_line:
                problem(
                    "warning",
                    "duplicate-paper",
                    f"arXiv:{paper.id} is listed again (first at line {first_line[paper.id]})",
                    number,
                )
            first_line.setdefault(paper.id, number)
            if paper.section is not None and paper.section not in sections:
                sections[paper.section] = Section(category=paper.section, line=number)
            papers.append(paper)
        if failures:
            problem("warning", "ai-failure", ai_failure_message(failures), failure_line)
            problems.sort(key=lambda p: p.source.line)
        if not papers and not problems:
            problem("warning", "no-papers", "the file holds no records", 1)
        return Digest(
            source=source,
            date=date,
            template="digest-jsonl",
            author_separator=",",
            sections=tuple(sections.values()),
            papers=tuple(papers),
            problems=tuple(problems),
        )

    @staticmethod
    def _paper(
        record: dict[str, Any], source: str, line: int, date: Any, problem: Any, failures: dict[str, int]
    ) -> Paper | None:
        missing = [key for key in ("id", "title") if not isinstance(record.get(key), str)]
        if missing:
            problem("error", "bad-record", f"record skipped: no {' or '.join(missing)}", line)
            return None
        url = record.get("abs") if isinstance(record.get("abs"), str) else None
        parsed = parse_arxiv_id(url or record["id"])
        if parsed is None:
            problem("error", "bad-record", f"record skipped: {record['id']!r} is not an arXiv id", line)
            return None
        authors = record.get("authors") or []
        categories = record.get("categories") or []
        if not (isinstance(authors, list) and all(isinstance(a, str) for a in authors)):
            problem("warning", "bad-record", "authors is not a list of strings; ignored", line)
            authors = []
        if not (isinstance(categories, list) and all(isinstance(c, str) for c in categories)):
            problem("warning", "bad-record", "categories is not a list of strings; ignored", line)
            categories = []
        ai = record.get("AI") if isinstance(record.get("AI"), dict) else {}
        assert isinstance(ai, dict)
        texts = {key: ai.get(key) if isinstance(ai.get(key), str) else None for key in _AI_KEYS}
        if texts["tldr"] is None and isinstance(ai.get("task"), str):
            texts["tldr"] = ai["task"]  # V1 records: "task" stands where "tldr" is now
        extra: dict[str, str] = {}
        for key, value in record.items():
            if key not in _MODEL_KEYS:
                extra[key] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        for key, value in ai.items():
            if key not in _AI_KEYS and not (key == "task" and texts["tldr"] == value):
                extra[f"AI.{key}"] = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        fields = {name: value for name, value in texts.items() if value is not None}
        set_aside_ai_failures(vocabulary(), fields, extra, failures)
        texts = {name: fields.get(name) for name in _AI_KEYS}
        comment = record.get("comment")
        primary = categories[0] if categories else None
        return Paper(
            id=parsed[0],
            version=parsed[1],
            url=url or f"https://arxiv.org/abs/{record['id']}",
            title=record["title"],
            authors=tuple(authors),
            primary_category=primary,
            categories=tuple(categories),
            section=primary,
            tldr=texts["tldr"],
            motivation=texts["motivation"],
            method=texts["method"],
            result=texts["result"],
            conclusion=texts["conclusion"],
            abstract=record.get("summary") if isinstance(record.get("summary"), str) else None,
            comment=comment if isinstance(comment, str) else None,
            extra=extra,
            date=date,
            source=SourceSpan(path=source, line=line),
        )
