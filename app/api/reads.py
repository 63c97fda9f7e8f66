"""Reading: districts, schools, rounds, assignments, contacts, rubric versions and round scores.

Lists are paginated (``?page=``, ``?per_page=`` up to 500) with the total in the
body, and load what they show in a fixed number of queries, however long the
page. Principals and auditors are refused district-wide lists, as on the web;
an auditor may list only their own assignments of a round.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import Forbidden, NotFound
from werkzeug.wrappers import Response as HttpResponse

from app.api.auth import api_user, get_or_404, permitted, require
from app.api.blueprint import ID, blueprint
from app.api.inputs import ContactListArgs, PageArgs, RoundListArgs, ScenarioListArgs
from app.api.openapi import documented_errors
from app.api.present import (
    assignment_dict,
    contact_dict,
    equity_dict,
    page,
    round_dict,
    rubric_dict,
    scenario_dict,
    scores_dict,
)
from app.api.schemas import (
    AssignmentDetailSchema,
    AssignmentPageSchema,
    ContactPageSchema,
    DistrictPageSchema,
    EquityFigureSchema,
    RoundPageSchema,
    RoundSchema,
    RubricSchema,
    ScenarioPageSchema,
    SchoolPageSchema,
    ScoresSchema,
)
from app.extensions import db
from audits.access import Action
from audits.directory import visible_schools
from audits.equity import equity_figures
from audits.fieldwork.status import assignment_states
from audits.models import (
    Assignment,
    Contact,
    ContactStatus,
    District,
    Response,
    Role,
    Round,
    Rubric,
    RubricItem,
    RubricSection,
    RubricStatus,
    Scenario,
    School,
)
from audits.planning.progress import SLOT_ORDER
from audits.rubrics.spec import RUBRIC_KEY
from audits.scoring.engine import round_scores
from audits.script_values import fill_for_assignment


def _page_of(stmt: Select[Any], args: dict[str, Any]) -> tuple[list[Any], int]:
    """The rows of ``stmt`` on the requested page, and how many rows there are in all."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    offset = (args["page"] - 1) * args["per_page"]
    rows = list(db.session.scalars(stmt.limit(args["per_page"]).offset(offset)).unique())
    return rows, total


def _round(round_id: int) -> Round:
    return get_or_404(Round, round_id, "round")


@blueprint.route("/districts")
@blueprint.arguments(PageArgs, location="query")
@blueprint.response(200, DistrictPageSchema)
@documented_errors(403)
def list_districts(args: dict[str, Any]) -> dict[str, Any]:
    """List the districts you may see (an administrator: all; a leader or reviewer: their own).

    Each district has its timezone and school-day hours, in which every local time of its rounds reads.
    """
    require(Action.VIEW_ROUNDS)
    user = api_user()
    stmt = select(District).order_by(District.name, District.id)
    if user.role is not Role.ADMIN:
        stmt = stmt.where(District.id == user.district_id)
    rows, total = _page_of(stmt, args)
    return page(rows, total, args["page"], args["per_page"])


@blueprint.route(f"/districts/<{ID}:district_id>/schools")
@blueprint.arguments(PageArgs, location="query")
@blueprint.response(200, SchoolPageSchema)
@documented_errors(403, 404)
def list_schools(args: dict[str, Any], district_id: int) -> dict[str, Any]:
    """List a district's schools by name (a principal: only their own schools).

    Each school has its NCES id, level and grade span, and the contact details the planner relies on.
    """
    district = get_or_404(District, district_id, "district")
    require(Action.LIST_SCHOOLS)
    user = api_user()
    if user.role is Role.PRINCIPAL:
        if not any(school.district_id == district.id for school in user.schools):
            raise Forbidden()
    else:
        require(Action.LIST_SCHOOLS, district)
    stmt = visible_schools(user).where(School.district_id == district.id).order_by(School.name, School.id)
    rows, total = _page_of(stmt, args)
    return page(rows, total, args["page"], args["per_page"])


