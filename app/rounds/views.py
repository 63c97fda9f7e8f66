"""Round pages: the list, the round form, the plan preview, committing, status, reassigning, progress.

Leaders (and administrators) plan and move rounds; reviewers read them. A draft
shows the plan it would get now; a committed round lists its assignments.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.clock import now, today_in
from app.confirmation import ask_first
from app.errors import status_for
from app.extensions import db
from app.forms import apply_errors, id_arg, seen_revision
from app.permissions import can, permission_required, require
from app.rounds.forms import (
    CommitForm,
    ReassignForm,
    RoundForm,
    StatusForm,
    new_seed,
    scenario_label,
    slot_label,
)
from audits.access import Action
from audits.directory import missing_contact_data
from audits.errors import DomainError
from audits.mail.status import reply_counts
from audits.models import (
    Assignment,
    Channel,
    District,
    Role,
    Round,
    RoundStatus,
    Scenario,
    School,
    Slot,
    User,
)
from audits.planning.board import DONE_FILTER, BoardFilter, BoardStatus, progress_board
from audits.planning.closing import round_history
from audits.planning.planner import Plan
from audits.planning.progress import AssignmentFilter, round_assignments, rounds_overview
from audits.planning.reassign import reassign
from audits.planning.rounds import (
    commit_plan,
    district_auditors,
    move_round,
    preview_plan,
    save_round,
    schools_in_round,
)
from audits.planning.slots import school_days
from audits.planning.window import SuggestedWindow, suggest_window
from audits.plans.follow_up import checked_again, follow_ups_of
from audits.scenarios import scenarios_for
from audits.script_values import Missing, missing_for_round
from audits.vocabulary import count_of

blueprint = Blueprint("rounds", __name__, url_prefix="/rounds")

# The confirmation page of each move the round page offers (draft → scheduled is "Commit plan",
# whose confirmation is the plan preview itself; closed → published goes through the scorecards).
MOVE_PAGES = {
    (RoundStatus.SCHEDULED, RoundStatus.DRAFT): "moves.back_to_draft",
    (RoundStatus.SCHEDULED, RoundStatus.IN_FIELD): "moves.start",
    (RoundStatus.IN_FIELD, RoundStatus.CLOSED): "moves.close",
    (RoundStatus.CLOSED, RoundStatus.IN_FIELD): "moves.reopen",
}


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "RoundStatus": RoundStatus,
        "Slot": Slot,
        "slot_label": slot_label,
        "missing_link": missing_link,
    }


def _district_or_404(district_id: int | None) -> District:
    if district_id is None:
        abort(404)
    return db.get_or_404(District, district_id)


def _active_schools(district: District) -> list[School]:
    return list(
        db.session.scalars(
            select(School)
            .where(School.district_id == district.id, School.active.is_(True))
            .order_by(School.name)
        )
    )


def _form_page(form: RoundForm, district: District, round_: Round | None, status: int) -> tuple[str, int]:
    missing = missing_contact_data(db.session, district.id)
    page = render_template("rounds/form.html", form=form, district=district, round=round_, missing=missing)
    return page, status


def _save(form: RoundForm, district: District, round_: Round | None) -> Response | tuple[str, int]:
    """Validate the posted form, save the round, commit; or show every problem next to its field."""
    form.validate()
    saved: Round | None = None
    status = 400
    try:
        saved = save_round(
            db.session, district, form.spec(), round_, seen=seen_revision(), today=today_in(district)
        )
    except DomainError as error:
        apply_errors(form, error)
        status = status_for(error)
    if form.errors or saved is None:
        db.session.rollback()
        return _form_page(form, district, round_, status)
    db.session.commit()
    flash(f"Saved {saved.name}. Check the plan below, then commit it.", "success")
    return redirect(url_for("rounds.show", round_id=saved.id))


@blueprint.route("/")
@permission_required(Action.VIEW_ROUNDS)
def index() -> str:
    """List the rounds of the person's district (an administrator: every district's)."""
    admin = current_user.role is Role.ADMIN
    if admin or current_user.district_id is not None:
        rounds = rounds_overview(db.session, None if admin else current_user.district_id)
    else:
        rounds = []  # a leader or reviewer not yet linked to a district sees no district's rounds
    districts = list(db.session.scalars(select(District).order_by(District.name))) if admin else []
    return render_template("rounds/index.html", rounds=rounds, districts=districts)


@blueprint.route("/new", methods=["GET", "POST"])
@permission_required(Action.MANAGE_ROUNDS)
def new() -> Response | tuple[str, int]:
    """Create a draft round for the leader's district (an administrator picks the district)."""
    if current_user.role is Role.ADMIN:
        district = _district_or_404(id_arg("district"))
    else:
        district = _district_or_404(current_user.district_id)
    require(Action.MANAGE_ROUNDS, district)
    form = RoundForm()
    form.set_choices(_active_schools(district), scenarios_for(db.session, district.id))
    window = suggest_window(district, today_in(district))
    if window is not None:
        form.first_day.description = window_hint(window)
    if request.method == "POST":
        return _save(form, district, None)
    form.seed.data = new_seed()
    if window is not None:
        form.first_day.data, form.last_day.data = window.first_day, window.last_day
    return _form_page(form, district, None, 200)


