"""Calls and texts to a persona phone number: Twilio's incoming-call and incoming-message webhooks.

Point the persona number's "A call comes in" at ``/telephony/inbound/voice`` and "A message
comes in" at ``/telephony/inbound/sms`` (POST). Each request is signature-checked (403
otherwise) and every parameter checked (400, listing the bad ones); a repeat of the same SID
changes nothing (``audits.telephony.inbound``). The caller hears a short thank-you; a text gets
no answer.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy.exc import IntegrityError
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import VoiceResponse

from app.errors import json_error
from app.extensions import csrf, db
from app.telephony.client import twilio_configured
from app.telephony.signature import twilio_signed
from audits.errors import DomainError
from audits.models import InboundTouch, TouchKind
from audits.telephony.inbound import apply_inbound
from audits.timeutil import utcnow

log = logging.getLogger(__name__)

blueprint = Blueprint("telephony_inbound", __name__, url_prefix="/telephony/inbound")
csrf.exempt(blueprint)

THANKS = "Thank you for calling back. We got your call and will be in touch. Goodbye."


@blueprint.before_request
def refuse_unless_configured() -> None:
    """Without a Twilio account every webhook is "not found"."""
    if not twilio_configured(current_app.config):
        abort(404)


def _record(kind: TouchKind) -> InboundTouch | Response:
    """Record the request once; a duplicate stored concurrently is found on the second try."""
    params = request.form.to_dict(flat=False)
    account = current_app.config["TWILIO_ACCOUNT_SID"]
    try:
        try:
            touch = apply_inbound(db.session, kind, params, utcnow(), account)
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            touch = apply_inbound(db.session, kind, params, utcnow(), account)
            db.session.commit()
    except DomainError as error:
        db.session.rollback()
        log.warning("refused Twilio parameters on %s: %s", request.path, error.problems)
        return json_error(400, error.problems, error.kind.value)
    if touch.contact_id is None:
        log.info("%s from %s matched no open contact", kind.value, touch.from_number)
    return touch


@blueprint.route("/voice", methods=["POST"])
@twilio_signed
def voice() -> Response:
    """A school calls the persona back: recorded on its open contact, thanked, hung up."""
    touch = _record(TouchKind.CALL)
    if isinstance(touch, Response):
        return touch
    response = VoiceResponse()
    response.say(THANKS)
    response.hangup()
    return Response(str(response), mimetype="text/xml")


@blueprint.route("/sms", methods=["POST"])
@twilio_signed
def sms() -> Response:
    """A school texts the persona: recorded on its open contact; no answer is sent."""
    touch = _record(TouchKind.TEXT)
    if isinstance(touch, Response):
        return touch
    return Response(str(MessagingResponse()), mimetype="text/xml")
