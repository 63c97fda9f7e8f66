"""Twilio's webhooks: the bridge TwiML, the whisper notice, call status and recording callbacks.

Every request is signature-checked (403 otherwise) and every parameter checked
(400, listing the bad ones). A callback about a call Touchpoint does not know is
answered 200 and logged: Twilio can do nothing about it. CSRF does not apply;
the signature is the proof of origin.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.exc import IntegrityError
from twilio.twiml.voice_response import VoiceResponse

from app.errors import json_error
from app.extensions import csrf, db
from app.telephony.client import STATUS_EVENTS, public_url, twilio_configured
from app.telephony.signature import twilio_signed
from app.telephony.tasks import download_recording_task
from audits.errors import DomainError
from audits.models import Call, Contact
from audits.telephony.callbacks import apply_recording, apply_status
from audits.telephony.calls import RECORDED_CODES, bridge_for
from audits.telephony.parameters import clean_params
from audits.telephony.recording import NOTICE
from audits.timeutil import utcnow

log = logging.getLogger(__name__)

blueprint = Blueprint("telephony_webhooks", __name__, url_prefix="/telephony")
csrf.exempt(blueprint)

# How long the school's phone may ring before Twilio gives up: ten US ring cycles, so a
# voicemail box that picks up after five or six rings is still reached.
DIAL_TIMEOUT_SECONDS = 60


@blueprint.before_request
def refuse_unless_configured() -> None:
    """Without a Twilio account every webhook is "not found"."""
    if not twilio_configured(current_app.config):
        abort(404)


def _twiml(response: VoiceResponse) -> Response:
    return Response(str(response), mimetype="text/xml")


def _params() -> dict[str, list[str]]:
    return request.form.to_dict(flat=False)


def _bad_request(error: DomainError) -> Response:
    db.session.rollback()
    log.warning("refused Twilio parameters on %s: %s", request.path, error.problems)
    return json_error(400, error.problems, error.kind.value)


def _apply(apply: Callable[..., Call | None]) -> Call | None:
    """Apply a callback and commit; a duplicate stored concurrently is retried once (and then found)."""
    account = current_app.config["TWILIO_ACCOUNT_SID"]
    try:
        call = apply(db.session, _params(), utcnow(), account)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        call = apply(db.session, _params(), utcnow(), account)
        db.session.commit()
    return call


@blueprint.route("/bridge/<int:contact_id>", methods=["POST"])
@twilio_signed
def bridge(contact_id: int) -> Response | tuple[Response, int]:
    """The auditor answered: dial the school, recording and announcing as the contact's decision says."""
    try:
        params = clean_params(_params(), ("CallSid",), current_app.config["TWILIO_ACCOUNT_SID"])
    except DomainError as error:
        return _bad_request(error)
    contact = db.session.get(Contact, contact_id)
    plan = bridge_for(db.session, contact, params["CallSid"]) if contact is not None else None
    response = VoiceResponse()
    if plan is None:
        log.warning("bridge requested for unknown call %s of contact %s", params["CallSid"], contact_id)
        response.hangup()
        return _twiml(response)
    dial_options: dict[str, Any] = {
        "caller_id": current_app.config["TWILIO_CALLER_ID"],
        "timeout": DIAL_TIMEOUT_SECONDS,
    }
    if plan.record:
        dial_options.update(
            record="record-from-answer-dual",
            recording_status_callback=public_url("telephony_webhooks.recording"),
            recording_status_callback_method="POST",
            recording_status_callback_event="completed absent",
        )
    dial = response.dial(**dial_options)
    number_options: dict[str, Any] = {
        "status_callback": public_url("telephony_webhooks.status"),
        "status_callback_method": "POST",
        "status_callback_event": " ".join(STATUS_EVENTS),
        "machine_detection": "Enable",
    }
    if plan.announce:
        # A whisper: played to the school as it answers, before the two sides are joined.
        number_options.update(url=public_url("telephony_webhooks.whisper"), method="POST")
    dial.number(plan.school_phone, **number_options)
    return _twiml(response)


@blueprint.route("/whisper", methods=["POST"])
@twilio_signed
def whisper() -> Response | tuple[Response, int]:
    """The recording notice the school hears when it answers."""
    try:
        clean_params(_params(), (), current_app.config["TWILIO_ACCOUNT_SID"])
    except DomainError as error:
        return _bad_request(error)
    response = VoiceResponse()
    response.say(NOTICE)
    return _twiml(response)


@blueprint.route("/status", methods=["POST"])
@twilio_signed
def status() -> Response | tuple[Response, int]:
    """A call status callback, for either leg."""
    try:
        call = _apply(apply_status)
    except DomainError as error:
        return _bad_request(error)
    if call is None:
        log.info("status callback for unknown call %s", request.form.get("CallSid", "?"))
    return Response("", 200, mimetype="text/plain")


@blueprint.route("/recording", methods=["POST"])
@twilio_signed
def recording() -> Response | tuple[Response, int]:
    """A recording status callback: keep the recording's SID, then fetch it in the background."""
    try:
        call = _apply(apply_recording)
    except DomainError as error:
        return _bad_request(error)
    if call is None:
        log.info("recording callback for unknown call %s", request.form.get("CallSid", "?"))
    elif call.recording_sid and not call.recording_path and call.recording_policy in RECORDED_CODES:
        try:
            download_recording_task.delay(call.id)
        except Exception:  # the daily job fetches it later; Twilio must not see an error for it
            log.exception("could not fetch recording %s now", call.recording_sid)
    return Response("", 200, mimetype="text/plain")
