"""bibtex and biblatex writers: golden files, the real consumers over the whole corpus, keys, merging, CLI.

Consumers: pybtex (strict), bibtexparser 2 (no failed blocks), pdflatex + bibtex
(a document that cites every key, UTF-8 output and --ascii output), biber
--validate-datamodel (BibLaTeX output), and a document whose entries carry TeX
payloads, compiled to show they stay text.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import re
import subprocess
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any

import bibtexparser
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from pybtex.database import parse_string as pybtex_parse

from cli import main
from converters.errors import OutputError
from converters.model import Digest, Paper
from converters.registry import get_writer, writer_for_path
from converters.text.clean import clean_line as clean
from converters.writers.citation.bibtex import BiblatexWriter, BibtexWriter
from converters.writers.citation.keys import arxiv_style_key, assign_keys, id_style_key, id_year_month, suffixes
from converters.writers.citation.names import split_name
from converters.writers.citation.records import unique_papers
from converters.writers.shared import shown_abstract

from .conftest import SAMPLES, check_golden, check_no_stray_goldens, need_tool, read_digest, sample_files
from .test_bibtex_escaping import decode

SAMPLE_FILES = sample_files()
WRITERS = {"bibtex": BibtexWriter, "biblatex": BiblatexWriter}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]  # fmt: skip
# The preamble a user needs: amsmath/amssymb for the math kept in titles, T1 for
# letters such as "ą" (\k). -draftmode: no PDF, so no font files beyond metrics.
PREAMBLE = (
    "\\documentclass{article}\n\\usepackage[utf8]{inputenc}\n\\usepackage[T1]{fontenc}\n\\usepackage{amsmath,amssymb}\n"
)


# --- helpers ---------------------------------------------------------------------------


def write(name: str, digests: Sequence[Digest], **options: Any) -> bytes:
    writer = WRITERS[name]()
    out = io.BytesIO()
    writer.write(digests, out, {**writer.default_options(), **options})
    return out.getvalue()


def paper(**fields: Any) -> Paper:
    base: dict[str, Any] = {
        "id": "2501.01234",
        "url": "https://arxiv.org/abs/2501.01234",
        "title": "A Title",
        "authors": ("Ada Lovelace",),
        "date": dt.date(2025, 1, 2),
    }
    return Paper(**{**base, **fields})


def digest(*papers: Paper) -> list[Digest]:
    return [Digest(source="test.md", papers=papers)]


def keys_of(text: str) -> list[str]:
    return re.findall(r"^@\w+\{([^,\s]+),$", text, re.MULTILINE)


def text_segments_in_order(decoded: str, expected: str) -> bool:
    """True when every text stretch of ``decoded`` (between its math spans) occurs in ``expected``, in order.

    Math is compared loosely here (Unicode Greek becomes \\Delta, unknown commands
    are shown); test_bibtex_escaping checks it exactly.
    """
    pos = 0
    for piece in re.split(r"\$[^$]*\$", decoded):
        found = expected.find(piece, pos)
        if found < 0:
            return False
        pos = found + len(piece)
    return True


def check_text(written: str, raw: str | None) -> None:
    decoded = decode(written)
    expected = clean(raw or "")
    if "$" in decoded or "$" in expected:
        assert text_segments_in_order(decoded, expected), (decoded, expected)
    else:
        assert decoded == expected


# --- golden files ----------------------------------------------------------------------


@pytest.mark.parametrize("sample", SAMPLE_FILES, ids=[p.stem for p in SAMPLE_FILES])
@pytest.mark.parametrize("name", ["bibtex", "biblatex"])
def test_golden(name: str, sample: Path) -> None:
    check_golden(name, f"{sample.stem}.bib", write(name, [read_digest(sample)]))


@pytest.mark.parametrize("name", ["bibtex", "biblatex"])
def test_golden_samples_merged_and_options(name: str) -> None:
    digests = [read_digest(p) for p in SAMPLE_FILES]
    check_golden(name, "all-samples.bib", write(name, digests))
    check_golden(name, "all-samples.ascii.bib", write(name, digests, ascii=True))
    check_golden(name, "all-samples.id-keys.bib", write(name, digests, key_format="id"))


@pytest.mark.parametrize("name", ["bibtex", "biblatex"])
def test_golden_files_have_no_strays(name: str) -> None:
    expected = {f"{p.stem}.bib" for p in SAMPLE_FILES}
    expected |= {"all-samples.bib", "all-samples.ascii.bib", "all-samples.id-keys.bib"}
    check_no_stray_goldens(name, expected)


# --- the whole corpus through the real consumers -----------------------------------------


@pytest.fixture(scope="module")
def corpus_papers(corpus_digests: list[Digest]) -> list[Paper]:
    return unique_papers(corpus_digests)[0]


@pytest.fixture(scope="module")
def corpus_bib(corpus_digests: list[Digest]) -> dict[str, str]:
    """The corpus as every dialect and variant the consumers check, written once."""
    return {
        "bibtex": write("bibtex", corpus_digests).decode("utf-8"),
        "biblatex": write("biblatex", corpus_digests).decode("utf-8"),
        "bibtex-ascii": write("bibtex", corpus_digests, ascii=True).decode("ascii"),
    }


@pytest.fixture(scope="module")
def corpus_compiles(
    corpus_bib: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Future[str]]]:
    """pdflatex + bibtex over the corpus output, started as soon as the output exists.

    TeX runs in its own processes, so the compiles proceed on another core while
    the Python consumers (pybtex, bibtexparser) check the same output.
    """
    with ThreadPoolExecutor(2) as pool:
        yield {
            variant: pool.submit(
                _compile, tmp_path_factory.mktemp(variant), corpus_bib[variant], keys_of(corpus_bib[variant])
            )
            for variant in ("bibtex", "bibtex-ascii")
        }


def test_corpus_one_entry_per_paper_with_unique_ascii_keys(
    corpus_digests: list[Digest],
    corpus_papers: list[Paper],
    corpus_bib: dict[str, str],
    corpus_compiles: dict[str, Future[str]],
) -> None:
    listed = sum(len(d.papers) for d in corpus_digests)
    assert len(corpus_papers) == len({p.id for d in corpus_digests for p in d.papers})
    assert listed > len(corpus_papers)  # the corpus repeats papers; each is written once
    for text in corpus_bib.values():
        # the corpus holds TAB, BACKSPACE and U+200B in its fields; none reaches a file
        assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u200b-\u200f\ufeff]", text)
        keys = keys_of(text)
        assert len(keys) == len(corpus_papers)
        assert len({k.casefold() for k in keys}) == len(keys)
        assert all(re.fullmatch(r"[a-z0-9]+", k) for k in keys)
    assert keys_of(corpus_bib["bibtex"]) == keys_of(corpus_bib["biblatex"]) == keys_of(corpus_bib["bibtex-ascii"])


@pytest.mark.parametrize("dialect", ["bibtex", "biblatex"])
def test_corpus_pybtex_strict_reads_the_model_back(
    dialect: str, corpus_papers: list[Paper], corpus_bib: dict[str, str]
) -> None:
    data = pybtex_parse(corpus_bib[dialect], "bibtex")  # strict: raises on duplicate keys or bad syntax
    entries = list(data.entries.values())
    assert len(entries) == len(corpus_papers)
    for entry, source in zip(entries, corpus_papers, strict=True):
        fields = entry.fields
        assert fields["eprint"] == source.id
        assert fields["doi"] == f"10.48550/arXiv.{source.id}"
        assert fields["url"] == f"https://arxiv.org/abs/{source.id}"
        year, month = id_year_month(source.id) or (0, None)
        if dialect == "bibtex":
            assert fields["year"] == str(year) and fields["month"] == MONTHS[(month or 1) - 1]
            assert fields["archivePrefix"] == "arXiv"
        else:
            assert fields["date"] == f"{year:04d}-{month:02d}" and fields["eprinttype"] == "arxiv"
            assert fields.get("urldate") == (source.date.isoformat() if source.date else None)
        people = entry.persons.get("author", [])
        assert len(people) == len([n for n in map(split_name, source.authors) if n])
        for person, name in zip(people, [n for n in source.authors if clean(n)], strict=True):
            parts = [*person.first_names, *person.middle_names, *person.prelast_names, *person.last_names]
            assert decode(" ".join([*parts, *person.lineage_names])) == clean(name)
        check_text(fields["title"], source.title)
        check_text(fields.get("abstract", ""), shown_abstract(source))


@pytest.mark.parametrize("variant", ["bibtex", "biblatex"])
def test_corpus_bibtexparser_has_no_failed_blocks(
    variant: str, corpus_papers: list[Paper], corpus_bib: dict[str, str]
) -> None:
    library = bibtexparser.parse_string(corpus_bib[variant])
    assert not library.failed_blocks
    assert len(library.entries) == len(corpus_papers)
    summary_field = "annotation" if variant == "biblatex" else "annote"
    for entry, source in zip(library.entries, corpus_papers, strict=True):
        assert entry["eprint"] == source.id
        assert entry.entry_type == ("online" if variant == "biblatex" else "misc")
        if source.tldr and clean(source.tldr):
            assert summary_field in entry.fields_dict
            check_text(entry[summary_field].split(" Motivation: ")[0], "TL;DR: " + source.tldr)


def _compile(folder: Path, bib: str, keys: list[str], engine_options: Sequence[str] = ("-draftmode",)) -> str:
    """pdflatex, bibtex, pdflatex on a document citing ``keys``; returns the second pass's log."""
    pdflatex = need_tool("pdflatex", "texlive-latex-base")
    bibtex = need_tool("bibtex", "texlive-binaries")
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    cites = "\n".join("\\nocite{" + ",".join(keys[i : i + 40]) + "}" for i in range(0, len(keys), 40))
    document = f"{PREAMBLE}\\begin{{document}}\n{cites}\n\\bibliographystyle{{plain}}\n\\bibliography{{refs}}\n\\end{{document}}\n"
    (folder / "doc.tex").write_text(document, encoding="utf-8")
    command = [pdflatex, *engine_options, "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape", "doc.tex"]
    first = subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", check=False)
    assert first.returncode == 0, first.stdout[-3000:]
    run = subprocess.run([bibtex, "doc"], cwd=folder, capture_output=True, text=True, errors="replace", check=False)
    assert run.returncode == 0 and "Warning--" not in run.stdout, run.stdout[-3000:]
    second = subprocess.run(command, cwd=folder, capture_output=True, text=True, errors="replace", check=False)
    log = (folder / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert second.returncode == 0, log[-3000:]
    assert not re.search(r"^! ", log, re.MULTILINE), log[-3000:]
    cited = set(re.findall(r"\\bibcite\{([^}]*)\}", (folder / "doc.aux").read_text(encoding="utf-8")))
    assert cited == set(keys)
    return log


@pytest.mark.parametrize("variant", ["bibtex", "bibtex-ascii"])
def test_corpus_compiles_with_pdflatex_and_bibtex(variant: str, corpus_compiles: dict[str, Future[str]]) -> None:
    """Every key cited, plain.bst, no TeX error: the check that catches a bad escape (see :func:`_compile`)."""
    corpus_compiles[variant].result()


def _biber(folder: Path, bib: str) -> str:
    biber = need_tool("biber", "biber")
    (folder / "refs.bib").write_text(bib, encoding="utf-8")
    command = [biber, "--tool", "--validate-datamodel", "--dieondatamodel", "--nolog", "--output-file=out.bib"]
    run = subprocess.run([*command, "refs.bib"], cwd=folder, capture_output=True, text=True, errors="replace")
    output = run.stdout + run.stderr
    assert run.returncode == 0, output[-3000:]
    return output


def _biber_problems(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(("WARN", "ERROR"))]


@pytest.mark.slow
def test_corpus_biblatex_validates_with_biber(
    corpus_bib: dict[str, str], tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """biber --validate-datamodel on every entry: no error, no warning.

    biber needs about 1.5 ms per author name (the corpus has 39,000), so the
    entries are checked in one chunk per CPU, and a verdict is remembered (pytest
    cache) for the exact bytes and biber version it was given.
    """
    need_tool("biber", "biber")
    version = subprocess.run(["biber", "--version"], capture_output=True, text=True).stdout.strip()
    bib = corpus_bib["biblatex"]
    cache_key = "arxport/biber/" + hashlib.sha256((version + bib).encode()).hexdigest()
    cache = getattr(request.config, "cache", None)  # absent under -p no:cacheprovider
    if cache is not None and cache.get(cache_key, None) == "clean":
        return
    entries = bib.split("\n\n")
    chunks = os.cpu_count() or 1
    parts = ["\n\n".join(entries[i::chunks]) for i in range(chunks)]
    folders = [tmp_path / f"chunk{i}" for i in range(chunks)]
    for folder in folders:
        folder.mkdir()
    with ThreadPoolExecutor(chunks) as pool:
        outputs = list(pool.map(_biber, folders, parts))
    problems = [line for output in outputs for line in _biber_problems(output)]
    assert not problems, problems[:20]
    if cache is not None:
        cache.set(cache_key, "clean")


def test_samples_validate_with_biber(tmp_path: Path) -> None:
    bib = write("biblatex", [read_digest(p) for p in SAMPLE_FILES]).decode("utf-8")
    assert not _biber_problems(_biber(tmp_path, bib))


# --- untrusted text cannot run TeX ---------------------------------------------------------

SECRET = "SECRETFILECONTENT"
PAYLOADS = [
    r"\input{secret}",
    r"$\input{secret}$",
    r"\include{secret}",
    r"$^^5cinput{secret}$",
    r"$\csname input\endcsname{secret}$",
    r"\immediate\openout1=written.txt \immediate\write1{x}\closeout1",
    r"$\immediate\openout1=mathwritten.txt\immediate\write1{x}$",
    r"\catcode`\@=0 @input{secret}",
    r"$\def\title{HACKED}\title$",
    r"\def\bibitem{HACKED}",
    r"\write18{touch shellwritten.txt}",
    r"\end{document}",
    r"} \input{secret} {",
    r"$} \input{secret} {$",
]


def payload_digest() -> list[Digest]:
    papers = []
    for index, payload in enumerate(PAYLOADS):
        papers.append(
            paper(
                id=f"2501.{index + 10000:05d}",
                url=f"https://arxiv.org/abs/2501.{index + 10000:05d}",
                title=f"Title {index} {payload} end",
                authors=(f"Eve {payload} Mallory", "Bob Builder"),
                abstract=f"Abstract {payload}",
                comment=f"Comment {payload}",
                tldr=f"Summary {payload}",
            )
        )
    return digest(*papers)


def test_payloads_compile_and_stay_text(tmp_path: Path) -> None:
    pdftotext = need_tool("pdftotext", "poppler-utils")
    (tmp_path / "secret.tex").write_text(SECRET + "\n", encoding="utf-8")
    bib = write("bibtex", payload_digest()).decode("utf-8")
    assert not re.search(r"\\(input|include|openout|write|immediate|catcode|def|csname)(?![A-Za-z])", bib)
    log = _compile(tmp_path, bib, keys_of(bib), engine_options=())
    assert "secret.tex" not in log  # no \input ran
    assert not list(tmp_path.glob("*written.txt"))
    text = subprocess.run([pdftotext, "doc.pdf", "-"], cwd=tmp_path, capture_output=True, text=True).stdout
    assert SECRET not in text  # the secret file was never read
    shown = [line for line in text.splitlines() if "HACKED" in line]
    assert shown and all("\\def" in line for line in shown)  # only ever shown, as the payload's own text
    assert "\\input" in text or "\\ input" in text  # shown as text
    assert text.count("Title ") == len(PAYLOADS)  # every entry typeset, none swallowed
    assert pybtex_parse(bib, "bibtex") and not bibtexparser.parse_string(bib).failed_blocks


def test_payloads_validate_with_biber(tmp_path: Path) -> None:
    bib = write("biblatex", payload_digest()).decode("utf-8")
    assert not _biber_problems(_biber(tmp_path, bib))


# --- fields and their edge cases -----------------------------------------------------------


def test_bibtex_entry_shape() -> None:
    text = write(
        "bibtex",
        digest(
            paper(
                title="VOLT: Fast & Accurate 3D",
                authors=("Jean-Luc Picard Jr.", "Ludwig van Beethoven", "ATLAS Collaboration"),
                primary_category="cs.CV",
                categories=("cs.CV", "cs.AI"),
                abstract="An abstract.",
                tldr="Short.",
                motivation="Why.",
                comment="10 pages",
                version=2,
            )
        ),
    ).decode()
    assert text == (
        "@misc{picard2025voltfastaccurate,\n"
        "  title         = {{VOLT}: Fast \\& Accurate {3D}},\n"
        "  author        = {Picard, Jr., Jean-Luc and van Beethoven, Ludwig and {ATLAS Collaboration}},\n"
        "  year          = {2025},\n"
        "  month         = jan,\n"
        "  eprint        = {2501.01234},\n"
        "  archivePrefix = {arXiv},\n"
        "  primaryClass  = {cs.CV},\n"
        "  doi           = {10.48550/arXiv.2501.01234},\n"
        "  url           = {https://arxiv.org/abs/2501.01234},\n"
        "  abstract      = {An abstract.},\n"
        "  keywords      = {cs.CV, cs.AI},\n"
        "  note          = {10 pages},\n"
        "  annote        = {TL;DR: Short. Motivation: Why.},\n"
        "}\n"
    )


def test_biblatex_entry_shape() -> None:
    text = write("biblatex", digest(paper(primary_category="hep-th", version=3, tldr="T."))).decode()
    assert text == (
        "@online{lovelace2025title,\n"
        "  title       = {A Title},\n"
        "  author      = {Lovelace, Ada},\n"
        "  date        = {2025-01},\n"
        "  eprint      = {2501.01234},\n"
        "  eprinttype  = {arxiv},\n"
        "  eprintclass = {hep-th},\n"
        "  version     = {3},\n"
        "  doi         = {10.48550/arXiv.2501.01234},\n"
        "  url         = {https://arxiv.org/abs/2501.01234},\n"
        "  urldate     = {2025-01-02},\n"
        "  keywords    = {hep-th},\n"
        "  annotation  = {TL;DR: T.},\n"
        "}\n"
    )


def test_empty_values_are_left_out_and_never_crash() -> None:
    odd = paper(title="", authors=("", "\x08", " "), abstract="", tldr="", primary_category=None, date=None)
    for name in WRITERS:
        text = write(name, digest(odd)).decode()
        assert "  title" in text and "{arXiv}:2501.01234" in text  # a title is required; the id stands in
        assert "author" not in text and "abstract" not in text and "annot" not in text
        pybtex_parse(text, "bibtex")


def test_no_papers_no_entries() -> None:
    assert write("bibtex", []) == b""
    assert write("biblatex", digest()) == b""


def test_repeated_papers_are_written_once_with_the_newest_text() -> None:
    old = paper(tldr="old", date=dt.date(2025, 1, 1))
    new = paper(tldr="new", date=dt.date(2025, 1, 3))
    other = paper(id="2501.00002", url="https://arxiv.org/abs/2501.00002", title="Different")
    out = io.BytesIO()
    report = BibtexWriter().write([*digest(old, other), *digest(new)], out, BibtexWriter.default_options())
    text = out.getvalue().decode()
    assert report.items == 2 and "repeated" in report.notes[0]
    assert keys_of(text) == ["lovelace2025title", "lovelace2025different"]  # first listing's place
    assert "TL;DR: new" in text and "TL;DR: old" not in text


def test_output_is_deterministic(corpus_digests: list[Digest]) -> None:
    assert write("bibtex", corpus_digests[:5]) == write("bibtex", corpus_digests[:5])


def test_bib_suffix_picks_bibtex() -> None:
    assert writer_for_path("refs.bib") == "bibtex"
    assert get_writer("bib").name == "bibtex"


# --- citation keys ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"id": "1706.03762", "title": "Attention Is All You Need", "authors": ("Ashish Vaswani",)}, "vaswani2017attentionneed"),
        ({"id": "1512.03385", "title": "Deep Residual Learning for Image Recognition", "authors": ("Kaiming He",)}, "he2015deepresiduallearningimage"),
        ({"title": "VOLT: Fast & Accurate 3D Reconstruction", "authors": ("Seung-Woo Jeong",)}, "jeong2025voltfastaccurate"),
        ({"title": "Über $\\mathcal{O}(n)$ Systems: A Survey", "authors": ("José Müller",)}, "muller2025ubermathcalonsystemssurvey"),
        ({"title": "Symphonies", "authors": ("Ludwig van Beethoven",)}, "vanbeethoven2025symphonies"),
        ({"title": "X", "authors": ("Hugo De La Garza",)}, "delagarza2025x"),
        ({"title": "Kimi K2", "authors": ("Kimi Team",)}, "kimiteam2025kimik2"),
        ({"title": "Sur la théorie", "authors": ("Jean-Luc Picard Jr.",)}, "picard2025surlatheorie"),
        ({"title": "深度学习 Study", "authors": ("李雷",)}, "anon2025study"),
        ({"id": "hep-th/9901001", "title": "Strings", "authors": ("Ed Witten",)}, "witten1999strings"),
    ],
)  # fmt: skip
def test_arxiv_style_keys(fields: dict[str, Any], key: str) -> None:
    assert arxiv_style_key(paper(**fields)) == key


