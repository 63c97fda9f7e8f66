"""Record ids as forms send them: only positive whole numbers a database's id column can hold.

A posted id is text a person (or a script) can make as long as they like; handed to a
query, ``99999999999999999999`` overflows the driver (SQLite) or the column (PostgreSQL)
and the request fails with a 500 instead of "choose from the list".
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_ID = 2_147_483_647  # PostgreSQL's ``integer``, the narrowest id column Touchpoint runs on


def is_storable_id(value: object) -> bool:
    """Whether ``value`` is an int some row could have as its id."""
    return isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= MAX_ID


def storable_ids(values: Iterable[int]) -> set[int]:
    """The values of ``values`` that could be ids (the rest can match no row)."""
    return {value for value in values if is_storable_id(value)}


def parse_id(text: str | None) -> int | None:
    """The id written in ``text`` (digits only), or ``None`` when it cannot be one."""
    text = (text or "").strip()
    if not text.isdigit() or not text.isascii() or len(text) > len(str(MAX_ID)):
        return None
    value = int(text)
    return value if is_storable_id(value) else None
