"""The principal writes the plan: adds, changes and removes actions, then submits it.

Each form comes back on the plan page (or the action's edit page) with every problem next to its
field and a summary above when the domain refuses it; nothing is saved then.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now
from app.errors import status_for
from app.extensions import db
from app.forms import apply_errors
from app.permissions import require
from app.plans.forms import ActionForm, parse_day, parse_id
from app.plans.pages import action_form, action_or_404, plan_or_404, plan_page, plan_today, plan_weaknesses
from audits.access import Action
from audits.errors import DomainError
from audits.models import ActionPlan
from audits.plans.actions import ActionEntry, add_action, change_action, remove_action, submit_plan
from audits.plans.weak import WHOLE_PLAN, Weaknesses

blueprint = Blueprint("plan_writing", __name__, url_prefix="/plans")

BAD_DAY = "enter the day as a date, for example 2027-02-01"


def _entry(form: ActionForm) -> ActionEntry:
    return ActionEntry(
        change=form.change.data or "",
        responsible=form.responsible.data or "",
        due_on=parse_day(form.due_on.data),
        target=form.target.data or WHOLE_PLAN,
        resource_item_id=parse_id(form.resource_item_id.data),
    )


def _refused(form: ActionForm, error: DomainError) -> None:
    """Put the domain's problems next to the fields; a day typed but unreadable says so."""
    apply_errors(form, error)
    if form.due_on.errors and (form.due_on.data or "").strip() and parse_day(form.due_on.data) is None:
        form.due_on.errors = [BAD_DAY]


def _mine(plan_id: int) -> tuple[ActionPlan, Weaknesses]:
    plan = plan_or_404(plan_id)
    require(Action.WRITE_PLAN, plan)
    return plan, plan_weaknesses(plan)


@blueprint.route("/<int:plan_id>/actions", methods=["POST"])
@login_required
def add(plan_id: int) -> Response | tuple[str, int]:
    """Add an action to the plan."""
    plan, weak = _mine(plan_id)
    form = action_form(weak, formdata=True)
    try:
        add_action(db.session, plan, _entry(form), current_user, weak, plan_today(plan), now())
    except DomainError as error:
        db.session.rollback()
        _refused(form, error)
        return plan_page(plan, weak=weak, new_action=form, status=status_for(error))
    db.session.commit()
    flash("Added the action.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id, _anchor="actions-heading"))


@blueprint.route("/<int:plan_id>/actions/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(plan_id: int, action_id: int) -> Response | tuple[str, int]:
    """Change one action of the plan."""
    plan, weak = _mine(plan_id)
    action = action_or_404(plan, action_id)
    status = 200
    if request.method == "GET":
        form = action_form(weak, action)
    else:
        form = action_form(weak, formdata=True)
        try:
            change_action(db.session, action, _entry(form), current_user, weak, plan_today(plan), now())
        except DomainError as error:
            db.session.rollback()
            _refused(form, error)
            status = status_for(error)
        else:
            db.session.commit()
            flash("Saved the action.", "success")
            return redirect(url_for("plans.show", plan_id=plan.id, _anchor=f"action-{action.id}"))
    return render_template("plans/edit_action.html", plan=plan, action=action, form=form), status


@blueprint.route("/<int:plan_id>/actions/<int:action_id>/remove", methods=["POST"])
@login_required
def remove(plan_id: int, action_id: int) -> Response:
    """Remove one action of the plan (the history keeps what it said)."""
    plan = plan_or_404(plan_id)
    require(Action.WRITE_PLAN, plan)
    action = action_or_404(plan, action_id)
    try:
        remove_action(db.session, action, current_user, now())
    except DomainError as error:
        db.session.rollback()
        flash(f"The action was not removed: {error.reason}.", "error")
    else:
        db.session.commit()
        flash("Removed the action.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id, _anchor="actions-heading"))


@blueprint.route("/<int:plan_id>/submit", methods=["POST"])
@login_required
def submit(plan_id: int) -> Response | tuple[str, int]:
    """Submit the plan to the district's leaders."""
    plan, weak = _mine(plan_id)
    try:
        submit_plan(db.session, plan, current_user, plan_today(plan), now())
    except DomainError as error:
        db.session.rollback()
        return plan_page(
            plan, weak=weak, problems=[reason for _, reason in error.problems], status=status_for(error)
        )
    db.session.commit()
    flash("Submitted the plan: the district's leaders will approve it or send it back.", "success")
    return redirect(url_for("plans.show", plan_id=plan.id))
