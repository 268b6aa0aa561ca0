"""arxport's configuration file: ``[tool.arxport]`` in ``pyproject.toml``, or an ``arxport.toml``.

Found from a directory upwards (the closest ``arxport.toml``, or ``pyproject.toml``
that has a ``[tool.arxport]`` table), or named with ``--config PATH``. What the
command line gives wins over it. An unknown key or a value of the wrong type is a
:class:`~converters.errors.UsageError` naming the file, the line and the key:
a typo must not be silently ignored in CI.

Tables (``docs/cli.md`` has the reference):

* ``labels``: ``label = "field"``, added to the digest readers' label vocabulary
  (as ``--labels FILE``);
* ``export``: defaults of ``arxport export``: ``to``, ``group``, ``out-dir``,
  ``jobs``, ``cache``;
* ``options``: writer options by their command-line names (``key-format``,
  ``max-items``, ``feed-title``, ``columns`` ...), for ``convert`` and ``export``;
* ``filter``: ``category``, ``any-category``, ``since``, ``until``, ``match``, for
  ``convert`` and ``export``.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import UsageError
from .model import SourceSpan
from .readers.digest.vocabulary import Labels, check_labels

CONFIG_NAME = "arxport.toml"
PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Config:
    """What a configuration file says (``path`` None: there was none). ``export`` and ``filters`` are by
    option key (``out_dir``, ``any_category`` ...), ``options`` by writer option key (``key_format`` ...),
    every value checked."""

    path: str | None = None
    labels: Labels = ()
    export: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Any] = field(default_factory=dict)
    filters: Mapping[str, Any] = field(default_factory=dict)


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
    table = _table(path) or {}
    _known(path, table, ("labels", "export", "options", "filter"), "")
    labels: Labels = ()
    if "labels" in table:
        labels = _labels(path, _subtable(path, table, "labels"), "labels")
    export = _checked(path, _subtable(path, table, "export"), _EXPORT_KEYS, "export")
    filters = _checked(path, _subtable(path, table, "filter"), _FILTER_KEYS, "filter")
    options = _writer_options(path, _subtable(path, table, "options"))
    return Config(path=str(path), labels=labels, export=export, options=options, filters=filters)


Check = Callable[[Path, str, Any], Any]


def _text(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise _error(path, key, f"{key} must be text, not {value!r}")
    return value


def _texts(path: Path, key: str, value: Any) -> tuple[str, ...]:
    """Text or a list of texts (``to = "bibtex,atom"`` or ``to = ["bibtex", "atom"]``)."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise _error(path, key, f"{key} must be text or a list of texts, not {value!r}")
    return tuple(item.strip() for item in items if item.strip())


def _flag(path: Path, key: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _error(path, key, f"{key} must be true or false, not {value!r}")
    return value


def _count(path: Path, key: str, value: Any, least: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise _error(path, key, f"{key} must be a whole number of at least {least}, not {value!r}")
    return value


def _date(path: Path, key: str, value: Any) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    try:
        return dt.date.fromisoformat(value) if isinstance(value, str) else _raise()
    except ValueError:
        raise _error(path, key, f"{key} must be a date like 2025-11-19, not {value!r}") from None


def _raise() -> dt.date:
    raise ValueError


def _path(path: Path, key: str, value: Any) -> str:
    """A path, relative to the configuration file's folder."""
    return str(path.parent / _text(path, key, value))


_EXPORT_KEYS: dict[str, Check] = {
    "to": _texts,
    "group": _texts,
    "out-dir": _path,
    "jobs": _count,
    "cache": _path,
}
_FILTER_KEYS: dict[str, Check] = {
    "category": _texts,
    "any-category": _flag,
    "since": _date,
    "until": _date,
    "match": _text,
}


def _checked(path: Path, table: Mapping[str, Any], keys: Mapping[str, Check], where: str) -> dict[str, Any]:
    _known(path, table, tuple(keys), where)
    return {key.replace("-", "_"): keys[key](path, key, value) for key, value in table.items()}


def _writer_options(path: Path, table: Mapping[str, Any]) -> dict[str, Any]:
    """Writer options as the writers declare them (:class:`~converters.writers.base.OptionSpec`)."""
    from . import registry

    specs = {spec.name: spec for name in registry.writer_names() for spec in registry.writer_class(name).options}
    _known(path, table, tuple(specs), "options")
    options: dict[str, Any] = {}
    for name, value in table.items():
        spec = specs[name]
        try:
            options[spec.key] = spec.parse(value)
        except ValueError as exc:
            raise _error(path, name, str(exc)) from None
        if spec.type == "path":
            options[spec.key] = str(path.parent / options[spec.key])
    return options


def _subtable(path: Path, table: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise _error(path, key, f"'{key}' must be a table")
    return value


def _known(path: Path, table: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in keys:
            name = f"{where}.{key}" if where else key
            raise _error(path, key, f"unknown key {name!r} (known: {', '.join(keys)})")


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
    for label, target in table.items():
        try:
            check_labels({label: target})
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
