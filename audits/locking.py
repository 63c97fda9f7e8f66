"""Changing a record only from the state its user saw, one change at a time.

Two guards work together. ``lock`` re-reads a record and holds its row until the
transaction ends (PostgreSQL's ``SELECT … FOR UPDATE``; SQLite lets one writer in at a
time by itself): a second request changing the same record waits for the first to
commit, then sees what it did, so its own checks refuse with a clear conflict instead
of overwriting. And a record's ``revision`` (``Contact``, ``Round``) is checked by every
UPDATE of its row and can be held against the revision the user's page showed
(``ensure_seen``), so a change made from an old page is refused too.
"""

from __future__ import annotations

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError
from audits.models import Base


def lock(session: Session, record: Base) -> None:
    """Hold ``record``'s row until the transaction ends, then re-read it; call before checking its state."""
    state = inspect(record)
    key = state.mapper.primary_key
    session.execute(
        select(*key)
        .where(*(column == value for column, value in zip(key, state.identity or (), strict=True)))
        .with_for_update()
    )
    session.refresh(record)


def ensure_seen(revision: int, seen: int | None, what_changed: str) -> None:
    """Raise a conflict saying ``what_changed`` unless the user saw ``revision`` (``seen=None``: no check)."""
    if seen is not None and seen != revision:
        raise ConflictError("revision", what_changed)
