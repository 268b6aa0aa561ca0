"""``arxport export``: a generator's data folder, incremental runs, jobs, shards, names, configuration."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import feedparser
import pybtex.database
import pytest
from click.testing import CliRunner, Result

from cli import EXIT_INPUT, EXIT_OK, EXIT_STRICT, EXIT_USAGE, main
from converters.export import digest_stem, safe_name

from .conftest import CORPUS, ROOT

DAYS = [("dw-dengwei__2026-07-01.md", "2026-07-01"), ("zihu97__2025-11-19.md", "2025-11-19")]


def run(*args: str, cwd: Path | None = None) -> Result:
    if cwd is None:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    old = Path.cwd()
    os.chdir(cwd)
    try:
        return CliRunner().invoke(main, list(args), catch_exceptions=False)
    finally:
        os.chdir(old)


@pytest.fixture
def data(tmp_path: Path, corpus: list[Path]) -> Path:
    """A folder laid out like the generator's data/: each day as Markdown, raw JSONL and AI-enhanced
    JSONL, and a broken digest."""
    folder = tmp_path / "data"
    folder.mkdir()
    for name, day in DAYS:
        shutil.copy(CORPUS / name, folder / f"{day}.md")
        records = (CORPUS / "jsonl" / (name.removesuffix(".md") + "_AI_enhanced_Chinese.jsonl")).read_text()
        (folder / f"{day}_AI_enhanced_Chinese.jsonl").write_text(records)
        raw = [json.loads(line) for line in records.splitlines() if line.strip()]
        for record in raw:
            record.pop("AI", None)
        (folder / f"{day}.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in raw))
    (folder / "2025-11-20.md").write_text(
        "### [1] [Broken](https://arxiv.org/abs/2511.00001)\n*A*\n\n<details>\nno end\n"
    )
    return folder


def files(folder: Path) -> dict[str, tuple[int, bytes]]:
    """Every output (not the cache) by name: its modification time and bytes."""
    return {
        str(p.relative_to(folder)): (p.stat().st_mtime_ns, p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.is_file() and ".arxport-cache" not in p.parts
    }


def test_a_generator_folder_gives_one_set_per_day_read_once(data: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    report = tmp_path / "report.json"
    result = run("export", str(data), "--to", "all", "--out-dir", str(site), "--report", str(report), "-j", "2")
    assert result.exit_code == EXIT_INPUT  # the broken digest
    account = json.loads(report.read_text())
    assert [Path(i["source"]).name for i in account["inputs"]] == [
        "2025-11-19_AI_enhanced_Chinese.jsonl",
        "2025-11-20.md",
        "2026-07-01_AI_enhanced_Chinese.jsonl",
    ]
    assert all("richest of 3 renderings" in i["rendering"] for i in account["inputs"] if i["papers"])
    codes = [p["code"] for p in account["problems"]]
    assert "duplicate-paper" not in codes and codes.count("rendering") == 2
    broken = next(p for p in account["problems"] if p["code"] == "unclosed-paper")
    assert broken["source"].endswith("2025-11-20.md") and broken["line"] == 1
    assert account["summary"]["outputs"] == {"written": 36, "unchanged": 0, "failed": 0}
    names = {p.name for p in site.iterdir() if p.is_file()}
    assert {"2026-07-01.bib", "2026-07-01.biblatex.bib", "2026-07-01.atom", "2025-11-19.docx"} <= names
    # every good output read by a real consumer (the writers' own tests check each in depth)
    bib = pybtex.database.parse_file(str(site / "2026-07-01.bib"))
    assert len(bib.entries) == 301
    feed = feedparser.parse((site / "2025-11-19.atom").read_bytes())
    assert not feed.bozo and len(feed.entries) == 31


def test_per_day_outputs_are_what_convert_writes_for_that_day(data: Path, tmp_path: Path) -> None:
    site, alone = tmp_path / "site", tmp_path / "alone"
    run("export", str(data), "--to", "all", "--out-dir", str(site), "-j", "1")
    day = data / "2026-07-01_AI_enhanced_Chinese.jsonl"
    assert run("convert", str(day), "--to", "all", "-o", str(alone)).exit_code == EXIT_OK
    for made in alone.iterdir():
        assert (site / made.name.replace("papers", "2026-07-01", 1)).read_bytes() == made.read_bytes(), made.name


def test_a_second_run_changes_nothing_and_a_changed_input_changes_only_its_outputs(data: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    args = ("export", str(data), "--to", "bibtex,jsonl,atom", "-g", "digest", "-g", "month", "--out-dir", str(site))
    run(*args)
    first = files(site)
    again = run(*args)
    assert files(site) == first and "0 output(s) written" in again.output
    day = data / "2025-11-19_AI_enhanced_Chinese.jsonl"
    day.write_text(day.read_text().replace('"title": "', '"title": "Revised: ', 1))
    run(*args)
    after = files(site)
    changed = {name for name in after if after[name] != first.get(name)}
    assert changed == {
        "2025-11-19.bib",
        "2025-11-19.jsonl",
        "2025-11-19.atom",
        "2025-11.bib",
        "2025-11.jsonl",
        "2025-11.atom",
    }


def test_jobs_and_shards_give_the_same_bytes(data: Path, tmp_path: Path) -> None:
    args = ("--to", "bibtex,csv,docx,rss", "-g", "digest", "-g", "category", "-g", "all")
    run("export", str(data), *args, "--out-dir", str(tmp_path / "one"), "-j", "1")
    run("export", str(data), *args, "--out-dir", str(tmp_path / "two"), "-j", "2")
    one, two = files(tmp_path / "one"), files(tmp_path / "two")
    assert {k: v[1] for k, v in one.items()} == {k: v[1] for k, v in two.items()}
    shards: dict[str, bytes] = {}
    for k in (1, 2, 3):
        run("export", str(data), "--to", "bibtex,csv", "--out-dir", str(tmp_path / f"s{k}"), "--shard", f"{k}/3")
        for name, (_, content) in files(tmp_path / f"s{k}").items():
            assert name not in shards
            shards[name] = content
    run("export", str(data), "--to", "bibtex,csv", "--out-dir", str(tmp_path / "whole"))
    assert shards == {k: v[1] for k, v in files(tmp_path / "whole").items()}


def test_category_names_from_untrusted_text_stay_safe_and_distinct() -> None:
    hostile = ["../x", "/", "CON", "con.txt", "a\x00b", "a\nb", "." * 3, "-rf", "x" * 300, "é" * 200, "cs.LG", "cs/LG"]
    names = [safe_name(text) for text in hostile]
    assert len(set(names)) == len(names)
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith((".", "-"))
        assert not any(ord(c) < 32 for c in name) and len(name.encode()) <= 130
        assert name.split(".")[0].lower() not in {"con", "prn", "aux", "nul"}
    assert safe_name("cs.LG") == "cs.LG" and digest_stem("data/2026-07-01_AI_enhanced_Chinese.jsonl") == "2026-07-01"


def test_outputs_never_leave_the_out_dir_and_never_overwrite_an_input(tmp_path: Path) -> None:
    digest = (ROOT / "samples" / "digest-2025-01-02.md").read_text()
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "day-2025-01-02.md").write_text(digest.replace("cs.CV", "../../escape"))
    result = run(
        "export", str(folder), "--to", "markdown,jsonl", "-g", "digest", "-g", "category", "--out-dir", str(folder)
    )
    assert result.exit_code == 4 and "refusing to overwrite an input" in result.output  # day-2025-01-02.md
    assert (folder / "day-2025-01-02.md").read_text() == digest.replace("cs.CV", "../../escape")
    outside = [p for p in tmp_path.rglob("*") if p.is_file() and folder not in p.parents]
    assert outside == []


def test_configuration_gives_defaults_and_the_command_line_wins(data: Path, tmp_path: Path) -> None:
    (tmp_path / "arxport.toml").write_text(
        '[export]\nto = "bibtex"\ngroup = ["all"]\nout-dir = "site"\njobs = 1\n\n'
        '[options]\nkey-format = "id"\n\n[filter]\ncategory = ["cs.CV"]\n'
    )
    assert run("export", str(data), cwd=tmp_path).exit_code == EXIT_INPUT
    merged = (tmp_path / "site" / "papers.bib").read_text()
    assert "primaryClass  = {cs.CV}" in merged and "primaryClass  = {cs.CL}" not in merged
    assert "@misc{arXiv:2606." in merged  # key-format = "id"
    run("export", str(data), "--to", "csv", "--category", "cs.CL", cwd=tmp_path)
    rows = (tmp_path / "site" / "papers.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) > 1 and all("cs.CV" not in row.split(",")[0] for row in rows[1:])
    (tmp_path / "arxport.toml").write_text("[export]\nout-dir = 3\n")
    bad = run("export", str(data), "--to", "csv", cwd=tmp_path)
    assert bad.exit_code == EXIT_USAGE and "arxport.toml:2: out-dir must be text" in bad.output


def test_strict_and_quiet(data: Path, tmp_path: Path) -> None:
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(ROOT / "samples" / "awkward-2025-01-04.md", good)
    assert run("export", str(good), "--to", "jsonl", "-d", str(tmp_path / "o"), "--strict").exit_code == EXIT_STRICT
    quiet = run("export", str(good), "--to", "jsonl", "-d", str(tmp_path / "o"), "-q")
    assert quiet.exit_code == EXIT_OK and quiet.output == ""


def test_the_github_action_runs_its_export_step_as_written(data: Path, tmp_path: Path) -> None:
    import re
    import subprocess

    import yaml

    action = yaml.safe_load((ROOT / "action.yml").read_text())
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "export")
    inputs = {name: spec.get("default", "") for name, spec in action["inputs"].items()}
    inputs.update(paths=str(data), formats="bibtex,atom", groups="digest, all", options='--feed-title "Daily papers"')
    env = {
        **os.environ,
        **{
            key: re.sub(r"\$\{\{ inputs\.([\w-]+) \}\}", lambda found: inputs[found.group(1)], value)
            for key, value in step["env"].items()
        },
        "RUNNER_TEMP": str(tmp_path),
        "GITHUB_OUTPUT": str(tmp_path / "github_output"),
        "PATH": f"{Path(shutil.which('arxport') or 'arxport').parent}{os.pathsep}{os.environ['PATH']}",
    }
    assert env["ARXPORT_OUT_DIR"] == "site"
    done = subprocess.run(["bash", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert done.returncode == EXIT_INPUT, done.stderr  # the broken digest
    assert (tmp_path / "github_output").read_text() == f"report={tmp_path}/arxport-report.json\n"
    report = json.loads((tmp_path / "arxport-report.json").read_text())
    assert {Path(o["path"]).name for o in report["outputs"]} >= {"papers.bib", "papers.atom", "2026-07-01.bib"}
    feed = feedparser.parse((tmp_path / "site" / "papers.atom").read_bytes())
    assert feed.feed.title == "Daily papers"


def test_the_pre_commit_hook_runs_as_written(tmp_path: Path) -> None:
    import re
    import shlex
    import subprocess

    import yaml

    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (tmp_path / "data").mkdir()
    good = tmp_path / "data" / "2025-01-02.md"
    shutil.copy(ROOT / "samples" / "digest-2025-01-02.md", good)
    awkward = tmp_path / "data" / "2025-01-04.md"
    shutil.copy(ROOT / "samples" / "awkward-2025-01-04.md", awkward)
    assert re.search(hook["files"], "data/2025-01-02.md") and not re.search(hook["files"], "README.md")
    command = shlex.split(hook["entry"])
    assert subprocess.run([*command, str(good)], capture_output=True).returncode == EXIT_OK
    assert subprocess.run([*command, str(good), str(awkward)], capture_output=True).returncode == EXIT_STRICT