def window_hint(window: SuggestedWindow) -> str:
    """Where a new round's suggested dates come from, under its first day."""
    first = f"{window.first_day:%a, %b} {window.first_day.day}"
    last = f"{window.last_day:%a, %b} {window.last_day.day}, {window.last_day.year}"
    text = f"Suggested from the district calendar: {window.school_days} school days, {first} to {last}"
    if window.closures:
        text += f", skipping {' and '.join(window.closures)}"
    return text + ". Change the dates if you like; the last day cannot be in the past."


@blueprint.route("/<int:round_id>/edit", methods=["GET", "POST"])
@login_required
def edit(round_id: int) -> Response | tuple[str, int]:
    """Change a draft round's settings."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.MANAGE_ROUNDS, round_)
    if round_.status is not RoundStatus.DRAFT:
        flash(f"{round_.name} is {round_.status.label.lower()}: only a draft can be changed.", "error")
        return redirect(url_for("rounds.show", round_id=round_.id))
    form = RoundForm()
    form.set_choices(_active_schools(round_.district), scenarios_for(db.session, round_.district_id))
    if request.method == "POST":
        return _save(form, round_.district, round_)
    form.fill_from(round_)
    return _form_page(form, round_.district, round_, 200)


@dataclass(frozen=True)
class UnplacedRow:
    """A contact the plan could not place, with names instead of ids."""

    school: str
    channel: Channel
    sequence: int
    scenario: str
    reason: str


@dataclass(frozen=True)
class DayCell:
    """One weekday of the per-day table: its date and planned contacts (``None`` outside the window)."""

    day: date
    count: int | None
    closed: bool = False


@dataclass
class Preview:
    """A draft's plan, ready to show: totals, loads per auditor, school and day, and what is unplaced."""

    plan: Plan
    wanted: int
    auditors: list[tuple[User, int]]
    schools: list[tuple[School, int, int]]  # each school, its placed and its wanted contacts
    weeks: list[list[DayCell]]
    unplaced: list[UnplacedRow]


def _weeks(round_: Round, per_day: Counter[date]) -> list[list[DayCell]]:
    """Monday-to-Friday rows covering the round's window."""
    closed = {closure.day for closure in round_.district.closures}
    weeks = []
    monday = round_.first_day - timedelta(days=round_.first_day.weekday())
    while monday <= round_.last_day:
        week = []
        for offset in range(5):
            day = monday + timedelta(days=offset)
            inside = round_.first_day <= day <= round_.last_day
            week.append(DayCell(day, per_day.get(day, 0) if inside else None, inside and day in closed))
        weeks.append(week)
        monday += timedelta(days=7)
    return weeks


def _preview(round_: Round) -> Preview:
    plan = preview_plan(db.session, round_)
    schools = schools_in_round(db.session, round_)
    names = {school.id: school.name for school in schools}
    scenarios = {scenario.id: scenario for scenario in scenarios_for(db.session, round_.district_id)}
    loads, placed = plan.per_auditor(), plan.per_school()
    # Each wanted contact is placed or listed unplaced (a follow-up's schools want different numbers).
    wanted = placed + Counter(missing.school_id for missing in plan.unplaced)
    auditors = [
        (user, loads.get(user.id, 0)) for user, _ in district_auditors(db.session, round_.district_id)
    ]
    unplaced = [
        UnplacedRow(
            names.get(missing.school_id, "?"),
            missing.channel,
            missing.sequence,
            _scenario_name(scenarios.get(missing.scenario_id) if missing.scenario_id else None),
            missing.reason,
        )
        for missing in plan.unplaced
    ]
    return Preview(
        plan=plan,
        wanted=wanted.total(),
        auditors=sorted(auditors, key=lambda pair: (-pair[1], pair[0].display_name)),
        schools=[(school, placed.get(school.id, 0), wanted.get(school.id, 0)) for school in schools],
        weeks=_weeks(round_, plan.per_day()),
        unplaced=unplaced,
    )


