"""A plan's history in words: why it was opened, and what each step did."""

from __future__ import annotations

from audits.models import ActionPlan, PlanEvent, PlanEventKind, PlanReason
from audits.vocabulary import count_of

EVENT_WORDS = {
    PlanEventKind.OPENED: "Plan opened",
    PlanEventKind.ACTION_ADDED: "Action added",
    PlanEventKind.ACTION_CHANGED: "Action changed",
    PlanEventKind.ACTION_REMOVED: "Action removed",
    PlanEventKind.SUBMITTED: "Plan submitted",
    PlanEventKind.SENT_BACK: "Plan sent back",
    PlanEventKind.APPROVED: "Plan approved",
    PlanEventKind.ACTION_CLOSED: "Action closed",
    PlanEventKind.CLOSED: "Plan closed: every action is done",
}


def reason_words(plan: ActionPlan) -> str:
    """Why the plan was opened, from the figures it was opened on."""
    if plan.reason is PlanReason.CRITICAL_FAILURE:
        failures = count_of(plan.critical_failures, "contact")
        return f"{failures} of this round failed a critical item"
    if plan.reason is PlanReason.BELOW_THRESHOLD and plan.overall is not None:
        return (
            f"the overall score, {plan.overall:.1f}, is below the district's alert threshold of "
            f"{plan.threshold:g}"
        )
    return "opened on request"


def event_words(event: PlanEvent) -> str:
    """What the event did, as a heading: ``Plan sent back``."""
    return EVENT_WORDS[event.kind]


def actor_words(event: PlanEvent) -> str:
    """Who took the step: their name, or Touchpoint itself (publishing opened the plan)."""
    if event.actor is None:
        return "Touchpoint"
    return event.actor.display_name
