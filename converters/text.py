"""Text clean-up that several writers need, defined once.

The model keeps values byte-exact (control characters included); what a format
cannot carry is removed here, at the writer's edge.
"""

from __future__ import annotations

import re

# XML 1.0 allows TAB, LF and CR among the C0 controls and forbids U+FFFE/U+FFFF;
# lxml (feedgen, python-docx) raises ValueError on the rest.
_XML_INVALID_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# Every C0 control but TAB and LF, plus DEL: what a plain-text field should not hold.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f]")


def xml_safe(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot represent."""
    return _XML_INVALID_RE.sub("", text)


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

    Stricter than :func:`xml_safe`: CR, DEL and lone surrogates go too.
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