def _scenario_name(scenario: Scenario | None) -> str:
    return "—" if scenario is None else scenario_label(scenario)


def _assignment_filter() -> AssignmentFilter:
    day = request.args.get("day", "")
    try:
        wanted_day = date.fromisoformat(day) if day else None
    except ValueError:
        wanted_day = None
    return AssignmentFilter(
        auditor_id=id_arg("auditor"),
        school_id=id_arg("school"),
        channel=request.args.get("channel", type=Channel),
        day=wanted_day,
    )


def _round_page(round_: Round, status: int = 200, problems: list[str] | None = None) -> tuple[str, int]:
    """The round page: its settings, then the plan preview (a draft) or its assignments."""
    context: dict[str, Any] = {
        "round": round_,
        "problems": problems or [],
        "commit_form": CommitForm(formdata=None),
        "history": round_history(db.session, round_),
        "scenarios": {s.id: s for s in scenarios_for(db.session, round_.district_id)},
        "may_manage": can(Action.MANAGE_ROUNDS, round_),
        "may_reopen": can(Action.REOPEN_ROUND, round_),
        "school_day_count": len(
            school_days(round_.first_day, round_.last_day, (c.day for c in round_.district.closures))
        ),
    }
    if round_.status is RoundStatus.PUBLISHED:
        context["follow_ups"] = follow_ups_of(db.session, round_)
    if round_.follows_round_id is not None:
        context["checked_again"] = checked_again(db.session, round_)
    if round_.status is RoundStatus.DRAFT:
        context["preview"] = preview = _preview(round_)
        planned = [(c.school_id, c.scenario_id, c.auditor_id, c.child_grade) for c in preview.plan.contacts]
        context["missing"] = missing_for_round(db.session, round_, planned)
    else:
        if round_.status is RoundStatus.SCHEDULED:
            context["missing"] = missing_for_round(db.session, round_)
        where = _assignment_filter()
        context["replies"] = reply_counts(db.session, round_.id, now())
        context.update(
            where=where,
            assignments=round_assignments(db.session, round_, where),
            auditors=[user for user, _ in district_auditors(db.session, round_.district_id)],
            schools=schools_in_round(db.session, round_),
        )
    return render_template("rounds/show.html", **context), status


MISSING_LINKS = {
    "answer_key": ("answer_key.edit", "district_id"),
    "auditor": ("auditors.edit", "user_id"),
    "school": ("schools.edit", "school_id"),
    "scenario": ("scenarios.edit", "scenario_id"),
}


def missing_link(missing: Missing) -> str:
    """Where a missing value of a round's scripts is filled in."""
    kind, target = missing.link
    endpoint, argument = MISSING_LINKS[kind]
    anchor = missing.variable if kind == "answer_key" and missing.variable else None
    return url_for(endpoint, **{argument: target}, _anchor=anchor)


@blueprint.route("/<int:round_id>")
@login_required
def show(round_id: int) -> tuple[str, int]:
    """Show a round: a draft with the plan it would get, a committed round with its assignments."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_ROUNDS, round_)
    return _round_page(round_)


@blueprint.route("/<int:round_id>/commit", methods=["POST"])
@login_required
def commit(round_id: int) -> Response | tuple[str, int]:
    """Plan a draft for good: store its assignments and mark it scheduled."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.MANAGE_ROUNDS, round_)
    form = CommitForm()
    if not form.validate():
        abort(400)
    try:
        plan = commit_plan(db.session, round_, seen_revision(), current_user)
    except DomainError as error:
        db.session.rollback()
        return _round_page(round_, status_for(error), [reason for _, reason in error.problems])
    db.session.commit()
    placed, missing = len(plan.contacts), len(plan.unplaced)
    message = f"Scheduled {round_.name}: {count_of(placed, 'assignment')}"
    message += f", {count_of(missing, 'contact')} left unplaced." if missing else "."
    flash(message, "success")
    return redirect(url_for("rounds.show", round_id=round_.id))