def test_id_style_keys() -> None:
    assert id_style_key(paper(id="2511.13751")) == "arXiv:2511.13751"
    assert id_style_key(paper(id="hep-th/9901001")) == "arXiv:hep-th_9901001"


def test_suffixes() -> None:
    first = list(islice(suffixes(), 703))
    assert [first[i] for i in (0, 1, 25, 26, 27, 701, 702)] == ["a", "b", "z", "aa", "ab", "zz", "aaa"]


def _clashing(*ids: str) -> list[Paper]:
    return [paper(id=i, url=f"https://arxiv.org/abs/{i}", title="Same Title") for i in ids]


def test_clashes_are_ordered_by_arxiv_id_not_input_order() -> None:
    papers = _clashing("2501.00300", "2501.00100", "2501.00200")
    assert assign_keys(papers) == ["lovelace2025titleb", "lovelace2025title", "lovelace2025titlea"]


def test_a_later_paper_does_not_rename_earlier_keys() -> None:
    first = _clashing("2501.00100", "2501.00200")
    later = _clashing("2501.00100", "2501.00200", "2501.00300")
    assert assign_keys(later)[:2] == assign_keys(first)


def test_taken_keys_are_skipped_case_insensitively() -> None:
    papers = _clashing("2501.00100", "2501.00200")
    assert assign_keys(papers, taken=["Lovelace2025Title", "lovelace2025titlea"]) == [
        "lovelace2025titleb",
        "lovelace2025titlec",
    ]


