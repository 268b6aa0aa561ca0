"""arxport's configuration file: ``[tool.arxport]`` in ``pyproject.toml``, or an ``arxport.toml``.

Found from a directory upwards (the closest ``arxport.toml``, or ``pyproject.toml``
that has a ``[tool.arxport]`` table), or named with ``--config PATH``. What the
command line gives wins over it. An unknown key or a value of the wrong type is a
:class:`~converters.errors.UsageError` naming the file, the line and the key:
a typo must not be silently ignored in CI.

Keys (``docs/cli.md`` has the reference):

* ``labels``: a table ``label = "field"`` that adds to (or overrides) the digest
  readers' label vocabulary, as ``--labels FILE`` does.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import UsageError
from .model import SourceSpan
from .readers.digest.vocabulary import Labels, check_labels

CONFIG_NAME = "arxport.toml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True, slots=True)
class Config:
    """What a configuration file says (``path`` None: there was none)."""

    path: str | None = None
    labels: Labels = ()


def find_config(start: Path) -> Path | None:
    """The configuration file that applies in ``start``: the closest ``arxport.toml``, or ``pyproject.toml``
    with a ``[tool.arxport]`` table, in ``start`` or a directory above it."""
    for directory in (start.resolve(), *start.resolve().parents):
        dedicated = directory / CONFIG_NAME
        if dedicated.is_file():
            return dedicated
        project = directory / PYPROJECT
        if project.is_file() and _table(project) is not None:
            return project
    return None


def load_config(path: Path) -> Config:
    """Read a configuration file (``arxport.toml``: its top level; ``pyproject.toml``: its ``[tool.arxport]``)."""
    table = _table(path)
    if table is None:
        table = {}
    known = {"labels"}
    for key in table:
        if key not in known:
            raise _error(path, key, f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    labels: Labels = ()
    if "labels" in table:
        value = table["labels"]
        if not isinstance(value, dict):
            raise _error(path, "labels", "'labels' must be a table of label = \"field\"")
        labels = _labels(path, value, "labels")
    return Config(path=str(path), labels=labels)


def load_labels(path: Path) -> Labels:
    """A ``--labels FILE``: a TOML table ``label = "field"`` at its top level (or under ``[labels]``)."""
    data = _read(path)
    nested = data.get("labels")
    table: dict[str, Any] = nested if set(data) == {"labels"} and isinstance(nested, dict) else data
    return _labels(path, table, None)


def merged(*sources: Labels) -> Labels:
    """Label tables combined, a later one winning for the same label (the command line after the file)."""
    combined: dict[str, str] = {}
    for labels in sources:
        combined.update(labels)
    return tuple(sorted(combined.items()))


def _labels(path: Path, table: Mapping[str, Any], where: str | None) -> Labels:
    for label, field in table.items():
        try:
            check_labels({label: field})
        except ValueError as exc:
            name = f"{where}.{label}" if where else label
            raise _error(path, label, f"{name}: {str(exc).split(': ', 1)[1]}") from None
    return check_labels(table)


def _table(path: Path) -> dict[str, Any] | None:
    """The arxport table of a file, or None when a ``pyproject.toml`` has none."""
    data = _read(path)
    if path.name != PYPROJECT:
        return data
    tool = data.get("tool")
    table = tool.get("arxport") if isinstance(tool, dict) else None
    return table if isinstance(table, dict) else None


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the configuration: {exc}", SourceSpan(path=str(path), line=1)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        found = re.search(r"at line (\d+)", str(exc))
        line = int(found.group(1)) if found else 1
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        raise UsageError(f"not valid TOML: {message}", SourceSpan(path=str(path), line=line)) from None


def _error(path: Path, key: str, message: str) -> UsageError:
    """A usage error at the line where ``key`` is written in ``path`` (the first such line)."""
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        lines = []
    pattern = re.compile(rf"""\s*(?:["']?{re.escape(key)}["']?\s*=|\[[^\]]*\b{re.escape(key)}\b)""")
    line = next((number for number, text in enumerate(lines, start=1) if pattern.match(text)), 1)
    return UsageError(message, SourceSpan(path=str(path), line=line))
