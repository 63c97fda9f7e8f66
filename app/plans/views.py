"""Action plans: the list (a leader's district, a principal's schools), one plan's page, opening one.

Leaders see their district's plans with the overdue actions first; principals the plans of their
schools. A plan is opened by publishing its round's scorecards (``audits.scorecards.publish``) or,
on request, from the school page.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now, today_in
from app.extensions import db
from app.permissions import permission_required, require
from app.plans.pages import plan_or_404, plan_page
from audits.access import Action
from audits.errors import DomainError
from audits.models import ActionPlan, District, PlanStatus, Role, School
from audits.plans.listing import DueAction, district_plans, due_actions, principal_plans
from audits.plans.opening import request_plan
from audits.plans.roles import responsible_label

blueprint = Blueprint("plans", __name__)


def _visible_plans() -> list[ActionPlan]:
    """The plans the signed-in person may see: a principal's schools', a leader's district's, all."""
    if current_user.role is Role.PRINCIPAL:
        return principal_plans(db.session, current_user)
    district = None if current_user.role is Role.ADMIN else current_user.district
    return district_plans(db.session, district)


def _open_actions(plans: list[ActionPlan]) -> list[DueAction]:
    """The open actions of the approved plans, each against its own district's today."""
    todays: dict[int, date] = {}
    found: list[DueAction] = []
    for plan in plans:
        district: District = plan.school.district
        if district.id not in todays:
            todays[district.id] = today_in(district)
        found += due_actions([plan], todays[district.id])
    return sorted(found, key=lambda due: (due.action.due_on, due.plan.school.name, due.action.id))


@blueprint.route("/plans/")
@permission_required(Action.VIEW_PLANS)
def index() -> str:
    """The plans the person may see, by status, with the overdue actions listed first."""
    plans = _visible_plans()
    counts = Counter(plan.status for plan in plans)
    wanted = request.args.get("status", "")
    status = PlanStatus(wanted) if wanted in {s.value for s in PlanStatus} else None
    overdue = [due for due in _open_actions(plans) if due.overdue]
    overdue.sort(key=lambda due: (-due.days_late, due.plan.school.name, due.action.id))
    late_by_plan = Counter(due.plan.id for due in overdue)
    return render_template(
        "plans/index.html",
        plans=[plan for plan in plans if status is None or plan.status is status],
        counts=counts,
        total=len(plans),
        status=status,
        statuses=list(PlanStatus),
        overdue=overdue,
        late_by_plan=late_by_plan,
        responsible_label=responsible_label,
    )


@blueprint.route("/plans/<int:plan_id>")
@login_required
def show(plan_id: int) -> tuple[str, int]:
    """One plan: what it answers, its actions, the step the reader may take, and its history."""
    plan = plan_or_404(plan_id)
    require(Action.VIEW_PLANS, plan)
    return plan_page(plan)


@blueprint.route("/schools/<int:school_id>/plans", methods=["POST"])
@login_required
def open_plan(school_id: int) -> Response:
    """Open a plan for the school on request, in answer to its latest published scorecard."""
    school = db.get_or_404(School, school_id)
    require(Action.OPEN_PLAN, school)
    try:
        plan = request_plan(db.session, school, current_user, now())
    except DomainError as error:
        db.session.rollback()
        flash(f"No plan was opened: {error.reason}.", "error")
        return redirect(url_for("schools.show", school_id=school.id, _anchor="plans-heading"))
    db.session.commit()
    flash(f"Opened an action plan for {school.name} ({plan.round.name}).", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))
