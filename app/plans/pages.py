"""What every plan page shares: finding a plan, its school's today, its weak items, and the page itself.

The plan page is one template for everyone who may see it: the principal writes and submits it
(and later closes its actions), a leader approves it or sends it back. A refused form comes back
on the same page with its problems next to its fields and a summary above.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from flask import abort, current_app, render_template
from flask_login import current_user
from sqlalchemy import select

from app.clock import today_in
from app.extensions import db
from app.fieldwork.display import local_time
from app.permissions import can
from app.plans.forms import ActionForm, CloseActionForm, SendBackForm
from audits.access import Action
from audits.models import ActionPlan, PlanAction, PlanEventKind, PlanEvidence
from audits.plans.checks import check_for
from audits.plans.closing import plan_evidence_folder
from audits.plans.history import actor_words, event_words, reason_words
from audits.plans.roles import responsible_label
from audits.plans.weak import Weaknesses, weaknesses
from audits.plans.workflow import CLOSABLE, DECIDABLE, EDITABLE


def plan_or_404(plan_id: int) -> ActionPlan:
    """The plan with ``plan_id``, or a 404."""
    return db.get_or_404(ActionPlan, plan_id)


def action_or_404(plan: ActionPlan, action_id: int) -> PlanAction:
    """The action ``action_id`` of ``plan``, or a 404 (another plan's action is not found here)."""
    action = db.session.get(PlanAction, action_id)
    if action is None or action.plan_id != plan.id:
        abort(404)
    return action


def evidence_or_404(token: str) -> PlanEvidence:
    """The plan evidence file whose URL token is ``token``, or a 404."""
    return db.first_or_404(select(PlanEvidence).where(PlanEvidence.token == token))


def plan_today(plan: ActionPlan) -> date:
    """Today in the plan's district (the configured ``TODAY`` when there is one)."""
    return today_in(plan.school.district)


def plan_weaknesses(plan: ActionPlan) -> Weaknesses:
    """The weak items of the plan's school in the plan's round, with the coaching tips offered."""
    return weaknesses(db.session, plan.round, plan.school)


def evidence_folder() -> Path:
    """Where action plans' evidence files are stored (outside the web root)."""
    return plan_evidence_folder(Path(current_app.config["EVIDENCE_DIR"]))


def max_evidence_bytes() -> int:
    """The largest evidence file accepted."""
    return int(current_app.config["MAX_EVIDENCE_MB"]) * 1024 * 1024


def action_form(weak: Weaknesses, action: PlanAction | None = None, formdata: bool = False) -> ActionForm:
    """The action form, blank (or showing ``action``), or read from the request with ``formdata``."""
    if formdata:
        form = ActionForm()
    elif action is None:
        form = ActionForm(formdata=None)
    else:
        form = ActionForm(
            formdata=None,
            target=action.target,
            change=action.change,
            responsible=action.responsible,
            due_on=action.due_on.isoformat(),
            resource_item_id=str(action.resource_item_id or ""),
        )
    form.offer(weak)
    return form


def close_form(action_id: int, formdata: bool = False) -> CloseActionForm:
    """The form closing action ``action_id``: its fields named after it, as several share a page."""
    prefix = f"close-{action_id}"
    return CloseActionForm(prefix=prefix) if formdata else CloseActionForm(formdata=None, prefix=prefix)


def plan_page(
    plan: ActionPlan,
    *,
    weak: Weaknesses | None = None,
    new_action: ActionForm | None = None,
    send_back: SendBackForm | None = None,
    closing: tuple[int, CloseActionForm] | None = None,
    problems: list[str] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    """The plan page; a refused form comes back in it with its problems (``problems``: the plan's own)."""
    weak = weak or plan_weaknesses(plan)
    may_write = can(Action.WRITE_PLAN, plan) and plan.status in EDITABLE
    sent_back = next(
        (event for event in reversed(plan.events) if event.kind is PlanEventKind.SENT_BACK), None
    )
    closing_id, refused = closing if closing is not None else (None, None)
    close_forms = {
        action.id: refused if action.id == closing_id and refused is not None else close_form(action.id)
        for action in plan.actions
        if not action.closed
    }
    page = render_template(
        "plans/show.html",
        plan=plan,
        follow_up=check_for(db.session, plan, current_user),
        weak=weak,
        today=plan_today(plan),
        reason=reason_words(plan),
        may_write=may_write,
        may_decide=can(Action.DECIDE_PLAN, plan) and plan.status in DECIDABLE,
        may_close=can(Action.WRITE_PLAN, plan) and plan.status in CLOSABLE,
        new_action=new_action or (action_form(weak) if may_write else None),
        send_back=send_back or SendBackForm(formdata=None),
        closing_id=closing_id,
        close_forms=close_forms,
        sent_back=sent_back if plan.status in EDITABLE else None,
        problems=problems or [],
        history=list(reversed(plan.events)),
        event_words=event_words,
        actor_words=actor_words,
        responsible_label=responsible_label,
        moment=lambda at: local_time(at, plan.school.district.timezone),
    )
    return page, status
