"""Rules several writers apply to a paper, defined once: how to name it, link it, which abstract and extras to
show; indented JSON; and text written out a piece at a time.

A paper may be an arXiv paper or another work (a DOI, a PubMed id or only a
URL; see :attr:`~converters.model.Paper.id_scheme`). These helpers give every
writer the same answer for each, and they return exactly what the writers
wrote before for an arXiv paper, so arXiv output does not change.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import IO, Any, NamedTuple
from urllib.parse import quote

from ..model import AI_FAILURE_KEYS, Paper
from ..text.clean import utf8

#: The ``extra`` keys that hold an AI field's failure message, not digest data.
_FAILURE_LABELS = frozenset(AI_FAILURE_KEYS.values())
# RFC 3986 reserved characters plus "%" (an escape already there) and "~": kept as they are.
_URI_SAFE = "!#$%&'()*+,/:;=?@[]~"
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def work_name(paper: Paper) -> str:
    """The paper's name when it has no title, version-free: ``arXiv:2511.13751``, ``doi:10.1063/5.0319757``,
    ``PMID:41234567``, or the URL (:attr:`~converters.model.Paper.label` without an arXiv version)."""
    return f"arXiv:{paper.id}" if paper.is_arxiv else paper.label


def uri(url: str) -> str:
    """``url`` as a valid URI: characters a URI cannot hold (space, controls, ``<>"{}|\\^```, non-ASCII) are
    percent-encoded as UTF-8 (a lone surrogate as U+FFFD); everything else, ``%`` escapes included, is kept.

    An arXiv or PubMed link never changes. A DOI may hold ``<`` and ``>`` (Wiley's
    ``10.1002/(SICI)...<448::AID-JBM13>3.0.CO;2-M``) and a digest's URL anything
    but white space; feeds, JSON-LD, DOCX relationships and ``.bib`` braces need a
    URI they can carry as is.
    """
    if url.isascii() and url.isprintable() and not _has_unsafe(url):
        return url
    # A lone surrogate (only JSON input holds one) has no UTF-8 form: it becomes U+FFFD.
    return quote(_LONE_SURROGATE_RE.sub("\ufffd", url), safe=_URI_SAFE)


def _has_unsafe(url: str) -> bool:
    return any(char in url for char in ' <>"{}|\\^`')


def shown_abstract(paper: Paper) -> str | None:
    """The abstract of a format that has one abstract field: the original, or the translation the digest
    gave when it gave no original (None, empty or blank). The original, as it is, in every other case."""
    original = paper.abstract
    if paper.abstract_translation and (original is None or not original.strip()):
        return paper.abstract_translation
    return original


def shown_extra(paper: Paper) -> dict[str, str]:
    """``paper.extra`` without the AI failure messages (:data:`~converters.model.AI_FAILURE_KEYS`), in input order.

    For writers that show the digest's other labelled fields to a reader: a failure
    message ("Error: API quota exceeded") is neither a summary nor digest data.
    """
    extra = paper.extra
    if not extra or _FAILURE_LABELS.isdisjoint(extra):
        return dict(extra)
    return {label: value for label, value in extra.items() if label not in _FAILURE_LABELS}


def indented_json(value: Any) -> str:
    """``json.dumps(value, ensure_ascii=False, indent=2)``, the same text, made by orjson (about 20 times
    faster than the standard library, whose C encoder cannot indent). Data orjson refuses (a lone
    surrogate, an integer past 64 bits) goes to the standard library, which writes it as before.

    orjson reads a string through CPython's UTF-8 cache, which then stays on the string: papers that
    outlive the write gain a UTF-8 copy of their non-ASCII text (67 MB over the synthetic year). The json
    and jsonld writers take a paper at a time and are single-pass, so in a streamed run the copies die
    with their digest; jsonl, whose lines the standard library's C encoder writes nearly as fast, uses
    orjson only then (:func:`json_line`)."""
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode("utf-8")
    except TypeError:
        return json.dumps(value, ensure_ascii=False, indent=2)


# orjson cannot leave out indentation's line breaks but keep json.dumps' ", " and ": ": it indents, and these
# put the separators back. Indented JSON has line breaks only between tokens (a string holds "\n", never one).
_ITEM_BREAK_RE = re.compile(rb",\n *")
_OTHER_BREAK_RE = re.compile(rb"\n *")


def json_line(value: Any) -> bytes:
    """``json.dumps(value, ensure_ascii=False)`` as UTF-8, the same bytes, made by orjson (about twice as
    fast with the separators restored). Data orjson refuses goes to the standard library.

    Only for values whose strings are about to be dropped: orjson leaves CPython's UTF-8 copy on every
    non-ASCII string it writes (see :func:`indented_json`)."""
    import orjson

    try:
        text = orjson.dumps(value, option=orjson.OPT_INDENT_2)
    except TypeError:
        return utf8(json.dumps(value, ensure_ascii=False))
    return _OTHER_BREAK_RE.sub(b"", _ITEM_BREAK_RE.sub(b", ", text))


class TextSink:
    """Text for a binary stream, gathered into pieces of about ``size`` characters and written as UTF-8
    (:func:`~converters.text.clean.utf8`): a writer's memory stays one piece however long its output,
    and ``out`` gets a few large writes instead of one per paper. Call :meth:`flush` at the end."""

    def __init__(self, out: IO[bytes], size: int = 2**20) -> None:
        self._out = out
        self._size = size
        self._parts: list[str] = []
        self._length = 0

    def write(self, text: str) -> None:
        self._parts.append(text)
        self._length += len(text)
        if self._length >= self._size:
            self.flush()

    def flush(self) -> None:
        if self._parts:
            self._out.write(utf8("".join(self._parts)))
            self._parts.clear()
            self._length = 0


# A string no document holds (NUL starts it) standing for the streamed list in write_indented_json.
_HOLE = "\x00arxport-streamed-items\x00"


class StreamedList(NamedTuple):
    """An object whose list ``key`` is written an item at a time by :func:`write_indented_json` (any of the
    items may be one too)."""

    value: dict[str, Any]
    key: str
    items: Iterable[Any]


def write_indented_json(
    write: Callable[[str], object], value: dict[str, Any], key: str, items: Iterable[Any], indent: int = 0
) -> None:
    """``write`` the text of ``indented_json(value)`` with ``value[key]`` replaced by the list ``items``, one
    item at a time (a :class:`StreamedList` item streams its own list): the same text, without the whole
    document in memory at once. ``indent``: the depth the object itself stands at."""
    before, after = indented_json({**value, key: _HOLE}).split(indented_json(_HOLE))
    if indent:
        before, after = (part.replace("\n", "\n" + " " * indent) for part in (before, after))
    line = before.rpartition("\n")[2]  # the line of the list's key: its indent is the list's
    depth = len(line) - len(line.lstrip(" "))
    inner = "\n" + " " * (depth + 2)
    write(before)
    opening = "["
    for item in items:
        write(opening + inner)
        if isinstance(item, StreamedList):
            write_indented_json(write, item.value, item.key, item.items, depth + 2)
        else:
            write(indented_json(item).replace("\n", inner))
        opening = ","
    write("[]" if opening == "[" else "\n" + " " * depth + "]")
    write(after)
