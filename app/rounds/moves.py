"""Moving a round on, each step confirmed first: start fieldwork, close, back to draft, reopen.

Each step has a page (GET) that says exactly what it will do, with the assignments it ends or
deletes listed, and a "Yes, …" button that posts the confirmation (``app.confirmation``);
a POST without it does nothing and leads to that page. Starting, closing and going back to
draft are a leader's; reopening a round closed by mistake is an administrator's, with a reason
kept in the round's history and the audit log.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from app.clock import today_in
from app.confirmation import ask_first, confirmed
from app.errors import status_for
from app.extensions import db
from app.forms import SiteForm, apply_errors, seen_revision
from app.permissions import require
from app.rounds.forms import slot_label
from audits.access import Action
from audits.errors import DomainError
from audits.models import Round, RoundStatus, User
from audits.planning.closing import (
    MAX_REASON_LENGTH,
    close_round,
    closing_preview,
    reopen_round,
    reopening_preview,
)
from audits.planning.progress import round_assignments
from audits.planning.rounds import has_fieldwork, move_round
from audits.script_values import missing_for_round
from audits.vocabulary import count_of

blueprint = Blueprint("moves", __name__, url_prefix="/rounds")


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {"slot_label": slot_label, "RoundStatus": RoundStatus}


class ReopenForm(SiteForm):
    """Why a closed round is reopened: required, kept in its history."""

    reason = TextAreaField(
        "Why reopen this round",
        validators=[InputRequired("say why the round is reopened"), Length(max=MAX_REASON_LENGTH)],
        description="What was closed by mistake, who asked: kept in the round's history and the audit log.",
        render_kw={"rows": 3, "maxlength": MAX_REASON_LENGTH},
    )


@dataclass(frozen=True)
class AuditorLoad:
    """One auditor's share of a list of assignments: how many, and the first day one is due."""

    auditor: User
    count: int
    first_day: date


class Planned(Protocol):
    """An assignment as a confirmation page lists it (``Assignment``, or one reopening puts back)."""

    @property
    def auditor_id(self) -> int:
        """The auditor's id."""

    @property
    def auditor(self) -> User:
        """Who does it."""

    @property
    def due_day(self) -> date:
        """When it is due."""


def auditor_loads(assignments: Sequence[Planned]) -> list[AuditorLoad]:
    """Who has how many of ``assignments``, most first, with the first day one is due."""
    counts = Counter(assignment.auditor_id for assignment in assignments)
    firsts: dict[int, Planned] = {}
    for assignment in assignments:
        if assignment.auditor_id not in firsts or assignment.due_day < firsts[assignment.auditor_id].due_day:
            firsts[assignment.auditor_id] = assignment
    loads = [AuditorLoad(first.auditor, counts[key], first.due_day) for key, first in firsts.items()]
    return sorted(loads, key=lambda load: (-load.count, load.auditor.display_name))


def _round(round_id: int, action: Action = Action.MANAGE_ROUNDS) -> Round:
    round_ = db.get_or_404(Round, round_id)
    require(action, round_)
    return round_


def _back(round_: Round) -> Response:
    return redirect(url_for("rounds.show", round_id=round_.id))


def _wrong_status(round_: Round, needed: RoundStatus, step: str) -> Response | None:
    """Back to the round page, saying why, when the round is not ``needed`` (a stale link or page)."""
    if round_.status is needed:
        return None
    flash(f"{round_.name} is {round_.status.label.lower()}: it cannot {step} now.", "error")
    return _back(round_)


def _take(
    round_: Round,
    step: Callable[[], Any],
    page: Callable[[list[str], int], tuple[str, int]],
    done: Callable[[Any], str],
) -> Response | tuple[str, int]:
    """Take a confirmed step and commit, saying what it did; a refusal shows the page again with why."""
    try:
        result = step()
    except DomainError as error:
        db.session.rollback()
        db.session.refresh(round_)
        return page([reason for _, reason in error.problems], status_for(error))
    db.session.commit()
    flash(done(result), "success")
    return _back(round_)


def _asked(confirmation_url: str, page: Callable[[], tuple[str, int]]) -> Response | tuple[str, int]:
    """The confirmation page (GET), or, for a POST without the confirmation, back to it."""
    return ask_first(confirmation_url) if request.method == "POST" else page()


def _closed_words(round_: Round, unstarted: int) -> str:
    """What closing did, in one message."""
    ended = f", with the {count_of(unstarted, 'assignment')} nobody had started" if unstarted else ""
    return f"Closed {round_.name}{ended}. Its scorecards can now be generated and published."


# -- start fieldwork ------------------------------------------------------------------------------


def _start_page(round_: Round, problems: list[str], status: int = 200) -> tuple[str, int]:
    assignments = round_assignments(db.session, round_)
    page = render_template(
        "rounds/confirm_start.html",
        round=round_,
        assignments=assignments,
        loads=auditor_loads(assignments),
        missing=missing_for_round(db.session, round_),
        problems=problems,
    )
    return page, status


