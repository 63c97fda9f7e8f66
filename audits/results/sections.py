"""Names and order of rubric sections, by key, for column headers."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import RubricSection


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
