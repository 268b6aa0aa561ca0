"""Where the papers are in a digest that a fork laid out its own way: the general segmenter.

Used for files with no ``### [N] [Title](URL)`` headings (those take the upstream
path in :mod:`.markdown`). A paper is a block that names one work (an arXiv id,
a DOI, a PubMed id) and has a title. It opens with, in order of preference:

1. a line whose own link names the work: a heading at any level
   (``## <a id="x"></a>[Title](url) [[back]](#toc)``, ``### [[Title]](url)``), a
   list item or a bold line that starts with the link (``- **[Title](url)**``);
2. when no line in the file does that, a heading whose section names exactly one
   work in a labelled line or a bare link (``## 1. Title`` then
   ``**链接**: [2511.21620v1](https://arxiv.org/pdf/2511.21620v1)``), the deepest
   such heading (``## 📄 论文 1`` with ``**标题:**`` and ``**arXiv:** URL``).

A paper runs to the next paper, or to the next heading of its own level or
above (a section), or, for a list item, to the next line that leaves the item.
Blank lines, rules and back links at its end are left to the structure around it.
Everything here looks at lines only; what the lines say is :mod:`.fields`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ...model import WorkId, parse_work_link

_HEADING_RE = re.compile(r"(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$")
_ITEM_RE = re.compile(r"( {0,3})(?:[-*+]|\d{1,3}[.)])[ \t]+(?=\S)")
# A Markdown link; its text may hold one level of brackets ("[[Title]](url)", "[[RE] Title](url)").
_LINK_RE = re.compile(r"\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\((?P<url>[^()\s]+(?:\([^()\s]*\)[^()\s]*)*)\)")
_BARE_URL_RE = re.compile(r"(?<![(\[<\w])(?:https?://|doi:\s*)[^\s<>()\[\]]+")
# What may come before the title link on its line: emphasis, a number, an anchor.
_LEADING_RE = re.compile(r"(?:\*\*|__|\*|_|\[\d+\][ \t]*|\d{1,4}[.)][ \t]*|<a [^>]*>[ \t]*</a>[ \t]*|[ \t])*")
_NUMBER_PREFIX_RE = re.compile(r"[ \t]*(?:\[(?P<a>\d+)\]|(?P<b>\d{1,4})[.)、:：])[ \t]*")
_NUMBER_ONLY_RE = re.compile(
    r"[^\w]*(?:paper|article|no\.?|论文|論文|논문|文章|第)?[ \t]*#?(?P<n>\d{1,5})[ \t]*(?:篇|편)?[^\w]*", re.I
)
_STRUCTURE_TAIL_RE = re.compile(
    r"[ \t]*(?:|-{3,}|\*{3,}|_{3,}|<(?:div|a) id=[^>]*></(?:div|a)>|(?:\[\[?[^\]\n]*\]?\]\(#[^)\n]*\)[ \t|]*)+)[ \t]*"
)
_LABEL_VALUE_RE = re.compile(
    r"(?:[-*+>][ \t]+)*(?:\*\*|__)?[^:：\n]{1,40}?(?:\*\*|__)?[ \t]*[:：](?:\*\*|__)?[ \t]*(?P<value>.*)"
)


@dataclass(frozen=True, slots=True)
class Entry:
    """One paper's lines: ``lines[start]`` opens it, ``lines[start + 1:end]`` is its body."""

    start: int
    end: int
    #: The work the opening line links to (None: found in the body; :func:`body_work` finds it).
    work: WorkId | None
    url: str | None
    title: str | None
    number: int | None
    #: ``heading`` (at ``level``), ``item`` or ``bold``.
    kind: str
    level: int
    #: Spaces to remove from the body lines of a list item (its content's indent).
    indent: int = 0


