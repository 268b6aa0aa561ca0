"""One exception root for everything arxport reports to a user.

Each error carries the source position it is about (when there is one) so the
CLI can print ``file:line: message`` and pick the exit code from the class.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: the CLI imports this module before anything else of arxport
    from .model import Problem, SourceSpan

# What would end or rewrite a line of a terminal or a CI log: C0 and C1 controls (ESC included), DEL and the
# Unicode line and paragraph separators.
_UNPRINTABLE_IN_LINE_RE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line_text(text: str) -> str:
    """``text`` safe inside one line of output: each control or line separator shown as its escape
    (``\\n``, ``\\x1b``, ``\\u2028``), so a message quoting hostile input can never forge another line."""
    if text.isprintable():
        return text
    return _UNPRINTABLE_IN_LINE_RE.sub(lambda m: repr(m.group())[1:-1], text)


class ArxportError(Exception):
    """Root of every error arxport raises on purpose. Never a bug."""

    #: The process exit code the CLI uses for this class (see ``docs/cli.md``).
    exit_code = 1
    #: The problem code an input that fails with this error is reported under.
    problem_code = "unreadable"

    def __init__(self, message: str, source: SourceSpan | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        message = one_line_text(self.message)
        return f"{self.source}: {message}" if self.source else message


class InputError(ArxportError):
    """An input could not be read: not a digest, bad encoding, broken JSON ..."""

    exit_code = 3


class LimitError(InputError):
    """An input over a resource limit (``--max-input-size``): refused before it is read into memory."""

    problem_code = "too-large"


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
