"""Scorecard pages: generate (in the background), follow progress, publish, download.

Leaders generate a round's scorecards from the round page and watch a progress
bar fed by a small JSON endpoint; they publish or unpublish them, each asked first on a
page that lists the scorecards and the principals emailed (``app.confirmation``), and see
which principals have opened theirs. A scorecard downloads by its unguessable token:
leaders, reviewers and administrators of the district at any time, a principal
only their own school's and only once published (their opening is recorded).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.confirmation import ask_first, confirmed
from app.extensions import db
from app.outbox import kick_outbox
from app.permissions import can, require
from app.scorecards.emails import queue_publication_emails
from app.scorecards.jobs import BatchRunningError, BatchStartError, batch_progress, start_build, storage_dir
from audits.access import Action
from audits.errors import DomainError
from audits.models import Role, Round, Scorecard
from audits.outbox import round_delivery
from audits.scorecards import (
    publication_history,
    publication_plan,
    publish,
    record_view,
    round_scorecards,
    scorecard_rows,
    unpublish,
)
from audits.storage import write_file
from audits.vocabulary import count_of, plural
from reports.batch import BUILDABLE, inputs_hash
from reports.progress import Progress
from reports.render import identifier_for, shared_renderer
from reports.summary import gather_summary

log = logging.getLogger(__name__)
blueprint = Blueprint("scorecards", __name__, url_prefix="/scorecards")
PDF_HEADERS = {
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
    "Content-Security-Policy": "default-src 'none'; sandbox",
}


@dataclass(frozen=True)
class RoundPanel:
    """What the round page shows about the round's scorecards."""

    round: Round
    built: int
    published: int
    progress: Progress | None
    may_build: bool
    may_publish: bool
    buildable: bool


def round_panel(round_: Round) -> RoundPanel:
    """The scorecard panel of the round page (two small reads: the rows and the progress file)."""
    cards = round_scorecards(db.session, round_)
    return RoundPanel(
        round=round_,
        built=len(cards),
        published=sum(1 for card in cards if card.published_at is not None),
        progress=batch_progress(round_.id),
        may_build=can(Action.BUILD_SCORECARDS, round_),
        may_publish=can(Action.PUBLISH_SCORECARDS, round_),
        buildable=round_.status in BUILDABLE,
    )


@blueprint.app_context_processor
def _template_helpers() -> dict[str, Any]:
    return {"scorecard_panel": round_panel}


def _back(round_: Round) -> Response:
    return redirect(url_for("rounds.show", round_id=round_.id) + "#scorecards-heading")


@blueprint.route("/rounds/<int:round_id>")
@login_required
def index(round_id: int) -> str:
    """The round's scorecards: each school's file, publication state, and who has (not) opened it."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_SCORECARD, round_)
    rows = scorecard_rows(db.session, round_)
    return render_template(
        "scorecards/round.html",
        round=round_,
        rows=rows,
        panel=round_panel(round_),
        history=publication_history(db.session, round_),
        delivery=round_delivery(db.session, round_.id),
        may_publish=can(Action.PUBLISH_SCORECARDS, round_),
        may_summarise=can(Action.VIEW_DISTRICT_SUMMARY, round_),
    )


@blueprint.route("/rounds/<int:round_id>/generate", methods=["POST"])
@login_required
def generate(round_id: int) -> Response:
    """Start building the round's scorecards in the background (a worker, never this request)."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.BUILD_SCORECARDS, round_)
    try:
        start_build(round_, force=request.form.get("force") == "y")
    except DomainError as error:
        flash(error.reason[0].upper() + error.reason[1:] + ".", "error")
    except BatchRunningError as error:
        flash(f"{str(error)[0].upper()}{str(error)[1:]}; wait for it to finish.", "error")
    except BatchStartError as error:
        flash(f"{str(error)[0].upper()}{str(error)[1:]}.", "error")
    else:
        flash(f"Generating the scorecards of {round_.name} in the background.", "success")
    return _back(round_)


