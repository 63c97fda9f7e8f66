"""The auditor's side of click-to-call, recording playback, and the telephony settings page.

``POST /contacts/<id>/call`` creates the call's two legs and asks Twilio to ring
the auditor; the page then polls ``GET /contacts/<id>/call/status``. Everything
but the settings page answers 404 while Twilio is not configured.
"""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import current_user, login_required
from requests import RequestException
from twilio.base.exceptions import TwilioException

from app.errors import json_error, status_for, wants_json
from app.extensions import db
from app.permissions import permission_required, require
from app.telephony.client import missing_settings, place_call, public_url, twilio_configured
from app.telephony.forms import CallForm
from app.telephony.tasks import recordings_dir
from audits.access import Action, allowed
from audits.errors import DomainError
from audits.fieldwork.drafts import format_local
from audits.models import Call, Channel, Contact
from audits.telephony.calls import call_placed, latest_pair, playable_recording, start_call, under_way
from audits.telephony.measured import FORM_FIELDS
from audits.telephony.recording import RecordingPolicy, recording_decision
from audits.timeutil import utcnow

log = logging.getLogger(__name__)

blueprint = Blueprint("telephony", __name__)

POLICY_LABELS = {
    RecordingPolicy.OFF: "Off: calls are never recorded.",
    RecordingPolicy.ONE_PARTY_ONLY: (
        "One-party consent only: calls are recorded only to schools in states where the auditor's "
        "consent suffices; never in all-party or mixed-rule states."
    ),
    RecordingPolicy.ANNOUNCE: (
        "Announce: every call is recorded, and the school hears “This call may be recorded for "
        "quality purposes.” when it answers."
    ),
}
STATUS_WORDS = {
    "queued": "Waiting for Twilio",
    "initiated": "Dialling",
    "ringing": "Ringing",
    "in-progress": "In progress",
    "completed": "Ended",
    "busy": "Busy",
    "no-answer": "No answer",
    "failed": "Failed",
    "canceled": "Cancelled",
}


@blueprint.before_request
def refuse_unless_configured() -> None:
    """Without a Twilio account the call routes are "not found" (the settings page says why)."""
    if request.endpoint != "telephony.settings" and not twilio_configured(current_app.config):
        abort(404)


@blueprint.app_context_processor
def telephony_helpers() -> dict[str, Any]:
    """What the call panel (in the contact form) and the recording player (on the contact page) need."""
    return {"call_panel_for": call_panel_for, "recording_of": recording_of}


def call_panel_for(contact: Contact) -> dict[str, Any] | None:
    """What the call panel shows for ``contact``, or ``None`` when it has no call button."""
    if (
        not twilio_configured(current_app.config)
        or not current_user.is_authenticated
        or contact.auditor_id != current_user.id
        or contact.assignment.channel is not Channel.PHONE
    ):
        return None
    pair = latest_pair(db.session, contact)
    return {
        "form": CallForm(formdata=None, phone=current_user.phone or ""),
        "decision": recording_decision(
            current_app.config["RECORDING_POLICY"], contact.assignment.school.state
        ),
        "active": pair is not None and under_way(*pair, utcnow()),
        "recording": playable_recording(db.session, contact) is not None,
    }


def recording_of(contact: Contact) -> bool:
    """Whether ``contact`` has a recording the signed-in person may play."""
    return (
        twilio_configured(current_app.config)
        and current_user.is_authenticated
        and allowed(current_user, Action.VIEW_CONTACT, contact)
        and playable_recording(db.session, contact) is not None
    )


def _own_contact(contact_id: int) -> Contact:
    contact = db.get_or_404(Contact, contact_id)
    require(Action.RECORD_CONTACTS, contact)
    return contact


@blueprint.route("/contacts/<int:contact_id>/call", methods=["GET"])
@login_required
def call_page(contact_id: int) -> str:
    """The call panel on a page of its own (where the contact form does not show it)."""
    contact = _own_contact(contact_id)
    panel = call_panel_for(contact)
    if panel is None:
        abort(404)
    return render_template("telephony/call.html", contact=contact, panel=panel)


