"""A district's answer key: the facts its scripts and answer keys are filled with.

``/districts/<id>/answer-key`` lists every district variable of the library
(``audits/library/variables.yaml``): those the district's active scenarios use first, each
with what it is, an example, and the scenarios that need it. Saving keeps every value typed;
refused values show next to their field and nothing is saved.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.permissions import require
from audits.access import Action
from audits.errors import DomainError
from audits.models import District, Scenario
from audits.script_values import district_values, save_district_values, scenario_texts
from audits.script_variables import Variable, district_variables, variables_in

blueprint = Blueprint("answer_key", __name__)


@dataclass(frozen=True)
class AnswerRow:
    """One district variable on the page: its value as shown, who needs it, its problem if any."""

    variable: Variable
    value: str
    used_by: list[str]
    error: str = ""


def _rows(district: District, values: dict[str, str], errors: dict[str, str]) -> list[AnswerRow]:
    used_by: dict[str, list[str]] = defaultdict(list)
    scenarios = db.session.scalars(
        select(Scenario)
        .where(Scenario.district_id == district.id, Scenario.active.is_(True))
        .order_by(Scenario.title)
    )
    for scenario in scenarios:
        for name in variables_in(scenario_texts(scenario)):
            used_by[name].append(scenario.title)
    return [
        AnswerRow(variable, values.get(name, ""), used_by.get(name, []), errors.get(name, ""))
        for name, variable in district_variables().items()
    ]


def _page(district: District, values: dict[str, str], errors: dict[str, str], status: int) -> tuple[str, int]:
    rows = _rows(district, values, errors)
    used = [row for row in rows if row.used_by]
    return (
        render_template(
            "answer_key/edit.html",
            district=district,
            used=used,
            unused=[row for row in rows if not row.used_by],
            empty=sum(1 for row in used if not row.value.strip()),
            errors=errors,
        ),
        status,
    )


@blueprint.route("/districts/<int:district_id>/answer-key", methods=["GET", "POST"])
@login_required
def edit(district_id: int) -> Response | tuple[str, int]:
    """Show and save the district's answer key."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    if request.method == "GET":
        return _page(district, district_values(db.session, district.id), {}, 200)
    typed = {name: request.form.get(name, "") for name in district_variables() if name in request.form}
    try:
        changed = save_district_values(db.session, current_user, district, typed)
    except DomainError as error:
        db.session.rollback()
        errors = {name: reason for name, reason in error.problems if name}
        return _page(district, district_values(db.session, district.id) | typed, errors, 400)
    db.session.commit()
    flash(f"Saved the answer key: {changed} value{'s' if changed != 1 else ''} changed.", "success")
    return redirect(url_for("answer_key.edit", district_id=district.id))
