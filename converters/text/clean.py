"""Text clean-up that several writers need, defined once.

The model keeps values byte-exact (control characters included); what a format
cannot carry is removed here, at the writer's edge.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Every C0 control but TAB and LF, plus DEL: what a plain-text field should not hold.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def without_controls(text: str) -> str:
    """``text`` without control characters other than TAB and LF."""
    return _CONTROL_RE.sub("", text)


def one_line(text: str) -> str:
    """Whitespace runs (newlines included) collapsed to single spaces, ends trimmed."""
    return " ".join(text.split())


# What a person-facing XML document (DOCX, ODF) should not carry: every control but
# TAB and LF (CR included: a lone CR is a line break in no XML format), DEL, lone
# surrogates (not encodable as UTF-8) and the noncharacters U+FFFE/U+FFFF.
_XML_TEXT_UNSAFE_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` that any XML 1.0 document can hold and encode as UTF-8, keeping only TAB and LF as controls.

    XML 1.0 itself allows CR among the C0 controls; lxml (feedgen, python-docx)
    raises ValueError on the others, so they, DEL and lone surrogates go.
    """
    return _XML_TEXT_UNSAFE_RE.sub("", text)


# JSON input can carry lone surrogates (json.loads accepts "\ud800"); UTF-8 cannot encode them.
_LONE_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def utf8(text: str) -> bytes:
    """``text`` as UTF-8 bytes, each lone surrogate replaced by U+FFFD instead of raising."""
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        return _LONE_SURROGATE_RE.sub("\ufffd", text).encode("utf-8")


# What may not appear raw in an HTML <script> element's text: "<" starts "</script>",
# "<!--" and "<script" (which change how HTML parsers end the element), ">" and "&"
# are escaped too so the text is also safe in XHTML; U+2028/U+2029 end a line in
# pre-ES2019 JavaScript.
_SCRIPT_ESCAPES = tuple((c, f"\\u{ord(c):04x}") for c in "<>&\u2028\u2029")


def json_for_html_script(json_text: str) -> str:
    """JSON text that can be pasted inside ``<script>`` and still parses to the same value.

    ``<``, ``>``, ``&``, U+2028 and U+2029 become ``\\uXXXX`` escapes. Only for
    JSON text: outside strings JSON holds none of these characters, and inside
    a string the escape stands for the same character.
    """
    for char, escape in _SCRIPT_ESCAPES:  # str.replace is C-speed; str.translate is ~100x slower on non-ASCII text
        if char in json_text:
            json_text = json_text.replace(char, escape)
    return json_text


# C1 controls (U+0080-U+009F) and every Unicode "format" (Cf) character as of Unicode
# 14 (Python 3.11): zero-width space and joiners, direction marks and embeddings,
# soft hyphen, BOM, interlinear annotation, tag characters. They are invisible, and
# typesetting engines either choke on them (pdflatex: "Unicode character ... not set
# up") or print nothing; tests/test_bibtex_escaping.py checks this list against
# unicodedata so a newer Python cannot silently widen the category.
_INVISIBLE_RE = re.compile(
    "[\x80-\x9f\u00ad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f]"
)


def without_invisibles(text: str) -> str:
    """``text`` without C1 control characters and invisible format (Cf) characters such as U+200B.

    Combine with :func:`without_controls` for the C0 controls. Zero-width joiners
    go too, so emoji sequences fall apart into their parts.
    """
    return _INVISIBLE_RE.sub("", text)


def clean_line(text: str) -> str:
    """``text`` on one line: every whitespace run (newlines, TAB, CR, U+2028 ...) becomes one space,
    other control and invisible characters are removed, and the ends are trimmed.

    Fast for what digests hold: ``str.isprintable`` is False for every control,
    format (Cf) and separator character but the space, so once newlines and TABs
    are spaces, a printable text only needs its space runs collapsed, all in C.
    """
    if _already_clean(text):
        return text
    line = text.replace("\n", " ").replace("\t", " ")
    while "  " in line:
        line = line.replace("  ", " ")
    line = line.strip(" ")
    if line.isprintable():
        return line
    return one_line(without_invisibles(without_controls(one_line(text))))


def _already_clean(text: str) -> bool:
    """Whether :func:`clean_line` leaves ``text`` as it is: printable, single spaces, none at either end."""
    return text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " "


def clean_lines(texts: Sequence[str]) -> list[str]:
    """:func:`clean_line` of each value, the common case (all clean already) tested a chunk at a time.

    Non-empty values joined by one space pass :func:`clean_line`'s fast test
    exactly when each value does: a value's leading or trailing space meets the
    separator as a double space, and the ends of the join are the ends of its
    first and last value. Empty values are clean and are left out of the test.
    """
    out: list[str] = []
    for start in range(0, len(texts), _CLEAN_CHUNK):
        chunk = texts[start : start + _CLEAN_CHUNK]
        probe = " ".join(filter(None, chunk))
        if _already_clean(probe):
            out += chunk
        else:
            out += map(clean_line, chunk)
    return out


# Values tested together by clean_lines: a value that needs cleaning sends only its chunk the slow way.
_CLEAN_CHUNK = 64
