"""A paper block's body in any layout: labelled text in every form forks write, read into a :class:`Draft`.

The forms a field starts with (``Label`` is any label; see :mod:`.vocabulary` for
what each one fills):

* ``Label: value`` and ``Label：value`` (plain), at the start of a paragraph, or on
  the next line after a one-line metadata field (``Authors: A, B`` then
  ``Categories: cs.LG``); a hard-wrapped abstract's column-0 ``Conclusion:`` line
  is therefore abstract text, as the spec requires;
* ``**Label:** value``, ``**Label**: value``, with a bullet
  (``- ``, ``*   ``, ``1. ``), a quote (``> ``) or an emoji around the label: on
  any line;
* a heading inside the block (``### Summary``, ``#### 中文摘要 (Abstract in
  Chinese)``), its value being what follows;
* ``<summary>Abstract</summary>``: the whole ``<details>`` body is that field;
* segments of one line joined by `` | ``: ``*A, B* | **Category: cs.CR**``,
  ``[**[PDF]**](url) | **Categories:** cs.DB, cs.IT``.

A value runs from its label to the blank line before the next field, byte for
byte; a value on the label's own line may also continue on the next lines. Lines
of ``<details>``/``<summary>``/``</details>``, rules and back links are structure
and end the value before them. A value whose every line is quoted (``> ``) loses
the quote marks. The italic line right under the heading is the author line.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .vocabulary import LINE_FIELDS, Vocabulary

#: A plain label of a field the vocabulary does not know: a capitalised word and up to two lower-case
#: ones ("Selection reason", "ai_Abstract"), or short runs of CJK or Hangul, "/" allowed between them.
_CJK = r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]"
LABEL_LIKE = rf"[A-Z][A-Za-z_;]*(?: [a-z][A-Za-z_]*){{0,2}}|{_CJK}{{1,12}}(?:(?: ?/ ?| ){_CJK}{{1,12}}){{0,3}}"
_UNKNOWN_LABEL_RE = re.compile(LABEL_LIKE)

# A bullet, a numbered item or a quote before a label.
_PREFIX = r"(?:>[ \t]?)?(?P<bullet>[-*+•][ \t]+|\d{1,3}[.)][ \t]+)?"
# After an ASCII colon comes white space or the end of the line; a full-width colon needs none.
_BOLD_LABEL_RE = re.compile(
    rf"{_PREFIX}\*\*(?P<label>[^*\n\[\]]{{1,40}}?)"
    r"(?:(?::\*\*|\*\*[ \t]*:)(?:[ \t]+|$)|(?:：\*\*|\*\*[ \t]*：)[ \t]*)"
)
_PLAIN_LABEL_RE = re.compile(r"(?P<prefix>[-*+][ \t]+)?(?P<label>[^:：\n*\[\]()<>`]{1,40}?)(?:: |:$|：[ \t]*)")
_HEADING_RE = re.compile(r"(?P<marks>#{1,6})[ \t]+(?P<text>.*?)[ \t]*#*[ \t]*")
_AUTHOR_LINE_RE = re.compile(r"\*(?!\*)(?P<authors>.*)\*[ \t]*")
_TRANSLATED_TITLE_RE = re.compile(r"> \*(?P<title>.*)\*[ \t]*")
_DETAILS_LINE_RE = re.compile(r"[ \t]*(?:<details(?: open)?>|<summary>(?P<summary>.*)</summary>|</summary>)[ \t]*")
_END_DETAILS_RE = re.compile(r"[ \t]*</details>[ \t]*")
_RULE_RE = re.compile(r"[ \t]*(?:-{3,}|\*{3,}|_{3,})[ \t]*")
# Links back to a table of contents ("[[Back]](#toc)", "[⬆️ 返回总目录](#toc)", "[[back]](#toc-1)").
_BACK_LINK_RE = re.compile(r"[ \t]*(?:\[\[?[^\]\n]*\]?\]\(#[^)\n]*\)(?:[ \t]*\|[ \t]*)?)+[ \t]*")
# Segments of a "A | B | C" line.
_SEGMENT_SPLIT_RE = re.compile(r"[ \t]+\|[ \t]+")
_BOLD_PAIR_RE = re.compile(r"\*\*(?P<label>[^*:：\n]{1,40})[:：][ \t]*(?P<value>[^*\n]*?)\*\*")
_LINK_RE = re.compile(r"\[(?P<text>(?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\((?P<url>[^()\s]+)\)")
_BACKTICKS_RE = re.compile(r"`([^`\n]*)`")
_PLACEHOLDER_RE = re.compile(r"\{[a-z_]+\}")  # what the generator leaves when it fails to fill "{tldr}"


@functools.lru_cache(maxsize=1024)
def split_categories(value: str) -> tuple[str, ...]:
    """A category list as categories: commas (ASCII or full-width), backticks and space removed; cached."""
    value = _BACKTICKS_RE.sub(r"\1", value)
    return tuple(c.strip() for c in re.split(r"[,，]", value) if c.strip())


_AUTHOR_SPLIT_RE = re.compile(r"\s*(?:[,，;；、]|\band\b|&)\s*")
_ET_AL_RE = re.compile(r"[,，]?\s*(?:et\s+al\.?|等人?|外)\s*$", re.IGNORECASE)


def split_author_text(text: str) -> tuple[tuple[str, ...], bool]:
    """Authors from a labelled line, as forks write them: commas with or without a space, full-width
    commas, semicolons, "and", "&"; a trailing "et al." (or 等) is dropped and reported as True."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        listed = python_list(text)
        if listed is not None:
            return listed, False
    truncated = _ET_AL_RE.search(text)
    if truncated:
        text = text[: truncated.start()]
    names = tuple(name.strip(" *_") for name in _AUTHOR_SPLIT_RE.split(text))
    return tuple(name for name in names if name), truncated is not None


