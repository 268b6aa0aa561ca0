"""Shared fixtures: where the real corpus and the samples are, and how to read them."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pytest

from converters.model import Digest
from converters.registry import get_reader

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED = Path(os.environ.get("ARXPORT_SHARED", ROOT.parent / "shared"))
CORPUS = SHARED / "corpus" / "real"
FORKS = SHARED / "corpus" / "forks"
VENDOR = SHARED / "vendor-data"
GOLDEN = ROOT / "tests" / "golden"

#: Set by .ci/run: a missing system tool fails the test instead of skipping it.
REQUIRE_TOOLS = os.environ.get("ARXPORT_REQUIRE_TOOLS") == "1"


def corpus_files() -> list[Path]:
    """Every real Markdown digest (SOURCES.md is the corpus's own documentation)."""
    if not CORPUS.is_dir():
        return []
    return sorted(p for p in CORPUS.glob("*.md") if p.name != "SOURCES.md")


def read_digest(path: Path) -> Digest:
    """Read a digest; a file under the project is named relative to it, so golden files hold no checkout path."""
    name = str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)
    return get_reader("digest").read(path.read_bytes(), name)


def need_tool(name: str, package: str) -> str:
    """The path of a system tool, or skip ("install X"); under .ci/run a missing tool fails."""
    found = shutil.which(name)
    if found:
        return found
    message = f"install {package} (apt-get install {package}) to run this test"
    if REQUIRE_TOOLS:
        pytest.fail(f"{name} not found but ARXPORT_REQUIRE_TOOLS=1: {message}")
    pytest.skip(message)


@pytest.fixture(scope="session")
def fork_corpus() -> list[Path]:
    """The restyled forks' digests (``../shared/corpus/forks``)."""
    files = sorted(p for p in FORKS.glob("*.md") if p.name != "SOURCES.md") if FORKS.is_dir() else []
    if not files:
        if REQUIRE_TOOLS:
            pytest.fail(f"the shared fork corpus is missing at {FORKS}")
        pytest.skip(f"the shared fork corpus is not at {FORKS} (set ARXPORT_SHARED)")
    return files


@pytest.fixture(scope="session")
def corpus() -> list[Path]:
    files = corpus_files()
    if not files:
        if REQUIRE_TOOLS:
            pytest.fail(f"the shared corpus is missing at {CORPUS}")
        pytest.skip(f"the shared corpus is not at {CORPUS} (set ARXPORT_SHARED)")
    return files


@pytest.fixture(scope="session")
def corpus_digests(corpus: list[Path]) -> list[Digest]:
    """Every real digest, read once per test session."""
    return [read_digest(path) for path in corpus]


#: ARXPORT_UPDATE_GOLDEN=1 rewrites golden files instead of comparing with them.
UPDATE_GOLDEN = os.environ.get("ARXPORT_UPDATE_GOLDEN") == "1"


def check_golden(folder: str, name: str, data: bytes) -> None:
    """``data`` equals ``tests/golden/<folder>/<name>``, or (when updating) becomes it."""
    path = GOLDEN / folder / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"{path} is missing; run with ARXPORT_UPDATE_GOLDEN=1 to create it"
    assert data == path.read_bytes(), f"{path} differs; inspect and regenerate with ARXPORT_UPDATE_GOLDEN=1"


def check_no_stray_goldens(folder: str, expected: Iterable[str]) -> None:
    """``tests/golden/<folder>`` holds none but ``expected``: a golden file whose sample is gone would test nothing.

    When updating golden files, strays are deleted instead.
    """
    path = GOLDEN / folder
    found = {p.name for p in path.iterdir() if not p.name.startswith(".")} if path.is_dir() else set()
    stray = sorted(found - set(expected))
    if UPDATE_GOLDEN:
        for name in stray:
            (path / name).unlink()
    else:
        assert not stray, f"golden files without a sample: {stray}"


def sample_files() -> list[Path]:
    """The bundled sample digests (what golden files are made from)."""
    return sorted(SAMPLES.glob("*.md"))
