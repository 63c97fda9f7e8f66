"""A reviewer decides an appeal: upheld (the answer corrected) or not upheld, with a reason either way.

The reviewer whose approval the appeal questions never decides it. Upholding corrects the
answer the normal way: the contact is reopened (its review history says why), the reviewer's
correction goes through ``reviewer_edit`` (every changed value in the edit log, with who and
why; the contact's points tallied again) and the contact is approved again, so every figure
(pages, exports, the API, the scorecard) reads the corrected answer. An answer worked out from
a recorded fact (the rings, the longest hold, when the reply came …) is corrected by correcting
that fact, which corrects every answer worked out from it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from audits.appeals.answers import answer_words
from audits.businesshours import BusinessCalendar
from audits.errors import ConflictError, NotAllowedError, Problem, ValidationError
from audits.fieldwork.contacts import approve, recorded_entry, reopen, reviewer_edit
from audits.fieldwork.entry import MAX_COUNT, TIMING_TYPES, WRONG_KIND, AnswerEntry, ContactEntry
from audits.locking import lock
from audits.models import Appeal, AppealOutcome, Contact, Role, RubricItem, User
from audits.rubrics.facts import FACTS
from audits.timeutil import utcnow

DECIDERS = frozenset({Role.REVIEWER, Role.LEADER, Role.ADMIN})
MAX_REASON = 2_000
DECIDED = (AppealOutcome.UPHELD, AppealOutcome.NOT_UPHELD)


@dataclass(frozen=True)
class Correction:
    """The corrected answer of an upheld appeal: a value of the item's kind, or N/A.

    For an answer worked out from a recorded fact, the corrected fact: a whole number of
    rings, seconds or transfers, yes or no for a name given, an aware date and time for
    when the reply arrived.
    """

    value: bool | int | float | str | datetime | None = None
    na: bool = False


@dataclass(frozen=True)
class Decision:
    """A reviewer's decision: the outcome, why (told to the principal) and, upheld, the correction."""

    outcome: AppealOutcome
    reason: str
    correction: Correction | None = None


def fact_field(item: RubricItem) -> str | None:
    """The contact's field an item's answer is worked out from (``rings``, ``reply_at``), if any."""
    if not item.fact:
        return None
    return "reply_at" if item.fact == "reply_hours" else "outcome" if item.fact == "reached" else item.fact


def item_of(appeal: Appeal) -> RubricItem:
    """The rubric item whose answer ``appeal`` queries."""
    return next(item for item in appeal.contact.rubric.items if item.key == appeal.item_key)


def decision_refusal(appeal: Appeal, reviewer: User) -> str | None:
    """Why ``reviewer`` may not decide ``appeal``, in words, or ``None`` when they may."""
    if reviewer.role not in DECIDERS:
        return "only reviewers decide appeals"
    district_id = appeal.contact.assignment.round.district_id
    if reviewer.role is not Role.ADMIN and reviewer.district_id != district_id:
        return "this appeal belongs to another district"
    if appeal.approver_id is not None and appeal.approver_id == reviewer.id:
        return "you approved this contact, so another reviewer decides its appeal"
    return None


def _typed(value: Any, kind: type) -> Any:
    """``value`` as a fact of ``kind`` (a whole number, yes/no, an aware moment); else a problem on it."""
    if kind is int and isinstance(value, float) and value.is_integer():
        value = int(value)
    fits = isinstance(value, kind) and not (kind is int and isinstance(value, bool))
    if kind is int and fits and value < 0:
        raise ValidationError("value", "enter a number of at least 0")
    if kind is int and fits and value > MAX_COUNT:
        raise ValidationError("value", f"enter a number up to {MAX_COUNT:,}")
    if kind is datetime and fits and value.tzinfo is None:
        raise ValidationError("value", "give the time with its time zone")
    if not fits:
        raise ValidationError("value", WRONG_KIND[kind])
    return value


