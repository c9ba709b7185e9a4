"""Errors a user can act on.

Every error kg raises on purpose is a `KgError`; the CLI prints it as one line
(`kg: FILE: problem`) and exits non-zero, never with a traceback.
"""


class KgError(Exception):
    """Base class of the errors kg reports to its users."""

    def __init__(self, message: str, path: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class UnreadableInput(KgError):
    """The file is missing, empty, binary, or not text in an encoding kg can read."""


class UnknownLayout(KgError):
    """The text is readable but matches no transcript or note layout kg knows."""


class IncompleteDocument(KgError):
    """The layout is known but a part kg needs (company, fiscal period, speakers) is missing."""
