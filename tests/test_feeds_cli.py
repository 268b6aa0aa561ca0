"""The feed options through ``arxport convert``: flags, config file, --date, suffixes and exit codes."""

from __future__ import annotations

from pathlib import Path

import feedparser
from click.testing import CliRunner, Result

from cli import EXIT_OK, EXIT_OUTPUT, EXIT_USAGE, main

from .conftest import SAMPLES

DAY1 = str(SAMPLES / "digest-2025-01-02.md")
DAY2 = str(SAMPLES / "digest-2025-01-03.md")


def run(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_rolling_window_from_the_command_line(tmp_path: Path) -> None:
    out = tmp_path / "feed.xml"
    result = run(
        "convert", DAY1, DAY2, "--to", "atom", "-o", str(out),
        "--max-items", "3", "--feed-title", "My & feed", "--feed-self-link", "https://example.org/feed.xml",
    )  # fmt: skip
    assert result.exit_code == EXIT_OK, result.output
    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo
    assert parsed.feed.title == "My & feed"
    assert [e.id.rsplit("/", 1)[-1] for e in parsed.entries] == ["2501.03003", "2501.01234", "2501.01301"]
    assert "--max-items 3 left out 2" in result.stderr
    assert "wrote 3 item(s) as atom" in result.stderr


def test_suffix_picks_the_feed_format(tmp_path: Path) -> None:
    for suffix, marker in ((".rss", b"<rss "), (".atom", b"<feed ")):
        out = tmp_path / f"feed{suffix}"
        assert run("convert", DAY1, "-o", str(out)).exit_code == EXIT_OK
        assert marker in out.read_bytes()


def test_stdin_needs_date(tmp_path: Path) -> None:
    data = Path(DAY1).read_bytes()
    result = run("convert", "-", "--to", "rss", input=data)
    assert result.exit_code == EXIT_OUTPUT
    assert "--date" in result.stderr and "<stdin>" in result.stderr
    result = run("convert", "-", "--to", "rss", "--date", "2025-02-02", input=data)
    assert result.exit_code == EXIT_OK
    parsed = feedparser.parse(result.stdout_bytes)
    assert {e.published_parsed[:3] for e in parsed.entries} == {(2025, 2, 2)}


def test_config_file_and_since(tmp_path: Path) -> None:
    config = tmp_path / "feed.toml"
    config.write_text('feed-title = "From TOML"\nfeed-language = "en"\nsince = 2025-01-03\n', encoding="utf-8")
    result = run("convert", DAY1, DAY2, "--to", "rss", "--feed-config", str(config))
    assert result.exit_code == EXIT_OK
    parsed = feedparser.parse(result.stdout_bytes)
    assert parsed.feed.title == "From TOML" and parsed.feed.language == "en"
    assert len(parsed.entries) == 2
    result = run("convert", DAY1, "--to", "rss", "--feed-config", str(config), "--since", "2025-01-01")
    assert len(feedparser.parse(result.stdout_bytes).entries) == 4  # the command line wins


def test_bad_values_are_usage_errors_before_reading(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("colour = 'blue'\n", encoding="utf-8")
    for args in (
        ["--feed-config", str(bad)],
        ["--feed-config", str(tmp_path / "missing.toml")],
        ["--feed-link", "feed.html"],
        ["--feed-language", "en_GB!"],
    ):
        result = run("convert", str(tmp_path / "not-read.md"), "--to", "atom", *args)
        assert result.exit_code == EXIT_USAGE, (args, result.output)
        assert "Error: --to atom: " in result.output and "not-read.md" not in result.output
        assert "Traceback" not in result.output


def test_feed_options_do_not_apply_to_other_formats() -> None:
    assert run("convert", DAY1, "--to", "jsonl", "--max-items", "2").exit_code == EXIT_USAGE
