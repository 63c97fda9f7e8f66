"""The grouped SQL behind every score: per contact, per school and channel, per section.

It reads each contact's tally (``audits.scoring.tally``), never the responses, and finds a round's
counted contacts by their own ``round_id`` (index ``ix_contacts_round_counted``), so other rounds' and
districts' contacts are never read; the assignments are filtered on the same rounds so the planner
reaches them by their round index too.

Only approved contacts count, and of those only the ones that reached the school
or are unreached (a final failed attempt); earlier failed attempts are not scored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Float, Select, String, and_, case, cast, func, literal, or_, select, type_coerce
from sqlalchemy.engine import Row
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from audits.models import (
    Assignment,
    Contact,
    ContactSectionPoints,
    ContactStatus,
    CriticalPolicy,
    Outcome,
    Round,
    Rubric,
)


def grouped_rows(session: Session, query: Select) -> Sequence[Row[Any]]:
    """Run one of these queries on the session's connection, after flushing pending changes, and
    fetch every row at once.

    ``Session.execute`` would pass every row through the ORM's loading machinery,
    which for a round of 1,000 schools cost more than the query itself; these
    queries select plain columns, so the connection's rows are all they need. Fetched at once
    because iterating a result fetches a row a call: for the 160,000 rows of a state-wide
    comparison that was half a second.
    """
    session.flush()
    return session.connection().execute(query).all()


def counted() -> ColumnElement[bool]:
    """The contacts that count: approved, and either reached or finally unreached."""
    return and_(
        Contact.status == ContactStatus.APPROVED,
        or_(Contact.outcome == Outcome.REACHED, Contact.unreached.is_(True)),
    )


def contact_scores(round_ids: list[int] | Select, school_id: int | None = None) -> Select:
    """One row per counted contact: ids, school, channel, score (0–100 or NULL) and flags.

    Rules: score = 100 × Σ earned ÷ Σ possible (the contact's tally); NULL with nothing
    possible; 0 when unreached; 0 for a critical failure under ``critical_policy: zero``.
    """
    earned, possible = Contact.earned_points, Contact.possible_points
    raw = case((possible > 0, 100.0 * earned / cast(possible, Float)), else_=None)
    zeroed = and_(Contact.critical_failure.is_(True), Rubric.critical_policy == CriticalPolicy.ZERO)
    score = case(
        (Contact.unreached.is_(True), literal(0.0)),
        (possible <= 0, None),
        (zeroed, literal(0.0)),
        else_=raw,
    )
    critical = case((Contact.critical_failure.is_(True), 1), else_=0)
    stmt = (
        select(
            Contact.id.label("contact_id"),
            Assignment.round_id.label("round_id"),
            Assignment.school_id.label("school_id"),
            Assignment.channel.label("channel"),
            Contact.unreached.label("unreached"),
            Contact.started_at.label("started_at"),
            Contact.rings.label("rings"),
            Contact.hold_seconds.label("hold_seconds"),
            Contact.response_business_hours.label("response_hours"),
            earned.label("earned"),
            possible.label("possible"),
            critical.label("critical_failure"),
            score.label("score"),
        )
        .select_from(Contact)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Rubric, Rubric.id == Contact.rubric_id)
        .where(counted(), Contact.round_id.in_(round_ids), Assignment.round_id.in_(round_ids))
    )
    return stmt if school_id is None else stmt.where(Assignment.school_id == school_id)


def school_channel_scores(round_ids: list[int] | Select, school_id: int | None = None) -> Select:
    """Per round × school × channel: mean contact score, counts, critical failures, reach, timings
    and how many contacts each timing rests on."""
    per_contact = contact_scores(round_ids, school_id).subquery()
    reached = case((per_contact.c.unreached.is_(False), 1), else_=0)
    return select(
        per_contact.c.round_id,
        per_contact.c.school_id,
        per_contact.c.channel,
        func.avg(per_contact.c.score).label("score"),
        func.count().label("contacts"),
        func.count(per_contact.c.score).label("scored"),
        func.sum(per_contact.c.critical_failure).label("critical_failures"),
        func.sum(reached).label("reached"),
        func.avg(per_contact.c.rings).label("mean_rings"),
        func.avg(per_contact.c.hold_seconds).label("mean_hold_seconds"),
        func.count(per_contact.c.rings).label("rings_contacts"),
        func.count(per_contact.c.hold_seconds).label("hold_contacts"),
    ).group_by(per_contact.c.round_id, per_contact.c.school_id, per_contact.c.channel)


def school_section_scores(round_id: int) -> Select:
    """Per school × section key: Σ earned and Σ possible pooled over the round's counted contacts,
    and how many of them the section was scored on (some possible points)."""
    points = ContactSectionPoints
    return (
        select(
            Assignment.school_id,
            points.section_key.label("section"),
            func.sum(points.earned).label("earned"),
            func.sum(points.possible).label("possible"),
            func.count(case((points.possible > 0, points.contact_id))).label("contacts"),
        )
        .select_from(points)
        .join(Contact, Contact.id == points.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(counted(), Contact.round_id == round_id, Assignment.round_id == round_id)
        .group_by(Assignment.school_id, points.section_key)
    )


def rounds_section_scores(round_ids: list[int]) -> Select:
    """Per round × school × section key of several rounds (one query): Σ earned and Σ possible pooled
    over the school's counted contacts, as ``school_section_scores`` — without the school's id and
    contact count, which district figures do not need.

    The points carry their round and school, so a hundred rounds' points are one scan of their
    round's index, joined to the counted contacts only to keep the ones that count."""
    points = ContactSectionPoints
    return (
        select(
            points.round_id,
            points.section_key.label("section"),
            func.sum(points.earned).label("earned"),
            func.sum(points.possible).label("possible"),
        )
        .join(Contact, Contact.id == points.contact_id)
        .where(counted(), Contact.round_id.in_(round_ids), points.round_id.in_(round_ids))
        .group_by(points.round_id, points.school_id, points.section_key)
    )


def rounds_channel_scores(round_ids: list[int]) -> Select:
    """Per round × school × channel of several rounds (one query): mean contact score, contacts and
    reached — the columns of ``school_channel_scores`` that district figures need, and no more."""
    per_contact = contact_scores(round_ids).subquery()
    reached = case((per_contact.c.unreached.is_(False), 1), else_=0)
    return select(
        per_contact.c.round_id,
        per_contact.c.school_id,
        type_coerce(per_contact.c.channel, String).label("channel"),  # its value: no Enum per row
        func.avg(per_contact.c.score).label("score"),
        func.count().label("contacts"),
        func.sum(reached).label("reached"),
    ).group_by(per_contact.c.round_id, per_contact.c.school_id, per_contact.c.channel)


def school_contact_scores(round_id: int) -> Select:
    """Each scored, counted contact of the round: its school and score (the overall's interval, rule 13)."""
    per_contact = contact_scores([round_id]).subquery()
    return select(per_contact.c.school_id, per_contact.c.score).where(per_contact.c.score.is_not(None))


def email_response_hours(round_id: int) -> Select:
    """Business hours to each counted, answered email of the round, by school."""
    return (
        select(Assignment.school_id, Contact.response_business_hours)
        .join(Contact.assignment)
        .where(
            counted(),
            Contact.round_id == round_id,
            Assignment.round_id == round_id,
            Contact.response_business_hours.is_not(None),
        )
    )


def earlier_rounds(round_: Round) -> Select:
    """Ids of the district's rounds that started before ``round_``, follow-up rounds left out: a
    follow-up contacts a few schools again on what failed, so a change is measured against a round."""
    return select(Round.id).where(
        Round.district_id == round_.district_id,
        Round.first_day < round_.first_day,
        Round.follows_round_id.is_(None),
    )


def latest_earlier_round(round_: Round) -> Select:
    """Id of the district's latest round that started before ``round_`` (no row if none)."""
    return earlier_rounds(round_).order_by(Round.first_day.desc(), Round.id.desc()).limit(1)
