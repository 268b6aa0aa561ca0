"""The Python API (``converters.read/papers/write/formats``): docs/api.md runs as written, the API writes
the bytes ``arxport convert`` writes, its names stay, and its types work from a user's script."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

import converters
from cli import main
from converters import registry

from .conftest import ROOT, SAMPLES

PAGE = ROOT / "docs" / "api.md"
#: The public names of 0.1; a name may be added, never taken away.
PUBLIC = {
    "read", "papers", "write", "formats", "register_reader", "register_writer", "FormatInfo", "Reading",
    "Digest", "Paper", "Problem", "SourceSpan", "Section", "TocEntry", "Reader", "ReadOptions", "Writer",
    "OptionSpec", "WriteReport", "ArxportError", "InputError", "OutputError", "UsageError",
    "UnknownFormatError", "OptionError", "ReadError",
}  # fmt: skip
NEW_PROCESS = "# a new process"


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S)


@pytest.fixture
def in_samples_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "samples").symlink_to(SAMPLES, target_is_directory=True)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_every_example_of_the_api_page_runs(in_samples_folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    namespace: dict[str, object] = {"__name__": "docs_api"}
    try:
        for block in _blocks("python"):
            if not block.startswith(NEW_PROCESS):
                exec(compile(block, str(PAGE), "exec"), namespace)
    finally:
        registry._WRITERS.classes.pop("titles", None)
        registry._WRITERS.origins.pop("titles", None)
    assert (in_samples_folder / "week.bib").read_text(encoding="utf-8").startswith("@misc{")
    shown = capsys.readouterr().out
    assert "bibtex takes no option 'max_items' (rss, atom do)" in shown and "unknown CSV column 'colour'" in shown


def test_the_page_s_entry_point_makes_the_writer_a_plugin_of_a_new_process(in_samples_folder: Path) -> None:
    """The writer class of the page, in a package whose entry point is the page's TOML, installed as a
    distribution on the path: a new process lists it as a plugin and writes with it."""
    writer_block = next(block for block in _blocks("python") if "class TitleListWriter" in block)
    module = "import converters\n" + writer_block.split("\nconverters.register_writer", 1)[0]
    site = in_samples_folder / "site"
    site.mkdir()
    (site / "arxport_titles.py").write_text(module, encoding="utf-8")
    entry_points = tomllib.loads(_blocks("toml")[0])["project"]["entry-points"]
    info = site / "arxport_titles-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: arxport-titles\nVersion: 0.1\n", encoding="utf-8")
    lines = [
        f"[{group}]\n" + "".join(f"{k} = {v}\n" for k, v in items.items()) for group, items in entry_points.items()
    ]
    (info / "entry_points.txt").write_text("\n".join(lines), encoding="utf-8")
    script = next(block for block in _blocks("python") if block.startswith(NEW_PROCESS))
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment, check=False, timeout=120
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines()[0] == "- arXiv:2503.15001 Sparse Attention Is All You Need (Sometimes)"


def test_the_public_names_stay() -> None:
    assert set(converters.__all__) == set(converters._HOMES)
    missing = PUBLIC - set(converters.__all__)
    assert not missing, f"public names removed: {sorted(missing)}"
    for name in converters.__all__:
        assert getattr(converters, name) is not None
    assert "read" in dir(converters)
    with pytest.raises(AttributeError):
        converters.no_such_name  # noqa: B018


def test_the_api_writes_the_bytes_convert_writes(tmp_path: Path, corpus: list[Path]) -> None:
    inputs = [str(SAMPLES), *map(str, corpus[:3])]
    result = CliRunner().invoke(main, ["convert", *inputs, "--to", "all", "-o", str(tmp_path / "cli"), "-q"])
    assert result.exit_code == 0, result.output
    digests = list(converters.read(*inputs))
    written = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert len(written) == len(registry.writer_names())
    for name, target in zip(registry.writer_names(), _convert_names(), strict=True):
        expected = (tmp_path / "cli" / target).read_bytes()
        returned = converters.write(digests, name)
        assert (returned if isinstance(returned, bytes) else returned.encode("utf-8")) == expected, name
        converters.write(digests, name, tmp_path / target)
        assert (tmp_path / target).read_bytes() == expected, name
        handle = io.BytesIO()
        report = converters.write(digests, name, handle)
        assert handle.getvalue() == expected and report.items > 0, name


def _convert_names() -> list[str]:
    from converters.pipeline import output_names

    return list(output_names([registry.get_writer(n) for n in registry.writer_names()], "papers").values())


def test_read_takes_text_bytes_files_and_paths_and_reports_without_raising(tmp_path: Path) -> None:
    day = SAMPLES / "digest-2025-01-02.md"
    data = day.read_bytes()
    with day.open("rb") as binary, day.open(encoding="utf-8") as text:
        reading = converters.read(day, str(day), data, data.decode("utf-8"), binary, text, tmp_path / "missing.md")
        digests = list(reading)
    assert [len(d.papers) for d in digests] == [4] * 6
    assert [d.source for d in digests][2:4] == ["<bytes #3>", "<text #4>"]
    assert len({tuple((p.id, p.title, p.authors, p.abstract) for p in d.papers) for d in digests}) == 1
    assert digests[0].date is not None and digests[2].date is None  # a date comes from the file's name
    assert reading.failed == [str(tmp_path / "missing.md")]
    assert [p.code for p in reading.problems] == ["unreadable"]
    with pytest.raises(converters.ReadError) as raised:
        list(converters.read(day, tmp_path / "missing.md", strict=True))
    assert [p.code for p in raised.value.problems] == ["unreadable"] and isinstance(
        raised.value, converters.ArxportError
    )


def test_read_keeps_the_limits_of_the_command_line() -> None:
    data = (SAMPLES / "digest-2025-01-02.md").read_bytes()
    reading = converters.read(data, max_input_size=len(data) - 1)
    assert list(reading) == [] and [p.code for p in reading.problems] == ["too-large"]
    reading = converters.read(data, max_field_size=40)
    assert all(len(p.abstract) <= 40 for d in reading for p in d.papers)
    assert "field-too-long" in {p.code for p in reading.problems}


def test_read_filters_and_labels_as_convert_does() -> None:
    assert [p.id for p in converters.papers(SAMPLES, category="hep-th")] == ["hep-th/9901001"]
    assert [p.id for p in converters.papers(SAMPLES, since=dt.date(2025, 3, 1))] == ["2503.15001", "2503.15002"]
    text = "### [1] [A Title](https://arxiv.org/abs/2501.00001)\n\n**Résumé:** Court.\n"
    (paper,) = converters.papers(text, labels={"Résumé": "tldr"})
    assert paper.tldr == "Court."
    with pytest.raises(converters.OptionError, match="not one of"):
        converters.read(text, labels={"Résumé": "colour"})
    with pytest.raises(converters.UnknownFormatError):
        converters.read(text, reader="no-such-reader")


def test_unique_papers_keep_the_newest_listing() -> None:
    listed = [p.id for p in converters.papers(SAMPLES)]
    unique = list(converters.papers(SAMPLES, unique=True))
    assert len(listed) > len(unique) == len(set(listed))
    volt = next(p for p in unique if p.title.startswith("VOLT"))
    assert volt.date is not None and volt.date.isoformat() == "2025-01-03"


def test_write_refuses_options_and_items_it_cannot_take(tmp_path: Path) -> None:
    with pytest.raises(TypeError, match=r"bibtex takes no option 'max_items' \(rss, atom do\)"):
        converters.write([], "bibtex", max_items=3)
    with pytest.raises(converters.OptionError, match="max_items must be a whole number of at least 1"):
        converters.write([], "atom", max_items=0)
    with pytest.raises(converters.OptionError, match="key_format must be one of"):
        converters.write([], "bibtex", key_format="colour")
    with pytest.raises(converters.OptionError, match="no format takes an option 'colour'"):
        converters.write([], "csv", colour=True)
    with pytest.raises(TypeError, match="digests or papers, not str"):
        converters.write(["a paper"], "jsonl")  # type: ignore[list-item]
    with (tmp_path / "out.jsonl").open("w") as text, pytest.raises(TypeError, match="binary mode"):
        converters.write([], "jsonl", text)  # type: ignore[call-overload]
    assert converters.write([], "jsonl") == "" and converters.write([], "docx")[:2] == b"PK"


def test_formats_lists_every_reader_and_writer_with_options() -> None:
    found = converters.formats()
    assert [f.name for f in found if f.kind == "reader"] == registry.reader_names()
    assert [f.name for f in found if f.kind == "writer"] == registry.writer_names()
    rss = next(f for f in found if f.kind == "writer" and f.name == "rss")
    assert "max_items" in [spec.key for spec in rss.options] and rss.origin == "built-in" and not rss.binary
    assert next(f for f in found if f.name == "docx").binary


def test_a_run_time_writer_cannot_replace_a_built_in() -> None:
    class Impostor(converters.Writer):
        name = "bibtex"
        description = "not BibTeX"

        def write(self, digests, out, options):  # type: ignore[no-untyped-def]
            return converters.WriteReport(items=0)

    with pytest.raises(converters.UsageError, match="built-in writer named 'bibtex'"):
        converters.register_writer(Impostor)
    with pytest.raises(TypeError):
        converters.register_writer(int)  # type: ignore[arg-type]


USER_SCRIPT = """\
import datetime as dt
from pathlib import Path