def python_list(text: str) -> tuple[str, ...] | None:
    """An author line printed as a Python list (``['A', "B'C"]``), or None when it is not one."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):  # what literal_eval raises on garbage
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


@dataclass
class Draft:
    """A paper while its block is read; frozen into a Paper by the reader."""

    line: int
    raw_authors: str = ""
    #: ``italic`` (the ``*A,B*`` line, split with the file's separator), ``label`` (``Authors: A, B``,
    #: already split into ``authors``) or empty.
    author_style: str = ""
    authors: tuple[str, ...] = ()
    fields: dict[str, str] = field(default_factory=dict)  # model field -> value
    extra: dict[str, str] = field(default_factory=dict)  # any other label -> value, in input order
    categories: tuple[str, ...] = ()
    title: str | None = None
    links: list[str] = field(default_factory=list)  # what "link" labels named
    layout: str = "v3-variant"
    #: Labels that start fields, as written, in order (for duplicate and unknown-label checks).
    labels: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)  # the same labels, to tell a repeated one
    unlabelled: bool = False


#: ``report(level, code, message, line)``
Report = Callable[[str, str, str, int], None]

#: The first characters of a line that can start a field in the middle of a paragraph (a bold label,
#: a bullet, a quote, a heading, a link, a structural line); any other line there continues a value.
_MAY_START = frozenset("#*<>-+[_•0123456789 \t")
#: The first characters of a structural line (details, summary, a rule, back links).
_MAY_BE_STRUCTURE = frozenset("<-*_[ \t")

#: Fields whose value is parsed (a list, a title, an id) rather than kept as text.
_PARSED_FIELDS = frozenset({"categories", "primary_category", "authors", "title", "link"})

#: Fields a ``<summary>Label</summary>`` takes the whole ``<details>`` body for, labels inside included
#: (template V0 puts a structured abstract there, whose "Methods:" lines are abstract text).
_WHOLE_DETAILS_FIELDS = frozenset({"abstract", "abstract_translation"})


class BodyParser:
    """Reads the bodies of one digest's paper blocks: its vocabulary, the placeholders seen, where to report."""

    def __init__(self, vocabulary: Vocabulary, report: Report, category_text: Callable[[str], str] = str) -> None:
        self.vocabulary = vocabulary
        self.report = report
        #: A category value as found; the HTML reader's undoes line wrapping.
        self.category_text = category_text
        self.placeholders: dict[str, int] = {}  # unfilled "{tldr}": first line of each
        # label as matched -> (label, field, one-line field?, V1's "Task"?): a digest repeats a dozen labels
        self._labels: dict[str, tuple[str, str | None, bool, bool]] = {}

    def _label(self, raw: str) -> tuple[str, str | None, bool, bool]:
        """(label without surrounding space, the field it fills, whether that is one line of metadata,
        whether it is template V1's ``Task``), worked out once per distinct label."""
        found = self._labels.get(raw)
        if found is None:
            if len(self._labels) > 4096:  # labels nobody repeats (garbage input) must not pile up
                self._labels.clear()
            label = raw.strip()
            name = self.vocabulary.field_of(label)
            found = self._labels[raw] = (
                label,
                name,
                name in LINE_FIELDS,
                len(label) < 8 and label.casefold() == "task",
            )
        return found

    # -- labels -> fields ----------------------------------------------------------------
    def assign(self, draft: Draft, label: str, value: str) -> None:
        """Store the whole ``value`` of ``label`` where it belongs.

        Text fields are kept exactly; authors, categories, title and link are
        parsed. An unfilled placeholder reads as empty. A label written twice keeps
        its second value as ``Label (2)`` with a warning; a second label for a field
        already filled (``Summary`` after ``TL;DR``) keeps its value under its own name.
        """
        label = label.strip()
        self._store(draft, label, self.vocabulary.field_of(label), value)

    def _store(self, draft: Draft, label: str, name: str | None, value: str) -> None:
        """:meth:`assign` once the label is stripped and its field known."""
        if len(value) < 40 and "{" in value and _PLACEHOLDER_RE.fullmatch(value.strip()):
            self.placeholders.setdefault(value.strip(), draft.line)
            value = ""
        repeated = label in draft.seen
        draft.seen.add(label)
        draft.labels.append(label)
        if name is not None and not repeated:
            if name in _PARSED_FIELDS and self._take_parsed(draft, name, value):
                return
            if name not in draft.fields and name != "link":
                draft.fields[name] = value
                return
        key = label
        if repeated:
            n = 2
            while f"{key} ({n})" in draft.extra:
                n += 1
            key = f"{key} ({n})"
            message = f"field {label!r} appears twice; the second is kept as {key!r}"
            self.report("warning", "duplicate-field", message, draft.line)
        draft.extra[key] = value

    def _take_parsed(self, draft: Draft, name: str, value: str) -> bool:
        """Store a field parsed from its value; False when ``name`` is a text field, or already
        given (the value then stays as text under its label)."""
        if name == "categories":
            if draft.categories:
                return False
            draft.categories = split_categories(self.category_text(value))
            if draft.categories:
                draft.fields.setdefault("primary_category", draft.categories[0])
            return True
        if name == "primary_category":
            if "primary_category" in draft.fields and not draft.categories:
                return False
            draft.fields["primary_category"] = _BACKTICKS_RE.sub(r"\1", self.category_text(value))
            return True
        if name == "authors":
            if draft.author_style:
                return False
            names, truncated = split_author_text(value)
            draft.author_style, draft.raw_authors, draft.authors = "label", value, names
            if truncated:
                draft.extra["Authors"] = value.strip()  # the list as written says it is incomplete
            return True
        if name == "title":
            if draft.title is not None or not value.strip():
                return False
            draft.title = value.strip()
            return True
        if name == "link":
            draft.links.append(value)  # and kept under its label: it may name more than the paper
        return False

    # -- a whole body -----------------------------------------------------------------------
    def parse(self, draft: Draft, lines: list[str], head: bool = True) -> Draft:
        """Read ``lines`` (a block without its title line) into ``draft``.

        ``head``: the first lines may be a translated title and the italic author line.
        """
        # The field being read is kept in locals, not an object: this loop runs for every line of
        # every paper outside the current template, and most lines only continue a value.
        label: str | None = None  # its label (None: text without a label, when open)
        name: str | None = None  # the field that label fills (None: an extra label)
        parts: list[str] | None = None  # its lines so far; None: no field is open
        blanks: list[str] = []  # blank lines since its last line, kept if more of it follows
        line_field = whole = droppable = False  # one line of metadata; up to </details>; dropped if empty
        paragraph_start = True
        in_head = head
        index, count = 0, len(lines)
        while index < count:
            line = lines[index]
            index += 1
            if not line or line.isspace():
                if parts is not None:
                    blanks.append(line)
                paragraph_start = True
                continue
            first = line[0]
            if parts is not None:
                if line_field and blanks:  # one-line metadata ends at a blank line
                    self._close(draft, label, name, parts, droppable)
                    parts = None
                elif not paragraph_start and not line_field and first not in _MAY_START:
                    parts.append(line)  # the common case, the next line of a value: nothing on it can start a field
                    continue
            if in_head:
                if self._head_line(draft, line):
                    continue
                in_head = False
            if parts is not None and whole:  # everything up to </details> is the value
                end = index - 1
                while end < count and not (
                    lines[end][:1] in _MAY_BE_STRUCTURE and _END_DETAILS_RE.fullmatch(lines[end])
                ):
                    end += 1
                last = end
                while last > index - 1 and (not lines[last - 1] or lines[last - 1].isspace()):
                    last -= 1
                if last > index - 1:
                    if parts:
                        parts.extend(blanks)
                    parts.extend(lines[index - 1 : last])
                self._close(draft, label, name, parts, droppable)
                parts = None
                paragraph_start = True
                index = end + 1
                continue
            structure = (
                self._structure(line)
                if first == "<"
                or (first == "[" and "](#" in line)
                or first in " \t"
                or (first in "-*_" and line[:3] in ("---", "***", "___"))
                else None
            )
            if structure is not None:
                if parts is not None:
                    self._close(draft, label, name, parts, droppable)
                    parts = None
                if structure:  # <summary>Label</summary>: the field it names, maybe the whole <details>
                    label, name, _, _ = self._label(structure)
                    whole = name in _WHOLE_DETAILS_FIELDS
                    if whole and label.casefold() == "abstract" and not draft.labels:
                        draft.layout = "v0"
                    parts, blanks, line_field, droppable = [], [], False, True
                paragraph_start = True
                continue
            started = self._field_start(draft, line, paragraph_start, line_field if parts is not None else False)
            if started is not None:
                if parts is not None:
                    self._close(draft, label, name, parts, droppable)
                label, name, line_field, rest = started
                # no value on the line: a heading's follows; a line read whole (label None) takes none
                parts, blanks, whole, droppable = ([] if rest is None else [rest]), [], False, label is None
            elif parts is not None:
                if blanks:
                    if parts:
                        parts.extend(blanks)
                    blanks = []
                parts.append(line)
            else:
                label, name, parts, blanks, line_field, whole, droppable = None, None, [line], [], False, False, False
            paragraph_start = False
        if parts is not None:
            self._close(draft, label, name, parts, droppable)
        return draft

    def _head_line(self, draft: Draft, line: str) -> bool:
        """A translated title (``> *…*``) or the italic author line (``*A, B*``, maybe ``| **Label: v**``)."""
        if line.startswith("> *"):
            translated = _TRANSLATED_TITLE_RE.fullmatch(line)
            if translated:
                draft.extra["Translated title"] = translated.group("title")
                draft.layout = "restyle"
                return True
        if line.startswith("*") and not line.startswith("**") and not draft.author_style:
            if " | " in line and self._segments(draft, line):
                return True
            author = _AUTHOR_LINE_RE.fullmatch(line)
            if author:
                draft.raw_authors, draft.author_style = author.group("authors"), "italic"
                return True
        return False

    def _structure(self, line: str) -> str | None:
        """``""`` for a structural line (details, summary, rule, back link), the label of a
        ``<summary>Label</summary>`` whose label the vocabulary knows, None for text."""
        stripped = line.lstrip() if line[0] in " \t" else line
        first = stripped[:1]
        if first == "<":
            details = _DETAILS_LINE_RE.fullmatch(line)
            if details is not None:
                summary = (details.group("summary") or "").strip()
                return summary if summary and self.vocabulary.knows(summary) else ""
            if _END_DETAILS_RE.fullmatch(line):
                return ""
        elif (stripped[:3] in ("---", "***", "___") and _RULE_RE.fullmatch(line)) or (
            first == "[" and "](#" in line and _BACK_LINK_RE.fullmatch(line)
        ):
            return ""
        return None

    def _field_start(
        self, draft: Draft, line: str, paragraph_start: bool, after_line_field: bool
    ) -> tuple[str | None, str | None, bool, str | None] | None:
        """(label, field, one-line field?, the first line of its value, None when it starts on the next
        line) of the field ``line`` starts, or None when it is text. A line that is read whole here
        (segments, a link alone) gives a label of None and no value: nothing more belongs to it."""
        first = line[0]
        if first == "#":
            heading = _HEADING_RE.fullmatch(line)
            if heading is not None and heading.group("text"):
                label, name, _, _ = self._label(heading.group("text").strip("*_ "))
                return label, name, False, None  # its value is what follows
        elif first == "[" or (first == "*" and not line.startswith("**")):
            if " | " in line and self._segments(draft, line):
                return None, None, False, None  # nothing more belongs to the segments
            if first == "[" and paragraph_start:
                link = _LINK_RE.fullmatch(line.rstrip())
                if link is not None:  # a line that is only a link ("[**[PDF]**](url)"): the link, under its text
                    draft.links.append(link.group("url"))
                    draft.extra.setdefault(link.group("text").strip("*[] ") or "Link", link.group("url"))
                    return None, None, False, None
        if line.find("**", 0, 12) >= 0:
            bold = _BOLD_LABEL_RE.match(line)
            if bold is not None:
                raw = bold.group("label")
                label, name, line_field, task = self._labels.get(raw) or self._label(raw)
                # a list item in bold ("- **Key point**：...") is text, unless its label is a field's
                if name is not None or bold.group("bullet") is None:
                    draft.layout = "v1" if task or draft.layout == "v1" else "restyle"
                    return label, name, line_field, line[bold.end() :]
        plain = _PLAIN_LABEL_RE.match(line)
        if plain is None:
            return None
        raw = plain.group("label")
        label, name, line_field, task = self._labels.get(raw) or self._label(raw)
        if name is None and (plain.group("prefix") is not None or not _UNKNOWN_LABEL_RE.fullmatch(raw)):
            return None
        if not paragraph_start and not (name is not None and after_line_field):
            return None
        if task:
            draft.layout = "v1"
        return label, name, line_field, line[plain.end() :]

    def _close(self, draft: Draft, label: str | None, name: str | None, parts: list[str], droppable: bool) -> None:
        """Store the value of the field that was read: exact text, without quote marks when every line has one."""
        if not parts:
            if droppable:
                return
            parts = [""]
        if len(parts) > 1 and not parts[0]:  # "**总结**:" with the value on the next lines
            parts = parts[1:]
        value = parts[0] if len(parts) == 1 else "\n".join(parts)
        if value[:1] == ">" or "\n>" in value:
            value = _unquote(value)
        if label is not None:
            self._store(draft, label, name, value)
        else:
            draft.unlabelled = True
            text = draft.extra.get("Text")
            draft.extra["Text"] = value if text is None else f"{text}\n\n{value}"

    def _segments(self, draft: Draft, line: str) -> bool:
        """A line of `` | ``-joined segments: italic authors, ``**Label: value**``, ``**Label:** value``
        and links, read only when every segment is one of those."""
        parsed: list[tuple[str, str]] = []
        links: list[tuple[str, str]] = []
        for segment in _SEGMENT_SPLIT_RE.split(line.strip()):
            author = None if segment.startswith("**") else _AUTHOR_LINE_RE.fullmatch(segment)
            if author is not None and not draft.author_style and not parsed and not links:
                parsed.append(("\0authors", author.group("authors")))
                continue
            pair = _BOLD_PAIR_RE.fullmatch(segment)
            bold = None if pair else _BOLD_LABEL_RE.match(segment)
            link = None if pair or bold else _LINK_RE.fullmatch(segment.strip())
            if pair is not None:
                parsed.append((pair.group("label"), pair.group("value")))
            elif bold is not None:
                parsed.append((bold.group("label"), segment[bold.end() :]))
            elif link is not None:
                links.append((link.group("text").strip("*[] ") or "Link", link.group("url")))
            else:
                return False
        if len(parsed) + len(links) < 2:
            return False
        draft.layout = "restyle"
        for label, value in parsed:
            if label == "\0authors":
                draft.raw_authors, draft.author_style = value, "italic"
            else:
                self.assign(draft, label, value)
        for text, url in links:
            draft.links.append(url)
            draft.extra.setdefault(text, url)
        return True


def _unquote(value: str) -> str:
    """A value without its Markdown quote marks, when every non-blank line has one."""
    lines = value.split("\n")
    if not all(line.startswith(">") or not line.strip() for line in lines):
        return value
    return "\n".join(line[2:] if line.startswith("> ") else line[1:] for line in lines)
