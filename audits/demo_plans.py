"""The demo's action plans, one in each state, and a follow-up round in the field.

Once the earlier round's scorecards are published (which opened a plan for each school that
qualified), the demo's people take each plan to a different step, through the real workflow:

- the school that fell below the standard: its principal wrote two actions, the leader approved
  them, the first is closed with what was done; a follow-up round checks it again on what failed,
  in the field, its contacts due after the plan's last due date;
- the school with a critical failure: written and submitted, sent back by the leader with a comment;
- the next school by name: a plan asked for, written and submitted, waiting for the leader;
- the demo principal's school: a plan asked for by the leader, still a draft for the principal to
  write and submit.

Every day counts school days from ``today``, so the demo tells the same story on any date. The
caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar, next_school_day
from audits.models import ActionPlan, PlanReason, PlanStatus, Round, RoundStatus, School, User
from audits.planning.rounds import commit_plan, move_round, schools_in_round
from audits.plans.actions import ActionEntry, add_action, approve_plan, send_back_plan, submit_plan
from audits.plans.closing import ActionClosing, close_action, plan_evidence_folder
from audits.plans.follow_up import FollowUpSpec, plan_follow_up
from audits.plans.opening import request_plan
from audits.plans.weak import WHOLE_PLAN, weaknesses

FOLLOW_UP_SCHOOL_DAYS = 12  # how long the follow-up's window lasts
SENT_BACK_COMMENT = (
    "Thank you. The plan does not yet say how the office will stop a call from going unanswered "
    "over lunch, which is where the critical failure happened: add an action for that, with a role."
)
CLOSED_EVIDENCE = (
    "Done on the date due: the greeting script is taped beside each office phone, and the front-office "
    "team practised it at Monday's briefing (sign-in sheet kept in the office binder)."
)
# What each written plan says: (change, role, school days from today until it is due).
ACTIONS = (
    (
        "Everyone answering the office phone gives the school's name and their own first name, "
        "then asks how they can help.",
        "office_manager",
        2,
    ),
    (
        "A second person covers the main line from 11:00 to 13:00 so that no call rings out over lunch.",
        "assistant_principal",
        4,
    ),
)


@dataclass(frozen=True)
class DemoPlans:
    """The demo's plans by state (``None`` where the round gave no school for it) and the follow-up."""

    draft: ActionPlan | None
    submitted: ActionPlan | None
    sent_back: ActionPlan | None
    approved: ActionPlan | None
    follow_up: Round | None


def _school_days_after(calendar: BusinessCalendar, today: date, count: int) -> date:
    day = today
    for _ in range(count):
        day = next_school_day(calendar, day)
    return day


def _write(
    session: Session,
    plan: ActionPlan,
    principal: User,
    calendar: BusinessCalendar,
    today: date,
    now: datetime,
    actions: int,
) -> None:
    """The principal writes the first ``actions`` of ``ACTIONS`` (on the most urgent weak items), submits."""
    weak = weaknesses(session, plan.round, plan.school)
    # The actions are about the office phone: they answer the phone's weak items, most urgent first.
    phone = [item for item in weak.items if item.key.startswith(("channel:phone", "item:phone:"))]
    for index, (change, role, days) in enumerate(ACTIONS[:actions]):
        target = phone[index].key if index < len(phone) else WHOLE_PLAN
        tip = phone[index].tip_item_id if index < len(phone) else None
        due = _school_days_after(calendar, today, days)
        add_action(
            session, plan, ActionEntry(change, role, due, target, tip), principal, weak, today, now=now
        )
    submit_plan(session, plan, principal, today, now=now)


def _principal_of(school: School, principals: list[User]) -> User | None:
    return next((user for user in principals if any(s.id == school.id for s in user.schools)), None)


def load_demo_plans(
    session: Session,
    round_: Round,
    leader: User,
    principals: list[User],
    demo_principal: User,
    today: date,
    now: datetime,
    evidence_dir: Path,
) -> DemoPlans:
    """Take the published round's plans to each state and put a follow-up round in the field (see above)."""
    calendar = BusinessCalendar.of(round_.district)
    opened = list(
        session.scalars(
            select(ActionPlan).join(School).where(ActionPlan.round_id == round_.id).order_by(School.name)
        )
    )
    below = [plan for plan in opened if plan.reason is PlanReason.BELOW_THRESHOLD]
    critical = [plan for plan in opened if plan.reason is PlanReason.CRITICAL_FAILURE]
    approved = next(iter(below or critical), None)
    sent_back = next((plan for plan in [*critical, *below] if plan is not approved), None)
    home = demo_principal.schools[0]
    with_plans = {plan.school_id for plan in opened}
    others = [
        school
        for school in schools_in_round(session, round_)
        if school.id not in with_plans and school.id != home.id
    ]
    draft = next((plan for plan in opened if plan.school_id == home.id), None)
    if draft is None:
        draft = request_plan(session, home, leader, now)
    submitted = request_plan(session, others[0], leader, now) if others else None

    for plan, actions in ((approved, 2), (sent_back, 1), (submitted, 1)):
        principal = _principal_of(plan.school, principals) if plan is not None else None
        if plan is not None and principal is not None:
            _write(session, plan, principal, calendar, today, now, actions)
    if sent_back is not None and sent_back.status is PlanStatus.SUBMITTED:
        send_back_plan(session, sent_back, leader, SENT_BACK_COMMENT, now=now)
    follow_up = None
    if approved is not None and approved.status is PlanStatus.SUBMITTED:
        approve_plan(session, approved, leader, now=now)
        principal = _principal_of(approved.school, principals)
        assert principal is not None  # _write needed them
        closing = ActionClosing(CLOSED_EVIDENCE)
        folder = plan_evidence_folder(evidence_dir)
        close_action(session, approved.actions[0], closing, principal, folder, max_bytes=0, now=now)
        follow_up = _follow_up(session, round_, approved, calendar, today)
    session.flush()
    return DemoPlans(draft, submitted, sent_back, approved, follow_up)


def _follow_up(
    session: Session, round_: Round, plan: ActionPlan, calendar: BusinessCalendar, today: date
) -> Round:
    """A follow-up round of ``plan``'s school, in the field from the school day after its last due date."""
    last_due = max(action.due_on for action in plan.actions)
    first_day = next_school_day(calendar, last_due)
    last_day = _school_days_after(calendar, first_day, FOLLOW_UP_SCHOOL_DAYS)
    spec = FollowUpSpec(f"Follow-up: {round_.name}", first_day, last_day, [plan.school_id], seed=2027)
    follow_up = plan_follow_up(session, round_, spec, today)
    commit_plan(session, follow_up)
    move_round(session, follow_up, RoundStatus.IN_FIELD)
    return follow_up
