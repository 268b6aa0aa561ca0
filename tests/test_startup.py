"""A cheap start: ``--version`` and ``--help`` load click and nothing of arxport's library, and a text-only
run loads none of the heavy libraries other formats need (python-docx, feedgen, lxml, pydantic)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT, SAMPLES

#: Runs the command in argv[2:] in this process and prints the modules it executed as JSON on stdout's
#: last line (a LazyLoader placeholder that was never used is not executed).
RUN = """\
import json, sys, importlib.util
sys.argv = ["arxport", *sys.argv[1:]]
from cli import main
try:
    main()
except SystemExit:
    pass
lazy = importlib.util._LazyModule
print()
print(json.dumps(sorted(name for name, module in sys.modules.items() if type(module) is not lazy)))
"""
HEAVY = ("docx", "feedgen", "lxml", "pydantic", "bs4", "bibtexparser", "rispy", "concurrent", "tomllib")


def _executed(*arguments: str, cwd: Path) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", RUN, *arguments], capture_output=True, text=True, cwd=cwd, check=False, timeout=120
    )
    assert run.stdout.strip(), run.stderr
    return set(json.loads(run.stdout.strip().splitlines()[-1]))


def _roots(modules: set[str]) -> set[str]:
    return {name.split(".")[0] for name in modules}


@pytest.mark.parametrize("arguments", [["--version"], ["--help"], ["-h"]])
def test_version_and_help_load_click_and_nothing_of_arxport(arguments: list[str], tmp_path: Path) -> None:
    executed = _executed(*arguments, cwd=tmp_path)
    ours = {name for name in executed if name.split(".")[0] == "converters"}
    assert ours <= {"converters", "converters.errors", "converters.limits"}, ours
    assert "click" in executed and not _roots(executed) & set(HEAVY)


@pytest.mark.parametrize("command", ["convert", "export"])
def test_a_bibtex_run_loads_no_library_of_other_formats(command: str, tmp_path: Path) -> None:
    if command == "convert":
        arguments = ["convert", str(SAMPLES), "--to", "bibtex", "-o", str(tmp_path / "refs.bib")]
    else:
        arguments = ["export", str(SAMPLES), "--to", "bibtex", "-d", str(tmp_path / "site"), "--jobs", "1"]
    executed = _executed(*arguments, "-q", cwd=tmp_path)
    assert "converters.writers.citation.bibtex" in executed
    assert not _roots(executed) & {"docx", "feedgen", "lxml", "pydantic"}, sorted(_roots(executed))


def test_a_command_s_help_still_lists_the_writer_options(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-c", "from cli import main; main()", "convert", "--help"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert run.returncode == 0 and "--key-format" in run.stdout and "--max-items" in run.stdout
    assert run.stdout.index("--report") < run.stdout.index("--key-format")


@pytest.mark.parametrize("format", ["json", "jsonl", "csv", "markdown"])
def test_a_text_run_loads_no_library_of_other_formats(format: str, tmp_path: Path) -> None:
    executed = _executed("convert", str(SAMPLES), "--to", format, "-o", str(tmp_path / "out"), "-q", cwd=tmp_path)
    assert not _roots(executed) & {"docx", "feedgen", "lxml", "pydantic", "rispy", "bibtexparser"}, sorted(
        _roots(executed)
    )
