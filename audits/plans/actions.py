"""Writing a plan (its principal) and deciding it (a leader).

An action says what will change, who is responsible by role (``audits.plans.roles``), by when
(today or later, in the district's calendar) and, optionally, which coaching tip of the rubric
library it uses; it answers one of the school's weak items (``audits.plans.weak``) or the plan as a
whole. Every problem of an entry is reported at once, next to its field, and nothing is saved.
A plan is submitted with at least one action, none of them due before today; a leader approves
it, or sends it back with a comment. Everything flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.orm import Session

from audits.errors import Problem, ValidationError
from audits.models import ActionPlan, PlanAction, PlanEventKind, User
from audits.plans.roles import RESPONSIBLE_ROLES, responsible_label
from audits.plans.weak import WHOLE_PLAN, Weaknesses
from audits.plans.workflow import ensure_editable, ensure_step, record, take_step
from audits.timeutil import utcnow

MAX_CHANGE = 2000
MAX_COMMENT = 2000
LONGEST_AHEAD = timedelta(days=730)  # an action is due within two years
WHOLE_PLAN_LABEL = "The plan as a whole"


@dataclass(frozen=True)
class ActionEntry:
    """One action as its principal writes it (a view builds it from its form)."""

    change: str
    responsible: str
    due_on: date | None
    target: str = WHOLE_PLAN
    resource_item_id: int | None = None


def _day(day: date) -> str:
    return f"{day:%a, %b} {day.day}, {day.year}"


def check_entry(entry: ActionEntry, weak: Weaknesses, today: date) -> list[Problem]:
    """Every problem of ``entry`` against the school's weak items, the offered tips and ``today``."""
    problems: list[Problem] = []
    change = entry.change.strip()
    if not change:
        problems.append(("change", "say what will change"))
    elif len(change) > MAX_CHANGE:
        problems.append(("change", f"keep it to {MAX_CHANGE:,} characters (it has {len(change):,})"))
    if entry.responsible not in RESPONSIBLE_ROLES:
        problems.append(("responsible", "choose who is responsible, by role"))
    if entry.due_on is None:
        problems.append(
            ("due_on", "enter the day it is due, for example " + (today + timedelta(days=30)).isoformat())
        )
    elif entry.due_on < today:
        problems.append(
            ("due_on", f"the due date is before today ({_day(today)}); choose today or a later day")
        )
    elif entry.due_on > today + LONGEST_AHEAD:
        problems.append(("due_on", "choose a day within the next two years"))
    if entry.target != WHOLE_PLAN and weak.item(entry.target) is None:
        problems.append(("target", "choose one of the school's weak items, or the plan as a whole"))
    if entry.resource_item_id is not None and weak.resource(entry.resource_item_id) is None:
        problems.append(("resource_item_id", "choose a coaching tip from the list, or none"))
    return problems


def _apply(action: PlanAction, entry: ActionEntry, weak: Weaknesses) -> None:
    target = weak.item(entry.target)
    resource = weak.resource(entry.resource_item_id) if entry.resource_item_id is not None else None
    action.change = entry.change.strip()
    action.responsible = entry.responsible
    if entry.due_on is not None:  # always, once checked
        action.due_on = entry.due_on
    action.target = entry.target if target is not None else WHOLE_PLAN
    action.target_label = target.label if target is not None else WHOLE_PLAN_LABEL
    action.resource_item_id = resource.item_id if resource is not None else None
    action.resource = resource.tip if resource is not None else ""


def summary(action: PlanAction) -> str:
    """The action in one line, for the history: ``Front-office manager, due Mon, Feb 1, 2027: …``."""
    return f"{responsible_label(action.responsible)}, due {_day(action.due_on)}: {action.change}"


def add_action(
    session: Session,
    plan: ActionPlan,
    entry: ActionEntry,
    actor: User,
    weak: Weaknesses,
    today: date,
    now: datetime | None = None,
) -> PlanAction:
    """Add an action to a plan that is a draft or sent back; refuse a bad entry whole."""
    ensure_editable(plan)
    problems = check_entry(entry, weak, today)
    if problems:
        raise ValidationError.many(problems)
    action = PlanAction(created_at=now or utcnow())
    _apply(action, entry, weak)
    plan.actions.append(action)
    session.flush()
    record(plan, PlanEventKind.ACTION_ADDED, actor, now, detail=summary(action), action=action)
    session.flush()
    return action


def _changes(action: PlanAction) -> dict[str, str]:
    return {
        "What will change": action.change,
        "Responsible": responsible_label(action.responsible),
        "Due": _day(action.due_on),
        "Answers": action.target_label,
        "Coaching tip": action.resource or "none",
    }


def change_action(
    session: Session,
    action: PlanAction,
    entry: ActionEntry,
    actor: User,
    weak: Weaknesses,
    today: date,
    now: datetime | None = None,
) -> PlanAction:
    """Change an action of a plan that is a draft or sent back; the history says what changed."""
    plan = action.plan
    ensure_editable(plan)
    problems = check_entry(entry, weak, today)
    if problems:
        raise ValidationError.many(problems)
    before = _changes(action)
    _apply(action, entry, weak)
    after = _changes(action)
    changed = [f"{name}: {before[name]} → {after[name]}" for name in before if before[name] != after[name]]
    if changed:
        record(plan, PlanEventKind.ACTION_CHANGED, actor, now, detail="\n".join(changed), action=action)
    session.flush()
    return action


def remove_action(session: Session, action: PlanAction, actor: User, now: datetime | None = None) -> None:
    """Remove an action from a plan that is a draft or sent back; the history keeps what it said."""
    plan = action.plan
    ensure_editable(plan)
    record(plan, PlanEventKind.ACTION_REMOVED, actor, now, detail=summary(action))
    plan.actions.remove(action)
    session.flush()


def submit_plan(
    session: Session, plan: ActionPlan, actor: User, today: date, now: datetime | None = None
) -> None:
    """Submit the plan to the district's leaders: at least one action, none due before today."""
    ensure_step(plan, PlanEventKind.SUBMITTED)
    if not plan.actions:
        raise ValidationError("actions", "write at least one action before submitting the plan")
    late = [action for action in plan.actions if action.due_on < today]
    if late:
        raise ValidationError.many(
            [
                (
                    "actions",
                    f"“{action.change[:60]}” is due on {_day(action.due_on)}, before today; "
                    "change its due date first",
                )
                for action in late
            ]
        )
    take_step(plan, PlanEventKind.SUBMITTED, actor, now=now)
    session.flush()


def approve_plan(session: Session, plan: ActionPlan, actor: User, now: datetime | None = None) -> None:
    """A leader approves a submitted plan: its actions are now the school's commitments."""
    take_step(plan, PlanEventKind.APPROVED, actor, now=now)
    session.flush()


def send_back_plan(
    session: Session, plan: ActionPlan, actor: User, comment: str, now: datetime | None = None
) -> None:
    """A leader sends a submitted plan back to its principal, saying what to change."""
    ensure_step(plan, PlanEventKind.SENT_BACK)
    comment = comment.strip()
    if not comment:
        raise ValidationError("comment", "say what the principal should change")
    if len(comment) > MAX_COMMENT:
        raise ValidationError("comment", f"keep it to {MAX_COMMENT:,} characters (it has {len(comment):,})")
    take_step(plan, PlanEventKind.SENT_BACK, actor, comment=comment, now=now)
    session.flush()
