"""The CI contract: every problem counted, every failure an exit code, every documented rule tested.

A pipeline trusts three things of a run: the exit code, the summary line on
stderr and the JSON report. Each test here checks them together, so none of
them can say "fine" when something went wrong (docs/cli.md).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result

import cli
from cli import EXIT_INPUT, EXIT_OK, EXIT_OUTPUT, EXIT_STRICT, EXIT_USAGE, main
from converters import registry

from .conftest import ROOT, SAMPLES

DAY1 = str(SAMPLES / "digest-2025-01-02.md")
DAY2 = str(SAMPLES / "digest-2025-01-03.md")
README = "# A folder of digests\n\nJust notes.\n"


def run(*args: str, input: bytes | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def summary(result: Result) -> str:
    """The summary line (the last ``arxport: N digest(s)`` line on stderr)."""
    lines = [line for line in result.stderr.splitlines() if re.match(r"arxport: \d+ digest\(s\)", line)]
    assert lines, result.stderr
    return lines[-1]


def counts(result: Result) -> str:
    return summary(result).split(": ", 2)[2]


def report_of(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def codes(report: dict[str, Any]) -> list[str]:
    return [problem["code"] for problem in report["problems"]]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A digest and a README.md that no reader recognises."""
    folder = tmp_path / "digests"
    folder.mkdir()
    shutil.copy(DAY1, folder)
    (folder / "README.md").write_text(README)
    return folder


# --- nothing read ---------------------------------------------------------------------------


