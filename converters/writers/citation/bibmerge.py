"""Reading an existing ``.bib`` file for ``--merge``: its text, its keys and the papers it holds.

The file is parsed with bibtexparser v2 (imported here only, so a plain export
never pays for it). Its text is kept byte for byte: merging appends new entries
after it and never rewrites what was there. A paper counts as present when any
entry names its arXiv id, in any version, in one of the ways exporters do:
``eprint`` (arXiv's own export, BibLaTeX, JabRef), ``arxivid`` / ``arxiv``
(Mendeley, others), the arXiv DOI ``10.48550/arXiv.<id>``, an arxiv.org
``abs``/``pdf`` URL, or ``arXiv:<id>`` in any field (Google Scholar's
``journal = {arXiv preprint arXiv:...}``).

A work that is not on arXiv counts as present when an entry's ``doi`` field
names its DOI (bare, ``doi:`` or a resolver URL; DOIs compare
case-insensitively), its ``pmid`` field its PubMed id, or its ``url`` field
its link (a DOI resolver or PubMed URL counts as that DOI or PubMed id).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from ...errors import OutputError
from ...model import Paper, parse_arxiv_id, parse_work_link
from ..shared import uri

_ID = r"(\d{4}\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?"
# arXiv ids in free text: "arXiv:2501.01234v2", "10.48550/arXiv.2501.01234", "arxiv.org/abs/..."
_MENTION_RE = re.compile(
    r"(?:arxiv\s*:\s*|10\.48550/arxiv\.|arxiv\.org/(?:abs|pdf)/)" + _ID,
    re.IGNORECASE,
)
_ID_FIELDS = ("eprint", "arxivid", "arxiv", "arxiv_id")
# Every "@type{key," of the file, failed blocks included: keys that must not be handed out again.
_KEY_RE = re.compile(r"@\s*([A-Za-z]+)\s*[{(]\s*([^,\s{}()]+)\s*,")
_NOT_ENTRIES = frozenset({"comment", "string", "preamble"})
_PMID_RE = re.compile(r"\d{1,9}", re.ASCII)


@dataclass(frozen=True, slots=True)
class ExistingBib:
    """An existing bibliography: its text as read, its keys, the arXiv ids and the other works it cites."""

    path: str
    text: str
    keys: frozenset[str]
    arxiv_ids: frozenset[str]
    entries: int
    failed_blocks: int
    #: (scheme, id) of every other work it names (:func:`work_key`): DOIs, PubMed ids, URLs.
    works: frozenset[tuple[str, str]] = frozenset()

    def cites(self, paper: Paper) -> bool:
        """Whether an entry already names ``paper`` (see the module docstring)."""
        if paper.is_arxiv:
            return paper.id in self.arxiv_ids
        return work_key(paper.id_scheme, paper.id) in self.works


def work_key(scheme: str, identifier: str) -> tuple[str, str]:
    """How a non-arXiv work is compared: DOIs percent-decoded and case-insensitively, URLs as URIs
    (:func:`~converters.writers.shared.uri`, as the writers write them), PubMed ids as they are."""
    if scheme == "doi":
        return (scheme, unquote(identifier).lower())
    return (scheme, uri(identifier) if scheme == "url" else identifier)


def _work_in_field(name: str, value: str) -> tuple[str, str] | None:
    """The work a ``doi``, ``pmid`` or ``url`` field names, as :func:`work_key`; None for other fields."""
    value = value.strip().strip('{}"').strip()
    found = None
    if name == "doi":
        found = parse_work_link(value if value.lower().startswith(("http", "doi:")) else "doi:" + value)
    elif name == "pmid":
        return work_key("pmid", value) if _PMID_RE.fullmatch(value) else None
    elif name == "url":
        found = parse_work_link(value, any_url=True)
    return work_key(found.scheme, found.id) if found is not None and found.scheme != "arxiv" else None


def read_existing(path: str) -> ExistingBib:
    """Read and parse ``path``; :class:`OutputError` when it is missing, unreadable or not UTF-8."""
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise OutputError(f"--merge: {path} does not exist (create an empty file to start a bibliography)") from None
    except IsADirectoryError:
        raise OutputError(f"--merge: {path} is a directory, not a .bib file") from None
    except OSError as exc:
        raise OutputError(f"--merge: cannot read {path}: {exc.strerror or exc}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise OutputError(
            f"--merge: {path} is not UTF-8 (byte {data[exc.start : exc.start + 1].hex()} at offset {exc.start});"
            " convert it to UTF-8 first"
        ) from None
    return parse_existing(text, path)


def parse_existing(text: str, path: str = "<merge>") -> ExistingBib:
    """The keys, arXiv ids and other works of a ``.bib`` text (see the module docstring)."""
    from bibtexparser.entrypoint import parse_string

    logger = logging.getLogger("bibtexparser")
    propagate = logger.propagate
    logger.propagate = False  # failed blocks are counted and reported, not logged
    try:
        library = parse_string(text)
    except Exception as exc:  # bibtexparser reports errors as blocks; anything else is a bug there
        raise OutputError(f"--merge: cannot parse {path}: {exc}") from None
    finally:
        logger.propagate = propagate
    keys = {match.group(2) for match in _KEY_RE.finditer(text) if match.group(1).lower() not in _NOT_ENTRIES}
    ids: set[str] = set()
    works: set[tuple[str, str]] = set()
    for entry in library.entries:
        keys.add(entry.key)
        for field in entry.fields:
            value = str(field.value)
            work = _work_in_field(field.key.lower(), value)
            if work is not None:
                works.add(work)
            if field.key.lower() in _ID_FIELDS:
                found = parse_arxiv_id(value.strip().strip('{}"').strip())
                if found:
                    ids.add(found[0])
            for match in _MENTION_RE.finditer(value):
                found = parse_arxiv_id(match.group(1))
                if found:
                    ids.add(found[0])
    return ExistingBib(
        path=path,
        text=text,
        keys=frozenset(keys),
        arxiv_ids=frozenset(ids),
        entries=len(library.entries),
        failed_blocks=len(library.failed_blocks),
        works=frozenset(works),
    )
