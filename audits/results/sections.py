"""Names, order and channels of rubric sections, by key, for column headers and grouped tables."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import Rubric, RubricSection


def section_titles(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Title of each section key, in the order sections usually come in a rubric (one query).

    Sections with one key share a meaning across rubrics; the title shown is the
    one of the newest section with that key.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    newest = (
        select(
            RubricSection.key, func.max(RubricSection.id).label("newest"), func.min(RubricSection.position)
        )
        .where(RubricSection.key.in_(wanted))
        .group_by(RubricSection.key)
        .subquery()
    )
    query = (
        select(newest.c.key, RubricSection.title)
        .join(RubricSection, RubricSection.id == newest.c.newest)
        .order_by(newest.c[2], newest.c.key)
    )
    titles: dict[str, str] = dict(session.execute(query).tuples().all())
    return {key: titles.get(key, key) for key in [*titles, *sorted(wanted - set(titles))]}


def section_channels(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """The channel (``phone``, ``email``, ``visit``) of each section key whose rubrics all belong to one
    channel, or ``""`` for a key that rubrics of several channels share ("The answer"); one query.

    A scorecard groups its section scores under their channel with this, the shared ones apart.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.execute(
        select(RubricSection.key, Rubric.channel)
        .join(Rubric, Rubric.id == RubricSection.rubric_id)
        .where(RubricSection.key.in_(wanted))
        .distinct()
    ).all()
    channels: dict[str, set[str]] = {key: set() for key in wanted}
    for key, channel in rows:
        channels[key].add(channel.value)
    return {key: next(iter(found)) if len(found) == 1 else "" for key, found in channels.items()}
