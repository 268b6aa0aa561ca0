"""The CLI through click's runner: every exit code, stdin/stdout, globs, directories, reports."""

from __future__ import annotations

import json
import os
import shutil
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import jsonschema
import pytest
from click.testing import CliRunner, Result

from cli import EXIT_ABORTED, EXIT_INPUT, EXIT_INTERNAL, EXIT_OK, EXIT_OUTPUT, EXIT_STRICT, EXIT_USAGE, main
from converters import pipeline, registry
from converters.writers.base import Writer, WriteReport

from .conftest import CORPUS, SAMPLES
from .test_digest_reader import _BLOCK_RE

DAY1 = str(SAMPLES / "digest-2025-01-02.md")
DAY2 = str(SAMPLES / "digest-2025-01-03.md")
AWKWARD = str(SAMPLES / "awkward-2025-01-04.md")


def run(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def jsonl(result: Result) -> list[dict[str, Any]]:
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_help_teaches_with_examples() -> None:
    for args in ([], ["convert"], ["check"]):
        result = run(*args, "--help")
        assert result.exit_code == EXIT_OK
        assert "arxport convert" in result.output or "arxport check" in result.output
    assert "Exit codes" in run("convert", "--help").output


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == EXIT_OK and result.output.startswith("arxport, version ")


def test_formats_lists_readers_and_writers() -> None:
    result = run("formats")
    assert result.exit_code == EXIT_OK
    for name in [*registry.reader_names(), *registry.writer_names()]:
        assert f"  {name} " in result.output


def test_convert_to_stdout_and_counts() -> None:
    result = run("convert", DAY1, DAY2, "--to", "jsonl")
    assert result.exit_code == EXIT_OK
    records = jsonl(result)
    assert [r["id"] for r in records] == [
        "2501.01234",
        "2501.01301",
        "2501.02002",
        "hep-th/9901001",
        "2501.03003",
        "2501.01234",
    ]
    assert "wrote 6 item(s) as jsonl to stdout" in result.stderr


def test_stdin_in_and_date_option() -> None:
    data = Path(DAY1).read_bytes()
    undated = jsonl(run("convert", "-", "--to", "jsonl", input=data))
    assert len(undated) == 4 and all(r["date"] is None for r in undated)
    dated = jsonl(run("convert", "-", "--to", "jsonl", "--date", "2025-02-03", input=data))
    assert {r["date"] for r in dated} == {"2025-02-03"}
    assert {r["source"]["path"] for r in dated} == {"<stdin>"}


def test_directories_and_globs(tmp_path: Path) -> None:
    shutil.copy(DAY1, tmp_path)
    shutil.copy(DAY2, tmp_path)
    (tmp_path / "notes.txt").write_text("not read: wrong suffix")
    (tmp_path / "README.md").write_text("# A folder of digests\n\nJust notes.\n")
    result = run("convert", str(tmp_path), "--to", "jsonl")
    assert result.exit_code == EXIT_OK  # README.md in a directory is skipped with a warning, not an error
    assert len(jsonl(result)) == 6
    assert "README.md:1: warning: skipped" in result.stderr
    result = run("convert", str(tmp_path / "digest-*-03.md"), "--to", "jsonl")
    assert result.exit_code == EXIT_OK and len(jsonl(result)) == 2
    result = run("convert", str(tmp_path / "nothing-*.md"), DAY1, "--to", "jsonl")
    assert result.exit_code == EXIT_INPUT and len(jsonl(result)) == 4
    assert "no file matches" in result.stderr


def test_format_from_output_suffix(tmp_path: Path) -> None:
    target = tmp_path / "papers.jsonl"
    result = run("convert", DAY1, "-o", str(target))
    assert result.exit_code == EXIT_OK
    assert len(target.read_text(encoding="utf-8").splitlines()) == 4


def test_same_input_gives_byte_identical_output(tmp_path: Path) -> None:
    for name in ("json", "jsonl", "markdown"):
        first, second = tmp_path / f"a.{name}", tmp_path / f"b.{name}"
        run("convert", str(SAMPLES), "--to", name, "-o", str(first), "-q")
        run("convert", str(SAMPLES), "--to", name, "-o", str(second), "-q")
        assert first.read_bytes() == second.read_bytes()


def test_all_formats_into_a_directory_with_a_report(tmp_path: Path) -> None:
    out = tmp_path / "out"
    report_path = tmp_path / "report.json"
    result = run("convert", str(SAMPLES), "--to", "all", "-o", str(out), "--report", str(report_path))
    assert result.exit_code == EXIT_OK
    report = json.loads(report_path.read_text())
    assert report["ok"] is True and report["summary"]["papers"] == 11
    assert {o["format"] for o in report["outputs"]} == set(registry.writer_names())
    merging = {"bibtex", "biblatex", "ris", "csljson", "rss", "atom"}  # one entry or item per arXiv id
    for output in report["outputs"]:
        # the samples list 2501.01234 and 2501.04005 twice: 11 listings of 9 papers
        assert Path(output["path"]).is_file() and output["items"] == (9 if output["format"] in merging else 11), output
        if output["format"] in merging:
            assert any("2 repeated listing(s)" in note for note in output["notes"]), output
    assert {p["code"] for p in report["problems"]} == {"toc-total-mismatch", "empty-section", "duplicate-paper"}


# --- exit codes ---------------------------------------------------------------------------


def test_exit_0_with_warnings_and_5_with_strict() -> None:
    assert run("check", AWKWARD).exit_code == EXIT_OK
    assert run("check", AWKWARD, "--strict").exit_code == EXIT_STRICT
    assert run("convert", AWKWARD, "--to", "jsonl", "--strict").exit_code == EXIT_STRICT
    assert run("check", DAY1, "--strict").exit_code == EXIT_OK


def test_check_prints_file_line_level_message() -> None:
    result = run("check", AWKWARD)
    lines = [line for line in result.stderr.splitlines() if ": warning: " in line]
    assert (
        lines[0]
        == f"{AWKWARD}:5: warning: the table of contents says cs.LG has 3 papers; 2 are listed [toc-total-mismatch]"
    )


def test_check_json_report() -> None:
    result = run("check", AWKWARD, DAY1, "--format", "json", "--strict")
    assert result.exit_code == EXIT_STRICT
    report = json.loads(result.stdout)
    assert report["exit_code"] == EXIT_STRICT and report["summary"] == {"papers": 7, "errors": 0, "warnings": 3}
    assert report["problems"][0] == {
        "source": AWKWARD,
        "line": 5,
        "level": "warning",
        "code": "toc-total-mismatch",
        "message": "the table of contents says cs.LG has 3 papers; 2 are listed",
    }


@pytest.mark.parametrize(
    "content",
    [b"", b"\x00\x01\x02\x03", b"\xff\xfe\xfa not utf-8", b"# A README\n\nNothing to see.\n"],
    ids=["empty", "binary", "invalid-utf8", "markdown-readme"],
)
def test_exit_3_for_garbage_without_traceback(tmp_path: Path, content: bytes) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(content)
    for command in (["check", str(bad)], ["convert", str(bad), "--to", "jsonl"]):
        result = run(*command)
        assert result.exit_code == EXIT_INPUT
        assert f"{bad}:" in result.stderr and ": error: " in result.stderr
        assert "Traceback" not in result.output


def test_good_parts_of_a_batch_are_still_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\x00")
    target = tmp_path / "out.jsonl"
    result = run("convert", str(bad), DAY1, str(tmp_path / "missing.md"), "-o", str(target))
    assert result.exit_code == EXIT_INPUT
    assert len(target.read_text().splitlines()) == 4
    assert "missing.md:1: error: cannot read" in result.stderr


@pytest.mark.parametrize(
    "args,message",
    [
        (["convert", DAY1, "--to", "nope"], "unknown writer 'nope'"),
        (["convert", DAY1], "give --to FORMAT"),
        (["convert", DAY1, "-o", "x.unknown"], "cannot tell the format"),
        (["convert", DAY1, "--to", "jsonl", "-o", DAY1], "refusing to overwrite an input"),
        (["convert", DAY1, "--to", "jsonl", "--from", "nope"], "unknown reader 'nope'"),
        (["convert", DAY1, "--to", "all"], "several formats need -o DIRECTORY"),
        (["convert", DAY1, "--to", "jsonl", "--date", "yesterday"], "is not a date"),
        (["check"], "Missing argument"),
    ],
)
def test_exit_2_for_usage_errors(args: list[str], message: str) -> None:
    result = run(*args)
    assert result.exit_code == EXIT_USAGE
    assert message in result.output


def test_exit_2_for_an_option_of_another_writer() -> None:
    options = registry.writer_class("json").options
    assert not options  # json takes no options, so any writer option must be refused for it
    other = next((spec for name in registry.writer_names() for spec in registry.writer_class(name).options), None)
    if other is None:
        pytest.skip("no writer declares options yet")
    flag = f"--{other.name}" if other.type != "flag" else f"--no-{other.name}"
    value = [] if other.type == "flag" else [str(other.choices[0]) if other.choices else "1"]
    result = run("convert", DAY1, "--to", "json", flag, *value)
    assert result.exit_code == EXIT_USAGE and "does not apply to --to json" in result.output


def test_exit_4_when_the_output_cannot_be_written(tmp_path: Path) -> None:
    result = run("convert", DAY1, "--to", "jsonl", "-o", str(tmp_path / "no" / "such" / "dir.jsonl"))
    assert result.exit_code == EXIT_OUTPUT and "does not exist" in result.stderr


class _FailingWriter(Writer):
    name: ClassVar[str] = "jsonl"
    description: ClassVar[str] = "fails half way"
    suffixes: ClassVar[tuple[str, ...]] = (".jsonl",)
    error: ClassVar[type[BaseException]] = RuntimeError

    def write(self, digests: Any, out: Any, options: Any) -> WriteReport:
        out.write(b"half a line")
        raise self.error("boom")


def test_exit_70_for_a_bug_and_the_output_is_untouched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "keep.jsonl"
    target.write_text("previous content\n")
    monkeypatch.setattr(registry, "get_writer", lambda name: _FailingWriter())
    result = CliRunner().invoke(main, ["convert", DAY1, "--to", "jsonl", "-o", str(target)])
    assert result.exit_code == EXIT_INTERNAL
    assert "internal error: RuntimeError: boom" in result.stderr and "Traceback" not in result.output
    assert target.read_text() == "previous content\n"
    assert sorted(os.listdir(tmp_path)) == ["keep.jsonl"]  # no temp file left behind


def test_exit_1_when_interrupted(monkeypatch: pytest.MonkeyPatch) -> None:
    def interrupted(*args: Any, **kwargs: Any) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "read_data", interrupted)
    result = CliRunner().invoke(main, ["check", DAY1])
    assert result.exit_code == EXIT_ABORTED