def work_links(text: str) -> list[tuple[WorkId, str, str]]:
    """Every (work, url, link text) a line names by a Markdown link or a bare URL, in order."""
    found: list[tuple[WorkId, str, str]] = []
    if "](" in text:
        for link in _LINK_RE.finditer(text):
            work = parse_work_link(link.group("url"))
            if work is not None:
                found.append((work, link.group("url"), link.group("text")))
    if "://" in text or "doi:" in text.lower():
        linked = {url for _, url, _ in found}
        for bare in _BARE_URL_RE.finditer(text):
            url = bare.group().rstrip(".,;:!?*_`'\"")
            work = parse_work_link(url)
            if work is not None and url not in linked:
                found.append((work, url, ""))
    return found


def clean_title(text: str) -> str:
    """A title from link text: without emphasis around it or a second pair of brackets (``[[Title]]``)."""
    text = text.strip()
    if len(text) > 4 and text[:2] in ("**", "__") and text[-2:] == text[:2]:
        # Bounds move inwards and the text is cut once: slicing at each pair would be quadratic in the pairs.
        start, end = 0, len(text)
        while (
            end - start > 4
            and text[start : start + 2] in ("**", "__")
            and text[end - 2 : end] == text[start : start + 2]
        ):
            start, end = start + 2, end - 2
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
        text = text[start:end]
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1 and text.count("]") == 1:
        text = text[1:-1].strip()
    return text


def _opening(line: str) -> tuple[str, int, int] | None:
    """(kind, level, content offset) when a line can open a paper: a heading, a list item, a bold line."""
    if line.startswith("#"):
        heading = _HEADING_RE.match(line)
        if heading:
            return "heading", len(heading.group(1)), heading.start(2)
        return None
    item = _ITEM_RE.match(line)
    if item:
        return "item", 0, item.end()
    if line.startswith(("**[", "__[")):
        return "bold", 0, 0
    return None


def _linked_entry(lines: Sequence[str], index: int) -> Entry | None:
    """A paper whose opening line links to its work (rule 1), or None."""
    line = lines[index]
    opening = _opening(line)
    if opening is None or "](" not in line:
        return None
    kind, level, offset = opening
    content = line[offset:]
    if kind == "heading":
        links = [(work, url, text) for work, url, text in work_links(content) if text]
        if not links:
            return None
        work, url, text = links[0]
        number = _NUMBER_PREFIX_RE.match(content)
    else:
        lead = _LEADING_RE.match(content)
        start = lead.end() if lead else 0
        link = _LINK_RE.match(content, start)
        linked = parse_work_link(link.group("url")) if link else None
        if link is None or linked is None:
            return None
        work, url, text = linked, link.group("url"), link.group("text")
        number = _NUMBER_PREFIX_RE.match(content)
    title = clean_title(text)
    if not title:
        return None
    value = number.group("a") or number.group("b") if number else None
    indent = len(line) - len(line.lstrip(" ")) + 2 if kind == "item" else 0
    return Entry(index, index + 1, work, url, title, int(value) if value else None, kind, level, indent)


def _identifying(line: str) -> tuple[WorkId, str] | None:
    """The work a line names where a paper's identity is written: the value of a labelled line
    (``**链接**: [id](url)``, ``**arXiv:** URL``), or a line that is only a link or a URL."""
    stripped = line.strip()
    if not stripped or stripped.startswith("#") or ("://" not in stripped and "doi:" not in stripped.lower()):
        return None
    labelled = _LABEL_VALUE_RE.fullmatch(stripped)
    candidates = work_links(labelled.group("value")) if labelled else []
    if not candidates:
        bare = stripped.strip("*_<> ")
        if _LINK_RE.fullmatch(bare) or _BARE_URL_RE.fullmatch(bare):
            candidates = work_links(bare)
    return (candidates[0][0], candidates[0][1]) if candidates else None


def identifying_link(lines: Iterable[str]) -> tuple[WorkId, str] | None:
    """The first (work, url) that ``lines`` (or link-label values) name as a paper's identity, if any."""
    for line in lines:
        found = _identifying(line)
        if found is None and line.strip():
            links = work_links(line)
            found = (links[0][0], links[0][1]) if links and _LINK_RE.fullmatch(line.strip()) else None
        if found is not None:
            return found
    return None


