"""The CI contract: every problem counted, every failure an exit code, every documented rule tested.

A pipeline trusts three things of a run: the exit code, the summary line on
stderr and the JSON report. Each test here checks them together, so none of
them can say "fine" when something went wrong (docs/cli.md).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from cli import EXIT_OK, EXIT_STRICT, main

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
