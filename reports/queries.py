"""The grouped SQL a scorecard needs beyond the scoring engine's: one query each, for a whole round.

Every query covers every school of the round at once (never one school or one
contact at a time) and counts only what the engine counts (``counted()``).
Auditors' names are read only so that comments can be scrubbed of them; they
never reach a scorecard.
"""

from __future__ import annotations

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from audits.models import (
    Assignment,
    Contact,
    ContactStatus,
    ItemKind,
    Outcome,
    Response,
    RubricItem,
    RubricSection,
    Scenario,
    User,
)
from audits.scoring.queries import contact_scores, counted
from audits.scoring.tally import critical_failed, earned_expr, possible_expr


def contact_rows(round_id: int) -> Select:
    """One row per counted contact: the engine's score and flags, with outcome and scenario."""
    scores = contact_scores([round_id]).subquery()
    return (
        select(
            scores.c.contact_id,
            scores.c.school_id,
            scores.c.channel,
            scores.c.unreached,
            scores.c.started_at,
            scores.c.score,
            scores.c.critical_failure,
            Contact.outcome,
            Contact.attempt,
            Contact.rings,
            Scenario.title.label("scenario"),
            Scenario.language,
        )
        .join(Contact, Contact.id == scores.c.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Scenario, Scenario.id == Assignment.scenario_id)
        .order_by(scores.c.school_id, scores.c.started_at, scores.c.contact_id)
    )


def critical_failure_rows(round_id: int) -> Select:
    """Each failed critical item of a counted contact (the tally's own rule): school, contact,
    section, prompt."""
    return (
        select(
            Assignment.school_id,
            Contact.id.label("contact_id"),
            RubricSection.key.label("section"),
            RubricItem.prompt,
        )
        .select_from(Response)
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(RubricSection, RubricSection.id == RubricItem.section_id)
        .where(counted(), Assignment.round_id == round_id, critical_failed())
        .order_by(Assignment.school_id, Contact.id, RubricSection.position, RubricItem.position)
    )


def attempt_rows(round_id: int) -> Select:
    """Every approved attempt at the assignments whose counted contact was unreached or a critical failure.

    The proof behind "nobody answered": each try with its moment, outcome and what the
    auditor measured, oldest first; ``final_id`` is the counted contact it leads to.
    """
    final = aliased(Contact)
    return (
        select(
            Assignment.school_id,
            Assignment.channel,
            final.id.label("final_id"),
            Contact.id.label("contact_id"),
            Contact.attempt,
            Contact.outcome,
            Contact.started_at,
            Contact.rings,
            Contact.callback_at,
            Contact.reply_at,
            Contact.response_business_hours,
            Contact.greeted_seconds,
            Contact.first_submitted_at,
        )
        .select_from(final)
        .join(Assignment, Assignment.id == final.assignment_id)
        .join(Contact, Contact.assignment_id == Assignment.id)
        .where(
            Assignment.round_id == round_id,
            final.status == ContactStatus.APPROVED,
            or_(
                final.unreached.is_(True),
                and_(final.outcome == Outcome.REACHED, final.critical_failure.is_(True)),
            ),
            Contact.status == ContactStatus.APPROVED,
            Contact.attempt <= final.attempt,
        )
        .order_by(Assignment.school_id, final.id, Contact.attempt)
    )


def comment_rows(round_id: int) -> Select:
    """Every comment and free-text answer of the round's counted contacts, with its item's fraction."""
    return (
        select(
            Assignment.school_id,
            Assignment.channel,
            Contact.id.label("contact_id"),
            Contact.started_at,
            RubricItem.kind,
            RubricItem.position,
            Response.fraction,
            Response.comment,
            Response.value,
            User.name.label("auditor_name"),
        )
        .select_from(Response)
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(User, User.id == Contact.auditor_id)
        .where(
            counted(),
            Assignment.round_id == round_id,
            or_(Response.comment != "", and_(RubricItem.kind == ItemKind.TEXT, Response.value.is_not(None))),
        )
        .order_by(Assignment.school_id, Contact.id, RubricItem.position)
    )


def item_score_rows(round_id: int) -> Select:
    """Per school × channel × section × item key: Σ earned, Σ possible, the answers and the newest
    item's id."""
    possible = possible_expr()
    return (
        select(
            Assignment.school_id,
            Assignment.channel,
            RubricSection.key.label("section"),
            RubricItem.key,
            earned_expr().label("earned"),
            possible.label("possible"),
            func.count(func.distinct(Contact.id)).label("contacts"),
            func.max(RubricItem.id).label("item_id"),
        )
        .select_from(Response)
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(RubricSection, RubricSection.id == RubricItem.section_id)
        .where(counted(), Assignment.round_id == round_id, RubricItem.kind != ItemKind.TEXT)
        .group_by(Assignment.school_id, Assignment.channel, RubricSection.key, RubricItem.key)
        .having(possible > 0)
    )


def item_texts(item_ids: set[int]) -> Select:
    """Prompt and coaching tip of the given rubric items."""
    return select(RubricItem.id, RubricItem.prompt, RubricItem.tip).where(RubricItem.id.in_(item_ids))
