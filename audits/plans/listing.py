"""What is open: a school's plans, a district's, the actions due and overdue, and a school's to-do.

``open_items_for_school`` is what a principal's portal shows for a school: the plans to write (a
draft or sent back), those waiting for a leader, and the actions of approved plans still to close,
each marked overdue once its due day is past. ``overdue_actions`` is the leader's list. Days are
the district's (the caller passes its today).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from audits.models import ActionPlan, District, PlanAction, PlanStatus, Role, Round, School, User
from audits.plans.workflow import TO_WRITE


def _plans() -> Select[tuple[ActionPlan]]:
    return (
        select(ActionPlan)
        .join(Round, Round.id == ActionPlan.round_id)
        .join(School, School.id == ActionPlan.school_id)
        .options(
            contains_eager(ActionPlan.round),
            contains_eager(ActionPlan.school),
            selectinload(ActionPlan.actions),
        )
        .order_by(Round.first_day.desc(), Round.id.desc(), School.name, ActionPlan.id)
    )


def school_plans(session: Session, school: School) -> list[ActionPlan]:
    """The school's plans, newest round first, with their actions (two queries)."""
    return list(session.scalars(_plans().where(ActionPlan.school_id == school.id)).unique())


def district_plans(
    session: Session, district: District | None, status: PlanStatus | None = None
) -> list[ActionPlan]:
    """Every plan of ``district`` (``None``: of every district), optionally of one status."""
    query = _plans()
    if district is not None:
        query = query.where(School.district_id == district.id)
    if status is not None:
        query = query.where(ActionPlan.status == status)
    return list(session.scalars(query).unique())


def principal_plans(session: Session, user: User) -> list[ActionPlan]:
    """The plans of the principal's schools (none for anyone else)."""
    school_ids = [school.id for school in user.schools]
    if user.role is not Role.PRINCIPAL or not school_ids:
        return []
    return list(session.scalars(_plans().where(ActionPlan.school_id.in_(school_ids))).unique())


@dataclass(frozen=True)
class DueAction:
    """An open action of an approved plan, and how it stands against today."""

    action: PlanAction
    plan: ActionPlan
    today: date

    @property
    def overdue(self) -> bool:
        """Whether its due day has passed."""
        return self.action.due_on < self.today

    @property
    def days_late(self) -> int:
        """Calendar days past its due day (0 when not overdue)."""
        return max((self.today - self.action.due_on).days, 0)


def due_actions(plans: list[ActionPlan], today: date) -> list[DueAction]:
    """The open actions of the approved ``plans``, soonest due first."""
    found = [
        DueAction(action, plan, today)
        for plan in plans
        if plan.status is PlanStatus.APPROVED
        for action in plan.actions
        if not action.closed
    ]
    return sorted(found, key=lambda due: (due.action.due_on, due.plan.school.name, due.action.id))


def overdue_actions(session: Session, district: District | None, today: date) -> list[DueAction]:
    """The district's overdue actions (every district's for ``None``), longest overdue first."""
    query = (
        _plans()
        .join(PlanAction, PlanAction.plan_id == ActionPlan.id)
        .where(
            ActionPlan.status == PlanStatus.APPROVED,
            PlanAction.closed_at.is_(None),
            PlanAction.due_on < today,
        )
    )
    if district is not None:
        query = query.where(School.district_id == district.id)
    plans = list(session.scalars(query).unique())
    return [due for due in due_actions(plans, today) if due.overdue]


@dataclass
class OpenItems:
    """What a school's principal has to do about plans: write, wait, close actions."""

    school: School
    today: date
    to_write: list[ActionPlan] = field(default_factory=list)  # drafts and plans sent back
    waiting: list[ActionPlan] = field(default_factory=list)  # submitted, with a leader
    actions_due: list[DueAction] = field(default_factory=list)  # open actions of approved plans

    @property
    def overdue(self) -> list[DueAction]:
        """The actions past their due day."""
        return [due for due in self.actions_due if due.overdue]

    @property
    def empty(self) -> bool:
        """Whether nothing is open."""
        return not (self.to_write or self.waiting or self.actions_due)


def open_items(school: School, plans: list[ActionPlan], today: date) -> OpenItems:
    """What is open among ``plans`` (the school's, as ``school_plans`` gives them)."""
    return OpenItems(
        school=school,
        today=today,
        to_write=[plan for plan in plans if plan.status in TO_WRITE],
        waiting=[plan for plan in plans if plan.status is PlanStatus.SUBMITTED],
        actions_due=due_actions(plans, today),
    )


def open_items_for_school(session: Session, school: School, today: date) -> OpenItems:
    """The school's plans to write, plans waiting for a leader and actions to close (two queries)."""
    return open_items(school, school_plans(session, school), today)
