"""A table to export: its columns (a field name, a header a person reads, a kind) and rows produced one at a
time, counted as they pass."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

Cell = str | int | float | bool | date | None


class Kind(StrEnum):
    """What a column holds, which decides how a writer shows it."""

    TEXT = "text"
    WHOLE = "whole"  # a count, an id, a rank
    DECIMAL = "decimal"  # a score, a share, a time: written to one decimal
    DATE = "date"
    YES_NO = "yes_no"


# Characters a column is wide in a spreadsheet, unless its header asks for more.
WIDTHS = {Kind.TEXT: 18, Kind.WHOLE: 9, Kind.DECIMAL: 9, Kind.DATE: 12, Kind.YES_NO: 8}
WIDEST_HEADER = 28  # a longer header wraps instead of widening its column further


@dataclass(frozen=True)
class Column:
    """One column: ``key`` is the field's name (as the API names the figure), ``header`` the heading a
    person reads in the file, ``width`` its width in characters in a spreadsheet (default: by kind)."""

    key: str
    header: str
    kind: Kind = Kind.TEXT
    width: int | None = None

    @property
    def characters(self) -> int:
        """How many characters wide the column is in a spreadsheet: enough for its values and,
        up to a point, its header."""
        if self.width is not None:
            return self.width
        return max(WIDTHS[self.kind], min(len(self.header), WIDEST_HEADER) + 2)


def percent(share: float | None) -> float | None:
    """A share (``0.75``) as a percentage (``75.0``), for a column headed "(%)"."""
    return None if share is None else share * 100


class Table:
    """Named columns and an iterable of rows, read once; ``written`` counts the rows read so far.

    A column given as plain text is a text column headed by that text.
    """

    def __init__(self, title: str, columns: Sequence[Column | str], rows: Iterable[list[Cell]]) -> None:
        self.title = title
        self.columns = [
            column if isinstance(column, Column) else Column(column, column) for column in columns
        ]
        self._rows = rows
        self.written = 0

    @property
    def keys(self) -> list[str]:
        """The columns' field names, in order."""
        return [column.key for column in self.columns]

    @property
    def headers(self) -> list[str]:
        """The columns' headers, in order."""
        return [column.header for column in self.columns]

    def __iter__(self) -> Iterator[list[Cell]]:
        for row in self._rows:
            self.written += 1
            yield row
