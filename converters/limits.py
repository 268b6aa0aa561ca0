"""The resource limits' defaults and how sizes are written (``256M``); imports nothing of arxport, so the
command line can show them in ``--help`` without loading the readers."""

from __future__ import annotations

import re

#: The largest input read, in bytes (``--max-input-size``).
MAX_INPUT_SIZE = 256 * 2**20
#: The longest text field kept, in characters (``--max-field-size``).
MAX_FIELD_SIZE = 2**20

_SIZE_RE = re.compile(r"\s*(\d+)\s*(?:([kmg])(?:i?b)?|b)?\s*", re.IGNORECASE)
_SIZE_FACTORS = {None: 1, "k": 2**10, "m": 2**20, "g": 2**30}


def parse_size(text: str) -> int:
    """``262144``, ``256K``, ``256M``, ``1G`` (also ``256MB``, ``256MiB``: binary units) as a positive number.

    Raises ValueError for anything else.
    """
    match = _SIZE_RE.fullmatch(text)
    if match is None or int(match.group(1)) < 1:
        raise ValueError(f"{text!r} is not a size like 262144, 512K, 256M or 1G")
    return int(match.group(1)) * _SIZE_FACTORS[(match.group(2) or "").lower() or None]


def format_size(size: int) -> str:
    """``size`` bytes in the largest binary unit that divides it (``256 MiB``), else in bytes."""
    for unit, factor in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if size % factor == 0:
            return f"{size // factor} {unit}"
    return f"{size:,} bytes"
