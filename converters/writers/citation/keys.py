"""Citation keys: stable, unique, ASCII.

Two forms (``--key-format``):

``arxiv`` (default)
    arXiv's own rule (its "Export BibTeX citation" links): the first author's
    surname (:func:`~converters.writers.citation.names.arxiv_keyname`), the year, and the first
    four title words that are not on arXiv's stop list, run together, with
    everything but letters and digits dropped and lower-cased. Unlike arXiv,
    accents are folded to ASCII (``müller`` becomes ``muller``) and the year is
    the year of the arXiv id (the month of version 1), since a digest does not
    record the date of the latest version. A surname with no Latin letters
    becomes ``anon``.
``id``
    The arXiv identifier: ``arXiv:2511.13751``; an old-style id's slash becomes
    an underscore (``arXiv:hep-th_9901001``).

A work that is not on arXiv (a DOI, a PubMed id or a URL) has no arXiv id to
date it: its ``arxiv`` key takes the year of the digest that listed it (none
when undated, :func:`work_year_month`), and its ``id`` key is its identifier
in the same way: ``doi:10.1063_5.0319757``, ``PMID:41234567``, or ``url:``
and the URL without its scheme (``url:example.org_paper_42``), anything but
ASCII letters, digits and ``. : _ -`` turned into ``_``.

Clashes. Two papers of one run can get the same key. All papers that share a
key are ordered by arXiv id (oldest submission first; other works after every
arXiv paper, by identifier); the first keeps the bare
key and the others get ``a``, ``b``, ... ``z``, ``aa``, ``ab`` ... in that order,
skipping any key already taken. So a key depends only on the paper and on the
papers it clashes with, never on input order, and a paper added by a later
digest (a newer id) gets the next free suffix without renaming anything. Keys
of an existing file (``--merge``) are taken before any is handed out, compared
case-insensitively as BibTeX and biber do.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from functools import cache
from importlib import resources
from itertools import count, product
from string import ascii_lowercase

from ...model import Paper
from ...text.clean import clean_lines
from .names import arxiv_keyname

KEY_FORMATS: tuple[str, ...] = ("arxiv", "id")

_TITLE_WORDS = 4
# Latin letters that NFKD does not split into a base letter and a mark.
_FOLD: dict[str, str] = {
    "ß": "ss",
    "ẞ": "SS",
    "æ": "ae",
    "Æ": "AE",
    "œ": "oe",
    "Œ": "OE",
    "ø": "o",
    "Ø": "O",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
    "ð": "d",
    "Ð": "D",
    "þ": "th",
    "Þ": "TH",
    "ı": "i",
    "ħ": "h",
    "Ħ": "H",
    "ŋ": "ng",
    "Ŋ": "NG",
    "ĸ": "k",
    "ſ": "s",
}
_SEPARATOR = "\x06"  # joins the texts _fold_ascii_many folds in one pass
_NOT_KEY_CHAR_OR_SEPARATOR_RE = re.compile("[^a-z0-9" + _SEPARATOR + "]+")
_ID_KEY_UNSAFE_RE = re.compile(r"[^A-Za-z0-9.:_-]")
_URL_SCHEME_RE = re.compile(r"^https?://", re.IGNORECASE)
#: What an ``id`` key starts with, by :attr:`~converters.model.Paper.id_scheme`.
ID_KEY_PREFIXES: dict[str, str] = {"arxiv": "arXiv:", "doi": "doi:", "pmid": "PMID:", "url": "url:"}
_NEW_ID_RE = re.compile(r"^(\d{2})(\d{2})\.(\d{4,5})$")
_OLD_ID_RE = re.compile(r"^(.+)/(\d{2})(\d{2})(\d{3})$")


@cache
def stopwords() -> frozenset[str]:
    """arXiv's 317 citation-key stop words (``converters/data``, MIT licence beside it)."""
    text = resources.files("converters").joinpath("data/arxiv-bibtex-key-stopwords.txt").read_text("utf-8")
    return frozenset(line.strip() for line in text.splitlines() if line.strip())


def id_year_month(arxiv_id: str) -> tuple[int, int | None] | None:
    """(year, month) of version 1 from an arXiv id (``2511.13751`` -> (2025, 11)); None when not an id.

    Old-style ids (``hep-th/9901001``) date from 1991 to 2007: ``91``-``99`` are 19xx.
    """
    parts = _id_parts(arxiv_id)
    if parts is None:
        return None
    year, month = parts[0], parts[1]
    return year, month if 1 <= month <= 12 else None


def work_year_month(paper: Paper) -> tuple[int, int | None] | None:
    """The (year, month) a citation gives a paper: an arXiv paper's from its id (:func:`id_year_month`);
    for another work the year of its digest and no month (a digest dates nothing else), None when undated."""
    if paper.is_arxiv:
        return id_year_month(paper.id)
    return (paper.date.year, None) if paper.date is not None else None


def id_order(arxiv_id: str) -> tuple[int, int, str, int]:
    """A sort key that puts arXiv ids in submission order (year, month, then number)."""
    parts = _id_parts(arxiv_id)
    return parts if parts is not None else (9999, 99, arxiv_id, 0)  # not an arXiv id: after every real one


