"""One page of a longer list: the rows, the total, and which page it is."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """``rows`` of page ``number`` (from 1) of ``total`` rows, ``per_page`` at a time."""

    rows: list[T]
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        """How many pages there are (at least one, even for no rows)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        """Whether there is a page before this one."""
        return self.number > 1

    @property
    def has_next(self) -> bool:
        """Whether there is a page after this one."""
        return self.number < self.pages


def paginate(session: Session, stmt: Select[Any], number: int, per_page: int) -> Page[Any]:
    """Page ``number`` of the rows ``stmt`` selects (its first column): the first for anything
    below 1, the last for anything past the end."""
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    number = min(max(1, number), max(1, math.ceil(total / per_page)))
    rows = list(session.scalars(stmt.limit(per_page).offset((number - 1) * per_page)).unique())
    return Page(rows, total, number, per_page)
