"""Golden files for rss and atom: every bundled sample alone, and all samples merged with every feed option.

Regenerate with ``ARXPORT_UPDATE_GOLDEN=1 pytest tests/test_feeds_golden.py`` and
read the diff: it is the user-visible change.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest

from converters.model import Digest
from converters.registry import get_writer

from .conftest import check_golden, check_no_stray_goldens, read_digest, sample_files

SAMPLE_FILES = sample_files()
KINDS = ("rss", "atom")
#: Every option set, as a published feed would have them.
CONFIGURED = {
    "feed_title": "Reading list & <friends>",
    "feed_link": "https://example.org/arxiv/",
    "feed_self_link": "https://example.org/arxiv/feed.xml",
    "feed_description": "Papers we track, merged daily",
    "feed_language": "en",
    "feed_author": "Example Lab",
    "since": dt.date(2025, 1, 3),
    "max_items": 6,
}


def write(kind: str, digests: list[Digest], **options: Any) -> bytes:
    writer = get_writer(kind)
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
@pytest.mark.parametrize("kind", KINDS)
def test_sample_golden(kind: str, path: Path) -> None:
    data = write(kind, [read_digest(path)])
    assert data == write(kind, [read_digest(path)]), "two runs differ"
    check_golden(kind, f"{path.stem}.{kind}", data)


@pytest.mark.parametrize("kind", KINDS)
def test_all_samples_merged_with_every_option_golden(kind: str) -> None:
    if not SAMPLE_FILES:
        pytest.skip("no samples/*.md")
    digests = [read_digest(path) for path in SAMPLE_FILES]
    check_golden(kind, f"all-samples-configured.{kind}", write(kind, digests, **CONFIGURED))


def test_no_stale_golden_files() -> None:
    """A golden file whose sample is gone would silently test nothing."""
    for kind in KINDS:
        check_no_stray_goldens(kind, {f"{p.stem}.{kind}" for p in SAMPLE_FILES} | {f"all-samples-configured.{kind}"})
