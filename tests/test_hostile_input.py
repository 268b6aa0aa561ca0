"""What a reader may do with hostile bytes: return papers and problems or raise InputError, in linear time.

Pathological inputs (10,000 nested brackets in a title, a 50 MB line, 1,000,000
``###`` lines, every Unicode line separator, NUL bytes, JSON nested 100,000 deep)
go through every reader with the fuzz harnesses' contract checks
(``fuzz/harnesses.py``). Time is checked as scaling, not as an absolute: the
CPU time of an input four times larger must stay well under the sixteen times a
quadratic reader would take. Memory is checked against the input's size. The
resource limits (``--max-input-size``, ``--max-field-size``) are checked end to
end, and each bug the fuzzers or these inputs found has its regression test here.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from converters import pipeline
from converters.errors import InputError
from converters.limits import format_size, parse_size
from converters.model import Digest, Paper, Problem, SourceSpan, parse_work_link
from converters.readers.base import ReadOptions, limit_fields
from converters.registry import get_reader, get_writer, reader_names
from converters.text.latex import latex
from fuzz.harnesses import WRITER_CHECKS, read_target

from .conftest import ROOT

READERS = reader_names()
HEAD = "# arXiv digest 2025-01-02\n\n## cs.CV\n\n"


def paper_md(title: str = "A title", body: str = "TL;DR: short.") -> str:
    return f"### [1] [{title}](https://arxiv.org/abs/2501.01234)\n*Ada Lovelace, Alan Turing*\n\n{body}\n\n"


def cpu_time(run: Callable[[], object], repeat: int = 3) -> float:
    """The least CPU time of ``repeat`` runs (CPU time, so other processes on the machine do not count)."""
    best = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        run()
        best = min(best, time.process_time() - start)
    return best


def assert_linear(make: Callable[[int], bytes], read: Callable[[bytes], object], n: int) -> None:
    """Reading ``make(4n)`` costs at most 2.5 times four times ``make(n)`` (quadratic would be 16 times).

    The small floor keeps inputs that take a millisecond from failing on timer noise.
    """
    small, large = make(n), make(4 * n)
    read(small)  # warm caches and lazy imports
    small_time, large_time = cpu_time(lambda: read(small)), cpu_time(lambda: read(large))
    assert large_time <= 10 * small_time + 0.05, f"{small_time:.3f}s for n={n}, {large_time:.3f}s for 4n"


def read_digest_text(data: bytes) -> Digest | None:
    try:
        return get_reader("digest").read(data, "hostile-2025-01-02.md")
    except InputError:
        return None


def every_reader_keeps_its_contract(data: bytes) -> None:
    """Each reader (forced, as ``--from`` would) returns a digest that keeps the model's contract, or InputError."""
    for name in READERS:
        read_target(name, f"hostile-2025-01-02.{name}", sniff=True)(data)


# --- the pathological inputs --------------------------------------------------------------------


def nested_brackets(n: int) -> bytes:
    return (HEAD + paper_md("[" * n + "x" + "]" * n)).encode()


def test_ten_thousand_nested_brackets_in_a_title() -> None:
    data = nested_brackets(10_000)
    every_reader_keeps_its_contract(data)
    digest = read_digest_text(data)
    assert digest is not None and len(digest.papers) == 1
    assert_linear(nested_brackets, read_digest_text, 10_000)


@pytest.mark.parametrize(
    "title",
    ["{" * 10_000 + "x" + "}" * 10_000, "$" + "{" * 10_000 + "x" + "}" * 10_000 + "$", "{" * 10_000, "*" * 10_000],
    ids=["braces", "braces-in-math", "open-braces", "stars"],
)
def test_ten_thousand_nested_braces_through_every_writer(title: str) -> None:
    """Regression: the LaTeX escaper paired braces a level per pass (20,000 levels took seconds)."""
    paper = Paper(
        id="2501.01234", url="https://arxiv.org/abs/2501.01234", title=title, abstract=title, date=dt.date(2025, 1, 2)
    )
    digests = [Digest(source="x-2025-01-02.md", date=dt.date(2025, 1, 2), papers=(paper,))]
    for check in WRITER_CHECKS:
        out = io.BytesIO()
        writer = get_writer(check.writer)
        writer.write(digests, out, {**writer.default_options(), **check.options})
        check.check(out.getvalue(), digests)
    assert_linear(lambda n: ("{" * n + "x" + "}" * n).encode(), lambda data: latex(data.decode(), protect=True), 20_000)


def test_emphasis_around_a_title_is_linear() -> None:
    """Regression: clean_title re-sliced the title for each ``**`` pair (quadratic in the pairs)."""

    def nested_stars(n: int) -> bytes:
        return (HEAD + paper_md("**" * n + "x" + "**" * n)).encode()

    digest = read_digest_text(nested_stars(50_000))
    assert digest is not None and digest.papers[0].title == "x"
    assert_linear(nested_stars, read_digest_text, 50_000)


