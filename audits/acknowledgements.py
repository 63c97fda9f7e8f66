"""Principals acknowledge their school's scorecard: "read and discussed with staff on …".

A principal of the school records, once per published scorecard, the day they discussed it with
their staff, and an optional note. The day is a day of the district's calendar: not after the
principal's today, not before the day the scorecard was published. The leader reads who
acknowledged on the round's scorecards page. Everything here flushes; the caller commits.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits.errors import ConflictError, NotAllowedError, Problem, ValidationError
from audits.formatting import day_words
from audits.models import Role, Scorecard, ScorecardAcknowledgement, User
from audits.timeutil import utcnow

MAX_NOTE = 1000


@dataclass(frozen=True)
class AcknowledgementEntry:
    """What the principal gives: the day they discussed the scorecard with their staff, and a note."""

    discussed_on: date | None
    note: str = ""


def published_day(card: Scorecard) -> date | None:
    """The district's local day on which ``card`` was published (``None`` while it is not)."""
    if card.published_at is None:
        return None
    return card.published_at.astimezone(ZoneInfo(card.round.district.timezone)).date()


def acknowledgement_of(session: Session, card: Scorecard, user: User) -> ScorecardAcknowledgement | None:
    """``user``'s acknowledgement of ``card``, if they recorded one."""
    return session.scalar(
        select(ScorecardAcknowledgement).where(
            ScorecardAcknowledgement.scorecard_id == card.id, ScorecardAcknowledgement.user_id == user.id
        )
    )


def acknowledge(
    session: Session, card: Scorecard, user: User, entry: AcknowledgementEntry, today: date
) -> ScorecardAcknowledgement:
    """Record that ``user``, a principal of the card's school, read ``card`` and discussed it with staff.

    ``today`` is the principal's today in the district. Refused (nothing saved): someone who is not
    a principal of the school, a scorecard that is not published, a second acknowledgement, and a
    day that is missing, after ``today`` or before the publication; every problem of the entry is
    reported at once.
    """
    if user.role is not Role.PRINCIPAL or all(school.id != card.school_id for school in user.schools):
        raise NotAllowedError(None, "only a principal of this school can acknowledge its scorecard")
    first_day = published_day(card)
    if first_day is None:
        raise ConflictError(None, "this scorecard is not published, so it cannot be acknowledged yet")
    existing = acknowledgement_of(session, card, user)
    if existing is not None:
        raise ConflictError(
            None,
            f"you already recorded that you discussed this scorecard with your staff on "
            f"{day_words(existing.discussed_on)}",
        )
    problems: list[Problem] = []
    if entry.discussed_on is None:
        problems.append(("discussed_on", "enter the day you discussed the scorecard with your staff"))
    elif entry.discussed_on > today:
        problems.append(("discussed_on", f"the day cannot be in the future: today is {day_words(today)}"))
    elif entry.discussed_on < first_day:
        problems.append(
            (
                "discussed_on",
                f"the day cannot be before the scorecard was published, on {day_words(first_day)}",
            )
        )
    note = entry.note.strip()
    if len(note) > MAX_NOTE:
        problems.append(("note", f"keep the note within {MAX_NOTE} characters (it has {len(note)})"))
    if problems:
        raise ValidationError.many(problems)
    assert entry.discussed_on is not None  # checked above
    acknowledgement = ScorecardAcknowledgement(
        scorecard_id=card.id, user_id=user.id, discussed_on=entry.discussed_on, note=note, at=utcnow()
    )
    session.add(acknowledgement)
    session.flush()
    return acknowledgement


def acknowledgements(session: Session, card_ids: Iterable[int]) -> dict[int, list[ScorecardAcknowledgement]]:
    """The acknowledgements of each scorecard in ``card_ids``, by scorecard id, oldest first (one query)."""
    ids = list(card_ids)
    found: dict[int, list[ScorecardAcknowledgement]] = defaultdict(list)
    if not ids:
        return found
    rows = session.scalars(
        select(ScorecardAcknowledgement)
        .where(ScorecardAcknowledgement.scorecard_id.in_(ids))
        .options(selectinload(ScorecardAcknowledgement.user))
        .order_by(ScorecardAcknowledgement.at, ScorecardAcknowledgement.id)
    )
    for row in rows:
        found[row.scorecard_id].append(row)
    return found
