"""One exception root for everything arxport reports to a user.

Each error carries the source position it is about (when there is one) so the
CLI can print ``file:line: message`` and pick the exit code from the class.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the CLI imports this module before anything else of arxport
    from .model import Problem, SourceSpan


class ArxportError(Exception):
    """Root of every error arxport raises on purpose. Never a bug."""

    #: The process exit code the CLI uses for this class (see ``docs/cli.md``).
    exit_code = 1

    def __init__(self, message: str, source: SourceSpan | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class InputError(ArxportError):
    """An input could not be read: not a digest, bad encoding, broken JSON ..."""

    exit_code = 3


class OutputError(ArxportError):
    """An output could not be produced or written."""

    exit_code = 4


class UsageError(ArxportError):
    """A request that cannot work whatever the inputs hold: the CLI reports it as a usage error."""

    exit_code = 2


class UnknownFormatError(UsageError):
    """A reader or writer name that the registry does not know."""


class OptionError(UsageError, TypeError):
    """A writer option that the format does not take, or a value it cannot take (the Python API's
    ``write(..., max_items="ten")``). Also a :class:`TypeError`, as for a bad keyword argument."""


class ReadError(InputError):
    """What ``read(..., strict=True)`` raises when reading found problems: every one of them is in
    :attr:`problems`, errors and warnings, in the order they were found."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        errors = sum(1 for problem in self.problems if problem.level == "error")
        shown = "\n".join(f"  {problem}" for problem in self.problems[:10])
        more = f"\n  ... and {len(self.problems) - 10} more" if len(self.problems) > 10 else ""
        super().__init__(
            f"{errors} error(s) and {len(self.problems) - errors} warning(s) while reading:\n{shown}{more}"
        )
