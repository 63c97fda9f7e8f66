"""The home page: what the signed-in person has to do next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.rounds.forms import slot_label
from audits.dashboard import home_summary
from audits.models import Role
from audits.planning.progress import upcoming_assignments

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> str:
    """Show the signed-in person's home page for their role."""
    summary = home_summary(db.session, current_user)
    upcoming = upcoming_assignments(db.session, current_user, 5) if current_user.role is Role.AUDITOR else []
    return render_template(
        f"home/{current_user.role.value}.html", summary=summary, upcoming=upcoming, slot_label=slot_label
    )
