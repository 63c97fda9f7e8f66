"""A leader decides a submitted plan (approve, or send back with a comment); the district's setting.

The school's principals are told by email (through the outbox) either way. A send-back without a
comment comes back on the plan page with the problem next to the comment.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now
from app.errors import status_for
from app.extensions import db
from app.forms import apply_errors
from app.outbox import kick_outbox
from app.permissions import require
from app.plans.emails import queue_decision
from app.plans.forms import PlanSettingsForm, SendBackForm
from app.plans.pages import plan_or_404, plan_page
from audits.access import Action
from audits.errors import DomainError
from audits.models import District
from audits.plans.actions import approve_plan, send_back_plan

blueprint = Blueprint("plan_decisions", __name__)


@blueprint.route("/plans/<int:plan_id>/approve", methods=["POST"])
@login_required
def approve(plan_id: int) -> Response:
    """Approve a submitted plan: its actions become the school's commitments."""
    plan = plan_or_404(plan_id)
    require(Action.DECIDE_PLAN, plan)
    try:
        approve_plan(db.session, plan, current_user, now())
        queue_decision(plan)
    except DomainError as error:
        db.session.rollback()
        flash(f"The plan was not approved: {error.reason}.", "error")
        return redirect(url_for("plans.show", plan_id=plan.id))
    db.session.commit()
    kick_outbox()
    flash(f"Approved the plan of {plan.school.name}; its principal is told by email.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


@blueprint.route("/plans/<int:plan_id>/send-back", methods=["POST"])
@login_required
def send_back(plan_id: int) -> Response | tuple[str, int]:
    """Send a submitted plan back to its principal with what to change."""
    plan = plan_or_404(plan_id)
    require(Action.DECIDE_PLAN, plan)
    form = SendBackForm()
    comment = form.comment.data or ""
    try:
        send_back_plan(db.session, plan, current_user, comment, now())
        queue_decision(plan, comment.strip())
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return plan_page(plan, send_back=form, status=status_for(error))
    db.session.commit()
    kick_outbox()
    flash(f"Sent the plan back to {plan.school.name}; its principal is told by email.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))


@blueprint.route("/districts/<int:district_id>/plan-settings", methods=["POST"])
@login_required
def settings(district_id: int) -> Response:
    """Save whether the district's principals must give evidence to close an action."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    form = PlanSettingsForm()
    district.plan_evidence_required = bool(form.plan_evidence_required.data)
    db.session.commit()
    rule = "must give evidence" if district.plan_evidence_required else "may close without evidence"
    flash(f"Saved: principals of {district.name} {rule} to close an action.", "success")
    return redirect(url_for("districts.settings", district_id=district.id, _anchor="plans"))
