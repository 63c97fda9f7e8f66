"""The home page: what the signed-in person has to do next."""

from __future__ import annotations

from flask import Blueprint, render_template
from flask_login import current_user, login_required

from app.extensions import db
from audits.dashboard import home_summary

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> str:
    """Show the signed-in person's home page for their role."""
    summary = home_summary(db.session, current_user)
    return render_template(f"home/{current_user.role.value}.html", summary=summary)
