"""Reminders of overdue actions: one email per principal, at most once a school day.

An action is overdue when its plan is approved, it is still open and its due day is before its
district's today (the moment in the district's timezone). As the auditors' reminders
(``audits.reminders``) do, these go out on the district's school days only (weekdays that are not
closures), optionally once its local hour has come; ``PlanReminder`` records each action reminded
on each day, so however often this runs an action is reminded at most once a school day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from audits.models import ActionPlan, District, PlanAction, PlanReminder, PlanStatus, School
from audits.reminders import local_time
from audits.scorecards import school_principals


@dataclass(frozen=True)
class OverdueAction:
    """One overdue action, as a reminder lists it."""

    action_id: int
    plan_id: int
    school_name: str
    change: str
    responsible: str
    due_on: date
    today: date  # the district's day it is reminded on (``PlanReminder.sent_on``)


@dataclass
class PrincipalReminder:
    """Everything one principal is reminded of at once: the contents of one email."""

    user_id: int
    email: str
    name: str
    actions: list[OverdueAction] = field(default_factory=list)


def school_days_today(session: Session, now: datetime, not_before_hour: int | None = None) -> dict[int, date]:
    """Each district's today, by id, for the districts where today is a school day (and, with
    ``not_before_hour``, that hour has come); two queries."""
    days = {}
    for district in session.scalars(select(District).options(selectinload(District.closures))):
        moment = local_time(district.timezone, now)
        today = moment.date()
        if today.weekday() >= 5 or today in {closure.day for closure in district.closures}:
            continue
        if not_before_hour is not None and moment.hour < not_before_hour:
            continue
        days[district.id] = today
    return days


def due_plan_reminders(
    session: Session, now: datetime, not_before_hour: int | None = None
) -> list[PrincipalReminder]:
    """The reminders to send at ``now`` (timezone-aware) not yet sent today, one per active principal of
    each school with overdue actions, by principal name; a fixed number of queries."""
    days = school_days_today(session, now, not_before_hour)
    if not days:
        return []
    rows = session.execute(
        select(PlanAction, ActionPlan.school_id, School.name, School.district_id)
        .join(ActionPlan, ActionPlan.id == PlanAction.plan_id)
        .join(School, School.id == ActionPlan.school_id)
        .where(
            ActionPlan.status == PlanStatus.APPROVED,
            PlanAction.closed_at.is_(None),
            School.district_id.in_(list(days)),
            PlanAction.due_on < max(days.values()),
        )
        .order_by(PlanAction.due_on, School.name, PlanAction.id)
    ).all()
    sent = set(
        session.execute(
            select(PlanReminder.action_id, PlanReminder.sent_on).where(
                PlanReminder.sent_on.in_(set(days.values()))
            )
        ).tuples()
    )
    overdue: list[tuple[int, OverdueAction]] = []
    for action, school_id, school_name, district_id in rows:
        today = days[district_id]
        if action.due_on < today and (action.id, today) not in sent:
            overdue.append(
                (
                    school_id,
                    OverdueAction(
                        action.id, action.plan_id, school_name, action.change, action.responsible,
                        action.due_on, today,
                    ),
                )
            )  # fmt: skip
    principals = school_principals(session, {school_id for school_id, _ in overdue})
    found: dict[int, PrincipalReminder] = {}
    for school_id, item in overdue:
        for user in principals[school_id]:
            reminder = found.setdefault(
                user.id, PrincipalReminder(user.id, user.email, user.name or user.email)
            )
            reminder.actions.append(item)
    return sorted(found.values(), key=lambda r: (r.name.casefold(), r.user_id))


def record_sent(session: Session, reminders: Iterable[PrincipalReminder]) -> int:
    """Log the reminded actions as reminded on their district's today; return how many. The caller commits."""
    logged = {(item.action_id, item.today) for reminder in reminders for item in reminder.actions}
    session.add_all(PlanReminder(action_id=action_id, sent_on=day) for action_id, day in sorted(logged))
    session.flush()
    return len(logged)
