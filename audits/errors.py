"""Domain errors. Each carries ``(field, reason)`` pairs the web layer maps onto forms."""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain was broken; ``problems`` lists ``(field, reason)`` pairs."""

    def __init__(self, field: str | None, reason: str) -> None:
        super().__init__(f"{field}: {reason}" if field else reason)
        self.problems: list[tuple[str | None, str]] = [(field, reason)]

    @property
    def field(self) -> str | None:
        """The field the first problem concerns, or ``None`` for the whole input."""
        return self.problems[0][0]

    @property
    def reason(self) -> str:
        """The first problem's explanation, in words a user understands."""
        return self.problems[0][1]

    @classmethod
    def many(cls, problems: list[tuple[str | None, str]]) -> DomainError:
        """Build one error that reports several problems at once."""
        error = cls(*problems[0])
        error.problems = list(problems)
        return error


class ValidationError(DomainError):
    """Input failed validation."""
