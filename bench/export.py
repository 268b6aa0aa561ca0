"""The ``export`` issue's rows: ``python bench/archive.py --only export-year,export-add-day``.

- ``export-year``: the first ``arxport export YEAR --to all --group digest`` with every core (empty cache
  and output) against ``pandoc -t docx`` over the same files, as many at a time (target ≤ 0.1x);
- ``export-add-day``: ``export`` again after one new day is added, against the first export (≤ 0.05x);
  both under 400 MB per process.

Any other ``archive.py`` option passes through (``--runs 3``, ``--jobs 2``, ``--json out.json``).

    python bench/export.py [--runs N] [--jobs N]
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

if __name__ == "__main__":
    if "--only" not in sys.argv:
        sys.argv[1:1] = ["--only", "export-year,export-add-day"]
    runpy.run_path(str(Path(__file__).with_name("archive.py")), run_name="__main__")