def _identifying_works(lines: Sequence[str]) -> set[WorkId]:
    """The distinct works (versions aside) a heading's section names as a paper's identity."""
    return {_version_free(found[0]) for line in lines if (found := _identifying(line)) is not None}


def _version_free(work: WorkId) -> WorkId:
    return WorkId(work.scheme, work.id)


def _heading_entries(lines: Sequence[str]) -> list[Entry]:
    """Rule 2: the deepest headings whose sections name exactly one work."""
    headings = [(i, len(m.group(1)), m.group(2)) for i, line in enumerate(lines) if (m := _HEADING_RE.match(line))]
    candidates: list[Entry] = []
    for (index, level, text), end in zip(headings, _section_ends(headings, len(lines)), strict=True):
        if len(_identifying_works(lines[index + 1 : end])) == 1:
            title, number = _heading_title(text)
            candidates.append(Entry(index, end, None, None, title, number, "heading", level))
    # A section that holds one paper names one work too: the paper is the deepest heading. Candidates are in
    # file order, so one holds another exactly when it holds the next one.
    following = [*candidates[1:], None][: len(candidates)]
    return [c for c, after in zip(candidates, following, strict=True) if after is None or after.start >= c.end]


def _section_ends(headings: Sequence[tuple[int, int, str]], total: int) -> list[int]:
    """Where each heading's section ends: at the next heading of its level or above, else at ``total``.

    One pass with a stack of the open sections (their levels increase upwards), so a file of
    a million headings takes linear time.
    """
    ends = [total] * len(headings)
    open_sections: list[int] = []
    for position, (index, level, _) in enumerate(headings):
        while open_sections and headings[open_sections[-1]][1] >= level:
            ends[open_sections.pop()] = index
        open_sections.append(position)
    return ends


def _heading_title(text: str) -> tuple[str | None, int | None]:
    """(title, number) of a heading: ``1. Title``, ``[1] Title``, or ``📄 论文 1`` (a number, no title)."""
    only = _NUMBER_ONLY_RE.fullmatch(text)
    if only is not None:
        return None, int(only.group("n"))
    prefix = _NUMBER_PREFIX_RE.match(text)
    if prefix is not None:
        return clean_title(text[prefix.end() :]) or None, int(prefix.group("a") or prefix.group("b"))
    return clean_title(text) or None, None


def find_entries(lines: Sequence[str]) -> list[Entry]:
    """Every paper of a file in any layout, in file order, each with its end (see the module docstring)."""
    linked = [entry for i in range(len(lines)) if (entry := _linked_entry(lines, i)) is not None]
    entries = linked or _heading_entries(lines)
    bounded: list[Entry] = []
    for position, entry in enumerate(entries):
        limit = entries[position + 1].start if position + 1 < len(entries) else len(lines)
        end = _end(lines, entry, limit)
        while end > entry.start + 1 and _STRUCTURE_TAIL_RE.fullmatch(lines[end - 1]):
            end -= 1
        bounded.append(
            Entry(
                entry.start,
                end,
                entry.work,
                entry.url,
                entry.title,
                entry.number,
                entry.kind,
                entry.level,
                entry.indent,
            )
        )
    return bounded


def _end(lines: Sequence[str], entry: Entry, limit: int) -> int:
    """Where ``entry`` stops before ``limit`` (the next paper): a section heading, an anchor, or the end of
    a list item (a line at the item's own indent that opens something else)."""
    for index in range(entry.start + 1, limit):
        line = lines[index]
        if not line.strip():
            continue
        if line.startswith("#"):
            heading = _HEADING_RE.match(line)
            # A heading deeper than the paper's own (or than ###, under a list item or bold title) is a label.
            if heading and len(heading.group(1)) <= (entry.level if entry.kind == "heading" else 3):
                return index
        if entry.kind == "item" and not line.startswith(" ") and _opening(line) is not None:
            return index
        if line.startswith(("<div id=", "<a id=")) and line.rstrip().endswith(("</div>", "</a>")):
            return index
    return limit