@pytest.mark.parametrize("format", ["bibtex", "jsonl"], ids=["held", "streamed"])
@pytest.mark.parametrize("strict", [[], ["--strict"]], ids=["plain", "strict"])
@pytest.mark.parametrize("content", [{}, {"README.md": README}], ids=["empty-folder", "only-unknown-files"])
def test_nothing_read_is_an_input_error(
    tmp_path: Path, content: dict[str, str], strict: list[str], format: str
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in content.items():
        (folder / name).write_text(text)
    target, report_path = tmp_path / "e.out", tmp_path / "report.json"
    target.write_bytes(b"what was there before\n")
    skipped = len(content)

    result = run("convert", str(folder), "--to", format, "-o", str(target), "--report", str(report_path), *strict)
    assert result.exit_code == EXIT_INPUT
    assert f"{folder}:1: error: nothing was read: no input holds a digest [nothing-read]" in result.stderr
    assert "nothing was read; no output written" in result.stderr
    assert counts(result) == f"1 error(s), {skipped} warning(s)"
    assert target.read_bytes() == b"what was there before\n" and sorted(tmp_path.iterdir()) == sorted(
        [folder, target, report_path]
    )
    report = report_of(report_path)
    assert (report["ok"], report["exit_code"]) == (False, EXIT_INPUT)
    assert codes(report) == ["skipped"] * skipped + ["nothing-read"]
    assert report["summary"] == {"papers": 0, "errors": 1, "warnings": skipped}
    assert report["outputs"] == [
        {"format": format, "path": str(target), "status": "not-written", "reason": "nothing was read"}
    ]

    result = run("check", str(folder), *strict)
    assert result.exit_code == EXIT_INPUT and counts(result) == f"1 error(s), {skipped} warning(s)"
    report = json.loads(run("check", str(folder), "--format", "json", *strict).stdout)
    assert report["exit_code"] == EXIT_INPUT and report["summary"]["errors"] == 1


def test_a_read_digest_without_papers_is_not_nothing(tmp_path: Path) -> None:
    placeholder = tmp_path / "digest-2025-01-05.md"
    placeholder.write_text("# Table of Contents\n\nNo papers today.\n")
    result = run("check", str(placeholder))
    assert result.exit_code == EXIT_OK and "[no-papers]" in result.stderr and "[nothing-read]" not in result.stderr
    assert summary(result).startswith("arxport: 1 digest(s), 0 paper(s): 0 error(s)")


def test_an_unreadable_input_is_not_counted_twice(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\x00")
    result = run("check", str(bad))
    assert result.exit_code == EXIT_INPUT and counts(result) == "1 error(s), 0 warning(s)"
    assert "[nothing-read]" not in result.stderr  # the unreadable input already says why


# --- skipped files are warnings ------------------------------------------------------------


def test_a_skipped_file_is_a_counted_warning(folder: Path) -> None:
    readme = folder / "README.md"
    line = f"{readme}:1: warning: skipped, not a format arxport reads [skipped]"
    result = run("check", str(folder))
    assert result.exit_code == EXIT_OK
    assert line in result.stderr.splitlines() and counts(result) == "0 error(s), 1 warning(s)"

    result = run("check", str(folder), "--strict")
    assert result.exit_code == EXIT_STRICT and counts(result) == "0 error(s), 1 warning(s)"

    report = json.loads(run("check", str(folder), "--strict", "--format", "json").stdout)
    assert report["exit_code"] == EXIT_STRICT and report["skipped"] == [str(readme)]
    assert report["problems"] == [
        {
            "source": str(readme),
            "line": 1,
            "level": "warning",
            "code": "skipped",
            "message": "skipped, not a format arxport reads",
        }
    ]
    assert report["summary"] == {"papers": 4, "errors": 0, "warnings": 1}


def test_convert_strict_exits_5_on_a_skipped_file(folder: Path, tmp_path: Path) -> None:
    report_path = tmp_path / "report.json"
    result = run("convert", str(folder), "--to", "jsonl", "--strict", "--report", str(report_path), "-o", "-")
    assert result.exit_code == EXIT_STRICT and len(result.stdout.splitlines()) == 4  # still written
    assert counts(result) == "0 error(s), 1 warning(s)"
    report = report_of(report_path)
    assert report["exit_code"] == EXIT_STRICT and codes(report) == ["skipped"]
    assert report["summary"]["warnings"] == 1


def test_quiet_hides_the_skipped_warning_but_not_its_exit_code(folder: Path) -> None:
    result = run("check", str(folder), "--strict", "-q")
    assert result.exit_code == EXIT_STRICT and result.stderr == ""


# --- output failures are counted ----------------------------------------------------------------


def test_an_unwritable_output_is_a_counted_error(tmp_path: Path) -> None:
    target, report_path = tmp_path / "missing-dir" / "x.jsonl", tmp_path / "report.json"
    result = run("convert", DAY1, "-o", str(target), "--report", str(report_path))
    assert result.exit_code == EXIT_OUTPUT
    reason = f"{target}: the directory {target.parent} does not exist"
    assert f"arxport: error: {reason}" in result.stderr
    assert counts(result) == "1 error(s), 0 warning(s)"
    report = report_of(report_path)
    assert (report["ok"], report["exit_code"]) == (False, EXIT_OUTPUT)
    assert report["problems"] == [] and report["summary"] == {"papers": 4, "errors": 1, "warnings": 0}
    assert report["outputs"] == [{"format": "jsonl", "path": str(target), "status": "failed", "reason": reason}]


def test_a_feed_of_an_undated_digest_fails_that_output_only(tmp_path: Path) -> None:
    out, report_path = tmp_path / "out", tmp_path / "report.json"
    data = Path(DAY1).read_bytes()
    result = run("convert", "-", "--to", "jsonl,rss", "-o", str(out), "--report", str(report_path), input=data)
    assert result.exit_code == EXIT_OUTPUT
    assert "the digest has no date" in result.stderr and counts(result) == "1 error(s), 0 warning(s)"
    report = report_of(report_path)
    assert report["exit_code"] == EXIT_OUTPUT and report["summary"]["errors"] == 1
    jsonl, rss = report["outputs"]
    assert (jsonl["status"], jsonl["items"]) == ("written", 4) and (out / "papers.jsonl").is_file()
    assert rss["status"] == "failed" and "the digest has no date" in rss["reason"] and "items" not in rss
    assert not (out / "papers.rss").exists()


def test_output_errors_come_before_input_errors_and_both_are_counted(tmp_path: Path) -> None:
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\x00")
    report_path = tmp_path / "report.json"
    target = tmp_path / "missing-dir" / "x.jsonl"
    result = run("convert", str(bad), DAY1, "-o", str(target), "--report", str(report_path), "--strict")
    assert result.exit_code == EXIT_OUTPUT  # 4, then 3, then 5
    assert counts(result) == "2 error(s), 0 warning(s)"
    report = report_of(report_path)
    assert report["exit_code"] == EXIT_OUTPUT and report["summary"]["errors"] == 2
    assert codes(report) == ["unreadable"] and report["outputs"][0]["status"] == "failed"


def test_a_report_that_cannot_be_written_exits_4(tmp_path: Path) -> None:
    target = tmp_path / "x.jsonl"
    result = run("convert", DAY1, "-o", str(target), "--report", str(tmp_path / "no" / "such" / "r.json"))
    assert result.exit_code == EXIT_OUTPUT
    assert "arxport: error: cannot write the report: " in result.stderr and "does not exist" in result.stderr
    assert len(target.read_text().splitlines()) == 4  # the data was still written
    assert counts(result) == "0 error(s), 0 warning(s)"  # the summary is the run the report would have held


# --- where the report goes ------------------------------------------------------------------


@pytest.mark.parametrize("output", [[], ["-o", "-"]], ids=["no-o", "o-dash"])
def test_report_to_stdout_beside_data_on_stdout_is_a_usage_error(output: list[str]) -> None:
    result = run("convert", DAY1, "--to", "jsonl", *output, "--report", "-")
    assert result.exit_code == EXIT_USAGE
    assert "--report - and the output would both go to standard output" in result.output
    assert "{" not in result.stdout  # neither data nor report


def test_report_to_stdout_with_the_data_in_a_file(tmp_path: Path) -> None:
    target = tmp_path / "x.jsonl"
    result = run("convert", DAY1, "-o", str(target), "--report", "-")
    assert result.exit_code == EXIT_OK
    report = json.loads(result.stdout)  # stdout holds the report and nothing else
    assert report["outputs"][0]["path"] == str(target) and report["outputs"][0]["status"] == "written"


def test_a_report_never_replaces_an_input_or_the_output(tmp_path: Path) -> None:
    copy = tmp_path / "digest-2025-01-02.md"
    shutil.copy(DAY1, copy)
    target = tmp_path / "x.jsonl"
    for report_path, message in ((copy, "refusing to overwrite an input"), (target, "is also the output")):
        result = run("convert", str(copy), "-o", str(target), "--report", str(report_path))
        assert result.exit_code == EXIT_USAGE and message in result.output
    assert copy.read_bytes() == Path(DAY1).read_bytes() and not target.exists()


# --- small ones -------------------------------------------------------------------------------


def test_stdin_twice_is_a_usage_error() -> None:
    result = run("convert", "-", "-", "--to", "jsonl", input=b"")
    assert result.exit_code == EXIT_USAGE and "standard input (-) can be read only once" in result.output
    assert run("check", "-", "-", input=b"").exit_code == EXIT_USAGE


def test_int_options_refuse_what_their_help_excludes() -> None:
    """Every int option's range (shown in --help) is its declared minimum, and the writer accepts that minimum."""
    command = main.commands["convert"]
    params = {param.name: param for param in command.params}
    specs = {spec.name: spec for name in registry.writer_names() for spec in registry.writer_class(name).options}
    ints = [spec for spec in specs.values() if spec.type == "int"]
    assert {"max-items": 1, "max-authors": 0}.items() <= {spec.name: spec.minimum for spec in ints}.items()
    for spec in ints:
        param = params[spec.key]
        assert isinstance(param.type, click.IntRange) and param.type.min == spec.minimum, spec.name
        record = param.get_help_record(click.Context(command))
        assert record is not None and f"x>={spec.minimum}" in record[1], spec.name
        writer = next(n for n in registry.writer_names() if spec in registry.writer_class(n).options)
        result = run("convert", DAY1, "--to", writer, f"--{spec.name}", str(spec.minimum - 1))
        assert result.exit_code == EXIT_USAGE and f"is not in the range x>={spec.minimum}" in result.output
    feed = run("convert", DAY1, "--to", "rss", "--max-items", "1")
    assert feed.exit_code == EXIT_OK and "--max-items 1 left out 3" in feed.stderr


def test_a_suffix_of_another_format_is_a_warning(tmp_path: Path) -> None:
    target, report_path = tmp_path / "refs.bib", tmp_path / "report.json"
    result = run("convert", DAY1, "--to", "csv", "-o", str(target), "--report", str(report_path))
    assert result.exit_code == EXIT_OK
    message = "this suffix is bibtex's, but --to csv writes csv into it (written anyway)"
    assert f"{target}:1: warning: {message} [output-suffix]" in result.stderr
    assert counts(result) == "0 error(s), 1 warning(s)"
    assert len(list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))) == 4  # still written
    report = report_of(report_path)
    assert codes(report) == ["output-suffix"] and report["summary"]["warnings"] == 1
    strict = run("convert", DAY1, "--to", "csv", "-o", str(target), "--strict")
    assert strict.exit_code == EXIT_STRICT


