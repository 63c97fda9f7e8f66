"""A district's answer key: the facts its scripts and answer keys are filled with.

``/districts/<id>/answer-key`` lists every district variable of the library
(``audits/library/variables.yaml``): those the district's active scenarios use first, each
with what it is, an example, and the scenarios that need it. ``/schools/<id>/answer-key`` gives
one school its own value where its fact differs (its bell time, its after-school program): an
empty field there means the district's value. Saving keeps every value typed; refused values
show next to their field and nothing is saved.
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
from audits.models import District, Scenario, School, ScriptValue
from audits.script_values import district_values, save_district_values, scenario_texts, school_values
from audits.script_variables import Variable, district_variables, variables_in
from audits.vocabulary import count_of

blueprint = Blueprint("answer_key", __name__)


@dataclass(frozen=True)
class AnswerRow:
    """One district variable on the page: its value as shown, who needs it, its problem if any."""

    variable: Variable
    value: str
    used_by: list[str]
    error: str = ""
    district_value: str = ""  # on a school's page: the district's value, used while the field is empty


def _rows(
    district: District, values: dict[str, str], errors: dict[str, str], shared: dict[str, str] | None = None
) -> list[AnswerRow]:
    used_by: dict[str, list[str]] = defaultdict(list)
    scenarios = db.session.scalars(
        select(Scenario)
        .where(Scenario.district_id == district.id, Scenario.active.is_(True))
        .order_by(Scenario.title)
    )
    for scenario in scenarios:
        for name in variables_in(scenario_texts(scenario)):
            used_by[name].append(scenario.title)
    shared = shared or {}
    return [
        AnswerRow(
            variable, values.get(name, ""), used_by.get(name, []), errors.get(name, ""), shared.get(name, "")
        )
        for name, variable in district_variables().items()
    ]


def _page(
    district: District,
    values: dict[str, str],
    errors: dict[str, str],
    status: int,
    school: School | None = None,
) -> tuple[str, int]:
    shared = district_values(db.session, district.id) if school is not None else None
    rows = _rows(district, values, errors, shared)
    used = [row for row in rows if row.used_by]
    own_schools = []
    if school is None:
        counts = school_values(db.session, district.id)
        own_schools = [
            (found, len(counts[found.id]))
            for found in db.session.scalars(select(School).where(School.id.in_(counts)).order_by(School.name))
        ]
    return (
        render_template(
            "answer_key/edit.html",
            district=district,
            school=school,
            used=used,
            unused=[row for row in rows if not row.used_by],
            empty=sum(1 for row in used if not (row.value.strip() or row.district_value.strip())),
            own=sum(1 for row in rows if row.value.strip()) if school is not None else 0,
            own_schools=own_schools,
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
    flash(f"Saved the answer key: {count_of(changed, 'value')} changed.", "success")
    return redirect(url_for("answer_key.edit", district_id=district.id))


def _own_values(school: School) -> dict[str, str]:
    rows = db.session.scalars(select(ScriptValue).where(ScriptValue.school_id == school.id))
    return {row.name: row.value for row in rows if row.value.strip()}


@blueprint.route("/schools/<int:school_id>/answer-key", methods=["GET", "POST"])
@login_required
def school(school_id: int) -> Response | tuple[str, int]:
    """Show and save one school's own answers: each replaces the district's for that school's scripts."""
    found = db.get_or_404(School, school_id)
    district = found.district
    require(Action.MANAGE_DISTRICT, district)
    if request.method == "GET":
        return _page(district, _own_values(found), {}, 200, found)
    typed = {name: request.form.get(name, "") for name in district_variables() if name in request.form}
    try:
        changed = save_district_values(db.session, current_user, district, typed, school=found)
    except DomainError as error:
        db.session.rollback()
        errors = {name: reason for name, reason in error.problems if name}
        return _page(district, _own_values(found) | typed, errors, 400, found)
    db.session.commit()
    flash(f"Saved {found.name}'s answers: {count_of(changed, 'value')} changed.", "success")
    return redirect(url_for("answer_key.school", school_id=found.id))
