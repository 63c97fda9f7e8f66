"""Scenario pages: the shared library, each district's own scenarios, adopting and editing.

Who sees what: an administrator every scenario (the library by default, a
district's with ``?district=<id>``); leaders and reviewers their district's and
the library. Who changes what: an administrator any scenario; a leader only
their district's. A leader adopts a library scenario by copying it.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.extensions import db
from app.forms import apply_errors, id_arg
from app.permissions import can, permission_required
from app.scenarios.forms import ScenarioForm
from audits.access import Action
from audits.errors import DomainError
from audits.models import District, Role, Rubric, RubricStatus, Scenario
from audits.rubrics.versions import latest_published
from audits.scenarios import (
    FIELDS,
    adopt,
    parse_scenario,
    save_scenario,
    scenario_to_dict,
    scenarios_for,
    set_active,
)

blueprint = Blueprint("scenarios", __name__, url_prefix="/scenarios")


def may_view(scenario: Scenario) -> bool:
    """Whether the signed-in person may read ``scenario``: the library, or their district's."""
    if not can(Action.VIEW_SCENARIOS):
        return False
    return current_user.role is Role.ADMIN or scenario.district_id in (None, current_user.district_id)


def may_manage(scenario: Scenario) -> bool:
    """Whether the signed-in person may change ``scenario``: an admin any, a leader their district's."""
    if not can(Action.MANAGE_SCENARIOS):
        return False
    if current_user.role is Role.ADMIN:
        return True
    return scenario.district_id is not None and scenario.district_id == current_user.district_id


def may_adopt(scenario: Scenario) -> bool:
    """Whether the signed-in person may copy library ``scenario`` into their district."""
    return scenario.is_library and current_user.district_id is not None and can(Action.MANAGE_SCENARIOS)


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "may_manage": may_manage,
        "may_adopt": may_adopt,
    }


def _viewable(scenario_id: int) -> Scenario:
    scenario = db.get_or_404(Scenario, scenario_id)
    if not may_view(scenario):
        abort(403)
    return scenario


def _manageable(scenario_id: int) -> Scenario:
    scenario = db.get_or_404(Scenario, scenario_id)
    if not may_manage(scenario):
        abort(403)
    return scenario


def _own_district_id() -> int | None:
    """The district a signed-in person's scenarios belong to; ``None`` (the library) for an admin."""
    if current_user.role is Role.ADMIN:
        return None
    if current_user.district_id is None:
        abort(403)
    return current_user.district_id


def _form(scenario: Scenario | None = None) -> ScenarioForm:
    """The scenario form, filled from ``scenario`` on GET and from the request on POST."""
    data: dict[str, Any] = {}
    if scenario is not None:
        data = scenario_to_dict(scenario)
        data["questions"] = "\n".join(scenario.questions)
        data["grades"] = ", ".join(scenario.grades) if scenario.grades else "any"
        data["levels"] = list(scenario.levels or [])
    form = ScenarioForm(data=data)
    published = db.session.scalars(
        select(Rubric).where(Rubric.status == RubricStatus.PUBLISHED).order_by(Rubric.channel, Rubric.name)
    )
    form.set_rubric_choices(published, form.rubric.data)
    return form


def _save(form: ScenarioForm, district_id: int | None, scenario: Scenario | None) -> Scenario | None:
    """Validate the form and save it through the domain; ``None`` (with errors on the form) if refused."""
    form.validate()
    try:
        spec = parse_scenario({name: form[name].data or "" for name in FIELDS})
        saved = save_scenario(db.session, district_id, spec, scenario)
    except DomainError as error:
        apply_errors(form, error)
    if form.errors:
        db.session.rollback()
        return None
    db.session.commit()
    return saved


@blueprint.route("/")
@permission_required(Action.VIEW_SCENARIOS)
def index() -> str:
    """A district's scenarios by channel, with the library ones it has not adopted yet."""
    districts: list[District] = []
    library: list[Scenario] = []
    if current_user.role is Role.ADMIN:
        district_id = id_arg("district")
        district = db.get_or_404(District, district_id) if district_id else None
        districts = list(db.session.scalars(select(District).order_by(District.name)))
    else:
        district = current_user.district
        if district is None:
            abort(403)
    scenarios = scenarios_for(db.session, district.id if district else None)
    if current_user.role is not Role.ADMIN:
        have = {scenario.key for scenario in scenarios}
        library = [s for s in scenarios_for(db.session, None) if s.active and s.key not in have]
    return render_template(
        "scenarios/index.html", scenarios=scenarios, library=library, district=district, districts=districts
    )


