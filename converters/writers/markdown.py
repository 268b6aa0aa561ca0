"""``markdown``: the digest format itself, in the current (V3) template.

A current-template digest read by the ``digest`` reader comes back byte for
byte: the table of contents keeps its stated totals, empty sections stay, and
the author separator of the file is reused. Anything else (several digests, a
JSON Lines file, an older template) is laid out the same way with the totals
counted and the papers renumbered 1..n. Labelled fields the template has no
place for (``Paper.extra``) are written as ``Label: value`` paragraphs inside
``<details>``, before the abstract, and so is the digest's translation of the
abstract (``Abstract translation: ...``, only when there is one).

An AI field that held a failure message is empty (None) in the model and its
text is in ``extra`` under :data:`~converters.model.AI_FAILURE_KEYS`: it is
written back in the field's place, not as an extra paragraph, so a digest whose
summaries failed comes back byte for byte too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

from ..model import AI_FAILURE_KEYS, AI_FIELDS, Digest, Paper
from .base import Writer, WriteReport
from .shared import TextSink

_HEADER = "<div id=toc></div>\n\n# Table of Contents\n\n"


def _ai_fields(paper: Paper) -> tuple[dict[str, str], dict[str, str]]:
    """(the text of each AI field as the digest showed it, the extras left to write as paragraphs).

    A field that is None shows the failure message kept for it in ``extra``
    (:data:`~converters.model.AI_FAILURE_KEYS`), and that message is then not
    written again as an extra; otherwise the field's own value ('' for None).
    """
    extras = dict(paper.extra)
    shown = {}
    for field in AI_FIELDS:
        value = getattr(paper, field)
        if value is None:
            value = extras.pop(AI_FAILURE_KEYS[field], None)
        shown[field] = value or ""
    return shown, extras


# A line of a field's text (after its first, which follows the label) that the digest reader would take for
# the digest's own structure: a heading (a new paper or section), an anchor, or the end or start of a
# details block. Written with a backslash in front (Markdown shows the line as it was), so that no field
# can end its paper or make another one.
_STRUCTURE_LINE_RE = re.compile(r"(?<=\n)( {0,3})(#{1,6}(?=[ \t\n]|$)|</?details\b|<div id=|<a id=)", re.IGNORECASE)


def _text(value: str) -> str:
    """A field's text, lines that would be read as structure escaped (see :data:`_STRUCTURE_LINE_RE`)."""
    return _STRUCTURE_LINE_RE.sub(r"\1\\\2", value) if "\n" in value else value


def _line(value: str) -> str:
    """A value the template holds on one line (title, author, category): a newline, which the reader takes
    for the end of the line and could start a heading with, becomes a space."""
    return value.replace("\n", " ") if "\n" in value else value


def _block(number: int, paper: Paper, separator: str) -> str:
    ai, extra = _ai_fields(paper)
    extras = "".join(f"{_line(label)}: {_text(value)}\n\n" for label, value in extra.items())
    if paper.abstract_translation is not None:
        extras += f"Abstract translation: {_text(paper.abstract_translation)}\n\n"
    return (
        f"### [{number}] [{_line(paper.title)}]({paper.url})\n"
        f"*{separator.join(map(_line, paper.authors))}*\n\n"
        f"Main category: {_line(paper.category or '')}\n\n"
        f"TL;DR: {_text(ai['tldr'])}\n\n\n"
        "<details>\n  <summary>Details</summary>\n"
        f"Motivation: {_text(ai['motivation'])}\n\n"
        f"Method: {_text(ai['method'])}\n\n"
        f"Result: {_text(ai['result'])}\n\n"
        f"Conclusion: {_text(ai['conclusion'])}\n\n"
        f"{extras}"
        f"Abstract: {_text(paper.abstract or '')}\n\n"
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
        sink = TextSink(out)
        sink.write(_HEADER)
        for category, total in toc:
            sink.write(f"- [{_line(category)}](#{_line(category)}) [Total: {total}]\n")
        number = 0
        for category, papers in ((_line(c), p) for c, p in by_section.items()):
            sink.write(f"\n\n<div id='{category}'></div>\n\n# {category} [[Back]](#toc)\n\n")
            for index, paper in enumerate(papers):
                number += 1
                sink.write(("\n\n" if index else "") + _block(number, paper, separator))
        sink.flush()
        return WriteReport(items=number)