@blueprint.route("/rounds")
@blueprint.arguments(RoundListArgs, location="query")
@blueprint.response(200, RoundPageSchema)
@documented_errors(403, 404)
def list_rounds(args: dict[str, Any]) -> dict[str, Any]:
    """List rounds, newest first, optionally of one district (``?district=ID``).

    An administrator sees every district's rounds; everyone else only their own district's.
    """
    require(Action.VIEW_ROUNDS)
    user = api_user()
    stmt = (
        select(Round).options(selectinload(Round.channels)).order_by(Round.first_day.desc(), Round.id.desc())
    )
    if "district" in args:
        require(Action.VIEW_ROUNDS, get_or_404(District, args["district"], "district"))
        stmt = stmt.where(Round.district_id == args["district"])
    elif user.role is not Role.ADMIN:
        stmt = stmt.where(Round.district_id == user.district_id)
    rows, total = _page_of(stmt, args)
    counts: dict[int, int] = dict(
        db.session.execute(
            select(Assignment.round_id, func.count())
            .where(Assignment.round_id.in_([r.id for r in rows]))
            .group_by(Assignment.round_id)
        )
        .tuples()
        .all()
    )
    return page([round_dict(r, counts.get(r.id, 0)) for r in rows], total, args["page"], args["per_page"])


@blueprint.route(f"/rounds/<{ID}:round_id>")
@blueprint.response(200, RoundSchema)
@documented_errors(403, 404)
def get_round(round_id: int) -> dict[str, Any]:
    """One round, with its channels and how many assignments it has.

    404 when the round does not exist or belongs to a district you may not see.
    """
    round_ = _round(round_id)
    require(Action.VIEW_ROUNDS, round_)
    count = db.session.scalar(select(func.count()).where(Assignment.round_id == round_.id)) or 0
    return round_dict(round_, count)


@blueprint.route(f"/rounds/<{ID}:round_id>/assignments")
@blueprint.arguments(PageArgs, location="query")
@blueprint.response(200, AssignmentPageSchema)
@documented_errors(403, 404)
def list_assignments(args: dict[str, Any], round_id: int) -> dict[str, Any]:
    """A round's assignments by due day and slot; an auditor sees only their own.

    Auditors appear as their stable pseudonym; each assignment says the grade of the persona's child.
    """
    round_ = _round(round_id)
    user = api_user()
    stmt = (
        select(Assignment)
        .where(Assignment.round_id == round_.id)
        .options(
            joinedload(Assignment.school), joinedload(Assignment.scenario), joinedload(Assignment.auditor)
        )
        .order_by(Assignment.due_day, SLOT_ORDER, Assignment.id)
    )
    if permitted(Action.VIEW_OWN_ASSIGNMENTS):
        if round_.district_id != user.district_id:
            raise Forbidden()
        stmt = stmt.where(Assignment.auditor_id == user.id)
    else:
        require(Action.VIEW_ROUNDS, round_)
    rows, total = _page_of(stmt, args)
    states = assignment_states(db.session, rows)
    items = [assignment_dict(a, states[a.id]) for a in rows]
    return page(items, total, args["page"], args["per_page"])


@blueprint.route(f"/assignments/<{ID}:assignment_id>")
@blueprint.response(200, AssignmentDetailSchema)
@documented_errors(403, 404)
def get_assignment(assignment_id: int) -> dict[str, Any]:
    """One assignment with its script filled for the contact (its auditor, or who may see the round).

    The persona, script, questions and answer key read as the auditor reads them, every variable filled.
    """
    assignment = get_or_404(Assignment, assignment_id, "assignment")
    if not (permitted(Action.VIEW_OWN_ASSIGNMENTS) and assignment.auditor_id == api_user().id):
        require(Action.VIEW_ROUNDS, assignment.round)
    state = assignment_states(db.session, [assignment])[assignment.id]
    filled = fill_for_assignment(db.session, assignment)
    return assignment_dict(assignment, state) | {
        "script": {
            "persona": filled.persona,
            "script": filled.script,
            "questions": filled.questions,
            "answer_key": filled.answer_key,
        }
    }


@blueprint.route("/scenarios")
@blueprint.arguments(ScenarioListArgs, location="query")
@blueprint.response(200, ScenarioPageSchema)
@documented_errors(403, 404)
def list_scenarios(args: dict[str, Any]) -> dict[str, Any]:
    """A district's scenarios by channel and title (``?district=ID``; a leader's or reviewer's: their own).

    Each scenario lists the grades and school levels it fits and the variables its texts use.
    """
    require(Action.VIEW_SCENARIOS)
    user = api_user()
    if "district" in args:
        district = get_or_404(District, args["district"], "district")
        if user.role is not Role.ADMIN and district.id != user.district_id:
            raise Forbidden()
        where = Scenario.district_id == district.id
    elif user.role is Role.ADMIN:
        where = Scenario.district_id.is_(None)
    else:
        where = Scenario.district_id == user.district_id
    stmt = select(Scenario).where(where).order_by(Scenario.channel, Scenario.title, Scenario.id)
    rows, total = _page_of(stmt, args)
    return page([scenario_dict(s) for s in rows], total, args["page"], args["per_page"])


