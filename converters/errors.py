"""One exception root for everything arxport reports to a user.

Each error carries the source position it is about (when there is one) so the
CLI can print ``file:line: message`` and pick the exit code from the class.
"""

from __future__ import annotations

from .model import SourceSpan, one_line_text


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