@pytest.mark.parametrize(
    "name,to",
    [("refs.bib", "biblatex"), ("refs.bib", "bibtex"), ("papers.csl.json", "json"), ("notes.txt", "csv")],
)
def test_a_suffix_the_format_shares_or_no_format_claims_is_fine(tmp_path: Path, name: str, to: str) -> None:
    result = run("convert", DAY1, "--to", to, "-o", str(tmp_path / name))
    assert result.exit_code == EXIT_OK and "[output-suffix]" not in result.stderr


# --- --date fills in, never overrides -----------------------------------------------------------


def test_date_fills_in_undated_digests_only(tmp_path: Path) -> None:
    """A dated digest keeps its date, also for its undated papers (a JSON document may hold those)."""
    document = json.loads(run("convert", DAY1, "--to", "json", "-q").stdout)
    for paper in document["digests"][0]["papers"]:
        paper["date"] = None
    dated = tmp_path / "dated-digest-undated-papers.json"
    dated.write_text(json.dumps(document), encoding="utf-8")
    report_path = tmp_path / "report.json"
    args = ["convert", DAY1, str(dated), "-", "--to", "jsonl", "--date", "2030-06-07", "--report", str(report_path)]
    result = run(*args, input=Path(DAY2).read_bytes())
    assert result.exit_code == EXIT_OK
    dates = {(record["source"]["path"], record["date"]) for record in map(json.loads, result.stdout.splitlines())}
    assert dates == {(DAY1, "2025-01-02"), ("<stdin>", "2030-06-07")}  # the JSON papers keep DAY1's path
    assert len(result.stdout.splitlines()) == 4 + 4 + 2
    assert [i["date"] for i in report_of(report_path)["inputs"]] == ["2025-01-02", "2025-01-02", "2030-06-07"]


