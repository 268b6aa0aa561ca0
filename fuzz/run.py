"""Run the fuzz harnesses under atheris (libFuzzer), each for a given time, and report their figures.

    python fuzz/run.py --seconds 600                 every harness, 10 minutes each
    python fuzz/run.py --seconds 60 --only digest    one harness
    python fuzz/run.py --runs 50                     a smoke run: 50 inputs each (what the test suite does)

Each harness runs in its own process (atheris instruments arxport's modules as
they are imported, and libFuzzer exits when done). Its working corpus is kept in
``fuzz/.work/corpus/<name>`` between runs; the seeds are rebuilt each run from
the project's digests (``fuzz/seeds.py``) into ``fuzz/.work/seeds/<name>``. An
input that breaks a promise is saved as ``fuzz/.work/crashes/<name>/crash-*``;
turn it into a test in ``tests/test_fuzz.py``. The figures of the run (time,
executions, coverage, features, corpus size, crashes) are printed as a table
and written to ``fuzz/.work/results.json``.

Run with ``PYTHONPATH=.`` from the project root (``ARXPORT_SHARED`` names the
shared corpus when it is not ``../shared``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "fuzz" / ".work"
#: libFuzzer's status lines: "#1234 NEW cov: 567 ft: 890 corp: 12/3456b ..." and the final "DONE" one.
_STATUS_RE = re.compile(r"^#(\d+)\s+(\w+)\s+cov: (\d+) ft: (\d+) corp: (\d+)/(\S+)", re.M)
_EXECS_RE = re.compile(r"stat::number_of_executed_units: (\d+)")


def child(name: str, arguments: list[str]) -> None:
    """Run one harness in this process (``run.py --child NAME -- <libFuzzer arguments>``)."""
    import atheris

    sys.path.insert(0, str(ROOT))
    with atheris.instrument_imports(include=["converters"]):
        from converters import registry

        for reader in registry.reader_names():  # import every built-in now, so that all are instrumented
            registry.reader_class(reader)
        for writer in registry.writer_names():
            registry.writer_class(writer)
        import converters.readers.digest.html_blocks  # noqa: F401  (imported lazily by the HTML reader)
        from fuzz.harnesses import HARNESSES

    target = HARNESSES[name].target
    atheris.Setup([sys.argv[0], *arguments], target)
    atheris.Fuzz()


#: Tokens libFuzzer may insert, per seed kind (markup the readers look for).
_MARKDOWN_TOKENS = (
    "\n### ",
    "\n## ",
    "\n# ",
    "\n- ",
    "\n* ",
    "**",
    "*",
    "[",
    "](",
    ")",
    "<details>",
    "</details>",
    "<summary>",
    "</summary>",
    "TL;DR:",
    "Motivation:",
    "Method:",
    "Result:",
    "Conclusion:",
    "Abstract:",
    "Main category:",
    "Authors:",
    "https://arxiv.org/abs/2501.01234",
    "http://arxiv.org/pdf/2501.01234v2",
    "https://doi.org/10.1000/x",
    "https://pubmed.ncbi.nlm.nih.gov/1/",
    "[Total: 3]",
    "(#toc)",
    "2025-01-02",
    "\n\n",
    "\r\n",
    "\u2028",
    "\x00",
    "\ufeff",
    "摘要",
    "作者",
    "一句话结论",
)
_DICTIONARIES: dict[str, tuple[str, ...]] = {
    "markdown": _MARKDOWN_TOKENS,
    "html": (*_MARKDOWN_TOKENS, "<h3>", "</h3>", "<p>", "</p>", '<a href="', '">', "</a>", "<li>", "<em>", "&amp;"),
    "jsonl": (
        '{"id": "',
        '", "categories": [',
        '"AI": {',
        '"tldr": ',
        '"summary": ',
        '"authors": [',
        "null",
        "\\u0000",
    ),
    "json": ('"format": "arxport"', '"digests": [', '"papers": [', '"id_scheme": ', '"url": ', "\\ud800", "null"),
    "jsonl-canonical": ('{"id": "', '", "version": ', '"url": ', '"id_scheme": "doi"', "\\ud800", "null"),
}


def _dict_entry(token: str) -> str:
    data = token.encode("utf-8")
    return '"' + "".join(chr(b) if 32 <= b < 127 and b not in b'"\\' else f"\\x{b:02x}" for b in data) + '"'


def run_one(
    name: str, seconds: int | None, runs: int | None, work: Path, quiet: bool, most_seeds: int | None = None
) -> dict[str, object]:
    from fuzz.harnesses import HARNESSES
    from fuzz.seeds import write_seeds

    harness = HARNESSES[name]
    corpus, seeds, crashes = work / "corpus" / name, work / "seeds" / name, work / "crashes" / name
    for folder in (corpus, crashes):
        folder.mkdir(parents=True, exist_ok=True)
    if seeds.is_dir():  # seeds are rebuilt every run: none stays from another project state
        for old in seeds.iterdir():
            old.unlink()
    seed_count = write_seeds(harness.seeds, harness.max_len, seeds, most_seeds)
    options = [
        f"-max_len={harness.max_len}",
        "-timeout=30",
        "-rss_limit_mb=4096",
        "-print_final_stats=1",
        f"-artifact_prefix={crashes}/",
    ]
    if harness.seeds in _DICTIONARIES:
        dictionary = work / "dictionaries" / f"{harness.seeds}.dict"
        dictionary.parent.mkdir(parents=True, exist_ok=True)
        dictionary.write_text("".join(f"{_dict_entry(token)}\n" for token in _DICTIONARIES[harness.seeds]))
        options.append(f"-dict={dictionary}")
    environment = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    log = work / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    texts: list[str] = []
    codes: list[int] = []
    # A crash ends a libFuzzer process: start it again (the crash is saved) until the time is up.
    while True:
        remaining = None if seconds is None else int(seconds - (time.monotonic() - started))
        if remaining is not None and remaining < 5 and codes:
            break
        limit = f"-max_total_time={max(remaining, 1)}" if remaining is not None else f"-runs={runs}"
        command = [sys.executable, str(Path(__file__).resolve()), "--child", name, "--", *options, limit]
        command += [str(corpus), str(seeds)]
        with log.open("wb") as handle:
            codes.append(subprocess.run(command, stdout=handle, stderr=subprocess.STDOUT, env=environment).returncode)
        texts.append(log.read_text("utf-8", "replace"))
        if seconds is None or codes[-1] == 0 or len(codes) > 5:
            break
    log.write_text("\n".join(texts))
    elapsed = time.monotonic() - started
    statuses = [found for text in texts for found in _STATUS_RE.findall(text)]
    executions = sum(int(found[-1]) if (found := _EXECS_RE.findall(text)) else 0 for text in texts)
    last = statuses[-1] if statuses else ("0", "", "0", "0", "0", "0b")
    code = next((c for c in codes if c != 0), 0)
    text = texts[-1] if code == 0 else texts[codes.index(code)]
    result: dict[str, object] = {
        "harness": name,
        "seconds": round(elapsed, 1),
        "executions": executions,
        "coverage": int(last[2]),
        "features": int(last[3]),
        "corpus": int(last[4]),
        "seeds": seed_count,
        "exit_code": code,
        "restarts": len(codes) - 1,
        "crashes": sorted(p.name for p in crashes.iterdir()),
        "log": str(log),
    }
    if code != 0 and not quiet:
        print(text[-4000:], file=sys.stderr)
    return result


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        child(argv[1], argv[3:] if argv[2:3] == ["--"] else argv[2:])
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    how_long = parser.add_mutually_exclusive_group(required=True)
    how_long.add_argument("--seconds", type=int, help="how long each harness runs")
    how_long.add_argument("--runs", type=int, help="how many inputs each harness runs (a smoke test)")
    parser.add_argument("--only", action="append", metavar="NAME", help="run only this harness (repeatable)")
    parser.add_argument("--work", type=Path, default=WORK, help="working folder (default fuzz/.work)")
    parser.add_argument("--seeds", type=int, metavar="N", help="start from at most N seeds per harness (default: all)")
    parser.add_argument("-q", "--quiet", action="store_true", help="no crash logs on stderr")
    arguments = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from fuzz.harnesses import HARNESSES

    names = arguments.only or list(HARNESSES)
    unknown = sorted(set(names) - set(HARNESSES))
    if unknown:
        parser.error(f"unknown harness {', '.join(unknown)}; known: {', '.join(HARNESSES)}")
    results = []
    print(f"{'harness':<14}{'seconds':>9}{'executions':>12}{'cov':>7}{'ft':>8}{'corpus':>8}  crashes", flush=True)
    for name in names:
        result = run_one(name, arguments.seconds, arguments.runs, arguments.work, arguments.quiet, arguments.seeds)
        results.append(result)
        crashes = result["crashes"]
        print(
            f"{name:<14}{result['seconds']:>9}{result['executions']:>12}{result['coverage']:>7}"
            f"{result['features']:>8}{result['corpus']:>8}  {len(crashes) if isinstance(crashes, list) else 0}"
            + ("" if result["exit_code"] == 0 else f"  (exit {result['exit_code']}, see {result['log']})"),
            flush=True,
        )
    arguments.work.mkdir(parents=True, exist_ok=True)
    out = arguments.work / "results.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update({str(r["harness"]): r for r in results})
    out.write_text(json.dumps(previous, indent=2) + "\n")
    return 0 if all(r["exit_code"] == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