@blueprint.route("/<int:round_id>/status", methods=["POST"])
@login_required
def move(round_id: int) -> Response | tuple[str, int]:
    """Lead a move of the round to its confirmation page; commit a draft's plan; refuse what cannot be.

    Starting fieldwork, closing, going back to draft and reopening are taken only from their
    confirmation pages (``app.rounds.moves``): a form posted here (an old page's) does none of them.
    """
    round_ = db.get_or_404(Round, round_id)
    require(Action.MANAGE_ROUNDS, round_)
    form = StatusForm()
    form.validate()
    to = request.form.get(form.to.name, type=RoundStatus)
    if to is None:
        return _round_page(round_, 400, ["Choose what to do with the round."])
    if to is RoundStatus.PUBLISHED:
        # A round is published with its scorecards, so that principals get them and an email.
        flash("Publish the round from its scorecards: principals then see them and are emailed.", "info")
        return redirect(url_for("scorecards.index", round_id=round_.id))
    page = MOVE_PAGES.get((round_.status, to))
    if page is not None:
        return ask_first(url_for(page, round_id=round_.id))
    try:
        if round_.status is RoundStatus.DRAFT and to is RoundStatus.SCHEDULED:
            commit_plan(db.session, round_, seen_revision(), current_user)  # a draft is scheduled by its plan
        else:
            move_round(db.session, round_, to, seen_revision(), current_user)  # refused: no such move
    except DomainError as error:
        db.session.rollback()
        return _round_page(round_, status_for(error), [reason for _, reason in error.problems])
    db.session.commit()
    flash(f"{round_.name} is now {to.label.lower()}.", "success")
    return redirect(url_for("rounds.show", round_id=round_.id))


def _assignment_or_404(round_: Round, assignment_id: int) -> Assignment:
    assignment = db.get_or_404(Assignment, assignment_id)
    if assignment.round_id != round_.id:
        abort(404)
    return assignment


@blueprint.route("/<int:round_id>/assignments/<int:assignment_id>/reassign", methods=["GET", "POST"])
@login_required
def reassign_assignment(round_id: int, assignment_id: int) -> Response | tuple[str, int]:
    """Give one assignment to another auditor, day or slot; a move that breaks a rule is explained."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.MANAGE_ROUNDS, round_)
    assignment = _assignment_or_404(round_, assignment_id)
    form = ReassignForm()
    form.set_choices(district_auditors(db.session, round_.district_id), round_.district)
    if request.method == "GET":
        form.auditor_id.data = assignment.auditor_id
        form.due_day.data = assignment.due_day
        form.slot.data = assignment.slot
    elif form.validate():
        try:
            reassign(db.session, assignment, form.auditor_id.data, form.due_day.data, form.slot.data)
        except DomainError as error:
            apply_errors(form, error)
    if request.method == "POST" and not form.errors:
        db.session.commit()
        flash(f"Moved the {assignment.channel.value} contact with {assignment.school.name}.", "success")
        return redirect(url_for("rounds.show", round_id=round_.id))
    if form.errors:
        db.session.rollback()
    status = 400 if form.errors else 200
    page = render_template("rounds/reassign.html", form=form, round=round_, assignment=assignment)
    return page, status


@blueprint.route("/<int:round_id>/progress")
@login_required
def progress(round_id: int) -> str:
    """The progress board: one row per school, each assignment's status per channel, filtered by the query."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_ROUNDS, round_)
    where = _board_filter()
    today = today_in(round_.district)
    board = progress_board(db.session, round_, today, where)
    kept = {"channel": where.channel.value if where.channel else None, "auditor": where.auditor_id}
    kept["q"] = where.school_text.strip() or None
    return render_template(
        "rounds/progress.html",
        round=round_,
        board=board,
        where=where,
        today=today,
        other_args={name: value for name, value in kept.items() if value is not None},
        BoardStatus=BoardStatus,
    )


def _board_filter() -> BoardFilter:
    """The board's filters in the query string: ``status``, ``channel``, ``auditor``, ``q`` (unknown values
    are left out)."""
    status = request.args.get("status", "")
    channel = request.args.get("channel", "")
    return BoardFilter(
        status=status if status == DONE_FILTER or status in BoardStatus._value2member_map_ else None,
        channel=Channel(channel) if channel in Channel._value2member_map_ else None,
        auditor_id=id_arg("auditor"),
        school_text=request.args.get("q", "")[:100],
    )
