"""arxport's own JSON and JSON Lines forms of the model, and their JSON Schema.

The serialised form is derived from the dataclasses in :mod:`converters.model`
by pydantic (imported lazily: it costs ~100 ms), so the schema that
``arxport schema`` prints, the writer's output and the reader's validation can
never drift apart.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from .model import Digest, Paper

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
def digest_adapter() -> TypeAdapter[Digest]:
    from pydantic import TypeAdapter

    return TypeAdapter(Digest)


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