@blueprint.route("/rounds/<int:round_id>/progress")
@login_required
def progress(round_id: int) -> Response:
    """The batch's progress as JSON, for the round page's progress bar."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_SCORECARD, round_)
    current = batch_progress(round_.id)
    body = current.as_json() if current else {"round_id": round_.id, "state": "none", "active": False}
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


def _publication_page(round_: Round, action: str) -> str:
    """What publishing would show and whom it would email, or what unpublishing would hide."""
    if action == "publish":
        return render_template(
            "scorecards/confirm_publish.html", round=round_, plan=publication_plan(db.session, round_)
        )
    rows = [row for row in scorecard_rows(db.session, round_) if row.scorecard and row.scorecard.published_at]
    delivery = round_delivery(db.session, round_.id)
    return render_template("scorecards/confirm_unpublish.html", round=round_, rows=rows, delivery=delivery)


def _publication(round_id: int, action: str) -> Response | str:
    round_ = db.get_or_404(Round, round_id)
    require(Action.PUBLISH_SCORECARDS, round_)
    if not confirmed():
        if request.method == "POST":
            return ask_first(url_for(f"scorecards.{action}_round", round_id=round_.id))
        return _publication_page(round_, action)
    note = (request.form.get("note") or "").strip()[:500]
    try:
        changed = (publish if action == "publish" else unpublish)(db.session, round_, current_user, note)
        emailed = queue_publication_emails(round_, changed) if action == "publish" else 0  # same transaction
    except DomainError as error:
        db.session.rollback()
        flash(error.reason[0].upper() + error.reason[1:] + ".", "error")
        return redirect(url_for("scorecards.index", round_id=round_.id))
    db.session.commit()
    count = len(changed)
    noun = count_of(count, "scorecard")
    if action == "publish":
        kick_outbox()  # never raises: a broker that is down only delays the emails
        principals = count_of(emailed, "principal")
        flash(f"Published {noun}; {principals} {plural(emailed, 'is', 'are')} emailed a link.", "success")
    else:
        flash(f"Unpublished {noun}: principals no longer see them.", "success")
    return redirect(url_for("scorecards.index", round_id=round_.id))


@blueprint.route("/rounds/<int:round_id>/publish", methods=["GET", "POST"])
@login_required
def publish_round(round_id: int) -> Response | str:
    """Ask (GET: the scorecards shown, each principal emailed), then publish them and email (POST)."""
    return _publication(round_id, "publish")


@blueprint.route("/rounds/<int:round_id>/unpublish", methods=["GET", "POST"])
@login_required
def unpublish_round(round_id: int) -> Response | str:
    """Ask (GET: the scorecards hidden), then hide the round's scorecards from principals again (POST)."""
    return _publication(round_id, "unpublish")


def _pdf(path: Path, filename: str) -> Response:
    """A stored PDF, read whole (scorecards are tens of kilobytes), shown inline, never cached publicly."""
    response = Response(path.read_bytes(), mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    response.headers.update(PDF_HEADERS)
    return response


@blueprint.route("/<token>.pdf")
@login_required
def download(token: str) -> Response:
    """One scorecard's PDF: 404 for an unknown token, 403 for anyone who may not read it."""
    card = db.session.scalar(select(Scorecard).where(Scorecard.token == token)) if len(token) <= 64 else None
    if card is None:
        abort(404)
    require(Action.VIEW_SCORECARD, card)
    path = storage_dir() / card.path
    if not path.is_file():
        log.error("scorecard %s points to a missing file %s", card.id, card.path)
        abort(404)
    if current_user.role is Role.PRINCIPAL:
        record_view(db.session, card, current_user)
        db.session.commit()
    return _pdf(path, f"{card.school.nces_id}-scorecard-round-{card.round_id}.pdf")


@blueprint.route("/rounds/<int:round_id>/summary.pdf")
@login_required
def summary(round_id: int) -> Response:
    """The round's district summary PDF, rendered when its figures change and kept by their hash."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.VIEW_DISTRICT_SUMMARY, round_)
    data = gather_summary(db.session, round_)
    digest = inputs_hash(data)
    path = storage_dir() / "summaries" / f"{digest}.pdf"
    if not path.is_file():
        rendered = shared_renderer().district_summary(data, identifier_for(digest))
        write_file(path, rendered.pdf)  # a full disk: StorageFullError, answered 507 with the message
    return _pdf(path, f"district-summary-round-{round_.id}.pdf")
