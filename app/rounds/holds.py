"""Legal holds on a round: a leader or administrator places one with a reason, and lifts it with one.

The round page shows the hold and its history and carries the form that places one; a
refused request (no reason, a reason too long, a hold already placed) answers with a small
page showing the form and the problem. Lifting is asked first on a page of its own, which says
what the next retention purge would then delete of the round (counted per kind of evidence);
its form posts the confirmation (``app.confirmation``) with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response
from wtforms import TextAreaField
from wtforms.validators import InputRequired, Length

from app.clock import now
from app.confirmation import ask_first, confirmed
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import local_time
from app.forms import SiteForm, apply_errors
from app.permissions import require
from app.retention import retention_policy
from audits.access import Action
from audits.errors import DomainError
from audits.holds import MAX_REASON_LENGTH, lift_hold, place_hold
from audits.models import LegalHoldEvent, Round, User
from audits.retention import expired_in_round

blueprint = Blueprint("holds", __name__, url_prefix="/rounds")


@blueprint.app_context_processor
def _helpers() -> dict[str, Any]:
    # The round page (``rounds.show``) shows the hold through ``rounds/_hold.html``.
    return {"hold_moment": local_time}


class HoldForm(SiteForm):
    """Why a hold is placed or lifted."""

    reason = TextAreaField(
        "Reason",
        validators=[InputRequired("say why"), Length(max=MAX_REASON_LENGTH)],
        description="A case, a records request, a complaint: kept in the round's hold history.",
    )


def _act(
    round_id: int, step: Callable[[Round, User, str], LegalHoldEvent], placing: bool, done: str
) -> Response | tuple[str, int]:
    round_ = db.get_or_404(Round, round_id)
    require(Action.PLACE_LEGAL_HOLD, round_)
    form = HoldForm()
    status = 400
    if form.validate():
        try:
            step(round_, current_user, form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            status = status_for(error)
        else:
            db.session.commit()
            flash(done.format(name=round_.name), "success")
            return redirect(url_for("rounds.show", round_id=round_.id) + "#hold-heading")
    return render_template("rounds/hold.html", round=round_, form=form, placing=placing), status


@blueprint.route("/<int:round_id>/hold", methods=["POST"])
@login_required
def place(round_id: int) -> Response | tuple[str, int]:
    """Place a legal hold on a round: its evidence and texts are kept from the retention purge."""
    return _act(
        round_id,
        lambda round_, user, reason: place_hold(db.session, round_, user, reason),
        True,
        "{name} is on legal hold: its evidence is kept whatever the retention periods say.",
    )


def _lift_page(round_: Round, form: HoldForm, status: int = 200) -> tuple[str, int]:
    """What lifting the hold releases to the next purge, with the reason field and the confirmation."""
    policy = retention_policy()
    form.reason.label.text = "Why lift the hold"
    page = render_template(
        "rounds/confirm_lift.html",
        round=round_,
        form=form,
        expiring=expired_in_round(db.session, round_, policy, now()),
        policy=policy,
    )
    return page, status


@blueprint.route("/<int:round_id>/hold/lift", methods=["GET", "POST"])
@login_required
def lift(round_id: int) -> Response | tuple[str, int]:
    """Ask (GET), then lift a round's legal hold (POST, confirmed, with a reason): retention applies again."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.PLACE_LEGAL_HOLD, round_)
    back = url_for("rounds.show", round_id=round_.id) + "#hold-heading"
    if not round_.on_hold:
        flash(f"{round_.name} is not on legal hold: there is nothing to lift.", "error")
        return redirect(back)
    if not confirmed():
        if request.method == "POST":
            return ask_first(url_for("holds.lift", round_id=round_.id))
        return _lift_page(round_, HoldForm(formdata=None))
    form = HoldForm()
    if form.validate():
        try:
            lift_hold(db.session, round_, current_user, form.reason.data or "")
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
            return _lift_page(round_, form, status_for(error))
        db.session.commit()
        flash(f"Lifted the legal hold on {round_.name}: the retention periods apply to it again.", "success")
        return redirect(back)
    return _lift_page(round_, form, 400)