import converters


def recent_bibtex(folder: Path, since: dt.date) -> str:
    papers = [p for p in converters.papers(folder, since=since, unique=True) if p.abstract]
    return converters.write(papers, "bibtex", key_format="id")


def docx_bytes(folder: Path) -> bytes:
    return converters.write(converters.read(folder), "docx")


def problems(folder: Path) -> list[str]:
    reading = converters.read(folder)
    counts = [len(digest.papers) for digest in reading]
    return [f"{problem.source.path}:{problem.source.line}" for problem in reading.problems] + [str(sum(counts))]


def report(folder: Path, target: Path) -> int:
    written: converters.WriteReport = converters.write(converters.read(folder), "atom", target, max_items=10)
    return written.items


def options() -> dict[str, list[str]]:
    return {info.name: [spec.key for spec in info.options] for info in converters.formats("writer")}
"""


def test_the_api_types_check_under_mypy_strict_from_a_user_script(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api", reason="install mypy (pip install -e '.[test]')")
    script = tmp_path / "user_script.py"
    script.write_text(USER_SCRIPT, encoding="utf-8")
    stdout, stderr, status = api.run(
        ["--strict", "--no-incremental", "--cache-dir", os.devnull, "--python-version", "3.11", str(script)]
    )
    assert status == 0, stdout + stderr
