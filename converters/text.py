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