@blueprint.route(f"/rounds/<{ID}:round_id>/contacts")
@blueprint.arguments(ContactListArgs, location="query")
@blueprint.response(200, ContactPageSchema)
@documented_errors(403, 404)
def list_contacts(args: dict[str, Any], round_id: int) -> dict[str, Any]:
    """A round's contacts (drafts left out) with typed answers, in id order.

    An answer's ``value`` is null when the item was marked N/A or left unanswered.
    """
    round_ = _round(round_id)
    require(Action.VIEW_ROUNDS, round_)
    stmt = (
        select(Contact)
        .join(Contact.assignment)
        .where(Assignment.round_id == round_.id, Contact.status != ContactStatus.DRAFT)
        .options(
            joinedload(Contact.assignment),
            joinedload(Contact.rubric),
            joinedload(Contact.auditor),
            selectinload(Contact.responses).joinedload(Response.item).joinedload(RubricItem.section),
        )
        .order_by(Contact.id)
    )
    if "status" in args:
        stmt = stmt.where(Contact.status == ContactStatus(args["status"]))
    if "school" in args:
        stmt = stmt.where(Assignment.school_id == args["school"])
    rows, total = _page_of(stmt, args)
    return page([contact_dict(c) for c in rows], total, args["page"], args["per_page"])


@blueprint.route(f"/rubrics/<key>/versions/<{ID}:version>")
@blueprint.response(200, RubricSchema)
@documented_errors(403, 404)
def get_rubric_version(key: str, version: int) -> dict[str, Any]:
    """One rubric version as its YAML export writes it; auditors see the published rubrics they score on.

    Sections and items come in their order on the contact form, with points, bands and guidance.
    """
    rubric = None
    if RUBRIC_KEY.match(key):
        rubric = db.session.scalar(
            select(Rubric)
            .where(Rubric.key == key, Rubric.version == version)
            .options(selectinload(Rubric.sections).selectinload(RubricSection.items))
        )
    if rubric is None:
        raise NotFound(f"no rubric {key} version {version}")
    if not permitted(Action.VIEW_RUBRICS) and not _scores_on(rubric):
        raise Forbidden()
    return rubric_dict(rubric)


def _scores_on(rubric: Rubric) -> bool:
    """Whether the token's user is an auditor with an assignment scored on this published rubric."""
    user = api_user()
    if not permitted(Action.VIEW_OWN_ASSIGNMENTS) or rubric.status is RubricStatus.DRAFT:
        return False
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Assignment.auditor_id == user.id,
                    Assignment.scenario_id == Scenario.id,
                    Scenario.rubric_key == rubric.key,
                )
            )
        )
    )


@blueprint.route(f"/rounds/<{ID}:round_id>/equity")
@blueprint.response(200, EquityFigureSchema(many=True))
@documented_errors(403, 404)
def get_round_equity(round_id: int) -> list[dict[str, Any]]:
    """Equal service: for each scenario pair of the round and each measure, both members and their
    paired difference (b - a) with its 95% interval, p-value and number of pairs. Leaders and admins only.

    Measures: ``reach`` and ``within_standard`` are rates (0 to 1; McNemar's exact test on the
    discordant pairs, the exact conditional interval); ``accuracy`` and ``score`` are scores (0 to
    100; paired t-test). The contacts behind the figures are in the round's contacts, with their
    ``scenario_id`` and ``pair_id``. A round without paired testing answers an empty list.
    """
    round_ = _round(round_id)
    require(Action.VIEW_DISTRICT_SUMMARY, round_)
    return [equity_dict(figure) for figure in equity_figures(db.session, round_)]


@blueprint.route(f"/rounds/<{ID}:round_id>/scores")
@blueprint.response(200, ScoresSchema)
@documented_errors(403, 404)
def get_round_scores(round_id: int) -> HttpResponse:
    """Every score of a round, straight from the scoring engine, at full precision.

    Only approved contacts count: the district's figures, then each school's by channel and section.
    """
    round_ = _round(round_id)
    require(Action.VIEW_DASHBOARD, round_)
    # ``scores_dict`` gives the schema's JSON values already (a test holds them equal to its dump):
    # dumping 1,000 schools through ``ScoresSchema`` again cost about as much as scoring them.
    return jsonify(scores_dict(round_scores(db.session, round_)))
