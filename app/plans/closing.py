"""The principal closes an action with its evidence; everyone who may see the plan opens the files.

Files are served through a permission check only, never from a static folder: with the type told
from their content when stored, ``nosniff``, a safe file name, and only photos shown inline.
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app.clock import now
from app.errors import status_for
from app.extensions import db
from app.fieldwork.evidence import EXTENSIONS, send_evidence
from app.forms import apply_errors
from app.permissions import require
from app.plans.pages import (
    action_or_404,
    close_form,
    evidence_folder,
    evidence_or_404,
    max_evidence_bytes,
    plan_or_404,
    plan_page,
)
from audits.access import Action
from audits.errors import DomainError
from audits.models import EvidenceKind, PlanEvidence, PlanStatus
from audits.plans.closing import ActionClosing, Upload, close_action, evidence_path

blueprint = Blueprint("plan_closing", __name__, url_prefix="/plans")


@blueprint.route("/<int:plan_id>/actions/<int:action_id>/close", methods=["POST"])
@login_required
def close(plan_id: int, action_id: int) -> Response | tuple[str, int]:
    """Close an action of an approved plan with what was done, a file or a photo."""
    plan = plan_or_404(plan_id)
    require(Action.WRITE_PLAN, plan)
    action = action_or_404(plan, action_id)
    form = close_form(action.id, formdata=True)
    picked = form.file.data
    upload = None
    if picked is not None and getattr(picked, "filename", ""):
        limit = max_evidence_bytes()
        upload = Upload(picked.stream.read(limit + 1), picked.filename)
    try:
        close_action(
            db.session,
            action,
            ActionClosing(form.evidence_text.data or "", upload),
            current_user,
            evidence_folder(),
            max_evidence_bytes(),
            now(),
        )
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return plan_page(plan, closing=(action.id, form), status=status_for(error))
    db.session.commit()
    done = (
        "Closed the last action: the plan is done."
        if plan.status is PlanStatus.CLOSED
        else "Closed the action."
    )
    flash(done, "success")
    return redirect(url_for("plans.show", plan_id=plan.id, _anchor=f"action-{action.id}"))


def download_name(evidence: PlanEvidence) -> str:
    """A file name safe in any header, its extension matching the real content."""
    return f"evidence-{evidence.id}.{EXTENSIONS.get(evidence.content_type, 'bin')}"


@blueprint.route("/evidence/<token>")
@login_required
def serve(token: str) -> Response:
    """Send a plan's evidence file to someone who may see the plan."""
    evidence = evidence_or_404(token)
    require(Action.VIEW_PLANS, evidence)
    return send_evidence(
        evidence_path(evidence, evidence_folder()),
        evidence.content_type,
        inline=evidence.kind is EvidenceKind.IMAGE,
        name=download_name(evidence),
    )
