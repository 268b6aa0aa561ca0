"""Author names as digests give them ("First Middle Last"), split for citation formats.

A digest carries display names only, so the split is a guess. It is made only
where it is safe: a name that is a collaboration, holds a comma or the word
``and``, or is a single word stays whole (:attr:`PersonName.literal`), which
every format can carry without mangling it. Otherwise the last word is the
family name, with a lower-case particle run before it (``van der``) and a
generational suffix after it (``Jr.``) split off; that is what BibTeX itself
would make of the name, written explicitly so every tool agrees.

:func:`arxiv_keyname` is a different rule: the one arXiv uses for the surname
part of its citation keys.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import NamedTuple

from .text import clean_line, clean_lines

#: Generational suffixes split off the end of a name (BibTeX's "Jr" part).
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
#: Particles that may start a name without a given name ("de Gaulle").
_LEADING_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "la", "le", "del", "della", "da", "di", "du", "dos", "das", "ter", "ten", "zu"}
)
# Names kept whole: organisations (a name holding one of these words), names with a
# comma, a brace or another TeX special character (which change how BibTeX and its
# parsers split names; bibtexparser 2.x mis-splits a name that starts with a
# backslash), and names holding the word "and" (BibTeX splits author lists on it, in
# any case) or "others" (et al.).
_UNSPLITTABLE_HINTS = (
    *",{}\\$&%#_~^<>|",
    "collaboration",
    "consorti",
    "team",
    "group",
    "project",
    "committee",
    "initiative",
    "alliance",
    "collective",
    "and",
    "others",
)
_UNSPLITTABLE_RE = re.compile(
    r"[,{}\\$&%#_~^<>|]|\b(?:collaborations?|consortium|consortia|team|group|project|committee|initiative|alliance|collective"
    r"|and|others)\b",
    re.IGNORECASE,
)

# arXiv's key rule (arxiv-base arxiv/authors): particles that join the surname, suffixes it drops.
_ARXIV_PARTICLES = frozenset(
    {"van", "der", "de", "la", "von", "del", "della", "da", "mac", "ter", "dem", "di", "vaziri"}
)
_ARXIV_SUFFIXES = frozenset({"i", "ii", "iii", "iv", "v", "sr", "jr", "sr.", "jr."})
_ARXIV_GROUP_RE = re.compile(r"^(.*?\b(?:collaboration|group|team))\b", re.IGNORECASE)


class PersonName(NamedTuple):
    """One author, cleaned (controls and invisible characters removed, whitespace collapsed).

    For a :attr:`literal` name (an organisation, or one that cannot be split
    safely) :attr:`family` holds the whole name and the other parts are empty.
    A split name has a family name, holds no TeX special character, and has a
    given name whenever it has a suffix.
    A named tuple rather than a dataclass: tens of thousands are made per run.
    """

    family: str
    given: str = ""
    particle: str = ""
    suffix: str = ""
    literal: bool = False

    @property
    def full(self) -> str:
        """The name in display order, as the digest gave it (after cleaning)."""
        return " ".join(part for part in (self.given, self.particle, self.family, self.suffix) if part)

    @property
    def sort_family(self) -> str:
        """Particle and family name ("van Beethoven"): what BibTeX and RIS put before the comma."""
        return f"{self.particle} {self.family}" if self.particle else self.family


def clean_name(raw: str) -> str:
    """A name without control or invisible characters, whitespace collapsed."""
    return clean_line(raw)


def split_names(raw_names: Sequence[str]) -> tuple[PersonName, ...]:
    """:func:`split_name` of each name, names that are empty after cleaning left out."""
    return split_name_lists([raw_names])[0]


def split_name_lists(name_lists: Sequence[Sequence[str]]) -> list[tuple[PersonName, ...]]:
    """:func:`split_names` of each list (one list per paper), much faster than a call per list.

    Names are cleaned, and searched for the hints of an unsplittable name, a chunk
    of lists at a time: many chunks hold no hint at all, and then no list of the
    chunk needs a test of its own. (Only the substring search is worth doing per
    chunk: "and" is in many names, so the regex that confirms a hint would run
    over nearly every chunk in full.)
    """
    out: list[tuple[PersonName, ...]] = []
    for start in range(0, len(name_lists), _LISTS_PER_TEST):
        chunk = name_lists[start : start + _LISTS_PER_TEST]
        names = clean_lines([name for raw_names in chunk for name in raw_names])
        hinted = _has_hint("\x1f".join(names).lower())
        end = 0
        for raw_names in chunk:
            begin, end = end, end + len(raw_names)
            listed = names[begin:end]
            check = hinted and _may_be_unsplittable(listed)
            out.append(tuple([_split(name, check) for name in listed if name]))
    return out


# Author lists searched together by split_name_lists (a day's digest has a few hundred papers).
_LISTS_PER_TEST = 32


def _may_be_unsplittable(names: Sequence[str]) -> bool:
    """False when no name of ``names`` is unsplittable: one search over them all instead of one per name."""
    # "\x1f" is no word character, so each name starts and ends on a word boundary as it would alone.
    joined = "\x1f".join(names)
    return _has_hint(joined.lower()) and _UNSPLITTABLE_RE.search(joined) is not None


def _has_hint(lowered: str) -> bool:
    """Whether lower-cased text holds a hint of an unsplittable name; the regex only confirms a hit."""
    return any(map(lowered.__contains__, _UNSPLITTABLE_HINTS))  # substring tests in C (map, not a generator)


def split_name(raw: str) -> PersonName | None:
    """Split a display name (see the module docstring); None when nothing is left after cleaning."""
    name = clean_line(raw)
    return _split(name, True) if name else None


def _split(name: str, check: bool) -> PersonName:
    """Split a cleaned, non-empty name; ``check`` False promises it holds nothing unsplittable."""
    given, space, family = name.rpartition(" ")
    if not space or (check and _UNSPLITTABLE_RE.search(name)):
        return PersonName(name, "", "", "", True)
    # The common case first, without splitting into words: "Given Names Family" where the
    # last given name is capitalised (no particle) and the family name is no suffix.
    last_given = given[given.rfind(" ") + 1 :]
    if last_given[:1].isupper() and not (" " in given and family.lower() in _SUFFIXES):
        return PersonName(family, given, "", "")
    words = name.split(" ")
    suffix = ""
    if len(words) >= 3 and words[-1].lower() in _SUFFIXES:
        suffix = words.pop()
    family = words.pop()
    if words[-1][:1].isupper():
        return PersonName(family, " ".join(words), "", suffix)
    start = len(words)
    # The lower-case run just before the family name is its particle; the first word
    # only joins it when it is a known particle ("de Gaulle"), since "danah boyd" has
    # a lower-case given name.
    while start > 1 and _is_lower(words[start - 1]):
        start -= 1
    if start == 1 and words[0].lower() in _LEADING_PARTICLES and all(_is_lower(w) for w in words):
        if suffix:  # "de la Garza Jr": "von Last, Jr, " with no given name trips up parsers
            return PersonName(name, "", "", "", True)
        start = 0
    return PersonName(family, " ".join(words[:start]), " ".join(words[start:]), suffix)


def _is_lower(word: str) -> bool:
    """True when the first cased character of ``word`` is lower case (BibTeX's test for a "von" word)."""
    for char in word:
        if char.isupper():
            return False
        if char.islower():
            return True
    return False


def arxiv_keyname(raw: str) -> str:
    """The surname arXiv puts in a citation key: ``"Ludwig van Beethoven"`` gives ``"van Beethoven"``.

    A ``<words> Collaboration|Group|Team`` name is kept whole; otherwise, first
    match wins: two particles and the last word, one particle and the last word,
    the word before a suffix, the last word.
    """
    name = clean_name(raw)
    lowered = name.lower()
    # The regex only when one of its words is there: besides ASCII case, re.IGNORECASE
    # matches only "ı", "İ" and "ſ" to ASCII letters, and none of these substrings has "i" or "s".
    if "team" in lowered or "group" in lowered or "collaborat" in lowered:
        group = _ARXIV_GROUP_RE.match(name)
        if group:
            return group.group(1)
    words = name.split(" ")
    if len(words) <= 1:
        return name
    before = words[-2].lower()
    if len(words) >= 3 and words[-3].lower() in _ARXIV_PARTICLES and before in _ARXIV_PARTICLES:
        return " ".join(words[-3:])
    if before in _ARXIV_PARTICLES:
        return " ".join(words[-2:])
    if words[-1].lower() in _ARXIV_SUFFIXES:
        return words[-2]
    return words[-1]
