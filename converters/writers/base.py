"""What every writer is: its contract, its options and what it reports back."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, BinaryIO, ClassVar, Literal

from ..model import Digest

OptionType = Literal["text", "int", "flag", "path", "date", "choice"]


@dataclass(frozen=True, kw_only=True, slots=True)
class OptionSpec:
    """A writer-specific command-line option, declared as data.

    ``name`` is the long flag without dashes (``key-format`` gives
    ``--key-format``); the writer receives the value under :attr:`key`
    (``key_format``). The CLI builds its options from these declarations, so a
    writer never imports click. Two writers may declare the same option only
    with the same type, default, choices and minimum.

    ``minimum`` is the smallest value an ``int`` option takes (None: no bound);
    the CLI refuses smaller values and its help shows the range, so a writer
    that checks the value itself should use the same bound.
    """

    name: str
    help: str
    type: OptionType = "text"
    choices: tuple[str, ...] = ()
    default: Any = None
    metavar: str | None = None
    minimum: int | None = 0

    @property
    def key(self) -> str:
        return self.name.replace("-", "_")


@dataclass(frozen=True, kw_only=True, slots=True)
class WriteReport:
    """What a writer did: how many items (entries, rows, feed items) it wrote, and notes for the user."""

    items: int
    notes: tuple[str, ...] = ()


class Writer(ABC):
    """Turns digests into one output document.

    A writer gets every digest of the run (several inputs are merged into one
    output) and writes bytes to ``out``; text formats encode UTF-8 themselves,
    so line endings and BOMs are theirs to decide. Output must be deterministic:
    no clock, no randomness, no dependence on dict or set order of the machine.
    """

    #: Registry name (``--to``).
    name: ClassVar[str]
    #: One line for ``arxport formats``.
    description: ClassVar[str]
    #: Output file suffixes, the first one canonical (``-o refs.bib`` picks ``bibtex``).
    suffixes: ClassVar[tuple[str, ...]] = ()
    #: Other names accepted by ``--to``.
    aliases: ClassVar[tuple[str, ...]] = ()
    #: Binary outputs are never written to a terminal.
    binary: ClassVar[bool] = False
    #: Options of this writer (see :class:`OptionSpec`).
    options: ClassVar[tuple[OptionSpec, ...]] = ()

    @abstractmethod
    def write(self, digests: Sequence[Digest], out: BinaryIO, options: Mapping[str, Any]) -> WriteReport:
        """Write ``digests`` to ``out``. ``options`` holds every declared option by key, defaults filled in."""

    @classmethod  # noqa: B027  (an optional hook, empty on purpose: most writers accept any value)
    def check_options(cls, options: Mapping[str, Any]) -> None:
        """Refuse option values that can never work, before any input is read.

        Raise :class:`~converters.errors.OutputError`; the CLI reports it as a
        usage error. The default accepts everything.
        """

    @classmethod
    def default_options(cls) -> dict[str, Any]:
        return {spec.key: spec.default for spec in cls.options}