def corrected_entry(contact: Contact, item: RubricItem, correction: Correction) -> ContactEntry:
    """What ``contact`` records with ``item``'s answer corrected (refused when nothing would change)."""
    entry = recorded_entry(contact)
    responses = dict(entry.responses)
    field = fact_field(item)
    same = "this is the answer the contact already records: give the corrected one, or do not uphold"
    if field == "outcome":
        raise ValidationError(
            "value",
            "this answer follows from how the contact ended, which an appeal does not change: "
            "do not uphold it, or reopen the contact to correct it",
        )
    if field is not None:
        if correction.na:
            raise ValidationError("value", f"give the corrected value of {FACTS[item.fact or ''].words}")
        value = _typed(correction.value, TIMING_TYPES[field])
        if getattr(entry.timings, field) == value:
            raise ValidationError("value", same)
        # Every answer worked out from a fact is worked out again, from the corrected fact.
        for other in contact.rubric.items:
            if other.fact and other.key in responses:
                responses[other.key] = AnswerEntry(None, False, responses[other.key].comment)
        return replace(entry, timings=replace(entry.timings, **{field: value}), responses=responses)
    if correction.na and not item.allow_na:
        raise ValidationError("value", "this question cannot be answered N/A")
    current = responses.get(item.key, AnswerEntry())
    value = None if correction.na else correction.value
    if isinstance(value, datetime):  # a moment answers no question directly, only a reply's time
        raise ValidationError("value", "give an answer of this question's kind")
    if answer_words(item, current.value, current.na) == answer_words(item, value, correction.na):
        raise ValidationError("value", same)
    responses[item.key] = AnswerEntry(value, correction.na, current.comment)
    return replace(entry, responses=responses)


def _correct(
    session: Session,
    appeal: Appeal,
    reviewer: User,
    correction: Correction,
    note: str,
    calendar: BusinessCalendar,
    now: datetime,
) -> None:
    """Reopen the contact, correct the answer in review (the edit log says who and why), approve it again."""
    contact = appeal.contact
    item = item_of(appeal)
    entry = corrected_entry(contact, item, correction)
    reopen(session, contact, reviewer, note, now=now)
    try:
        reviewer_edit(session, contact, entry, reviewer, calendar, now=now, reason=note)
    except ValidationError as error:
        raise ValidationError.many([("value", reason) for _, reason in error.problems]) from error
    approve(session, contact, reviewer, now=now)
    response = next((r for r in contact.responses if r.item_id == item.id), None)
    appeal.corrected_answer = answer_words(item, response.value, response.na) if response else "—"
    value = correction.value
    appeal.corrected_value = value.isoformat() if isinstance(value, datetime) else value
    appeal.corrected_na = correction.na


def _problems(decision: Decision) -> list[Problem]:
    problems: list[Problem] = []
    if decision.outcome not in DECIDED:
        problems.append(("outcome", "choose whether the appeal is upheld or not"))
    reason = decision.reason.strip()
    if not reason:
        problems.append(("reason", "say why: the principal reads it"))
    elif len(reason) > MAX_REASON:
        problems.append(("reason", f"keep it under {MAX_REASON:,} characters"))
    correction = decision.correction
    missing = correction is None or (not correction.na and correction.value in (None, ""))
    if decision.outcome is AppealOutcome.UPHELD and missing:
        problems.append(("value", "give the corrected answer"))
    return problems


def decide_appeal(
    session: Session,
    appeal: Appeal,
    reviewer: User,
    decision: Decision,
    calendar: BusinessCalendar,
    now: datetime | None = None,
) -> Appeal:
    """Decide a pending appeal (refused, nothing saved, when a rule is broken); the caller commits.

    ``calendar`` is the district's (the corrected contact is checked against it as any correction is).
    """
    now = now or utcnow()
    lock(session, appeal)  # two reviewers deciding at once: the second sees the first's decision
    refusal = decision_refusal(appeal, reviewer)
    if refusal is not None:
        raise NotAllowedError("appeal", refusal)
    if not appeal.pending:
        raise ConflictError("appeal", f"this appeal was already decided: {appeal.outcome.label.lower()}")
    problems = _problems(decision)
    if problems:
        raise ValidationError.many(problems)
    reason = decision.reason.strip()
    if decision.outcome is AppealOutcome.UPHELD and decision.correction is not None:
        prompt = item_of(appeal).prompt
        note = f"Appeal upheld on “{prompt}”: {reason}"
        _correct(session, appeal, reviewer, decision.correction, note, calendar, now)
    appeal.outcome = decision.outcome
    appeal.decided_by_id = reviewer.id
    appeal.decided_at = now
    appeal.decision_reason = reason
    session.flush()
    return appeal
