"""The plugin reader that docs/plugins.md shows works as the page says."""

from __future__ import annotations

import re
import types

from converters.registry import _READERS, detect_reader

from .conftest import ROOT

TABLE = (
    "| Paper | Authors | TL;DR |\n"
    "|---|---|---|\n"
    "| [Sparse Mixtures](https://arxiv.org/abs/2511.10001v2) | Ana Silva, Bo Chen | Faster training. |\n"
    "| [A Journal Paper](https://doi.org/10.1000/xyz) | Dan Wu | A DOI entry. |\n"
)


def test_the_documented_table_reader_reads_a_table_and_is_detected() -> None:
    page = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
    code = next(block for block in re.findall(r"```python\n(.*?)```", page, re.S) if "TableDigestReader" in block)
    module = types.ModuleType("arxport_table")
    exec(compile(code, "docs/plugins.md", "exec"), module.__dict__)
    reader = module.TableDigestReader()
    digest = reader.read(TABLE.encode(), "table-2025-11-20.md")
    assert [(p.id_scheme, p.id, p.version) for p in digest.papers] == [
        ("arxiv", "2511.10001", 2),
        ("doi", "10.1000/xyz", None),
    ]
    assert digest.papers[0].authors == ("Ana Silva", "Bo Chen") and digest.papers[0].tldr == "Faster training."
    assert detect_reader(TABLE, "table-2025-11-20.md") is None  # no built-in takes it ...
    _READERS.load()
    _READERS.add("table-digest", module.TableDigestReader, "plugin (docs)")
    try:
        assert detect_reader(TABLE, "table-2025-11-20.md") == "table-digest"  # ... so the plugin does
    finally:
        del _READERS.classes["table-digest"], _READERS.origins["table-digest"]
