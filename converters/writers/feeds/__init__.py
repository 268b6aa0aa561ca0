"""``rss`` and ``atom``: one syndication feed built from any number of digests.

The main use is a rolling feed: a digest is generated every day, and the last N
days become one feed that readers subscribe to. Feed readers key items by id,
so everything here is chosen to stay put between runs: one item per version-free
arXiv id (or DOI, PubMed id, URL), dates taken from digest file names (never the clock), byte-identical
output for the same input.

* :mod:`.settings`  the options (shared by both writers) and the TOML config file;
* :mod:`.selection` which papers become items, in which order, with which dates;
* :mod:`.content`   plain text and HTML made from untrusted field values;
* :mod:`.build`     the feedgen calls that write RSS 2.0 and Atom 1.0;
* :mod:`.writer`    the two :class:`~converters.writers.base.Writer` classes.
"""

from __future__ import annotations

from .writer import AtomWriter, RssWriter

__all__ = ["AtomWriter", "RssWriter"]
