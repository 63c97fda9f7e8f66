"""Blind double-scoring, as the second auditor works it: their list, the contact to judge, its evidence.

Every page here is the second auditor's alone (``Action.DOUBLE_SCORE`` on the ``DoubleScoring``).
They see the scenario, the email thread and the recordings, never the first auditor's answers,
comments, score, name or persona, nor the school's name (``blind_scenario``); the contact's own
pages and files stay closed to them (``audits.access``). Their answers are read as the contact form
reads answers and stored apart (``audits.double_scoring.second``): no figure of any school changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from flask import Blueprint, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from app import clock
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import helpers
from app.fieldwork.entry_form import read_form
from app.fieldwork.evidence import download_name, send_evidence
from app.fieldwork.pages import evidence_folder, evidence_or_404, timezone_of
from app.permissions import permission_required, require
from app.telephony.tasks import recordings_dir
from audits.access import Action
from audits.double_scoring.second import (
    blind_scenario,
    judged_items,
    may_open,
    scorings_of,
    submit_second_scoring,
    visible_evidence,
)
from audits.errors import DomainError, Problem
from audits.fieldwork.drafts import answer_name, comment_name, na_name
from audits.fieldwork.evidence import evidence_path
from audits.models import DoubleScoring, Rubric
from audits.telephony.calls import playable_recording

blueprint = Blueprint("double_scoring", __name__, url_prefix="/double-scoring")
blueprint.context_processor(helpers)


def _scoring_or_404(scoring_id: int) -> DoubleScoring:
    scoring = db.get_or_404(DoubleScoring, scoring_id)
    require(Action.DOUBLE_SCORE, scoring)
    return scoring


def _as_input(value: object) -> str:
    """An answer as its input holds it: ``yes``/``no``, ``42``, an option's label."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _given_answers(scoring: DoubleScoring) -> dict[str, str]:
    """A submitted second scoring's answers under the form's input names (to show them read-only)."""
    values: dict[str, str] = {}
    for answer in scoring.answers:
        key = answer.item.key
        if answer.na:
            values[na_name(key)] = "1"
        elif answer.value is not None:
            values[answer_name(key)] = _as_input(answer.value)
        if answer.comment:
            values[comment_name(key)] = answer.comment
    return values


def _page(
    scoring: DoubleScoring, values: Mapping[str, str], problems: Iterable[Problem] = (), status: int = 200
) -> tuple[str, int]:
    contact = scoring.contact
    assignment = contact.assignment
    rubric: Rubric = contact.rubric
    items = {item.id for item in judged_items(rubric)}
    errors: dict[str, list[str]] = {}
    summary: list[tuple[str | None, str]] = []
    prompts = {item.key: item.prompt for item in rubric.items}
    for path, reason in problems:
        key = (path or "").split(".")[1] if (path or "").startswith("responses.") else None
        if key in prompts:
            errors.setdefault(key, []).append(reason)
            summary.append((f"rubric-item-{key}", f"{prompts[key]}: {reason}"))
        else:
            summary.append((None, reason))
    sections = [
        (section, [item for item in section.items if item.id in items])
        for section in rubric.sections
        if any(item.id in items for item in section.items)
    ]
    page = render_template(
        "double_scoring/show.html",
        scoring=scoring,
        contact=contact,
        assignment=assignment,
        scenario=assignment.scenario,
        filled=blind_scenario(db.session, assignment),
        timezone=timezone_of(contact),
        evidence=visible_evidence(scoring),
        recording=playable_recording(db.session, contact) is not None,
        sections=sections,
        values=values,
        errors=errors,
        summary=summary,
    )
    return page, status


@blueprint.route("/")
@permission_required(Action.DOUBLE_SCORE)
def mine() -> str:
    """The contacts the signed-in auditor is asked to score again: those to do, then those done."""
    scorings = scorings_of(db.session, current_user)
    return render_template(
        "double_scoring/index.html",
        to_do=[scoring for scoring in scorings if not scoring.done],
        done=[scoring for scoring in scorings if scoring.done],
    )


@blueprint.route("/<int:scoring_id>")
@login_required
def show(scoring_id: int) -> tuple[str, int]:
    """The contact to judge from its evidence, and the form for the judged items (read-only once sent)."""
    scoring = _scoring_or_404(scoring_id)
    return _page(scoring, _given_answers(scoring))


@blueprint.route("/<int:scoring_id>", methods=["POST"])
@login_required
def submit(scoring_id: int) -> Response | tuple[str, int]:
    """Record the second auditor's answers; a refused entry comes back with every problem by its item."""
    scoring = _scoring_or_404(scoring_id)
    data = request.form.to_dict()
    rubric = scoring.contact.rubric
    entry, unreadable = read_form(data, rubric, timezone_of(scoring.contact))
    keys = {item.key for item in judged_items(rubric)}
    answers = {key: answer for key, answer in entry.responses.items() if key in keys}
    try:
        submit_second_scoring(db.session, scoring, current_user, answers, clock.now())
    except DomainError as error:
        db.session.rollback()
        return _page(scoring, data, [*unreadable, *error.problems], status_for(error))
    db.session.commit()
    flash("Recorded your answers. Thank you: they show how alike the district's auditors judge.", "success")
    return redirect(url_for("double_scoring.mine"))


@blueprint.route("/<int:scoring_id>/evidence/<token>")
@login_required
def evidence(scoring_id: int, token: str) -> Response:
    """A recording or an email of the contact, for its second auditor (never photos or notes)."""
    scoring = _scoring_or_404(scoring_id)
    file = evidence_or_404(token)
    if not may_open(current_user, file, [scoring]):
        abort(404)
    return send_evidence(
        evidence_path(file, evidence_folder()), file.content_type, inline=False, name=download_name(file)
    )


@blueprint.route("/<int:scoring_id>/recording")
@login_required
def recording(scoring_id: int) -> Response:
    """The contact's call recording, for its second auditor."""
    scoring = _scoring_or_404(scoring_id)
    call = playable_recording(db.session, scoring.contact)
    if call is None or call.recording_path is None:
        abort(404)
    response = send_from_directory(recordings_dir(), call.recording_path, mimetype="audio/mpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response
