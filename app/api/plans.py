"""Reading action plans: a school's plans with their status, and one plan with its actions and history.

The same rules as the web pages: a principal reads only their own schools' plans, a leader their
district's, an administrator any; reviewers and auditors have no part in plans. Nobody's name is
in an answer: a step of the history says what happened and when, not who.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.api.auth import api_user, get_or_404, require
from app.api.blueprint import ID, blueprint
from app.api.inputs import PageArgs
from app.api.openapi import documented_errors
from app.api.present import page
from app.api.schemas import choice, page_of
from app.clock import today_in
from app.extensions import db
from audits.access import Action
from audits.models import ActionPlan, PlanAction, PlanEventKind, PlanReason, PlanStatus, Round, School
from audits.plans.checks import FollowUpCheck, Verdict, check_for
from audits.plans.roles import RESPONSIBLE_ROLES, responsible_label


class PlanSchema(Schema):
    """An action plan of a school, in answer to one round's scorecard."""

    id = fields.Integer(required=True)
    school_id = fields.Integer(required=True)
    round_id = fields.Integer(required=True)
    round_name = fields.String(required=True)
    status = choice(PlanStatus, required=True)
    reason = choice(
        PlanReason,
        required=True,
        metadata={"description": "Why it was opened: a critical failure, an overall below the alert "
                  "threshold (both when the scorecards were published), or on request."},
    )  # fmt: skip
    overall = fields.Float(
        allow_none=True, metadata={"description": "The school's overall when it was opened."}
    )
    threshold = fields.Float(required=True, metadata={"description": "The district's alert threshold then."})
    critical_failures = fields.Integer(required=True)
    opened_at = fields.DateTime(required=True)
    submitted_at = fields.DateTime(allow_none=True)
    approved_at = fields.DateTime(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    actions_total = fields.Integer(required=True, metadata={"description": "How many actions it has."})
    actions_closed = fields.Integer(required=True)
    actions_overdue = fields.Integer(
        required=True, metadata={"description": "Open actions of an approved plan past their due day."}
    )


class EvidenceFileSchema(Schema):
    """A file or photo that shows an action was done (read on the plan's web page)."""

    name = fields.String(required=True)
    content_type = fields.String(required=True)
    size = fields.Integer(required=True)


class PlanActionSchema(Schema):
    """One action: what will change, who is responsible by role, by when; closed with evidence."""

    id = fields.Integer(required=True)
    target = fields.String(
        required=True,
        metadata={"description": "The weak item it answers (channel:…, section:…, item:…), or '' for the "
                  "plan as a whole."},
    )  # fmt: skip
    target_label = fields.String(required=True)
    change = fields.String(required=True)
    responsible = fields.String(required=True, metadata={"enum": list(RESPONSIBLE_ROLES)})
    responsible_label = fields.String(required=True)
    due_on = fields.Date(required=True)
    resource = fields.String(
        required=True, metadata={"description": "The coaching tip it trains with, or ''."}
    )
    closed = fields.Boolean(required=True)
    closed_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(required=True)
    evidence_text = fields.String(required=True)
    evidence_files = fields.List(fields.Nested(EvidenceFileSchema), required=True)


class PlanEventSchema(Schema):
    """One step of the plan's history."""

    kind = choice(PlanEventKind, required=True)
    at = fields.DateTime(required=True)
    detail = fields.String(required=True)
    comment = fields.String(
        required=True, metadata={"description": "A leader's, when sending the plan back."}
    )


class FollowUpItemSchema(Schema):
    """One weak item of the plan beside what the follow-up round found."""

    target = fields.String(
        required=True,
        metadata={"description": "The weak item (channel:…, section:…, item:…), as actions target it."},
    )
    label = fields.String(required=True)
    before = fields.String(
        required=True, metadata={"description": "How it did in the plan's round, in words."}
    )
    after = fields.String(required=True, metadata={"description": "What the follow-up found, in words."})
    verdict = choice(Verdict, required=True)


class FollowUpSchema(Schema):
    """The plan's follow-up check: the round that contacted the school again and each weak item's result."""

    round_id = fields.Integer(required=True)
    round_name = fields.String(required=True)
    final = fields.Boolean(
        required=True,
        metadata={
            "description": "Whether the follow-up round is published (before that its results may change)."
        },
    )
    summary = fields.String(required=True)
    items = fields.List(fields.Nested(FollowUpItemSchema), required=True)


class PlanDetailSchema(PlanSchema):
    """An action plan with its actions and its history, oldest step first."""

    follow_up = fields.Nested(
        FollowUpSchema,
        allow_none=True,
        required=True,
        metadata={"description": "The follow-up check, once a follow-up round checks the plan (a principal "
                  "sees it once that round is published); null before."},
    )  # fmt: skip
    actions = fields.List(fields.Nested(PlanActionSchema), required=True)
    history = fields.List(fields.Nested(PlanEventSchema), required=True)


PlanPageSchema = page_of(PlanSchema, "PlanPage")


def _overdue(plan: ActionPlan, action: PlanAction, today: date) -> bool:
    return plan.status is PlanStatus.APPROVED and not action.closed and action.due_on < today


def plan_dict(plan: ActionPlan, today: date) -> dict[str, Any]:
    """A plan with its counts of actions, closed and overdue ones."""
    return {
        "id": plan.id,
        "school_id": plan.school_id,
        "round_id": plan.round_id,
        "round_name": plan.round.name,
        "status": plan.status,
        "reason": plan.reason,
        "overall": plan.overall,
        "threshold": plan.threshold,
        "critical_failures": plan.critical_failures,
        "opened_at": plan.opened_at,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
        "closed_at": plan.closed_at,
        "actions_total": len(plan.actions),
        "actions_closed": sum(1 for action in plan.actions if action.closed),
        "actions_overdue": sum(1 for action in plan.actions if _overdue(plan, action, today)),
    }


def action_dict(plan: ActionPlan, action: PlanAction, today: date) -> dict[str, Any]:
    """One action of ``plan``."""
    return {
        "id": action.id,
        "target": action.target,
        "target_label": action.target_label,
        "change": action.change,
        "responsible": action.responsible,
        "responsible_label": responsible_label(action.responsible),
        "due_on": action.due_on,
        "resource": action.resource,
        "closed": action.closed,
        "closed_at": action.closed_at,
        "overdue": _overdue(plan, action, today),
        "evidence_text": action.evidence_text,
        "evidence_files": [
            {"name": file.original_name, "content_type": file.content_type, "size": file.size}
            for file in action.files
        ],
    }


def follow_up_dict(check: FollowUpCheck) -> dict[str, Any]:
    """A plan's follow-up check as the API answers it."""
    return {
        "round_id": check.round.id,
        "round_name": check.round.name,
        "final": check.final,
        "summary": check.summary(),
        "items": [
            {
                "target": item.key,
                "label": item.label,
                "before": item.before,
                "after": item.after,
                "verdict": item.verdict,
            }
            for item in check.items
        ],
    }


@blueprint.route(f"/schools/<{ID}:school_id>/plans")
@blueprint.arguments(PageArgs, location="query")
@blueprint.response(200, PlanPageSchema)
@documented_errors(403, 404)
def list_school_plans(args: dict[str, Any], school_id: int) -> dict[str, Any]:
    """A school's action plans, newest round first, each with its status.

    A principal reads only their own schools' plans; a leader their district's.
    """
    school = get_or_404(School, school_id, "school")
    require(Action.VIEW_PLANS, school)
    stmt = (
        select(ActionPlan)
        .join(Round, Round.id == ActionPlan.round_id)
        .where(ActionPlan.school_id == school.id)
        .options(selectinload(ActionPlan.actions), selectinload(ActionPlan.round))
        .order_by(Round.first_day.desc(), Round.id.desc(), ActionPlan.id.desc())
    )
    total = db.session.scalar(select(func.count()).where(ActionPlan.school_id == school.id)) or 0
    offset = (args["page"] - 1) * args["per_page"]
    plans = list(db.session.scalars(stmt.limit(args["per_page"]).offset(offset)))
    today = today_in(school.district)
    return page([plan_dict(plan, today) for plan in plans], total, args["page"], args["per_page"])


@blueprint.route(f"/plans/<{ID}:plan_id>")
@blueprint.response(200, PlanDetailSchema)
@documented_errors(403, 404)
def get_plan(plan_id: int) -> dict[str, Any]:
    """One action plan with its actions (soonest due first) and its history.

    Each action says who is responsible by role, when it is due, whether it is closed (with the
    evidence given) and whether it is overdue.
    """
    plan = get_or_404(ActionPlan, plan_id, "plan")
    require(Action.VIEW_PLANS, plan)
    today = today_in(plan.school.district)
    check = check_for(db.session, plan, api_user())
    return plan_dict(plan, today) | {
        "follow_up": None if check is None else follow_up_dict(check),
        "actions": [action_dict(plan, action, today) for action in plan.actions],
        "history": [
            {"kind": event.kind, "at": event.at, "detail": event.detail, "comment": event.comment}
            for event in plan.events
        ],
    }