# --- the CI entry point -----------------------------------------------------------------------


def test_ci_run_compares_goldens_and_installs_only_what_tests_need(tmp_path: Path) -> None:
    """``.ci/run`` with a leaked ARXPORT_UPDATE_GOLDEN=1, every tool a test needs present and no others:
    it installs nothing and runs pytest with the goldens compared and the tools required."""
    needed = {m for f in (ROOT / "tests").glob("*.py") for m in re.findall(r'need_tool\("([^"]+)"', f.read_text())}
    assert needed, "no test needs a system tool?"
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    for tool in ("bash", "dirname"):
        found = shutil.which(tool)
        assert found is not None
        (bin_dir / tool).symlink_to(found)
    record = '#!/bin/sh\necho "${0##*/} $* UPDATE=${ARXPORT_UPDATE_GOLDEN-unset}'
    record += ' REQUIRE=${ARXPORT_REQUIRE_TOOLS-unset}" >> "$CALLS"\n'
    for stub in [*needed, "python3", "apt-get", "sudo", "id"]:
        (bin_dir / stub).write_text(record)
        (bin_dir / stub).chmod(0o755)
    env = {"PATH": str(bin_dir), "CALLS": str(log), "ARXPORT_UPDATE_GOLDEN": "1", "ARXPORT_SHARED": str(tmp_path)}
    done = subprocess.run([str(ROOT / ".ci" / "run")], env=env, capture_output=True, text=True, timeout=60)
    calls = log.read_text().splitlines() if log.exists() else []
    assert done.returncode == 0, (done.stderr, calls)
    assert not [c for c in calls if c.startswith(("apt-get", "sudo"))], f"installs a tool no test needs: {calls}"
    assert calls[-1] == "python3 -m pytest UPDATE=unset REQUIRE=1", calls


# --- the documentation ----------------------------------------------------------------------


def test_docs_list_every_exit_code_and_every_code_this_contract_adds() -> None:
    doc = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    table = doc[doc.index("## Exit codes") :]
    documented = {int(code) for code in re.findall(r"^\| (\d+) \|", table, re.M)}
    constants = {value for name, value in vars(cli).items() if name.startswith("EXIT_")}
    assert documented == constants
    for code in ("skipped", "nothing-read", "output-suffix"):
        assert re.search(rf"^\| `{code}` \| (error|warning) \|", doc, re.M), code
    assert "--report -" in doc and "not-written" in doc