def _id_parts(arxiv_id: str) -> tuple[int, int, str, int] | None:
    """(year, month, archive, number) of an arXiv id; the archive is empty for a new-style id."""
    # New-style ids are nearly all there is: sliced without a regex. isdecimal() is what
    # the regex's \d accepts; anything else (a trailing newline, which $ allows) goes to it.
    if len(arxiv_id) in (9, 10) and arxiv_id[4] == "." and arxiv_id[:4].isdecimal() and arxiv_id[5:].isdecimal():
        return 2000 + int(arxiv_id[:2]), int(arxiv_id[2:4]), "", int(arxiv_id[5:])
    match = _NEW_ID_RE.match(arxiv_id)
    if match:
        return 2000 + int(match.group(1)), int(match.group(2)), "", int(match.group(3))
    match = _OLD_ID_RE.match(arxiv_id)
    if match:
        yy = int(match.group(2))
        return 1900 + yy if yy >= 91 else 2000 + yy, int(match.group(3)), match.group(1), int(match.group(4))
    return None


def arxiv_style_key(paper: Paper) -> str:
    """The bare ``arxiv`` key of a paper (see the module docstring), before clash suffixes."""
    return arxiv_style_keys([paper])[0]


def arxiv_style_keys(papers: Sequence[Paper]) -> list[str]:
    """:func:`arxiv_style_key` of each paper; the surnames and title words are folded in one batch."""
    stop = stopwords()
    # The title is lower-cased whole rather than word by word for the stop-word test:
    # folding lower-cases anyway, and folds every character of a lower-cased text
    # to what it folds the original to (checked over all of Unicode).
    titles = [
        "".join([word for word in title.lower().split(" ") if word and word not in stop][:_TITLE_WORDS])
        for title in clean_lines([paper.title for paper in papers])
    ]
    surnames = [arxiv_keyname(paper.authors[0]) if paper.authors else "" for paper in papers]
    folded = _fold_ascii_many(surnames + titles)
    keys = []
    for paper, surname, title in zip(papers, folded[: len(papers)], folded[len(papers) :], strict=True):
        when = work_year_month(paper)
        keys.append(f"{surname or 'anon'}{when[0] if when else ''}{title}")
    return keys


def _fold_ascii_many(texts: Sequence[str]) -> list[str]:
    """The lower-case ASCII letters and digits of each text (cleaned: no control character), accents
    folded and everything else dropped, all texts in one pass.

    Folding works character by character, and a control character passes NFKD
    unchanged and breaks no combining sequence, so the texts can be folded joined
    by one and split again.
    """
    if not texts:
        return []  # "".split() would give one empty text
    joined = _SEPARATOR.join(texts)
    if not joined.isascii():
        for letter, folded in _FOLD.items():  # str.translate is far slower than these C-level passes on non-ASCII text
            if letter in joined:
                joined = joined.replace(letter, folded)
        joined = unicodedata.normalize("NFKD", joined).encode("ascii", "ignore").decode("ascii")
    return _NOT_KEY_CHAR_OR_SEPARATOR_RE.sub("", joined.lower()).split(_SEPARATOR)


def id_style_key(paper: Paper) -> str:
    """``arXiv:<id>`` (``doi:``, ``PMID:``, ``url:`` for other works, a URL without its scheme), with anything
    but ASCII letters, digits and ``. : _ -`` turned into ``_``."""
    value = _URL_SCHEME_RE.sub("", paper.id) if paper.id_scheme == "url" else paper.id
    return ID_KEY_PREFIXES[paper.id_scheme] + _ID_KEY_UNSAFE_RE.sub("_", value)


def suffixes() -> Iterator[str]:
    """The clash suffixes in turn: a ... z, aa, ab ... zz, aaa ... (bijective base 26)."""
    for length in count(1):
        yield from map("".join, product(ascii_lowercase, repeat=length))


def assign_keys(papers: Sequence[Paper], key_format: str = "arxiv", taken: Iterable[str] = ()) -> list[str]:
    """One unique key per paper, in the order of ``papers`` (see the module docstring for the rule).

    ``papers`` must not repeat an id. ``taken`` holds keys that may not be
    handed out (those of an existing ``.bib``); they are compared case-insensitively.
    """
    if key_format not in KEY_FORMATS:
        raise ValueError(f"unknown key format {key_format!r}; known: {', '.join(KEY_FORMATS)}")
    bases = arxiv_style_keys(papers) if key_format == "arxiv" else [id_style_key(paper) for paper in papers]
    groups: dict[str, list[int]] = {}
    for index, base in enumerate(bases):
        groups.setdefault(base.casefold(), []).append(index)
    used = {key.casefold() for key in taken}
    keys: list[str | None] = [None] * len(papers)
    ordered = sorted(groups.items())
    for _, members in ordered:
        if len(members) > 1:
            members.sort(key=lambda i: (id_order(papers[i].id), papers[i].id))
    # Bare keys first, so that a suffixed key never takes another paper's bare key.
    for folded, members in ordered:
        if folded not in used:
            used.add(folded)
            keys[members[0]] = bases[members[0]]
    for folded, members in ordered:
        if len(members) == 1 and keys[members[0]] is not None:
            continue
        letters_in_turn = suffixes()
        for index in members:
            if keys[index] is not None:
                continue
            # Keys are ASCII (both forms), so a key with a suffix folds to the folded
            # base followed by the suffix.
            letters = next(letters_in_turn)
            while folded + letters in used:
                letters = next(letters_in_turn)
            used.add(folded + letters)
            keys[index] = bases[index] + letters
    return [key for key in keys if key is not None]