@blueprint.route("/contacts/<int:contact_id>/call", methods=["POST"])
@login_required
def place(contact_id: int) -> Response | tuple[Response, int]:
    """Confirm the auditor's phone, create the call legs and ask Twilio to ring the auditor."""
    contact = _own_contact(contact_id)
    form = CallForm()
    if not form.validate():
        return _refused(
            [(name, error) for name, errors in form.errors.items() for error in errors], 400, "validation"
        )
    try:
        pair = start_call(
            db.session,
            contact,
            current_user,
            form.phone.data or "",
            current_app.config["RECORDING_POLICY"],
            utcnow(),
        )
        sid = place_call(
            current_user.phone,
            public_url("telephony_webhooks.bridge", contact_id=contact.id),
            public_url("telephony_webhooks.status"),
        )
        call_placed(pair, sid)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        return _refused(error.problems, status_for(error), error.kind.value)
    except (TwilioException, RequestException) as error:
        db.session.rollback()
        log.warning("Twilio refused a call for contact %s: %s", contact.id, error)
        return _refused([(None, "Twilio could not place the call; try again in a moment.")], 502, "twilio")
    status_url = url_for("telephony.call_status", contact_id=contact.id)
    if not wants_json():
        flash("Twilio is ringing your phone. Answer it to be connected to the school.", "success")
        return redirect(url_for("telephony.call_page", contact_id=contact.id))
    body = {"call_id": pair.auditor.id, "status_url": status_url, "recording": pair.decision.reason}
    return jsonify(body), 201


def _refused(problems: list[tuple[str | None, str]], status: int, code: str) -> Response:
    if wants_json():
        return json_error(status, problems, code)
    for _, reason in problems:
        flash(reason, "error")
    return redirect(url_for("telephony.call_page", contact_id=request.view_args["contact_id"]))


def _leg(call: Call | None) -> dict[str, Any] | None:
    if call is None:
        return None
    return {
        "status": call.status,
        "label": STATUS_WORDS.get(call.status, call.status),
        "ringing_at": call.ringing_at.isoformat() if call.ringing_at else None,
        "answered_at": call.answered_at.isoformat() if call.answered_at else None,
        "ended_at": call.ended_at.isoformat() if call.ended_at else None,
        "duration_seconds": call.duration_seconds,
        "answered_by": call.answered_by,
        "machine": call.machine,
    }


@blueprint.route("/contacts/<int:contact_id>/call/status")
@login_required
def call_status(contact_id: int) -> Response:
    """The latest call's legs and what they measured, for the page to poll."""
    contact = _own_contact(contact_id)
    timezone = contact.assignment.round.district.timezone
    pair = latest_pair(db.session, contact)
    measured = dict(contact.measured or {})
    form_values = {
        name: (
            format_local(datetime.fromisoformat(measured[name]), timezone)
            if name == "started_at"
            else str(measured[name])
        )
        for name in FORM_FIELDS
        if measured.get(name) is not None
    }
    body: dict[str, Any] = {
        "call_id": pair[0].id if pair else None,
        "active": pair is not None and under_way(*pair, utcnow()),
        "legs": {"auditor": _leg(pair[0]), "school": _leg(pair[1])} if pair else {},
        "measured": measured,
        "form_values": form_values,
        "recording_policy": contact.recording_policy,
        "recording_url": (
            url_for("telephony.recording", contact_id=contact.id)
            if playable_recording(db.session, contact)
            else None
        ),
    }
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-store"
    return response


@blueprint.route("/contacts/<int:contact_id>/recording")
@login_required
def recording(contact_id: int) -> Response:
    """Play a contact's call recording, to people allowed to see the contact (never principals)."""
    contact = db.get_or_404(Contact, contact_id)
    require(Action.VIEW_CONTACT, contact)
    call = playable_recording(db.session, contact)
    if call is None or call.recording_path is None:
        abort(404)
    folder: Path = recordings_dir()
    response = send_from_directory(folder, call.recording_path, mimetype="audio/mpeg", max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


def _masked(sid: str) -> str:
    """An account SID shown by its ends only (``AC…9f3e``): enough to recognise, not to copy."""
    return f"{sid[:2]}…{sid[-4:]}" if len(sid) > 8 else ""


@blueprint.route("/settings/telephony")
@permission_required(Action.MANAGE_SETTINGS)
def settings() -> str:
    """Whether Twilio is configured, the caller ID, the recording policy and retention (never the token)."""
    config = current_app.config
    configured = twilio_configured(config)
    return render_template(
        "telephony/settings.html",
        configured=configured,
        missing=missing_settings(config),
        caller_id=config["TWILIO_CALLER_ID"],
        account_sid=_masked(config["TWILIO_ACCOUNT_SID"]),
        policy=RecordingPolicy(config["RECORDING_POLICY"]),
        policy_label=POLICY_LABELS[RecordingPolicy(config["RECORDING_POLICY"])],
        retention_days=config["RECORDING_RETENTION_DAYS"],
        public_base_url=config["PUBLIC_BASE_URL"],
        status_url=public_url("telephony_webhooks.status"),
    )
