"""Which contacts a round scores twice, and who scores them the second time.

A contact qualifies when it reached the school and its evidence lets someone else judge it: a
phone call with a recording (a stored Twilio recording or an uploaded audio file), an email with
its thread (the reply as recorded, or an uploaded ``.eml``). A visit cannot be judged again from
its evidence. Each qualifying contact gets a draw in [0, 1) from the round's seed and the
contact's id, the same on every run: it is chosen when the draw falls below the round's share.
The choice is made when the contact is submitted (``audits.fieldwork.contacts.submit``) and kept
as a ``DoubleScoring`` with its draw and the share; considering a contact again changes nothing.

The second auditor is an active auditor of the district other than the first, without a conflict
with the school, who has the fewest second scorings still to do in the round (ties broken by a
draw from the seed). Without such an auditor the contact is not chosen.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import (
    Channel,
    Contact,
    DoubleScoring,
    EvidenceKind,
    Outcome,
    Role,
    Round,
    User,
    auditor_conflicts,
)
from audits.telephony.calls import playable_recording
from audits.timeutil import utcnow

DEFAULT_PERCENT = 10
# The evidence kinds a second auditor may open: what was said and written, never the first's notes.
JUDGEABLE_EVIDENCE = frozenset({EvidenceKind.AUDIO, EvidenceKind.EMAIL})


def draw_for(round_: Round, contact_id: int) -> float:
    """The contact's seeded draw in [0, 1): the same for the same round seed and contact, every run."""
    return random.Random(f"double-scoring:{round_.seed}:{contact_id}").random()


def judgeable(session: Session, contact: Contact) -> bool:
    """Whether someone else can judge ``contact`` from its evidence (a reached call or email)."""
    if contact.outcome is not Outcome.REACHED:
        return False
    kinds = {evidence.kind for evidence in contact.evidence}
    channel = contact.assignment.channel
    if channel is Channel.PHONE:
        return EvidenceKind.AUDIO in kinds or playable_recording(session, contact) is not None
    if channel is Channel.EMAIL:
        return bool(contact.reply_text.strip()) or EvidenceKind.EMAIL in kinds
    return False


def second_auditor_for(session: Session, contact: Contact) -> User | None:
    """The auditor who scores ``contact`` again: never its own, free of the school, least loaded."""
    round_ = contact.assignment.round
    school_id = contact.assignment.school_id
    conflicted = set(
        session.scalars(select(auditor_conflicts.c.user_id).where(auditor_conflicts.c.school_id == school_id))
    )
    candidates = [
        user
        for user in session.scalars(
            select(User)
            .where(User.role == Role.AUDITOR, User.active.is_(True), User.district_id == round_.district_id)
            .order_by(User.id)
        )
        if user.id != contact.auditor_id and user.id not in conflicted
    ]
    if not candidates:
        return None
    open_counts: Counter[int] = Counter(
        dict(
            session.execute(
                select(DoubleScoring.second_auditor_id, func.count())
                .where(DoubleScoring.round_id == round_.id, DoubleScoring.submitted_at.is_(None))
                .group_by(DoubleScoring.second_auditor_id)
            )
            .tuples()
            .all()
        )
    )
    shuffle = random.Random(f"second-auditor:{round_.seed}:{contact.id}")
    ties = {user.id: shuffle.random() for user in candidates}
    return min(candidates, key=lambda user: (open_counts[user.id], ties[user.id]))


def consider(session: Session, contact: Contact, now: datetime | None = None) -> DoubleScoring | None:
    """Choose ``contact`` for double-scoring when its round asks and its draw says so; else ``None``.

    Idempotent: a contact already chosen keeps its second auditor; one not chosen is considered
    again on its next submission (its evidence may have come since), with the same draw.
    """
    round_ = contact.assignment.round
    if round_.double_score_percent <= 0:
        return None
    existing = session.scalar(select(DoubleScoring).where(DoubleScoring.contact_id == contact.id))
    if existing is not None:
        return existing
    draw = draw_for(round_, contact.id)
    if draw >= round_.double_score_percent / 100 or not judgeable(session, contact):
        return None
    second = second_auditor_for(session, contact)
    if second is None:
        return None
    scoring = DoubleScoring(
        round_id=round_.id,
        contact_id=contact.id,
        second_auditor_id=second.id,
        draw=draw,
        percent=float(round_.double_score_percent),
        chosen_at=now or utcnow(),
    )
    session.add(scoring)
    session.flush()
    return scoring
