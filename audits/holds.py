"""Legal holds: a leader or administrator keeps a round's evidence from the retention purge.

A hold carries a reason; placing and lifting it are kept in the round's hold history
(``LegalHoldEvent``), and while it lasts the purge (``audits.retention``) skips the round
whole: its evidence files, its call recordings and its contacts' free texts.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.locking import lock
from audits.models import HoldAction, LegalHoldEvent, Round, User
from audits.timeutil import utcnow

MAX_REASON_LENGTH = 1000


def _reason(text: str) -> str:
    reason = text.strip()
    if not reason:
        raise ValidationError("reason", "say why (a case, a request, a complaint)")
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError("reason", f"keep the reason to {MAX_REASON_LENGTH} characters")
    return reason


def place_hold(session: Session, round_: Round, user: User, reason: str) -> LegalHoldEvent:
    """Place a legal hold on ``round_`` for ``reason``; the caller commits."""
    text = _reason(reason)
    lock(session, round_)
    if round_.on_hold:
        raise ConflictError("hold", "the round is already on legal hold")
    now = utcnow()
    round_.legal_hold_reason = text
    round_.legal_hold_at = now
    round_.legal_hold_by_id = user.id
    event = LegalHoldEvent(
        round_id=round_.id, action=HoldAction.PLACED, reason=text, actor_id=user.id, at=now
    )
    round_.hold_events.append(event)
    session.flush()
    return event


def lift_hold(session: Session, round_: Round, user: User, reason: str) -> LegalHoldEvent:
    """Lift the legal hold on ``round_``, saying why; the caller commits."""
    text = _reason(reason)
    lock(session, round_)
    if not round_.on_hold:
        raise ConflictError("hold", "the round is not on legal hold")
    round_.legal_hold_reason = None
    round_.legal_hold_at = None
    round_.legal_hold_by_id = None
    event = LegalHoldEvent(
        round_id=round_.id, action=HoldAction.LIFTED, reason=text, actor_id=user.id, at=utcnow()
    )
    round_.hold_events.append(event)
    session.flush()
    return event