# --- schema -----------------------------------------------------------------------------------


def test_schema_validates_real_output(tmp_path: Path) -> None:
    document_schema = json.loads(run("schema", "document").stdout)
    paper_schema = json.loads(run("schema", "paper").stdout)
    inputs = [str(SAMPLES)] + ([str(CORPUS)] if CORPUS.is_dir() else [])
    document = json.loads(run("convert", *inputs, "--to", "json", "-q").stdout)
    jsonschema.validate(document, document_schema)
    lines = jsonl(run("convert", *inputs, "--to", "jsonl", "-q"))
    validator = jsonschema.Draft202012Validator(paper_schema)
    for line in lines:
        validator.validate(line)
    assert {"id", "url", "title"} <= set(paper_schema["required"])
    with pytest.raises(jsonschema.ValidationError):
        validator.validate({**lines[0], "authors": "not a list"})


@pytest.mark.corpus
def test_the_whole_corpus_through_check_and_convert(corpus: list[Path]) -> None:
    result = run("check", str(CORPUS))
    assert result.exit_code == EXIT_OK, result.stderr[-2000:]
    assert "SOURCES.md:1: warning: skipped" in result.stderr  # the corpus's own notes, not a digest
    assert "arxport: 36 digest(s), 6466 paper(s): 0 error(s)" in result.stderr
    assert run("check", str(CORPUS), "--strict").exit_code == EXIT_STRICT
    converted = run("convert", *map(str, corpus), "--to", "jsonl")
    assert converted.exit_code == EXIT_OK and "Traceback" not in converted.output
    records = jsonl(converted)
    assert len(records) == 6466
    per_file = Counter(r["source"]["path"] for r in records)
    for path in corpus:
        assert per_file[str(path)] == len(_BLOCK_RE.findall(path.read_text(encoding="utf-8"))), path.name
