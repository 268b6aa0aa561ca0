"""The canonical paper model: the one thing readers produce and writers consume.

Everything here is a frozen dataclass holding tuples, so a value read once can be
shared by every writer without defensive copies. Field values are kept exactly as
the input carried them (trailing spaces, control characters, multi-line text):
deciding how to render or strip them is each writer's job.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple, TypeVar

from .errors import one_line_text

#: How much a problem matters: an ``error`` lost data (an input or a paper), a ``warning`` says something
#: is off, an ``info`` says what was decided (which rendering of a digest was read); only errors and
#: warnings count, and ``--strict`` fails on warnings only.
Level = Literal["error", "warning", "info"]

#: The AI-written fields, in the order every digest template shows them.
AI_FIELDS: tuple[str, ...] = ("tldr", "motivation", "method", "result", "conclusion")

#: Where a reader keeps the text of an AI field that holds a failure message instead of a summary
#: ("Summary generation failed", "Error: API quota exceeded", "达到API配额限制"): the field itself is
#: left empty (None) and the text goes to ``Paper.extra`` under this key, so no writer passes it on
#: as a summary while the ``markdown`` writer can still put it back where it was.
AI_FAILURE_KEYS: dict[str, str] = {
    "tldr": "TL;DR (AI failure)",
    "motivation": "Motivation (AI failure)",
    "method": "Method (AI failure)",
    "result": "Result (AI failure)",
    "conclusion": "Conclusion (AI failure)",
}

ABS_URL = "https://arxiv.org/abs/"
PDF_URL = "https://arxiv.org/pdf/"
DOI_PREFIX = "10.48550/arXiv."
DOI_RESOLVER = "https://doi.org/"
PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/"

#: What can identify a paper (``Paper.id_scheme``): an arXiv id, a DOI, a PubMed id, or only a URL.
ID_SCHEMES: tuple[str, ...] = ("arxiv", "doi", "pmid", "url")

# New-style ids (YYMM.NNNN / YYMM.NNNNN) and old-style ids (archive[.SUB]/YYMMNNN); ASCII digits only.
_ID_RE = re.compile(r"(?P<id>\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v(?P<version>\d+))?", re.ASCII)
_URL_ID_RE = re.compile(r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf|html)/(?P<rest>.+?)(?:\.pdf)?/?$")
# Pages that name an arXiv paper by its id without being on arxiv.org (Hugging Face papers, alphaXiv, papers.cool ...).
_MIRROR_ID_RE = re.compile(
    r"^https?://(?:www\.)?(?:huggingface\.co/papers|alphaxiv\.org/(?:abs|overview)|papers\.cool/arxiv"
    r"|arxiv-sanity-lite\.com/\?rank=pid&pid=|scholar\.archive\.org/arxiv)/?(?P<rest>[^/?#\s]+)/?$"
)
# A DOI (10.NNNN/suffix) as a resolver URL or with a "doi:" prefix; the suffix runs to white space.
# "Not white space" excludes what no identifier holds either: controls, DEL, surrogates and U+FFFE/U+FFFF.
_ID_CHAR = "[^\\s\x00-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
_DOI_RE = re.compile(rf"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)(?P<doi>10\.\d{{4,9}}/{_ID_CHAR}+)$", re.I)
_PUBMED_RE = re.compile(
    r"^https?://(?:pubmed\.ncbi\.nlm\.nih\.gov/|(?:www\.)?ncbi\.nlm\.nih\.gov/pubmed/)(?P<pmid>\d{1,9})/?(?:[?#]\S*)?$"
)
# A host (which must hold a dot between two characters, checked apart) and the rest: one way to match, so
# the time is linear (a host pattern around its dot backtracked quadratically on "a.a.a.a... ").
_HTTP_URL_RE = re.compile(rf"^https?://(?P<host>[^/?#{_ID_CHAR[2:-1]}]+)(?:[/?#]{_ID_CHAR}*)?$", re.I)


@dataclass(frozen=True, kw_only=True, slots=True)
class SourceSpan:
    """Where something was read from: a path (or ``<stdin>``) and a 1-based line."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{one_line_text(self.path)}:{self.line}"


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem:
    """Something wrong with an input that did not stop it from being read.

    ``code`` is a stable, machine-readable name (``toc-total-mismatch``,
    ``duplicate-paper`` ...) so a pipeline can filter on it.
    """

    level: Level
    code: str
    message: str
    source: SourceSpan

    def __str__(self) -> str:
        """``file:line: level: message [code]``, always one line (see :func:`one_line_text`)."""
        return f"{self.source}: {self.level}: {one_line_text(self.message)} [{one_line_text(self.code)}]"


