"""The ``rss`` and ``atom`` writers: settings, then selection, then rendering."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, BinaryIO, ClassVar

from ...model import Digest
from ..base import OptionSpec, Writer, WriteReport
from .build import FeedKind, feed_head, render
from .selection import select
from .settings import FEED_OPTIONS, load_settings


class _FeedWriter(Writer):
    """Shared by both feed formats; subclasses only name their kind."""

    kind: ClassVar[FeedKind]
    options: ClassVar[tuple[OptionSpec, ...]] = FEED_OPTIONS

    @classmethod
    def check_options(cls, options: Mapping[str, Any]) -> None:
        load_settings(options)  # a bad link, language, --max-items or config file fails before any reading

    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        """One feed of every paper of ``digests``: merged by paper id (arXiv id, DOI ...), newest first.

        Raises :class:`~converters.errors.OutputError` for an undated paper, a bad
        option or config file.
        """
        settings = load_settings(options)
        selection = select(digests, settings)
        head = feed_head(selection, settings)
        for piece in render(self.kind, selection, head):
            out.write(piece)
        notes = list(selection.notes)
        if head.self_link is None:
            notes.append(
                "no --feed-self-link: feed validators expect the URL the feed is published at "
                "(it also becomes the Atom feed id)"
            )
        return WriteReport(items=len(selection.items), notes=tuple(notes))


class RssWriter(_FeedWriter):
    name: ClassVar[str] = "rss"
    description: ClassVar[str] = (
        "RSS 2.0 feed: one item per paper (arXiv id, DOI ...), newest first, merged across digests"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".rss",)
    aliases: ClassVar[tuple[str, ...]] = ("rss2",)
    kind: ClassVar[FeedKind] = "rss"


class AtomWriter(_FeedWriter):
    name: ClassVar[str] = "atom"
    description: ClassVar[str] = (
        "Atom 1.0 feed (RFC 4287): one entry per paper (arXiv id, DOI ...), newest first, merged across digests"
    )
    suffixes: ClassVar[tuple[str, ...]] = (".atom",)
    aliases: ClassVar[tuple[str, ...]] = ()
    kind: ClassVar[FeedKind] = "atom"
