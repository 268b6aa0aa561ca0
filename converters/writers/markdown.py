"""``markdown``: the digest format itself, in the current (V3) template.

A current-template digest read by the ``digest`` reader comes back byte for
byte: the table of contents keeps its stated totals, empty sections stay, and
the author separator of the file is reused. Anything else (several digests, a
JSON Lines file, an older template) is laid out the same way with the totals
counted and the papers renumbered 1..n. Labelled fields the template has no
place for (``Paper.extra``) are written as ``Label: value`` paragraphs inside
``<details>``, before the abstract.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

from ..model import Digest, Paper
from .base import Writer, WriteReport

_HEADER = "<div id=toc></div>\n\n# Table of Contents\n\n"


def _block(number: int, paper: Paper, separator: str) -> str:
    extras = "".join(f"{label}: {value}\n\n" for label, value in paper.extra.items())
    return (
        f"### [{number}] [{paper.title}]({paper.url})\n"
        f"*{separator.join(paper.authors)}*\n\n"
        f"Main category: {paper.category or ''}\n\n"
        f"TL;DR: {paper.tldr or ''}\n\n\n"
        "<details>\n  <summary>Details</summary>\n"
        f"Motivation: {paper.motivation or ''}\n\n"
        f"Method: {paper.method or ''}\n\n"
        f"Result: {paper.result or ''}\n\n"
        f"Conclusion: {paper.conclusion or ''}\n\n"
        f"{extras}"
        f"Abstract: {paper.abstract or ''}\n\n"
        "</details>\n"
    )


def _layout(digests: Sequence[Digest]) -> tuple[list[tuple[str, int]], dict[str, list[Paper]]]:
    """(TOC entries with totals, papers by section) in section order."""
    by_section: dict[str, list[Paper]] = {}
    if len(digests) == 1:  # keep the digest's own sections, empty ones included
        for section in digests[0].sections:
            by_section.setdefault(section.category, [])
    for digest in digests:
        for paper in digest.papers:
            by_section.setdefault(paper.section or paper.category or "uncategorised", []).append(paper)
    if len(digests) == 1 and digests[0].toc:
        toc = [(entry.category, entry.total if entry.total is not None else 0) for entry in digests[0].toc]
    else:
        toc = [(category, len(papers)) for category, papers in by_section.items()]
    return toc, by_section


class MarkdownWriter(Writer):
    name: ClassVar[str] = "markdown"
    description: ClassVar[str] = "arXiv digest Markdown in the current template (reads back with the digest reader)"
    suffixes: ClassVar[tuple[str, ...]] = (".md", ".markdown")
    aliases: ClassVar[tuple[str, ...]] = ("md", "digest")

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        separators = {d.author_separator for d in digests if d.papers}
        separator = separators.pop() if len(separators) == 1 else ","
        toc, by_section = _layout(digests)
        parts = [_HEADER]
        parts.extend(f"- [{category}](#{category}) [Total: {total}]\n" for category, total in toc)
        number = 0
        for category, papers in by_section.items():
            parts.append(f"\n\n<div id='{category}'></div>\n\n# {category} [[Back]](#toc)\n\n")
            blocks = []
            for paper in papers:
                number += 1
                blocks.append(_block(number, paper, separator))
            parts.append("\n\n".join(blocks))
        out.write("".join(parts).encode("utf-8"))
        return WriteReport(items=number)