def test_a_suffixed_key_never_takes_another_papers_bare_key() -> None:
    papers = [*_clashing("2501.00100", "2501.00200"), paper(id="2501.00300", title="Same Titlea")]
    keys = assign_keys(papers)
    assert keys[2] == "lovelace2025titlea" and keys[1] == "lovelace2025titleb"


id_numbers = st.lists(st.integers(min_value=10000, max_value=10060), min_size=1, max_size=12, unique=True)


@settings(max_examples=100)
@given(id_numbers, st.randoms(use_true_random=False), st.sampled_from(["arxiv", "id"]))
def test_keys_are_unique_and_independent_of_order(numbers: list[int], rng: Any, key_format: str) -> None:
    papers = [
        paper(id=f"2501.{n:05d}", url=f"https://arxiv.org/abs/2501.{n:05d}", title=["A", "B", "A b"][n % 3])
        for n in numbers
    ]
    keys = dict(zip((p.id for p in papers), assign_keys(papers, key_format), strict=True))
    shuffled = papers[:]
    rng.shuffle(shuffled)
    assert dict(zip((p.id for p in shuffled), assign_keys(shuffled, key_format), strict=True)) == keys
    assert len({k.casefold() for k in keys.values()}) == len(keys)
    assert all(k.isascii() for k in keys.values())


