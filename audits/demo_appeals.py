"""The demo's appeals: the demo principal queried two answers of their published scorecard.

Once the earlier round's scorecards are published, ``principal@example.org`` queries two answers
of Abess Park's counted contacts, each through the real ``file_appeal``; the leader (not the
reviewer who approved them) decides both through ``decide_appeal``: the first upheld (the answer
that lost the most points becomes the rubric's best, through the edit log), the second not upheld.
The window stays open for the rest of the demo's life as it is loaded: other answers can still be
queried. The caller rebuilds the school's scorecard and commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.appeals.decisions import Correction, Decision, decide_appeal
from audits.appeals.filing import AppealRequest, counts, file_appeal
from audits.businesshours import BusinessCalendar
from audits.models import (
    Appeal,
    AppealOutcome,
    Assignment,
    Contact,
    ItemKind,
    Response,
    Round,
    RubricItem,
    School,
    User,
)

UPHELD_REASON = (
    "Our office log for that day shows the family got everything they asked for, with a follow-up "
    "the same afternoon; this answer undersells what happened."
)
UPHELD_DECISION = "The auditor's own notes match the school's log: the answer is corrected to the best."
NOT_UPHELD_REASON = "We believe our staff member handled this well; the answer is too harsh."
NOT_UPHELD_DECISION = "The auditor's notes, written at the time, bear out the answer as scored."


@dataclass(frozen=True)
class DemoAppeals:
    """The demo's two decided appeals (``None`` where the school had no answer to query)."""

    upheld: Appeal | None
    not_upheld: Appeal | None


def _best(item: RubricItem) -> Correction | None:
    """The answer that earns an item all its points, for the kinds answered directly."""
    if item.kind is ItemKind.YES_NO:
        return Correction(True)
    if item.kind is ItemKind.SCALE and item.scale_max:
        return Correction(item.scale_max)
    if item.kind is ItemKind.CHOICE:
        best = max(item.options or [], key=lambda option: float(option["fraction"]), default=None)
        return Correction(str(best["label"])) if best is not None else None
    return None


def _lost(response: Response) -> float:
    """The points an answer lost."""
    return response.item.points * (1 - (response.fraction or 0.0))


def _answers(session: Session, round_: Round, school: School) -> list[tuple[Contact, Response]]:
    """The school's counted contacts' scored answers given directly (not worked out from a fact)."""
    contacts = session.scalars(
        select(Contact)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .where(Assignment.round_id == round_.id, Assignment.school_id == school.id)
        .order_by(Contact.started_at, Contact.id)
    )
    return [
        (contact, response)
        for contact in contacts
        if counts(contact)
        for response in sorted(contact.responses, key=lambda r: (r.item.section.position, r.item.position))
        if not response.na and response.fraction is not None and not response.item.fact
    ]


def load_demo_appeals(
    session: Session, round_: Round, principal: User, leader: User, published_on: date, now: datetime
) -> DemoAppeals:
    """File and decide the demo principal's two appeals on ``round_`` (its scorecards published on
    ``published_on``); the caller rebuilds the school's scorecard."""
    school = principal.schools[0]
    answers = _answers(session, round_, school)
    weakest = sorted(
        (pair for pair in answers if _lost(pair[1]) > 0 and _best(pair[1].item) is not None),
        key=lambda pair: -_lost(pair[1]),
    )
    calendar = BusinessCalendar.of(round_.district)
    upheld = not_upheld = None
    if weakest:
        contact, response = weakest[0]
        upheld = file_appeal(
            session, contact, AppealRequest(response.item.key, UPHELD_REASON), principal, published_on, now
        )
        decision = Decision(AppealOutcome.UPHELD, UPHELD_DECISION, _best(response.item))
        decide_appeal(session, upheld, leader, decision, calendar, now=now)
    others = [pair for pair in answers if upheld is None or pair[0].id != upheld.contact_id]
    if others:
        contact, response = others[0]
        not_upheld = file_appeal(
            session,
            contact,
            AppealRequest(response.item.key, NOT_UPHELD_REASON),
            principal,
            published_on,
            now,
        )
        decision = Decision(AppealOutcome.NOT_UPHELD, NOT_UPHELD_DECISION)
        decide_appeal(session, not_upheld, leader, decision, calendar, now=now)
    return DemoAppeals(upheld, not_upheld)
