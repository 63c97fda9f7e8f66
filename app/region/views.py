"""Districts side by side: each one's latest published round (or the latest in a chosen period), with
its mean, median and reach, the distribution of its school scores and a heat-map row of its sections."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from app.dashboards.charts import HistogramChart, histogram_chart
from app.extensions import db
from app.forms import apply_errors
from app.permissions import permission_required
from app.region.forms import PeriodForm
from audits.access import Action
from audits.errors import DomainError
from audits.results.region import DistrictRow, Period, state_comparison

blueprint = Blueprint("region", __name__)


def district_chart(row: DistrictRow) -> HistogramChart:
    """The round overview's histogram of one district's school scores, with its own alert threshold."""
    return histogram_chart(row.histogram, row.district.alert_threshold)


@blueprint.route("/districts/compare")
@permission_required(Action.COMPARE_DISTRICTS)
def compare() -> tuple[str, int]:
    """Every district beside the others (``?since=``, ``?until=``: the period its round starts in)."""
    form = PeriodForm(formdata=request.args)
    period = Period()
    if request.args and form.validate():
        try:
            period = Period.of(form.since.data, form.until.data)
        except DomainError as error:
            apply_errors(form, error)
    status = 400 if form.errors else 200
    comparison = state_comparison(db.session, period)
    page = render_template(
        "region/compare.html", form=form, comparison=comparison, district_chart=district_chart
    )
    return page, status
