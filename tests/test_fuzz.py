"""The fuzz harnesses (``fuzz/``) in the normal suite: seeds and past crashes replayed, and a short atheris run.

Longer runs are ``python fuzz/run.py --seconds N``; ``fuzz/README.md`` records
their figures and what they found.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from fuzz.harnesses import HARNESSES
from fuzz.seeds import seeds

from .conftest import ROOT

REGRESSIONS = ROOT / "fuzz" / "regressions"


@pytest.mark.parametrize("name", list(HARNESSES))
def test_every_seed_keeps_every_promise(name: str) -> None:
    harness = HARNESSES[name]
    found = seeds(harness.seeds, harness.max_len)
    assert found, f"no seeds for {name}"
    for seed in found:
        harness.target(seed)


def _crash_inputs() -> list[Path]:
    return sorted(p for p in REGRESSIONS.glob("*/*") if p.is_file())


@pytest.mark.parametrize("path", _crash_inputs(), ids=lambda p: f"{p.parent.name}/{p.name[:14]}")
def test_past_crashes_stay_fixed(path: Path) -> None:
    """Each input a harness once failed on (``fuzz/regressions/<harness>/``), replayed through that harness."""
    HARNESSES[path.parent.name].target(path.read_bytes())


def test_the_regression_folders_name_harnesses() -> None:
    assert {p.parent.name for p in _crash_inputs()} <= set(HARNESSES)


def test_every_harness_runs_under_atheris(tmp_path: Path) -> None:
    """A few dozen coverage-guided executions per harness, through the script a long run uses."""
    pytest.importorskip("atheris")
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, str(ROOT / "fuzz" / "run.py"), "--runs", "40", "--seeds", "12", "--work", str(tmp_path), "-q"],
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    results = json.loads((tmp_path / "results.json").read_text())
    assert set(results) == set(HARNESSES)
    for name, result in results.items():
        assert result["executions"] >= 40, name
        assert result["coverage"] > 0 and not result["crashes"], name
