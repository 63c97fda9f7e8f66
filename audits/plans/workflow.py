"""The plan workflow as a table: which step moves a plan from which statuses to which.

- submit: draft or sent back → submitted (the principal, with at least one action);
- send back: submitted → sent back, with a comment saying what to change (a leader);
- approve: submitted → approved; from then on its actions are closed one by one (a leader);
- close: approved → closed, by itself, when its last action is closed.

The principal changes the actions only while the table lets them submit the plan. Every step,
and every change to an action, is a ``PlanEvent`` of the plan's history.
"""

from __future__ import annotations

from datetime import datetime

from audits.errors import ConflictError
from audits.models import ActionPlan, PlanAction, PlanEvent, PlanEventKind, PlanStatus, User
from audits.timeutil import utcnow

# step → (the statuses it starts from, the status it leads to)
TRANSITIONS: dict[PlanEventKind, tuple[frozenset[PlanStatus], PlanStatus]] = {
    PlanEventKind.SUBMITTED: (frozenset({PlanStatus.DRAFT, PlanStatus.SENT_BACK}), PlanStatus.SUBMITTED),
    PlanEventKind.SENT_BACK: (frozenset({PlanStatus.SUBMITTED}), PlanStatus.SENT_BACK),
    PlanEventKind.APPROVED: (frozenset({PlanStatus.SUBMITTED}), PlanStatus.APPROVED),
    PlanEventKind.CLOSED: (frozenset({PlanStatus.APPROVED}), PlanStatus.CLOSED),
}
# The principal writes actions while the plan can be submitted; closes them once it is approved.
EDITABLE = TRANSITIONS[PlanEventKind.SUBMITTED][0]
DECIDABLE = TRANSITIONS[PlanEventKind.APPROVED][0]
CLOSABLE = frozenset({PlanStatus.APPROVED})
# Plans whose principal has something to do: write (or rewrite) and submit.
TO_WRITE = EDITABLE

STEP_WORDS = {
    PlanEventKind.SUBMITTED: "submitted",
    PlanEventKind.SENT_BACK: "sent back",
    PlanEventKind.APPROVED: "approved",
    PlanEventKind.CLOSED: "closed",
}


def refusal(plan: ActionPlan, step: PlanEventKind) -> str:
    """Why ``step`` cannot be taken from the plan's status, in words."""
    status = plan.status.label.lower()
    if step is PlanEventKind.SUBMITTED:
        return f"the plan is {status}; it cannot be submitted now"
    if step is PlanEventKind.CLOSED:
        return f"the plan is {status}; only an approved plan is closed"
    return f"the plan is {status}; only a submitted plan can be {STEP_WORDS[step]}"


def ensure_step(plan: ActionPlan, step: PlanEventKind) -> None:
    """Raise a conflict unless the table allows ``step`` from the plan's status."""
    if plan.status not in TRANSITIONS[step][0]:
        raise ConflictError("status", refusal(plan, step))


def ensure_editable(plan: ActionPlan) -> None:
    """Raise a conflict unless the plan's actions may still be written (draft or sent back)."""
    if plan.status not in EDITABLE:
        raise ConflictError(
            "status", f"the plan is {plan.status.label.lower()}; its actions cannot change now"
        )


def record(
    plan: ActionPlan,
    kind: PlanEventKind,
    actor: User | None,
    now: datetime | None = None,
    detail: str = "",
    comment: str = "",
    action: PlanAction | None = None,
) -> PlanEvent:
    """Add one event to the plan's history (the caller flushes)."""
    event = PlanEvent(
        kind=kind,
        actor_id=actor.id if actor is not None else None,
        action_id=action.id if action is not None else None,
        detail=detail,
        comment=comment,
        at=now or utcnow(),
    )
    plan.events.append(event)
    return event


def take_step(
    plan: ActionPlan, step: PlanEventKind, actor: User | None, comment: str = "", now: datetime | None = None
) -> PlanEvent:
    """Move the plan by ``step`` (checked against the table) and record it in the history."""
    ensure_step(plan, step)
    now = now or utcnow()
    plan.status = TRANSITIONS[step][1]
    if step is PlanEventKind.SUBMITTED:
        plan.submitted_at = now
    elif step is PlanEventKind.APPROVED:
        plan.approved_at = now
    elif step is PlanEventKind.CLOSED:
        plan.closed_at = now
    return record(plan, step, actor, now, comment=comment)