# --- merging into an existing .bib -----------------------------------------------------------

EXISTING = """% my references
@string{acm = "ACM"}

@misc{vaswani2023attentionneed,
      title={Attention Is All You Need},
      author={Ashish Vaswani and Noam Shazeer},
      year={2023},
      eprint={1706.03762v7},
      archivePrefix={arXiv},
}

@article{scholar,
  title = {Deep residual learning},
  journal = {arXiv preprint arXiv:1512.03385},
}

@online{doionly, title = {X}, doi = {10.48550/ARXIV.2501.00001}}

@book{lovelace2025title, title = {Not an arXiv paper}, publisher = acm}
"""


def _merge_papers() -> list[Digest]:
    return digest(
        paper(id="1706.03762", url="https://arxiv.org/abs/1706.03762v2", title="Attention Is All You Need"),
        paper(id="1512.03385", url="https://arxiv.org/abs/1512.03385", title="Deep Residual Learning"),
        paper(id="2501.00001", url="https://arxiv.org/abs/2501.00001", title="X"),
        paper(),  # new, and its key is taken by the @book
    )


@pytest.mark.parametrize("name", ["bibtex", "biblatex"])
def test_merge_keeps_the_file_and_adds_only_new_papers(name: str, tmp_path: Path) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_text(EXISTING, encoding="utf-8")
    out = io.BytesIO()
    writer = WRITERS[name]()
    report = writer.write(_merge_papers(), out, {**writer.default_options(), "merge": str(refs)})
    text = out.getvalue().decode()
    assert text.startswith(EXISTING)
    assert keys_of(text[len(EXISTING) :]) == ["lovelace2025titlea"]
    assert report.items == 1 and "skipped 3 paper(s)" in " ".join(report.notes)
    assert len(pybtex_parse(text, "bibtex").entries) == 5  # strict: no duplicate key
    assert not bibtexparser.parse_string(text).failed_blocks
    # merging again adds nothing: the run is idempotent
    refs.write_bytes(out.getvalue())
    again = io.BytesIO()
    assert writer.write(_merge_papers(), again, {**writer.default_options(), "merge": str(refs)}).items == 0
    assert again.getvalue() == out.getvalue()


