"""A table to export: column names and rows produced one at a time, counted as they pass."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import date

Cell = str | int | float | bool | date | None


class Table:
    """Named columns and an iterable of rows, read once; ``written`` counts the rows read so far."""

    def __init__(self, title: str, columns: list[str], rows: Iterable[list[Cell]]) -> None:
        self.title = title
        self.columns = columns
        self._rows = rows
        self.written = 0

    def __iter__(self) -> Iterator[list[Cell]]:
        for row in self._rows:
            self.written += 1
            yield row
