"""The home page: what the signed-in person has to do next."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, send_from_directory
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock
from app.extensions import db
from app.portal.views import principal_home
from app.rounds.assignments import auditor_day
from app.rounds.forms import slot_label
from audits.dashboard import home_summary
from audits.directory import missing_contact_data
from audits.fieldwork.contacts import queue_count, review_queue
from audits.leader_day import leader_day, waiting_words
from audits.models import Role, RoundStatus
from audits.planning.board import BoardStatus
from audits.planning.progress import next_up

blueprint = Blueprint("home", __name__)


@blueprint.route("/")
@login_required
def index() -> str | tuple[str, int]:
    """Show the signed-in person's home page for their role (a principal's is their portal)."""
    if current_user.role is Role.PRINCIPAL:
        return principal_home()
    summary = home_summary(db.session, current_user)
    day = auditor_day(current_user) if current_user.role is Role.AUDITOR and current_user.district else None
    upcoming = next_up(day.groups, 5) if day else []
    context: dict[str, Any] = {"summary": summary, "upcoming": upcoming, "slot_label": slot_label}
    if current_user.role is Role.ADMIN:
        context["missing"] = missing_contact_data(db.session, current_user.district_id)
    if current_user.role in (Role.ADMIN, Role.LEADER):
        district = current_user.district
        if district is not None:  # an administrator of no district keeps the installation's page
            context["day"] = leader_day(db.session, district, clock.today_in(district), clock.now())
            context.update(BoardStatus=BoardStatus, RoundStatus=RoundStatus, waiting_words=waiting_words)
    if day is not None:
        context["states"] = day.states
        context["mail"] = day.mail
    if current_user.role is Role.REVIEWER:
        district_id = current_user.district_id
        context["queue"] = review_queue(db.session, district_id, limit=5) if district_id else []
        context["queue_total"] = queue_count(db.session, district_id) if district_id else 0
    return render_template(f"home/{current_user.role.value}.html", **context)


@blueprint.route("/favicon.ico")
def favicon() -> Response:
    """The site's icon for clients that ask for it by the conventional name (pages link the SVG)."""
    return send_from_directory(
        current_app.static_folder or "", "favicon.svg", mimetype="image/svg+xml", max_age=86_400
    )