@dataclass(frozen=True, kw_only=True, slots=True)
class Paper:
    """One paper (or other work) as a digest listed it.

    ``id`` is what identifies it, in the scheme ``id_scheme`` names: an arXiv
    id (``2511.13751``, never with a version; the usual case), a DOI
    (``10.1063/5.0319757``), a PubMed id, or, for any other work, its URL.
    ``version`` holds the ``vN`` of an arXiv link when it had one, and ``url``
    is the link exactly as given. ``abstract_translation`` is an abstract the
    digest gave in another language beside (or instead of) the original.
    ``extra`` keeps every other labelled field the input carried (``Selection
    reason``, ``Keywords`` ...), in input order. ``date`` is the date of the
    digest the paper came from (a crawl date, not an arXiv date).
    """

    id: str
    version: int | None = None
    url: str
    title: str
    authors: tuple[str, ...] = ()
    primary_category: str | None = None
    categories: tuple[str, ...] = ()
    section: str | None = None
    number: int | None = None
    tldr: str | None = None
    motivation: str | None = None
    method: str | None = None
    result: str | None = None
    conclusion: str | None = None
    abstract: str | None = None
    comment: str | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    date: dt.date | None = None
    source: SourceSpan | None = None
    # Added after the first release: at the end, so the JSON Lines keys before them keep their order.
    id_scheme: str = "arxiv"
    abstract_translation: str | None = None

    @property
    def category(self) -> str | None:
        """The primary category, or the section it was listed under when unknown."""
        return self.primary_category or self.section

    @property
    def is_arxiv(self) -> bool:
        return self.id_scheme == "arxiv"

    @property
    def link(self) -> str:
        """The canonical landing page: arXiv's abstract page, the DOI resolver's, PubMed's, or the URL itself."""
        if self.id_scheme == "arxiv":
            return ABS_URL + self.id
        if self.id_scheme == "doi":
            return DOI_RESOLVER + self.id
        if self.id_scheme == "pmid":
            return f"{PUBMED_URL}{self.id}/"
        return self.id

    @property
    def abs_url(self) -> str | None:
        """The canonical, version-free arXiv abstract page (None for a paper not on arXiv)."""
        return ABS_URL + self.id if self.id_scheme == "arxiv" else None

    @property
    def pdf_url(self) -> str | None:
        """The version-free arXiv PDF (None for a paper not on arXiv)."""
        return PDF_URL + self.id if self.id_scheme == "arxiv" else None

    @property
    def doi(self) -> str | None:
        """arXiv's DataCite DOI (version-free) for an arXiv paper, the DOI of a DOI-identified work, else None."""
        if self.id_scheme == "arxiv":
            return DOI_PREFIX + self.id
        return self.id if self.id_scheme == "doi" else None

    @property
    def versioned_id(self) -> str:
        """The arXiv id with its ``vN`` when the link had one; the plain ``id`` for other schemes."""
        return f"{self.id}v{self.version}" if self.version is not None else self.id

    @property
    def label(self) -> str:
        """How a reader names the paper in text: ``arXiv:2511.13751v2``, ``doi:10.1063/5.03``, ``PMID:123``, or the URL."""
        if self.id_scheme == "arxiv":
            return f"arXiv:{self.versioned_id}"
        if self.id_scheme == "doi":
            return f"doi:{self.id}"
        if self.id_scheme == "pmid":
            return f"PMID:{self.id}"
        return self.id


@dataclass(frozen=True, kw_only=True, slots=True)
class TocEntry:
    """One line of a digest's table of contents: a category and its stated total."""

    category: str
    total: int | None = None
    anchor: str | None = None
    line: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Section:
    """A category heading of a digest, in file order (empty sections included)."""

    category: str
    line: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Digest:
    """One input file: its papers, its structure and what was wrong with it.

    ``template`` names the generator layout it was read as (``v3``, ``v2``,
    ``v1``, ``v0``, ``restyle`` ...); ``author_separator`` is how that file joined
    author names. Both exist so that a digest can be written back exactly.
    """

    source: str
    date: dt.date | None = None
    title: str | None = None
    template: str | None = None
    author_separator: str = ","
    toc: tuple[TocEntry, ...] = ()
    sections: tuple[Section, ...] = ()
    papers: tuple[Paper, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "error")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.level == "warning")


_T = TypeVar("_T")


