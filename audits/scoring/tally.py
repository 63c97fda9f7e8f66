"""A contact's points, tallied from its responses when they are recorded.

Scores read these tallies (``contacts.earned_points``, ``possible_points``,
``critical_failure`` and one ``contact_section_points`` row per section key, carrying the
contact's round and school) instead
of every response, so a round's dashboard reads thousands of contacts, not a million
responses. Rules 1 and 4 of ``docs/scoring.md`` live in the expressions below; rules
2–11 are applied to the tallies in ``audits.scoring.queries`` and ``engine``.

Every path that writes responses calls ``tally`` (``audits.fieldwork.contacts`` does);
published rubrics cannot change, so a tally only goes stale when responses change.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Select, SQLColumnExpression, and_, case, delete, exists, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from audits.models import (
    Assignment,
    Contact,
    ContactSectionPoints,
    ItemKind,
    Response,
    RubricItem,
    RubricSection,
)

TALLY_FIELDS = ["earned_points", "possible_points", "critical_failure", "section_points"]


def scored() -> ColumnElement[bool]:
    """A response that adds to earned and possible points: answered, not N/A, not text."""
    return and_(Response.na.is_(False), Response.fraction.is_not(None), RubricItem.kind != ItemKind.TEXT)


def earned_expr() -> ColumnElement[float]:
    """Σ fraction × points over scored responses."""
    return func.coalesce(func.sum(_when_scored(Response.fraction * RubricItem.points)), 0.0)


def possible_expr() -> ColumnElement[float]:
    """Σ points over scored responses."""
    return func.coalesce(func.sum(_when_scored(RubricItem.points)), 0.0)


def _when_scored(value: SQLColumnExpression[float | None]) -> ColumnElement[float]:
    return case((scored(), value), else_=0.0)


def critical_failed() -> ColumnElement[bool]:
    """A response to a critical item that was answered (not N/A) with fraction 0."""
    return and_(RubricItem.critical.is_(True), Response.na.is_(False), Response.fraction == 0)


def tally(session: Session, contact_ids: Iterable[int] | Select) -> None:
    """Recompute the points of the given contacts from their responses, in four statements.

    ``contact_ids`` is a list of ids or a select of them (for a backfill). Contacts
    loaded in ``session`` have their tallies expired so they read the new values.
    """
    ids = contact_ids if isinstance(contact_ids, Select) else list(contact_ids)
    if isinstance(ids, list) and not ids:
        return
    session.flush()
    session.execute(
        delete(ContactSectionPoints).where(ContactSectionPoints.contact_id.in_(ids)),
        execution_options={"synchronize_session": False},
    )
    per_section = (
        select(
            Response.contact_id,
            Contact.round_id,
            Assignment.school_id,
            RubricSection.key,
            earned_expr(),
            possible_expr(),
        )
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(RubricSection, RubricSection.id == RubricItem.section_id)
        .where(Response.contact_id.in_(ids))
        .group_by(Response.contact_id, Contact.round_id, Assignment.school_id, RubricSection.key)
    )
    columns = ["contact_id", "round_id", "school_id", "section_key", "earned", "possible"]
    session.execute(insert(ContactSectionPoints).from_select(columns, per_section))
    sections = ContactSectionPoints
    mine = sections.contact_id == Contact.id

    def total(column: SQLColumnExpression[float]) -> ColumnElement[float]:
        return select(func.coalesce(func.sum(column), 0.0)).where(mine).scalar_subquery()

    failed = (
        select(Response.id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .where(Response.contact_id == Contact.id, critical_failed())
    )
    session.execute(
        update(Contact)
        .where(Contact.id.in_(ids))
        .values(
            earned_points=total(sections.earned),
            possible_points=total(sections.possible),
            critical_failure=exists(failed),
        ),
        execution_options={"synchronize_session": False},
    )
    for contact in session.identity_map.values():
        if isinstance(contact, Contact) and (isinstance(ids, Select) or contact.id in ids):
            session.expire(contact, TALLY_FIELDS)
