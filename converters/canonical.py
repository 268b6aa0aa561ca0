"""arxport's own JSON and JSON Lines forms of the model, and their JSON Schema.

The serialised form is derived from the dataclasses in :mod:`converters.model`
by pydantic (imported lazily: it costs ~100 ms), so the schema that
``arxport schema`` prints, the writer's output and the reader's validation can
never drift apart. :func:`paper_record` and :func:`digest_head` are the one
shortcut, for the writers: a paper, or a digest without its papers, as pydantic
dumps it, built directly (a JSON Lines line costs a third less, and a run that writes needs no
pydantic), held equal to pydantic's dump by tests for every field type the
model has.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal

from .model import Digest, Paper, SourceSpan

if TYPE_CHECKING:
    from pydantic import TypeAdapter


@dataclass(frozen=True, kw_only=True, slots=True)
class Document:
    """The top level of ``--to json``: every digest of the run, papers inside."""

    format: Literal["arxport"] = "arxport"
    version: Literal[1] = 1
    digests: tuple[Digest, ...] = ()


@functools.cache
def document_adapter() -> TypeAdapter[Document]:
    from pydantic import TypeAdapter

    return TypeAdapter(Document)


@functools.cache
def paper_adapter() -> TypeAdapter[Paper]:
    from pydantic import TypeAdapter

    return TypeAdapter(Paper)


def schema(kind: Literal["document", "paper"]) -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of a ``json`` document or of one ``jsonl`` line."""
    adapter = document_adapter() if kind == "document" else paper_adapter()
    result = adapter.json_schema(mode="serialization")
    result["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    result["title"] = "arxport document" if kind == "document" else "arxport paper (one JSON Lines record)"
    return result


def _date(value: Any) -> Any:
    return None if value is None else value.isoformat()


def _span(value: SourceSpan | None) -> Any:
    return None if value is None else {"path": value.path, "line": value.line}


#: How :func:`paper_record` turns each field that JSON cannot hold as it is (by the field's annotation);
#: every other annotation of Paper must be in :data:`PLAIN_ANNOTATIONS`.
_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "dt.date | None": _date,
    "SourceSpan | None": _span,
    "Mapping[str, str]": dict,
}
PLAIN_ANNOTATIONS = frozenset({"str", "str | None", "int | None", "tuple[str, ...]"})
_PAPER_FIELDS = tuple(field.name for field in dataclasses.fields(Paper))
_PAPER_VALUES = attrgetter(*_PAPER_FIELDS)
_PAPER_CONVERTERS = tuple(
    (index, _CONVERTERS[str(field.type)])
    for index, field in enumerate(dataclasses.fields(Paper))
    if str(field.type) in _CONVERTERS
)


def paper_record(paper: Paper) -> dict[str, Any]:
    """``paper_adapter().dump_python(paper, mode="json")`` without pydantic, for ``json.dumps`` (tuples are
    its lists)."""
    values = list(_PAPER_VALUES(paper))
    for index, convert in _PAPER_CONVERTERS:
        values[index] = convert(values[index])
    return dict(zip(_PAPER_FIELDS, values, strict=True))


def digest_head(digest: Digest) -> dict[str, Any]:
    """``digest`` as pydantic dumps it, without pydantic and with no paper (``papers`` is ``[]``, in its
    place: the json writer streams them through :func:`paper_record`)."""
    record: dict[str, Any] = _plain(dataclasses.replace(digest, papers=()))
    return record


def document_head() -> dict[str, Any]:
    """A ``json`` document without digests, as pydantic dumps it."""
    record: dict[str, Any] = _plain(Document())
    return record


def _plain(value: Any) -> Any:
    """``value`` as JSON values: dataclasses as dicts of their fields, tuples as lists, dates as ISO text."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {field.name: _plain(getattr(value, field.name)) for field in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
