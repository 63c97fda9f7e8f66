"""The principal's portal, without the web: their schools' published scorecards and what is open for them.

For each school a principal leads, the portal lists the published scorecards (newest round
first) and, for the scorecard shown, what waits for them: acknowledging it ("read and
discussed with staff on …"), and, once the other parts of the loop are in place, the action
plan to write, the actions due and the window to query an answer. Each comes as an
``OpenItem``, newest need first; the web layer draws them and links each to its page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from sqlalchemy.orm import Session

from audits.acknowledgements import acknowledgement_of
from audits.appeals.window import window_of
from audits.models import PlanStatus, Role, School, Scorecard, User
from audits.plans.listing import open_items_for_school
from audits.scorecards import school_scorecards
from audits.vocabulary import count_of


class OpenKind(StrEnum):
    """What kind of thing waits for a principal."""

    ACKNOWLEDGE = "acknowledge"  # record that the scorecard was read and discussed with staff
    PLAN = "plan"  # an action plan to write or to send again (issue 20, item 2)
    ACTIONS = "actions"  # actions of an approved plan due soon or overdue (issue 20, item 2)
    APPEAL = "appeal"  # the window in which an answer may be queried (issue 20, item 4)


@dataclass(frozen=True)
class OpenItem:
    """One thing waiting for the principal: its kind, what to do in a few words, and by when.

    ``ref`` is the id of the record it is about (a plan, an appeal), for the web layer's link.
    """

    kind: OpenKind
    title: str
    detail: str = ""
    due: date | None = None
    ref: int | None = None


def published_scorecards(session: Session, school: School) -> list[Scorecard]:
    """The school's published scorecards, newest round first (what its principal may open)."""
    return school_scorecards(session, school, published_only=True)


def leads(user: User, school: School) -> bool:
    """Whether ``user`` is a principal of ``school``."""
    return user.role is Role.PRINCIPAL and any(own.id == school.id for own in user.schools)


def open_items(
    session: Session, school: School, card: Scorecard | None, user: User, today: date
) -> list[OpenItem]:
    """What waits for ``user`` about ``card`` (the school's scorecard shown) on ``today``.

    Only a principal of the school has anything open; anyone else reading the portal sees the list
    empty. Plans and appeals add their items through ``plan_items`` and ``appeal_items``.
    """
    if card is None or not leads(user, school):
        return []
    items: list[OpenItem] = []
    if acknowledgement_of(session, card, user) is None:
        items.append(
            OpenItem(
                OpenKind.ACKNOWLEDGE,
                "Acknowledge this scorecard",
                "Read it with your front-office staff, then record the day you discussed it.",
            )
        )
    items += plan_items(session, school, card, today)
    items += appeal_items(session, school, card, today)
    return items


def plan_items(session: Session, school: School, card: Scorecard, today: date) -> list[OpenItem]:
    """The action plans to write (or send again) and the actions due, for ``school`` (every round's).

    A plan in draft or sent back is one ``PLAN`` item; each open action of an approved plan is an
    ``ACTIONS`` item, due its day (overdue ones say so). ``ref`` is the plan's id.
    """
    found = open_items_for_school(session, school, today)
    items = [
        OpenItem(
            OpenKind.PLAN,
            "Send your action plan again"
            if plan.status is PlanStatus.SENT_BACK
            else "Write your action plan",
            f"For the {plan.round.name} scorecard: what will change, who does it, by when.",
            ref=plan.id,
        )
        for plan in found.to_write
    ]
    items += [
        OpenItem(
            OpenKind.ACTIONS,
            f"Close an action: {due.action.change[:80]}",
            f"Overdue by {count_of(due.days_late, 'day')}."
            if due.overdue
            else "Close it with what was done.",
            due=due.action.due_on,
            ref=due.plan.id,
        )
        for due in found.actions_due
    ]
    return items


def appeal_items(session: Session, school: School, card: Scorecard, today: date) -> list[OpenItem]:
    """The window in which the principal may query an answer of ``card``'s contacts, while it is open:
    one ``OpenKind.APPEAL`` item, due the window's last day, whose ``ref`` is the scorecard's id (its
    contacts and answers). The appeals already filed, and how each ended, are listed beside it
    (``audits.appeals.queries.school_appeals``)."""
    window = window_of(card, school.district, today)
    if window is None or not window.open:
        return []
    return [
        OpenItem(
            OpenKind.APPEAL,
            "Query an answer you think is wrong",
            f"Within {count_of(window.school_days, 'school day')} of publication; a reviewer who did not "
            "approve the contact decides.",
            due=window.last_day,
            ref=card.id,
        )
    ]
