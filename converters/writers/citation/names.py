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

from ...text.clean import clean_line, clean_lines

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
    return split_cleaned_names(clean_name_lists([raw_names])[0])


def clean_name_lists(name_lists: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """Each list's names cleaned (:func:`clean_name`), names that are empty after cleaning left out.

    The names of many lists are cleaned as one column (:func:`clean_lines`):
    nearly all are clean already, and that is checked a chunk at a time.
    """
    names = clean_lines([name for raw_names in name_lists for name in raw_names])
    out = []
    end = 0
    for raw_names in name_lists:
        begin, end = end, end + len(raw_names)
        listed = names[begin:end]
        out.append(tuple(listed) if "" not in listed else tuple(filter(None, listed)))
    return out


def split_cleaned_names(names: Sequence[str]) -> tuple[PersonName, ...]:
    """:func:`split_name` of each cleaned, non-empty name (see :func:`clean_name_lists`)."""
    check = _may_be_unsplittable(names)
    return tuple([_split(name, check) for name in names])


def family_given(names: Sequence[str]) -> str | None:
    """Cleaned, non-empty names as ``Family, Given and Family, Given ...`` when every one splits
    the common way (given names, then a family name; no particle, no suffix); None otherwise.

    This is what a BibTeX ``author`` field holds for such names.
    """
    fields = _family_given_chunk([names])
    return None if fields is None else fields[0]


def family_given_lists(name_lists: Sequence[Sequence[str]]) -> list[str | None]:
    """:func:`family_given` of each list, a chunk of lists at a time: most chunks need no list done alone."""
    out: list[str | None] = []
    for start in range(0, len(name_lists), _LISTS_PER_CHUNK):
        chunk = name_lists[start : start + _LISTS_PER_CHUNK]
        fields = _family_given_chunk(chunk)
        out += map(family_given, chunk) if fields is None else fields
    return out


# Author lists done together by family_given_lists: a list that is not all common sends its chunk the slow way.
_LISTS_PER_CHUNK = 8


def _family_given_chunk(name_lists: Sequence[Sequence[str]]) -> list[str] | None:
    """:func:`family_given` of each list when every name of every list is common, else None.

    Fast: no :class:`PersonName` per name. One regex split cuts every name into
    its parts at once, each match taking one whole name and the separator after
    it, and the pieces show whether each name was common. (A split, not a
    substitution: Python 3.11 expands a template with group references in Python
    code, once per match.)
    """
    if not all(name_lists):
        return None
    joined = _LIST_SEPARATOR.join(map(_NAME_SEPARATOR.join, name_lists))
    lowered = joined.lower()
    if _unsplittable_in(joined, lowered):  # both separators are no word characters either
        return None
    # A word that lower-cases to a suffix ends a name only if one of these is there.
    ends = (lowered + _NAME_SEPARATOR).replace(_LIST_SEPARATOR, _NAME_SEPARATOR)
    if any(map(ends.__contains__, _SUFFIX_ENDINGS)):
        return None
    pieces = _NAME_PARTS_RE.split(joined)  # text, given..., last given initial, ...its rest, family, separator ...
    # Every name matched whole (nothing between matches), and _split's "[:1].isupper()" test, in C.
    if len(pieces) != 6 * sum(map(len, name_lists)) + 1 or any(pieces[::6]):
        return None
    if not all(map(str.isupper, pieces[2::6])):
        return None
    fields = map("{3}, {0}{1}{2}{4}".format, pieces[1::6], pieces[2::6], pieces[3::6], pieces[4::6], pieces[5::6])
    return "".join(fields).replace(_NAME_SEPARATOR, " and ").split(_LIST_SEPARATOR)


# _family_given_chunk's pattern. A cleaned name holds single spaces between words and
# no control character, so its words are runs of [^ \x1e\x1f]. A name of two words or
# more: (given names but the last, the last one's first character, its rest, family
# name, the separator after the name or "" at the end).
_NAME_SEPARATOR = "\x1f"
_LIST_SEPARATOR = "\x1e"
_NAME_PARTS_RE = re.compile(r"((?:[^ \x1e\x1f]+ )*)([^ \x1e\x1f])([^ \x1e\x1f]*) ([^ \x1e\x1f]+)([\x1e\x1f]|\Z)")
# " suffix" then the end of a name, lower-cased: a name whose family name may be a suffix.
_SUFFIX_ENDINGS = tuple(" " + suffix + _NAME_SEPARATOR for suffix in _SUFFIXES)


def _may_be_unsplittable(names: Sequence[str]) -> bool:
    """False when no name of ``names`` is unsplittable: one search over them all instead of one per name."""
    joined = _NAME_SEPARATOR.join(names)
    return _unsplittable_in(joined, joined.lower())


def _unsplittable_in(joined: str, lowered: str) -> bool:
    """Whether a name in ``joined`` (names joined by characters that are no word characters, so each
    starts and ends on a word boundary as it would alone; ``lowered`` is it lower-cased) may be
    unsplittable. Substring tests for the hints run in C; the regex only confirms a hit."""
    hinted = any(map(lowered.__contains__, _UNSPLITTABLE_HINTS))  # map, not a generator
    return hinted and _UNSPLITTABLE_RE.search(joined) is not None


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
