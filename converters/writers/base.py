"""What every writer is: its contract, its options and what it reports back."""

from __future__ import annotations

import datetime as dt
import os
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

    def parse(self, value: Any, shown: str | None = None) -> Any:
        """``value`` as the writer receives it: a bool, an int within :attr:`minimum`, a date (or its ISO
        text), a choice in lower case, text; a path as text. A :class:`ValueError` naming the option
        (``shown``, else :attr:`name`) for anything else. The configuration file and the Python API
        check values with this; the CLI's click types do the same."""
        shown = shown or self.name
        if self.type == "flag":
            if isinstance(value, bool):
                return value
            raise ValueError(f"{shown} must be true or false, not {value!r}")
        if self.type == "int":
            least = self.minimum
            if isinstance(value, bool) or not isinstance(value, int) or (least is not None and value < least):
                bound = f" of at least {least}" if least is not None else ""
                raise ValueError(f"{shown} must be a whole number{bound}, not {value!r}")
            return value
        if self.type == "date":
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            try:
                if isinstance(value, str):
                    return dt.date.fromisoformat(value)
            except ValueError:
                pass
            raise ValueError(f"{shown} must be a date like 2025-11-19, not {value!r}")
        if self.type == "path" and isinstance(value, os.PathLike):
            value = os.fspath(value)
        if not isinstance(value, str):
            raise ValueError(f"{shown} must be text, not {value!r}")
        if self.type == "choice":
            if value.lower() not in self.choices:
                raise ValueError(f"{shown} must be one of {', '.join(self.choices)}, not {value!r}")
            return value.lower()
        return value


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

    #: True when :meth:`write` takes the digests once, in order, and keeps none of them: it may then be given
    #: any iterable of digests (``convert`` hands it the digests while it reads them, and a run of any size
    #: holds one digest at a time). False: ``digests`` is a sequence it may go over as often as it needs.
    single_pass: ClassVar[bool] = False

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