def long_line(size: int) -> bytes:
    return (HEAD + paper_md(body="Abstract: " + "word $x$ {y} " * (size // 13))).encode()


def test_a_fifty_megabyte_line_is_read_in_linear_time_and_memory() -> None:
    data = long_line(50 * 2**20)
    tracemalloc.start()
    try:
        reading = pipeline.Reading([pipeline.InputRef("-")], stdin=io.BytesIO(data))
        result = reading.result(list(reading))
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.paper_count == 1 and not result.errors
    assert peak < 8 * len(data), f"{peak / len(data):.1f} times the input"
    [warning] = [p for p in result.problems if p.code == "field-too-long"]
    assert "--max-field-size" in warning.message and "1,048,576 characters" in warning.message
    assert len(result.digests[0].papers[0].abstract or "") == ReadOptions().max_field_size
    assert_linear(long_line, read_digest_text, 2**20)


def heading_lines(n: int) -> bytes:
    return b"### \n" * n


@pytest.mark.slow
def test_a_million_heading_lines() -> None:
    """Regression: the heading layout found each section's end by scanning the rest of the headings."""
    data = heading_lines(1_000_000)
    with pytest.raises(InputError, match="found no paper"):
        get_reader("digest").read(data, "hostile-2025-01-02.md")
    assert_linear(heading_lines, read_digest_text, 50_000)
    papers = b"".join(f"### [{i}] [T{i}](https://arxiv.org/abs/2501.{i:05d})\n".encode() for i in range(1, 20_001))
    digest = get_reader("digest").read(papers, "hostile-2025-01-02.md")
    assert len(digest.papers) == 20_000


def test_nested_headings_that_each_name_one_work_are_linear() -> None:
    def make(n: int) -> bytes:
        return "".join(f"{'#' * (1 + i % 6)} Paper {i}\nhttps://doi.org/10.1234/{i}\n" for i in range(n)).encode()

    digest = read_digest_text(make(600))  # the deepest headings are the papers: one in six
    assert digest is not None and len(digest.papers) == 100
    assert_linear(make, read_digest_text, 5_000)


#: Every character Python's str.splitlines() breaks a line at, and the pairs that make one break.
LINE_SEPARATORS = ["\n", "\r", "\r\n", "\v", "\f", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029", "\n\r"]


@pytest.mark.parametrize("separator", LINE_SEPARATORS, ids=[repr(s) for s in LINE_SEPARATORS])
def test_every_unicode_line_separator(separator: str) -> None:
    title = f"A{separator}title"
    body = f"TL;DR: one{separator}two{separator}{separator}Abstract: three{separator}"
    text = HEAD.replace("\n", separator) + paper_md(title, body) + paper_md(title, body).replace("\n", separator)
    data = text.encode()
    every_reader_keeps_its_contract(data)
    digest = read_digest_text(data)
    if digest is not None:
        for problem in digest.problems:
            assert len(str(problem).splitlines()) == 1
        for check in WRITER_CHECKS:  # and what was read goes through every writer and its consumer
            out = io.BytesIO()
            writer = get_writer(check.writer)
            dated = [Digest(source=digest.source, date=dt.date(2025, 1, 2), papers=digest.papers)]
            writer.write(dated, out, {**writer.default_options(), **check.options})
            check.check(out.getvalue(), dated)


def test_nul_bytes() -> None:
    few = (HEAD + paper_md("A\x00title", "TL;DR: a\x00b\n\nAbstract: " + "text " * 1000)).encode()
    digest = read_digest_text(few)
    assert digest is not None and digest.papers[0].title == "Atitle"
    assert [p.code for p in digest.problems if p.code == "nul-byte"] == ["nul-byte"]
    every_reader_keeps_its_contract(few)
    many = few + b"\x00" * 5000
    with pytest.raises(InputError, match="binary data"):
        get_reader("digest").read(many, "hostile-2025-01-02.md")
    every_reader_keeps_its_contract(many)
    every_reader_keeps_its_contract(b"\x00" * 100_000)


@pytest.mark.parametrize(
    ("reader", "data"),
    [
        ("digest-jsonl", b'{"id": "2501.01234", "categories": ' + b"[" * 100_000 + b"]" * 100_000 + b"}\n"),
        ("json", b'{"format": "arxport", "version": 1, "digests": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"),
        ("jsonl", b'{"id": "2501.01234", "version": null, "url": ' + b"[" * 100_000 + b"\n"),
        ("digest-html", b"<html><body><h1>2025-01-02</h1>" + b"<div>" * 100_000 + b"</body></html>"),
    ],
    ids=["digest-jsonl", "json", "jsonl", "digest-html"],
)
def test_deep_nesting_in_json_and_html(reader: str, data: bytes) -> None:
    """Regression: JSON nested 100,000 deep raised RecursionError (an internal error) in digest-jsonl and json."""
    read_target(reader, f"deep-2025-01-02.{reader}")(data)
    every_reader_keeps_its_contract(data)


def test_deep_html_inside_a_paper_is_read() -> None:
    from markdown_it import MarkdownIt

    page = MarkdownIt("commonmark").render((ROOT / "samples" / "digest-2025-01-02.md").read_text("utf-8"))
    at = page.index("Abstract")
    deep = page[:at] + "<b>" * 100_000 + "deep" + "</b>" * 100_000 + page[at:]
    digest = get_reader("digest-html").read(deep.encode(), "deep-2025-01-02.html")
    assert len(digest.papers) == 4


def test_a_url_of_many_dots_is_linear() -> None:
    """Regression: the URL pattern backtracked quadratically around its host's dot."""
    assert parse_work_link("https://" + "a." * 100_000 + " x", any_url=True) is None
    assert_linear(
        lambda n: ("https://" + "a." * n + " ").encode(), lambda d: parse_work_link(d.decode(), any_url=True), 20_000
    )


def test_work_links_hold_no_control_characters() -> None:
    """Regression: a DOI with a NUL (from JSON) crashed the BibTeX writer; one with U+FFFF made feeds unwritable."""
    for bad in ("\x00", "\x01", "\x7f", "\x85", "\ufffe", "\uffff", "\ud800"):
        assert parse_work_link(f"https://doi.org/10.1234/a{bad}b") is None
        assert parse_work_link(f"https://example.org/a{bad}b", any_url=True) is None
    assert parse_work_link("https://doi.org/10.1002/(SICI)1097-4636<448::AID-JBM13>3.0.CO;2-M") is not None
    line = json.dumps({"id": "x", "categories": ["cs.CV"], "abs": "https://doi.org/10.1234/a\x00b", "title": "T"})
    digest = get_reader("digest-jsonl").read(line.encode() + b"\n", "x_2025-01-02.jsonl")
    for check in WRITER_CHECKS:
        out = io.BytesIO()
        writer = get_writer(check.writer)
        writer.write([digest], out, {**writer.default_options(), **check.options})


def test_problems_print_on_one_line() -> None:
    """Regression: a message quoting the digest's text (``main category `a\\nb` ...``) could forge log lines."""
    data = (HEAD + paper_md(body="Main category: x\n=forged: error: pwned [x]")).encode()
    digest = read_digest_text(data)
    assert digest is not None
    problem = Problem(
        level="error", code="c\nd", message="a\nb\x1b[31m\u2028c", source=SourceSpan(path="p\n.md", line=1)
    )
    assert str(problem) == "p\\n.md:1: error: a\\nb\\x1b[31m\\u2028c [c\\nd]"
    assert str(InputError("x\ny", SourceSpan(path="a", line=2))) == "a:2: x\\ny"
    for found in digest.problems:
        assert len(str(found).splitlines()) == 1


def test_lone_surrogates_from_json_are_written_as_replacement_characters() -> None:
    """Regression: '\\ud800' in the generator's JSON Lines crashed the json, jsonl and markdown writers."""
    line = b'{"id": "2501.01234", "categories": ["cs.CV"], "abs": "https://arxiv.org/abs/2501.01234", '
    line += b'"authors": ["A"], "title": "T \\ud800 x", "summary": "s"}\n'
    digest = get_reader("digest-jsonl").read(line, "x_2025-01-02.jsonl")
    assert digest.papers[0].title == "T \ud800 x"
    for name in ("json", "jsonl", "markdown"):
        out = io.BytesIO()
        get_writer(name).write([digest], out, get_writer(name).default_options())
        assert "T \ufffd x" in out.getvalue().decode("utf-8")


# --- resource limits ----------------------------------------------------------------------------


def test_sizes_parse_in_binary_units() -> None:
    assert [parse_size(s) for s in ("1", "512K", "256M", "256MB", "256MiB", "1g", " 2 k ")] == [
        1,
        512 * 2**10,
        256 * 2**20,
        256 * 2**20,
        256 * 2**20,
        2**30,
        2048,
    ]
    for bad in ("", "0", "-1", "1.5M", "12Q", "M"):
        with pytest.raises(ValueError, match="not a size"):
            parse_size(bad)
    assert format_size(256 * 2**20) == "256 MiB" and format_size(1000) == "1,000 bytes"


def test_the_defaults_are_documented() -> None:
    options = ReadOptions()
    assert (options.max_input_size, options.max_field_size) == (256 * 2**20, 2**20)
    cli_doc = (ROOT / "docs" / "cli.md").read_text("utf-8")
    assert "--max-input-size" in cli_doc and "256 MiB" in cli_doc
    assert "--max-field-size" in cli_doc and "1,048,576" in cli_doc


def run_cli(*arguments: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", "import cli; cli.main()", *arguments],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        env=environment,
        check=False,
    )


def test_an_input_over_the_limit_is_refused_with_the_option_that_raises_it(tmp_path: Path) -> None:
    path = tmp_path / "big-2025-01-02.md"
    path.write_bytes(long_line(3 * 2**20))
    done = run_cli("check", str(path), "--max-input-size", "2M")
    assert done.returncode == 3
    lines = done.stderr.decode().splitlines()
    assert (
        f"{path}:1: error: the input is {path.stat().st_size:,} bytes, over the input size limit of 2 MiB" in lines[0]
    )
    assert lines[0].endswith("(--max-input-size raises the limit) [too-large]")
    assert run_cli("check", str(path), "--max-input-size", "4M").returncode == 0
    piped = run_cli("check", "-", "--max-input-size", "1M", stdin=path.read_bytes())
    assert piped.returncode == 3 and b"more than 1 MiB" in piped.stderr
    assert run_cli("check", str(path), "--max-input-size", "lots").returncode == 2


@pytest.mark.parametrize(
    ("reader", "make"),
    [
        ("digest", lambda n: b"### \n" * n),
        ("digest-html", lambda n: b"<html><body><h1>2025-01-02</h1><p>" + b"<b>" * n + b"</p></body></html>"),
        ("digest-jsonl", lambda n: b"{}\n" * n),
    ],
    ids=["heading-lines", "tags", "empty-records"],
)
def test_lines_and_tags_are_bounded_by_the_input_limit(reader: str, make: Callable[[int], bytes]) -> None:
    """Tiny lines or tags cost a reader 40 to 250 times their size: their number is bounded too, and within
    that bound memory stays under 1 KB per line or tag."""
    options = ReadOptions(max_input_size=2**20)  # 16,384 lines and tags
    over = make(20_000)
    result = pipeline.Reading(
        [pipeline.InputRef("-")], reader=reader, stdin=io.BytesIO(over), options=options
    ).read_rest()
    [problem] = result.problems
    assert (
        problem.code == "too-large" and "holds 2" in problem.message and "over the limit of 16,384" in problem.message
    )
    count = 50_000
    under = make(count)
    tracemalloc.start()
    try:
        with contextlib.suppress(InputError):
            get_reader(reader).read_all(under, f"x-2025-01-02.{reader}")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 1024 * count + 8 * len(under), f"{peak / count:.0f} bytes per line or tag"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_an_endless_input_is_refused_at_the_limit_not_read_whole() -> None:
    done = run_cli("check", "/dev/zero", "--max-input-size", "8M")
    assert done.returncode == 3
    assert b"/dev/zero:1: error: the input is more than 8 MiB" in done.stderr


def test_a_field_over_the_limit_is_truncated_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "long-2025-01-02.md"
    path.write_bytes((HEAD + paper_md("T" * 3000, "Abstract: " + "a" * 5000)).encode())
    out = tmp_path / "out.jsonl"
    done = run_cli("convert", str(path), "-o", str(out), "--max-field-size", "2K", "--strict")
    assert done.returncode == 5
    warnings = [line for line in done.stderr.decode().splitlines() if "[field-too-long]" in line]
    assert len(warnings) == 2 and all(f"{path}:5: warning: " in w for w in warnings)
    assert "title is 3,000 characters, truncated to the field size limit of 2,048 characters" in warnings[0]
    assert "(--max-field-size raises the limit)" in warnings[0]
    record = json.loads(out.read_text("utf-8"))
    assert len(record["title"]) == 2048 and len(record["abstract"]) == 2048


def test_limit_fields_truncates_every_text_field_and_drops_unnameable_papers() -> None:
    long = "x" * 50
    paper = Paper(
        id="2501.01234",
        url="https://arxiv.org/abs/2501.01234",
        title=long,
        authors=(long, "B"),
        categories=(long,),
        tldr=long,
        extra={long: long},
        source=SourceSpan(path="d.md", line=7),
    )
    other = Paper(id="https://example.org/" + long, url="https://example.org/" + long, title="t", id_scheme="url")
    digest = Digest(source="d.md", title=long, papers=(paper, other))
    limited = limit_fields(digest, ReadOptions(max_field_size=40))
    [kept] = limited.papers
    assert (len(kept.title), kept.authors[1], len(kept.tldr or ""), len(limited.title or "")) == (40, "B", 40, 40)
    assert all(len(k) == len(v) == 40 for k, v in kept.extra.items())
    assert [p.level for p in limited.problems].count("error") == 1
    assert all(p.code == "field-too-long" for p in limited.problems)
    assert limit_fields(digest, ReadOptions(max_field_size=1000)) is digest
