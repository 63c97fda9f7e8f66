"""How a results table is ordered and filtered: a column, a direction and a school level."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from audits.models import Level

Row = TypeVar("Row")
ASCENDING = "asc"
DESCENDING = "desc"


@dataclass(frozen=True)
class Ordering:
    """A table's sort column, direction and level filter, already checked."""

    sort: str
    descending: bool
    level: Level | None = None

    @property
    def direction(self) -> str:
        """``asc`` or ``desc``, as the query string spells it."""
        return DESCENDING if self.descending else ASCENDING

    @classmethod
    def parse(
        cls,
        sort: str | None,
        direction: str | None,
        level: str | None,
        columns: Iterable[str],
        default: str = "overall",
    ) -> Ordering:
        """Read ``?sort=&dir=&level=``; anything unknown falls back to the default.

        Names sort A to Z by default and scores highest first, so one click on a
        column header shows what people look for first.
        """
        column = sort if sort in set(columns) else default
        known = direction in (ASCENDING, DESCENDING)
        descending = direction == DESCENDING if known else column != "name"
        chosen = next((known_level for known_level in Level if known_level.value == level), None)
        return cls(column, descending, chosen)

    def toggled(self, column: str) -> str:
        """The direction a click on ``column``'s header asks for."""
        if column == self.sort:
            return ASCENDING if self.descending else DESCENDING
        return ASCENDING if column == "name" else DESCENDING


def sort_rows(
    rows: Iterable[Row],
    key: Callable[[Row], float | str | None],
    name: Callable[[Row], str],
    descending: bool,
) -> list[Row]:
    """Sort ``rows`` by ``key``, rows without a value last in either direction, ties by name."""
    by_name = sorted(rows, key=name)
    present = [(value, row) for row in by_name if (value := key(row)) is not None]
    missing = [row for row in by_name if key(row) is None]
    present.sort(key=lambda pair: pair[0], reverse=descending)  # stable: ties keep name order
    return [row for _, row in present] + missing
