"""Merging digests into one rolling feed: dedup by arXiv id, newest first, stable ids and dates, windows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import feedparser
import pytest
from lxml import etree

from converters.errors import OutputError
from converters.model import Digest, Paper, SourceSpan
from converters.registry import get_writer
from converters.writers.base import WriteReport

from .conftest import SAMPLES, read_digest

ATOM = "{http://www.w3.org/2005/Atom}"
KINDS = ("rss", "atom")


def write(kind: str, digests: Sequence[Digest], **options: Any) -> tuple[bytes, WriteReport]:
    writer = get_writer(kind)
    out = io.BytesIO()
    report = writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue(), report


def paper(arxiv_id: str, date: dt.date | None, **fields: Any) -> Paper:
    defaults: dict[str, Any] = {
        "url": f"https://arxiv.org/abs/{arxiv_id}",
        "title": f"Paper {arxiv_id}",
        "authors": ("Ada Lovelace",),
        "primary_category": "cs.LG",
        "categories": ("cs.LG",),
        "tldr": f"TL;DR of {arxiv_id}",
    }
    return Paper(id=arxiv_id, date=date, **{**defaults, **fields})


def digest(date: dt.date | None, *papers: Paper, source: str | None = None) -> Digest:
    name = source or f"data/{date.isoformat() if date else 'undated'}.md"
    placed = tuple(
        dataclasses.replace(p, source=SourceSpan(path=name, line=10 * (i + 1))) for i, p in enumerate(papers)
    )
    return Digest(source=name, date=date, papers=placed)


def atom_entries(data: bytes) -> list[dict[str, str]]:
    root = etree.fromstring(data)
    return [
        {
            "id": e.findtext(f"{ATOM}id") or "",
            "title": e.findtext(f"{ATOM}title") or "",
            "updated": e.findtext(f"{ATOM}updated") or "",
            "published": e.findtext(f"{ATOM}published") or "",
            "content": e.findtext(f"{ATOM}content") or "",
            "categories": ",".join(c.get("term") or "" for c in e.findall(f"{ATOM}category")),
        }
        for e in root.iter(f"{ATOM}entry")
    ]


def rss_items(data: bytes) -> list[dict[str, str]]:
    root = etree.fromstring(data)
    return [
        {"guid": i.findtext("guid") or "", "pubDate": i.findtext("pubDate") or "", "title": i.findtext("title") or ""}
        for i in root.iter("item")
    ]


D1, D2, D3 = dt.date(2025, 1, 2), dt.date(2025, 1, 3), dt.date(2025, 1, 4)


# --- the bundled samples: two days that share a paper ------------------------------------


def test_samples_sharing_a_paper_merge_into_one_item_newest_text_first_date() -> None:
    day1 = read_digest(SAMPLES / "digest-2025-01-02.md")
    day2 = read_digest(SAMPLES / "digest-2025-01-03.md")
    shared = {p.id for p in day1.papers} & {p.id for p in day2.papers}
    assert shared == {"2501.01234"}
    newer = next(p for p in day2.papers if p.id == "2501.01234")
    for kind in KINDS:
        data, report = write(kind, [day1, day2])
        parsed = feedparser.parse(data)
        assert not parsed.bozo
        ids = [e.id for e in parsed.entries]
        # Newest digest first, each in its own order; the shared paper once, where the newest digest lists it.
        expected = [p.abs_url for p in day2.papers] + [p.abs_url for p in day1.papers if p.id not in shared]
        assert ids == expected
        assert report.items == len(expected) == 5
        assert any("1 repeated listing" in note for note in report.notes)
        entry = parsed.entries[ids.index(newer.abs_url)]
        assert entry.published_parsed[:3] == (2025, 1, 2), "a re-listed paper keeps its first date"
        if kind == "atom":
            assert entry.updated_parsed[:3] == (2025, 1, 3), "its text is the newest digest's"
        assert entry.summary == (newer.tldr or "").strip()


def test_input_order_does_not_matter() -> None:
    days = [read_digest(SAMPLES / name) for name in ("digest-2025-01-02.md", "digest-2025-01-03.md")]
    for kind in KINDS:
        assert write(kind, days)[0] == write(kind, days[::-1])[0]


# --- synthetic digests ------------------------------------------------------------------


def test_newest_digest_text_wins_and_the_id_is_version_free() -> None:
    old = digest(D1, paper("2501.00001", D1, version=1, url="https://arxiv.org/abs/2501.00001v1", tldr="first words"))
    new = digest(D3, paper("2501.00001", D3, version=2, url="https://arxiv.org/pdf/2501.00001v2", tldr="second words"))
    data, report = write("atom", [old, new])
    [entry] = atom_entries(data)
    assert entry["id"] == "https://arxiv.org/abs/2501.00001"
    assert "second words" in entry["content"] and "first words" not in entry["content"]
    assert "arXiv:2501.00001v2" in entry["content"]
    assert entry["published"].startswith("2025-01-02T") and entry["updated"].startswith("2025-01-04T")
    assert report.items == 1
    rss, _ = write("rss", [old, new])
    [item] = rss_items(rss)
    assert item["guid"] == "https://arxiv.org/abs/2501.00001"
    assert parsedate_to_datetime(item["pubDate"]).date() == D1


def test_ids_and_dates_do_not_move_when_the_window_rolls() -> None:
    """Day N's feed and day N+1's feed agree on every item they share."""
    days = [
        digest(D1, paper("2501.00001", D1), paper("2501.00002", D1)),
        digest(D2, paper("2501.00003", D2), paper("2501.00001", D2)),
        digest(D3, paper("2501.00004", D3)),
    ]
    for kind in KINDS:
        first, _ = write(kind, days[:2])
        second, _ = write(kind, days)
        if kind == "atom":
            before = {e["id"]: (e["published"], e["title"]) for e in atom_entries(first)}
            after = {e["id"]: (e["published"], e["title"]) for e in atom_entries(second)}
        else:
            before = {i["guid"]: (i["pubDate"], i["title"]) for i in rss_items(first)}
            after = {i["guid"]: (i["pubDate"], i["title"]) for i in rss_items(second)}
        assert before.items() <= after.items()
        assert len(after) == 4


def test_items_of_one_day_get_distinct_instants_in_digest_order() -> None:
    day = digest(D1, *(paper(f"2501.0000{i}", D1) for i in range(1, 6)))
    entries = atom_entries(write("atom", [day])[0])
    stamps = [dt.datetime.fromisoformat(e["updated"]) for e in entries]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == 5
    assert all(s.date() == D1 and s.tzinfo is not None and s.utcoffset() == dt.timedelta(0) for s in stamps)
    assert stamps[0] == dt.datetime(2025, 1, 2, 0, 0, 4, tzinfo=dt.UTC)


def test_cross_listed_paper_keeps_every_category() -> None:
    day = digest(
        D1,
        paper("2501.00001", D1, primary_category="cs.LG", categories=("cs.LG",)),
        paper("2501.00001", D1, primary_category="stat.ML", categories=("stat.ML",)),
    )
    [entry] = atom_entries(write("atom", [day])[0])
    assert entry["categories"] == "cs.LG,stat.ML"


def test_since_and_max_items_keep_a_rolling_window() -> None:
    days = [digest(d, *(paper(f"25{d.day:02d}.0000{i}", d) for i in range(3))) for d in (D1, D2, D3)]
    for kind in KINDS:
        data, report = write(kind, days, since=D2)
        ids = [e.id for e in feedparser.parse(data).entries]
        assert ids == [f"https://arxiv.org/abs/25{d:02d}.0000{i}" for d in (4, 3) for i in range(3)]
        assert any("--since 2025-01-03 left out 3" in n for n in report.notes)
        data, report = write(kind, days, max_items=4)
        ids = [e.id for e in feedparser.parse(data).entries]
        assert ids == [f"https://arxiv.org/abs/2504.0000{i}" for i in range(3)] + ["https://arxiv.org/abs/2503.00000"]
        assert report.items == 4 and any("--max-items 4 left out 5" in n for n in report.notes)
        data, report = write(kind, days, since=D2, max_items=100)
        assert report.items == 6


def test_feed_date_is_the_newest_digest_even_outside_the_window() -> None:
    days = [digest(D1, paper("2501.00001", D1)), digest(D3)]  # the newest digest lists nothing
    for kind in KINDS:
        data, _ = write(kind, days, max_items=1)
        root = etree.fromstring(data)
        if kind == "atom":
            assert root.findtext(f"{ATOM}updated") == "2025-01-04T00:00:00+00:00"
        else:
            assert root.findtext("channel/lastBuildDate") == "Sat, 04 Jan 2025 00:00:00 +0000"


def test_no_clock_same_bytes_every_run() -> None:
    days = [digest(D1, paper("2501.00001", D1)), digest(D2, paper("2501.00002", D2))]
    for kind in KINDS:
        first, _ = write(kind, days)
        assert first == write(kind, days)[0]
        today = dt.datetime.now(dt.UTC)
        assert today.date().isoformat().encode() not in first
        assert today.strftime("%d %b %Y").encode() not in first


def test_an_empty_dated_digest_gives_a_valid_empty_feed() -> None:
    for kind in KINDS:
        data, report = write(kind, [digest(D1)])
        assert report.items == 0
        assert not feedparser.parse(data).bozo


# --- dates are required -------------------------------------------------------------------


def test_undated_paper_names_the_file_and_asks_for_date() -> None:
    undated = digest(None, paper("2501.00001", None), source="<stdin>")
    for kind in KINDS:
        with pytest.raises(OutputError) as caught:
            write(kind, [digest(D1, paper("2501.00002", D1)), undated])
        message = str(caught.value)
        assert "<stdin>" in message and "--date" in message


def test_no_date_anywhere_is_an_error() -> None:
    for kind in KINDS:
        with pytest.raises(OutputError, match="--date"):
            write(kind, [digest(None, source="notes.md")])


@pytest.mark.parametrize("kind", ["rss", "atom"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 5])
def test_a_feed_rendered_in_chunks_is_the_feed_rendered_whole(
    kind: str, chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """feedgen renders a chunk of items at a time (bounded memory): the pieces make the one document."""
    from converters.writers.feeds import build

    digests = [read_digest(path) for path in sorted(SAMPLES.glob("*.md"))]
    whole, report = write(kind, digests, max_items=None)
    assert report.items > 7
    monkeypatch.setattr(build, "CHUNK", chunk)
    assert write(kind, digests, max_items=None)[0] == whole