def test_merge_keeps_crlf_and_failed_blocks(tmp_path: Path) -> None:
    refs = tmp_path / "refs.bib"
    existing = "@misc{broken title={x}\r\n\r\n@misc{ok, title={y}}\r\n"
    refs.write_bytes(existing.encode())
    out = io.BytesIO()
    report = BibtexWriter().write(digest(paper()), out, {**BibtexWriter.default_options(), "merge": str(refs)})
    data = out.getvalue()
    assert data.startswith(existing.encode()) and b"\n@misc{lovelace2025title,\r\n" in data
    assert any("cannot read" in note for note in report.notes)


def test_merge_into_an_empty_file(tmp_path: Path) -> None:
    refs = tmp_path / "refs.bib"
    refs.write_bytes(b"")
    out = io.BytesIO()
    BibtexWriter().write(digest(paper()), out, {**BibtexWriter.default_options(), "merge": str(refs)})
    assert out.getvalue() == write("bibtex", digest(paper()))


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), (b"@misc{a, title={\xe9}}", "not UTF-8"), ("dir", "directory")],
)
def test_merge_errors_are_output_errors(content: bytes | str | None, message: str, tmp_path: Path) -> None:
    refs = tmp_path / "refs.bib"
    if content == "dir":
        refs.mkdir()
    elif isinstance(content, bytes):
        refs.write_bytes(content)
    with pytest.raises(OutputError, match=message):
        BibtexWriter().write(digest(paper()), io.BytesIO(), {**BibtexWriter.default_options(), "merge": str(refs)})