def fast_constructor(cls: type[_T]) -> Callable[..., _T]:
    """A function that builds ``cls`` from every field's value, by position in field order, several times faster.

    For the frozen, slotted dataclasses above, when a reader builds one per paper.
    Their generated ``__init__`` sets each field through ``object.__setattr__``
    (that is how it gets past the frozen ``__setattr__``), and a call with 19
    keywords has to match each keyword to its parameter: together ~6 us for a
    :class:`Paper`, a fifth of what the Markdown reader spent on a paper. This
    function takes the values positionally and builds the instance as a plain
    class with the same slots in the same order, where each field is one
    ordinary attribute store, and then makes it a ``cls``: Python allows that
    ``__class__`` assignment because the two layouts are identical. The result is
    an ordinary, frozen ``cls`` instance, equal to ``cls(**values)``. Its
    parameters are the fields, in order, none optional (the code is generated
    from the fields, as dataclasses generates ``__init__``).
    """
    target: Any = cls
    if not target.__dataclass_params__.frozen or "__slots__" not in vars(target) or hasattr(target, "__post_init__"):
        raise TypeError(f"{target.__name__} is not a frozen, slotted dataclass without __post_init__")
    names = [f.name for f in dataclasses.fields(target)]
    twin = type(f"_{target.__name__}Twin", (), {"__slots__": target.__slots__})
    namespace: dict[str, Any] = {"_new": object.__new__, "_twin": twin, "_cls": target}
    body = "".join(f"    self.{name} = {name}\n" for name in names)
    code = f"def new_{target.__name__}({', '.join(names)}, /):\n    self = _new(_twin)\n{body}"
    exec(code + "    self.__class__ = _cls\n    return self\n", namespace)
    built: Callable[..., _T] = namespace[f"new_{target.__name__}"]
    return built


#: ``Paper`` and ``SourceSpan`` from every field, by position (see :func:`fast_constructor`).
new_paper = fast_constructor(Paper)
new_span = fast_constructor(SourceSpan)


def iter_papers(digests: Iterable[Digest]) -> Iterator[Paper]:
    """Every paper of every digest, in input order."""
    for digest in digests:
        yield from digest.papers


class WorkId(NamedTuple):
    """What a link identifies: (scheme, id, version); see :attr:`Paper.id_scheme`."""

    scheme: str
    id: str
    version: int | None = None


def parse_work_link(url: str, *, any_url: bool = False) -> WorkId | None:
    """The work a link names: an arXiv paper (arxiv.org, arXiv's DOI, or a page keyed by the arXiv id),
    a DOI, a PubMed id, or (with ``any_url``) any other http(s) URL. None when it names none."""
    url = url.strip()
    found = parse_arxiv_id(url)
    if found is not None:
        return WorkId("arxiv", *found)
    mirror = _MIRROR_ID_RE.match(url)
    if mirror:
        found = parse_arxiv_id(mirror.group("rest"))
        if found is not None:
            return WorkId("arxiv", *found)
    doi = _DOI_RE.match(url)
    if doi:
        value = doi.group("doi").rstrip(".,;")
        if value.lower().startswith(DOI_PREFIX.lower()):
            found = parse_arxiv_id(value[len(DOI_PREFIX) :])
            if found is not None:
                return WorkId("arxiv", found[0])  # arXiv's DOI names no version
        return WorkId("doi", value)
    pubmed = _PUBMED_RE.match(url)
    if pubmed:
        return WorkId("pmid", pubmed.group("pmid"))
    if any_url:
        web = _HTTP_URL_RE.match(url)
        if web is not None and "." in web.group("host")[1:-1]:
            return WorkId("url", url)
    return None


def parse_arxiv_id(text: str) -> tuple[str, int | None] | None:
    """Split an arXiv id or abs/pdf URL into (version-free id, version).

    Accepts ``2511.13751``, ``2511.13751v2``, ``hep-th/9901001v2`` and URLs such
    as ``http://arxiv.org/pdf/2506.06333v1``. Returns None when nothing in
    ``text`` is an arXiv id.
    """
    if text.startswith((ABS_URL, PDF_URL)):  # the common cases (both prefixes are as long), without the URL regex
        found = _ID_RE.fullmatch(text, len(ABS_URL))
        if found:
            arxiv_id, version = found.groups()
            return arxiv_id, int(version) if version is not None else None
    match = _URL_ID_RE.match(text)
    candidate = match.group("rest") if match else text
    found = _ID_RE.fullmatch(candidate)
    if not found:
        return None
    version = found.group("version")
    return found.group("id"), int(version) if version is not None else None