@blueprint.route("/<int:round_id>/start", methods=["GET", "POST"])
@login_required
def start(round_id: int) -> Response | tuple[str, int]:
    """Ask (GET), then start a scheduled round's fieldwork (POST, confirmed): its plan is fixed."""
    round_ = _round(round_id)
    wrong = _wrong_status(round_, RoundStatus.SCHEDULED, "start its fieldwork")
    if wrong is not None:
        return wrong
    if not confirmed():
        return _asked(url_for("moves.start", round_id=round_.id), lambda: _start_page(round_, []))
    return _take(
        round_,
        lambda: move_round(db.session, round_, RoundStatus.IN_FIELD, seen_revision(), current_user),
        lambda problems, status: _start_page(round_, problems, status),
        lambda _: f"{round_.name} is in the field; its plan is fixed.",
    )


# -- close --------------------------------------------------------------------------------------------


def _close_page(round_: Round, problems: list[str], status: int = 200) -> tuple[str, int]:
    preview = closing_preview(db.session, round_, today_in(round_.district))
    page = render_template(
        "rounds/confirm_close.html",
        round=round_,
        preview=preview,
        loads=auditor_loads(preview.unstarted),
        problems=problems,
    )
    return page, status


@blueprint.route("/<int:round_id>/close", methods=["GET", "POST"])
@login_required
def close(round_id: int) -> Response | tuple[str, int]:
    """Ask (GET), then close a round in the field (POST, confirmed): unstarted assignments end."""
    round_ = _round(round_id)
    wrong = _wrong_status(round_, RoundStatus.IN_FIELD, "be closed")
    if wrong is not None:
        return wrong
    if not confirmed():
        return _asked(url_for("moves.close", round_id=round_.id), lambda: _close_page(round_, []))
    return _take(
        round_,
        lambda: close_round(db.session, round_, current_user, seen_revision()),
        lambda problems, status: _close_page(round_, problems, status),
        lambda event: _closed_words(round_, len(event.assignments)),
    )


# -- back to draft ----------------------------------------------------------------------------------


def _draft_page(round_: Round, problems: list[str], status: int = 200) -> tuple[str, int]:
    assignments = round_assignments(db.session, round_)
    page = render_template(
        "rounds/confirm_draft.html",
        round=round_,
        assignments=assignments,
        loads=auditor_loads(assignments),
        fieldwork=has_fieldwork(db.session, round_),
        problems=problems,
    )
    return page, status


@blueprint.route("/<int:round_id>/back-to-draft", methods=["GET", "POST"])
@login_required
def back_to_draft(round_id: int) -> Response | tuple[str, int]:
    """Ask (GET), then take a scheduled round back to draft (POST, confirmed): its assignments go."""
    round_ = _round(round_id)
    wrong = _wrong_status(round_, RoundStatus.SCHEDULED, "go back to draft")
    if wrong is not None:
        return wrong
    if not confirmed():
        return _asked(url_for("moves.back_to_draft", round_id=round_.id), lambda: _draft_page(round_, []))
    count = len(round_.assignments)
    return _take(
        round_,
        lambda: move_round(db.session, round_, RoundStatus.DRAFT, seen_revision(), current_user),
        lambda problems, status: _draft_page(round_, problems, status),
        lambda _: (
            f"{round_.name} is a draft again: its {count_of(count, 'assignment')} deleted. "
            "Change it, then commit a new plan."
        ),
    )


# -- reopen (administrators) -------------------------------------------------------------------------


def _reopen_page(round_: Round, form: ReopenForm, problems: list[str], status: int = 200) -> tuple[str, int]:
    preview = reopening_preview(db.session, round_, today_in(round_.district))
    page = render_template(
        "rounds/confirm_reopen.html",
        round=round_,
        preview=preview,
        loads=auditor_loads(preview.assignments),
        form=form,
        problems=problems,
    )
    return page, status


@blueprint.route("/<int:round_id>/reopen", methods=["GET", "POST"])
@login_required
def reopen(round_id: int) -> Response | tuple[str, int]:
    """Ask (GET), then reopen a round closed by mistake (POST, confirmed, with a reason): administrators."""
    round_ = _round(round_id, Action.REOPEN_ROUND)
    wrong = _wrong_status(round_, RoundStatus.CLOSED, "be reopened")
    if wrong is not None:
        return wrong
    if not confirmed():
        return _asked(
            url_for("moves.reopen", round_id=round_.id),
            lambda: _reopen_page(round_, ReopenForm(formdata=None), []),
        )
    form = ReopenForm()
    if not form.validate():
        return _reopen_page(round_, form, [], 400)
    try:
        event = reopen_round(db.session, round_, current_user, form.reason.data or "", seen_revision())
    except DomainError as error:
        db.session.rollback()
        db.session.refresh(round_)
        apply_errors(form, error)
        problems = [reason for field, reason in error.problems if field != "reason"]
        return _reopen_page(round_, form, problems, status_for(error))
    db.session.commit()
    restored = count_of(len(event.assignments), "assignment")
    flash(
        f"Reopened {round_.name}: it is in the field again, "
        f"with the {restored} it had closed unstarted open as they were.",
        "success",
    )
    return _back(round_)
