"""Feed options: the TOML config file, precedence, checks on values, and the defaults built from the digests."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from converters.errors import OutputError
from converters.model import Digest, Paper
from converters.registry import get_writer, writer_class, writer_for_path
from converters.writers.feeds import AtomWriter, RssWriter
from converters.writers.feeds.settings import CONFIG_KEYS, load_settings

ATOM = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
DAY = dt.date(2025, 1, 2)


def day(*categories: str, date: dt.date = DAY) -> Digest:
    papers = tuple(
        Paper(
            id=f"2501.{date.day:02d}{i:03d}",
            url=f"https://arxiv.org/abs/2501.{date.day:02d}{i:03d}",
            title=f"Paper {i}",
            primary_category=c,
            categories=(c,),
            date=date,
        )
        for i, c in enumerate(categories)
    )
    return Digest(source=f"{date}.md", date=date, papers=papers)


def write(kind: str, digests: list[Digest], **options: Any) -> tuple[etree._Element, Any]:
    writer = get_writer(kind)
    out = io.BytesIO()
    report = writer.write(digests, out, {**writer.default_options(), **options})
    return etree.fromstring(out.getvalue()), report


def config(tmp_path: Path, text: str) -> str:
    path = tmp_path / "feed.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


# --- declarations --------------------------------------------------------------------------


def test_both_writers_declare_the_same_options_all_defaulting_to_none() -> None:
    assert RssWriter.options == AtomWriter.options
    names = [spec.name for spec in RssWriter.options]
    assert names == ["max-items", "since", *[k for k in CONFIG_KEYS if k.startswith("feed-")], "feed-config"]
    assert all(spec.default is None for spec in RssWriter.options)
    types = {spec.name: spec.type for spec in RssWriter.options}
    assert types["max-items"] == "int" and types["since"] == "date" and types["feed-config"] == "path"


def test_registry_names_and_suffixes() -> None:
    assert writer_class("rss") is RssWriter and writer_class("atom") is AtomWriter
    assert writer_for_path("out/feed.rss") == "rss" and writer_for_path("out/feed.atom") == "atom"


# --- defaults ------------------------------------------------------------------------------


def test_defaults_for_one_category() -> None:
    root, report = write("rss", [day("cs.CV", "cs.CV")])
    channel = root.find("channel")
    assert channel is not None
    assert channel.findtext("title") == "arXiv digest: cs.CV"
    assert channel.findtext("link") == "https://arxiv.org/list/cs.CV/new"
    assert channel.findtext("description") == "Papers from arXiv daily digests, 2025-01-02, in cs.CV."
    assert channel.findtext("{http://purl.org/dc/elements/1.1/}creator") == "arxport"
    assert channel.find("language") is None
    assert any("--feed-self-link" in note for note in report.notes)


def test_defaults_for_many_categories_and_days() -> None:
    digests = [day("cs.CV", "cs.CL", "cs.AI", date=DAY), day("cs.LG", "cs.RO", date=dt.date(2025, 1, 5))]
    root, _ = write("atom", digests)
    assert root.findtext(f"{ATOM}title") == "arXiv digest: cs.LG, cs.RO, cs.CV, cs.CL and 1 more"
    assert root.findtext(f"{ATOM}subtitle") == (
        "Papers from arXiv daily digests, 2025-01-02 to 2025-01-05, in cs.LG, cs.RO, cs.CV, cs.CL, cs.AI."
    )
    [link] = root.findall(f"{ATOM}link")
    assert (link.get("href"), link.get("rel")) == ("https://arxiv.org/", "alternate")
    assert root.findtext(f"{ATOM}id") == "https://arxiv.org/"  # no self link: the page link
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "arxport"


def test_a_category_that_is_no_url_path_gives_the_arxiv_home_page() -> None:
    root, _ = write("rss", [day("数学 / <x>")])
    assert root.findtext("channel/link") == "https://arxiv.org/"


# --- explicit options and the config file ---------------------------------------------------


def test_every_option_reaches_both_feeds() -> None:
    options = {
        "feed_title": "Lab feed",
        "feed_link": "https://lab.example/",
        "feed_self_link": "https://lab.example/feed.atom",
        "feed_description": "What we read",
        "feed_language": "zh-CN",
        "feed_author": "The Lab",
    }
    atom, report = write("atom", [day("cs.CV")], **options)
    assert atom.get(XML_LANG) == "zh-CN"
    assert atom.findtext(f"{ATOM}title") == "Lab feed"
    assert atom.findtext(f"{ATOM}subtitle") == "What we read"
    assert atom.findtext(f"{ATOM}id") == "https://lab.example/feed.atom"
    assert atom.findtext(f"{ATOM}author/{ATOM}name") == "The Lab"
    links = {link.get("rel"): link.get("href") for link in atom.findall(f"{ATOM}link")}
    assert links == {"self": "https://lab.example/feed.atom", "alternate": "https://lab.example/"}
    assert not any("self-link" in note for note in report.notes)
    rss, _ = write("rss", [day("cs.CV")], **options)
    channel = rss.find("channel")
    assert channel is not None
    assert channel.findtext("language") == "zh-CN"
    assert channel.findtext("link") == "https://lab.example/"
    self_link = channel.find(f"{ATOM}link")
    assert self_link is not None and self_link.get("href") == "https://lab.example/feed.atom"


def test_config_file_supplies_options_and_the_command_line_wins(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        'feed-title = "From the file"\nfeed-link = "https://file.example/"\nfeed-language = "de"\n'
        "max-items = 1\nsince = 2025-01-01\n",
    )
    settings = load_settings({"feed_config": path, "feed_title": "From the command line"})
    assert settings.title == "From the command line"
    assert settings.link == "https://file.example/"
    assert (settings.language, settings.max_items, settings.since) == ("de", 1, dt.date(2025, 1, 1))
    root, report = write("rss", [day("cs.CV", "cs.CL")], feed_config=path)
    assert root.findtext("channel/title") == "From the file"
    assert report.items == 1


def test_config_since_may_be_a_quoted_date(tmp_path: Path) -> None:
    assert load_settings({"feed_config": config(tmp_path, 'since = "2025-02-03"\n')}).since == dt.date(2025, 2, 3)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('title = "x"\n', "unknown key"),
        ("feed-title = 3\n", "feed-title must be a string"),
        ('max-items = "3"\n', "max-items must be an integer"),
        ("max-items = true\n", "max-items must be an integer"),
        ("since = 2025-01-02T10:00:00\n", "not a date and time"),
        ('since = "yesterday"\n', "since must be a date"),
        ("feed-title = \n", "not valid TOML"),
        ('feed-link = "feed.xml"\n', "absolute http(s) URL"),
        ("max-items = 0\n", "at least 1"),
    ],
)
def test_bad_config_files_are_output_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(OutputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        write("atom", [day("cs.CV")], feed_config=config(tmp_path, text))


def test_missing_config_file(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot read the feed config"):
        load_settings({"feed_config": str(tmp_path / "nope.toml")})


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"feed_link": "/relative/page"}, "--feed-link must be an absolute"),
        ({"feed_self_link": "javascript:alert(1)"}, "--feed-self-link must be an absolute"),
        ({"feed_link": "https://a.example/x y"}, "absolute"),
        ({"feed_language": "English!"}, "language tag"),
        ({"max_items": 0}, "at least 1"),
    ],
)
def test_values_no_feed_can_carry_are_output_errors(options: dict[str, Any], message: str) -> None:
    for kind in ("rss", "atom"):
        with pytest.raises(OutputError, match=message):
            write(kind, [day("cs.CV")], **options)


def test_option_text_is_cleaned_for_xml() -> None:
    root, _ = write("atom", [day("cs.CV")], feed_title="A\x08 title\nwith\tbreaks", feed_author="  Lab\x00  ")
    assert root.findtext(f"{ATOM}title") == "A title with breaks"
    assert root.findtext(f"{ATOM}author/{ATOM}name") == "Lab"