# --- the command line -----------------------------------------------------------------------


def test_cli_options(tmp_path: Path) -> None:
    sample = str(SAMPLE_FILES[0])
    runner = CliRunner()
    result = runner.invoke(main, ["convert", sample, "--to", "bibtex", "--key-format", "id", "--ascii", "-q"])
    assert result.exit_code == 0, result.output
    assert result.stdout.isascii() and "@misc{arXiv:" in result.stdout

    target = tmp_path / "refs.bib"
    target.write_text(EXISTING, encoding="utf-8")
    args = ["convert", sample, "-o", str(target), "--merge", str(target), "-q"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    merged = target.read_text(encoding="utf-8")
    assert merged.startswith(EXISTING) and keys_of(merged[len(EXISTING) :])

    # a missing --merge file is refused before any input is read, as a usage error
    result = runner.invoke(main, ["convert", sample, "--to", "biblatex", "--merge", str(tmp_path / "missing.bib")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_writers_need_no_heavy_imports() -> None:
    code = (
        "import sys, io; from converters.writers.citation.bibtex import BibtexWriter; "
        "BibtexWriter().write([], io.BytesIO(), BibtexWriter.default_options()); "
        "print(sorted(m for m in ('bibtexparser', 'pylatexenc', 'rispy', 'docx', 'lxml') if m in sys.modules))"
    )
    run = subprocess.run(["python", "-c", code], capture_output=True, text=True, check=True, cwd=SAMPLES.parent)
    assert run.stdout.strip() == "[]"