@blueprint.route("/<int:scenario_id>")
@permission_required(Action.VIEW_SCENARIOS)
def show(scenario_id: int) -> str:
    """Show a scenario: persona, script, questions, answer key and its rubric."""
    scenario = _viewable(scenario_id)
    adopted = None
    if scenario.is_library and current_user.district_id is not None:
        adopted = db.session.scalar(
            select(Scenario).where(
                Scenario.district_id == current_user.district_id, Scenario.key == scenario.key
            )
        )
    return render_template(
        "scenarios/show.html",
        scenario=scenario,
        rubric=latest_published(db.session, scenario.rubric_key),
        adopted=adopted,
    )


@blueprint.route("/new", methods=["GET", "POST"])
@permission_required(Action.MANAGE_SCENARIOS)
def new() -> Response | tuple[str, int]:
    """Write a scenario: a leader's goes into their district, an administrator's into the library."""
    district_id = _own_district_id()
    form = _form()
    if request.method == "POST":
        scenario = _save(form, district_id, None)
        if scenario is not None:
            flash(f"Created the scenario “{scenario.title}”.", "success")
            return redirect(url_for("scenarios.show", scenario_id=scenario.id))
    status = 400 if request.method == "POST" else 200
    return render_template("scenarios/edit.html", form=form, scenario=None, district_id=district_id), status


@blueprint.route("/<int:scenario_id>/edit", methods=["GET", "POST"])
@permission_required(Action.MANAGE_SCENARIOS)
def edit(scenario_id: int) -> Response | tuple[str, int]:
    """Change a scenario the signed-in person manages."""
    scenario = _manageable(scenario_id)
    form = _form(scenario)
    if request.method == "POST" and _save(form, scenario.district_id, scenario) is not None:
        flash(f"Saved the scenario “{scenario.title}”.", "success")
        return redirect(url_for("scenarios.show", scenario_id=scenario.id))
    status = 400 if request.method == "POST" else 200
    page = render_template(
        "scenarios/edit.html", form=form, scenario=scenario, district_id=scenario.district_id
    )
    return page, status


@blueprint.route("/<int:scenario_id>/adopt", methods=["POST"])
@permission_required(Action.MANAGE_SCENARIOS)
def adopt_into_district(scenario_id: int) -> Response:
    """Copy a library scenario into the leader's district, then edit its answer key."""
    scenario = _viewable(scenario_id)
    district = current_user.district
    if district is None:
        abort(403)
    try:
        copy = adopt(db.session, scenario, district)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        for _field, reason in error.problems:
            flash(f"Could not adopt “{scenario.title}”: {reason}.", "error")
        return redirect(url_for("scenarios.index"))
    flash(f"Adopted “{copy.title}”. Write {district.name}'s answer key below.", "success")
    return redirect(url_for("scenarios.edit", scenario_id=copy.id, _anchor="answer_key"))


def _set_active(scenario_id: int, active: bool) -> Response:
    scenario = _manageable(scenario_id)
    set_active(scenario, active)
    db.session.commit()
    state = "active again: new rounds can use it" if active else "inactive: new rounds leave it out"
    flash(f"“{scenario.title}” is {state}.", "success")
    return redirect(url_for("scenarios.show", scenario_id=scenario.id))


@blueprint.route("/<int:scenario_id>/deactivate", methods=["POST"])
@permission_required(Action.MANAGE_SCENARIOS)
def deactivate(scenario_id: int) -> Response:
    """Leave a scenario out of new rounds; it stays readable."""
    return _set_active(scenario_id, False)


@blueprint.route("/<int:scenario_id>/activate", methods=["POST"])
@permission_required(Action.MANAGE_SCENARIOS)
def activate(scenario_id: int) -> Response:
    """Offer a deactivated scenario to new rounds again."""
    return _set_active(scenario_id, True)
