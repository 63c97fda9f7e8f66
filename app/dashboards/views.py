"""Round overview, heat map, school results and the alert threshold.

Each page scores its round once with ``audits.scoring`` (a fixed handful of
grouped queries), so its query count does not grow with the number of schools.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.dashboards.charts import histogram_chart, trend_chart
from app.dashboards.formatting import FILTERS
from app.dashboards.forms import ThresholdForm
from app.extensions import db
from app.forms import apply_errors, id_arg
from app.permissions import can, require
from audits.access import Action
from audits.errors import DomainError
from audits.ids import parse_id
from audits.models import District, Role, Round, RoundStatus, School
from audits.results.heatmap import heatmap
from audits.results.overview import round_overview
from audits.results.school import school_results
from audits.results.thresholds import is_flagged, set_alert_threshold, set_early_reading

blueprint = Blueprint("dashboards", __name__)
for _name, _filter in FILTERS.items():
    blueprint.add_app_template_filter(_filter, _name)

# Rounds whose results are worth a look: fieldwork has started.
RESULT_STATUSES = (RoundStatus.IN_FIELD, RoundStatus.CLOSED, RoundStatus.PUBLISHED)


def contact_url(contact_id: int) -> str:
    """The contact page (``/contacts/<id>``, served by the fieldwork pages)."""
    return f"{request.script_root}/contacts/{contact_id}"


def school_results_url(school_id: int, round_id: int) -> str:
    """A school's results in a round, as ``url_for("dashboards.school", …)`` builds it.

    Written out because the overview and the heat map link every school of the
    district (1,000 links a page), and ``url_for`` costs tens of microseconds each.
    """
    return f"{request.script_root}/schools/{school_id}/results?round={round_id}"


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "RoundStatus": RoundStatus,
        "is_flagged": is_flagged,
        "contact_url": contact_url,
        "school_results_url": school_results_url,
    }


@blueprint.app_template_global()
def dashboard_rounds() -> list[Round]:
    """The signed-in person's district rounds that have results to show, newest first (for home pages)."""
    if not current_user.is_authenticated or current_user.district_id is None:
        return []
    stmt = (
        select(Round)
        .where(Round.district_id == current_user.district_id, Round.status.in_(RESULT_STATUSES))
        .order_by(Round.first_day.desc(), Round.id.desc())
    )
    return list(db.session.scalars(stmt))


def _threshold_form(round_: Round) -> ThresholdForm:
    return ThresholdForm(
        formdata=None,
        data={
            "alert_threshold": f"{round_.district.alert_threshold:g}",
            "early_reading_contacts": str(round_.district.early_reading_contacts),
            "round_id": round_.id,
        },
    )


def _overview_page(round_: Round, form: ThresholdForm, status: int = 200) -> tuple[str, int]:
    overview = round_overview(
        db.session, round_, request.args.get("sort"), request.args.get("dir"), request.args.get("level")
    )
    page = render_template(
        "dashboards/overview.html",
        round=round_,
        overview=overview,
        chart=histogram_chart(overview.histogram, overview.threshold),
        form=form,
        may_set_threshold=can(Action.MANAGE_DISTRICT, round_.district),
        may_export=can(Action.EXPORT_RESULTS, round_),
    )
    return page, status


@blueprint.route("/rounds/<int:round_id>/dashboard")
@login_required
def overview(round_id: int) -> tuple[str, int]:
    """A round at a glance: flagged schools first, district figures, distribution, channels, ranking."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_DASHBOARD, round_)
    return _overview_page(round_, _threshold_form(round_))


@blueprint.route("/rounds/<int:round_id>/heatmap")
@login_required
def heat_map(round_id: int) -> str:
    """Schools × the sections of one channel (``?channel=``), each cell a banded score, sortable by any
    column and filterable by level."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_DASHBOARD, round_)
    args = request.args
    heat = heatmap(
        db.session, round_, args.get("sort"), args.get("dir"), args.get("level"), args.get("channel")
    )
    return render_template(
        "dashboards/heatmap.html", round=round_, heat=heat, may_export=can(Action.EXPORT_RESULTS, round_)
    )


@blueprint.route("/schools/<int:school_id>/results")
@login_required
def school(school_id: int) -> str:
    """A school's scores in a round (``?round=``, default its latest), its trend and its counted contacts."""
    school_ = db.get_or_404(School, school_id)
    require(Action.VIEW_DASHBOARD, school_)
    round_ = None
    round_id = id_arg("round")
    if round_id is not None:
        round_ = db.get_or_404(Round, round_id)
        if round_.district_id != school_.district_id:
            abort(404)
    results = school_results(db.session, school_, round_)
    threshold = school_.district.alert_threshold
    points = [(p.round.name, p.overall, p.current) for p in results.trend if p.overall is not None]
    return render_template(
        "dashboards/school.html",
        school=school_,
        results=results,
        threshold=threshold,
        chart=trend_chart(points, threshold) if points else None,
    )


@blueprint.route("/districts/<int:district_id>/alert-threshold", methods=["POST"])
@login_required
def alert_threshold(district_id: int) -> Response | tuple[str, int]:
    """Set the score below which a district's schools are flagged; back to the round overview."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    form = ThresholdForm()
    form.validate()
    round_id = parse_id(form.round_id.data)
    round_ = db.session.get(Round, round_id) if round_id is not None else None
    if round_ is not None and round_.district_id != district.id:
        round_ = None
    try:
        set_alert_threshold(district, form.alert_threshold.data)
    except DomainError as error:
        apply_errors(form, error)
    early = form.early_reading_contacts.data
    if early is not None and early.strip():
        try:
            set_early_reading(district, early)
        except DomainError as error:
            apply_errors(form, error)
    if form.errors:
        db.session.rollback()
        if round_ is None:
            abort(400)
        return _overview_page(round_, form, 400)
    db.session.commit()
    flash(f"Schools scoring below {district.alert_threshold:g} are now flagged.", "success")
    if round_ is None:
        target = url_for("districts.index" if current_user.role is Role.ADMIN else "districts.mine")
        return redirect(target)
    return redirect(url_for("dashboards.overview", round_id=round_.id, _anchor="flagged-heading"))
