"""Domain errors, each of a kind, each carrying ``(field, reason)`` pairs.

The kind says what went wrong, so the web layer answers by kind, never by
reading field names: bad input (``validation``), a step the record's state does
not allow now (``conflict``), something this person may not do (``not_allowed``),
a record that does not exist (``not_found``), a file that could not be stored
because the disk is full (``storage_full``), or a mail server that refused or could
not be reached (``mail_server``). The pairs say where: the web layer puts each
reason next to its field.
"""

from __future__ import annotations

from enum import StrEnum
from typing import ClassVar, Self

Problem = tuple[str | None, str]


class ErrorKind(StrEnum):
    """What kind of rule a domain error reports."""

    VALIDATION = "validation"
    CONFLICT = "conflict"
    NOT_ALLOWED = "not_allowed"
    NOT_FOUND = "not_found"
    STORAGE_FULL = "storage_full"
    MAIL_SERVER = "mail_server"


class DomainError(Exception):
    """A rule of the domain was broken; ``problems`` lists ``(field, reason)`` pairs."""

    kind: ClassVar[ErrorKind] = ErrorKind.VALIDATION

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.problems: list[Problem] = [(field, reason)]

    @property
    def field(self) -> str | None:
        """The field the first problem concerns, or ``None`` for the whole input."""
        return self.problems[0][0]

    @property
    def reason(self) -> str:
        """The first problem's explanation, in words a user understands."""
        return self.problems[0][1]

    @classmethod
    def many(cls, problems: list[Problem]) -> Self:
        """Build one error that reports several problems at once."""
        error = cls(*problems[0])
        error.problems = list(problems)
        return error


class ValidationError(DomainError):
    """Input failed validation: the same request with other values would succeed."""

    kind = ErrorKind.VALIDATION


class ConflictError(DomainError):
    """The record's state does not allow this step now (a submitted contact, a closed round)."""

    kind = ErrorKind.CONFLICT


class NotAllowedError(DomainError):
    """This person may not take this step (another auditor's contact, a reviewer of another district)."""

    kind = ErrorKind.NOT_ALLOWED


class NotFoundError(DomainError):
    """The record the step needs does not exist (a rubric with no published version)."""

    kind = ErrorKind.NOT_FOUND


class StorageFullError(DomainError):
    """A file could not be stored because the disk (or the quota) is full; nothing was saved."""

    kind = ErrorKind.STORAGE_FULL


class MailServerError(DomainError):
    """A mail server (SMTP or IMAP) refused the step or could not be reached; nothing was saved."""

    kind = ErrorKind.MAIL_SERVER
