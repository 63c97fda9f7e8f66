"""Call-backs and texts to a persona phone number: signed, checked, matched to the open contact, once."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.request_validator import RequestValidator

from audits.fieldwork.contacts import start_contact
from audits.models import AuditorProfile, Contact, ContactStatus, InboundTouch, TouchKind
from audits.telephony.inbound import apply_inbound
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork
from tests.audits.telephony_helpers import ACCOUNT_SID, SCHOOL_PHONE, sid

TOKEN = "0123456789abcdef0123456789abcdef"
PUBLIC = "https://touchpoint.example.org"
PERSONA_PHONE = "+19045550142"
AT = datetime(2027, 2, 3, 15, 0, tzinfo=UTC)


@pytest.fixture
def twilio(app: Flask) -> None:
    """Twilio configured on ``app`` (nothing here calls Twilio's API)."""
    app.config.update(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_CALLER_ID="+19045550000",
        PUBLIC_BASE_URL=PUBLIC,
    )


@pytest.fixture
def fieldwork(session: Session) -> Fieldwork:
    """The fieldwork world; the school has its phone, the auditor's persona a number of its own."""
    world = build_fieldwork(session)
    world.school.phone = SCHOOL_PHONE
    session.add(AuditorProfile(user_id=world.auditor.id, persona_phone=PERSONA_PHONE))
    session.commit()
    return world


def signed_post(
    client: FlaskClient, path: str, params: dict[str, str], signature: str | None = None
) -> object:
    """Post as Twilio does, signed for the public address."""
    if signature is None:
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
    return client.post(path, data=params, headers={"X-Twilio-Signature": signature})


def call_params(number: int, caller: str = "(904) 555-1234") -> dict[str, str]:
    """An incoming call as Twilio posts it."""
    return {
        "AccountSid": ACCOUNT_SID,
        "CallSid": sid("CA", number),
        "From": caller,
        "To": PERSONA_PHONE,
        "CallStatus": "ringing",
        "Direction": "inbound",
    }


def text_params(number: int, body: str = "Hi, returning your call about enrolment.") -> dict[str, str]:
    """An incoming text as Twilio posts it."""
    return {
        "AccountSid": ACCOUNT_SID,
        "MessageSid": sid("SM", number),
        "From": SCHOOL_PHONE,
        "To": PERSONA_PHONE,
        "Body": body,
        "NumMedia": "0",
    }


def touches(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(InboundTouch)) or 0


def test_a_call_back_is_matched_to_the_open_phone_contact_and_timed_once(
    client: FlaskClient, session: Session, twilio: None, fieldwork: Fieldwork
) -> None:
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    session.commit()
    response = signed_post(client, "/telephony/inbound/voice", call_params(7))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert b"<Say>Thank you for calling back" in response.data  # type: ignore[attr-defined]
    session.expire_all()
    touch = session.scalars(select(InboundTouch)).one()
    assert (touch.kind, touch.contact_id, touch.from_number) == (TouchKind.CALL, contact.id, SCHOOL_PHONE)
    refreshed = session.get(Contact, contact.id)
    assert refreshed is not None and refreshed.callback_at == touch.at
    assert refreshed.draft["callback_at"]  # prefilled for the auditor
    first_time = refreshed.callback_at
    # Twilio retries the same request: nothing doubles, the time stays the first.
    assert signed_post(client, "/telephony/inbound/voice", call_params(7)).status_code == 200  # type: ignore[attr-defined]
    session.expire_all()
    assert touches(session) == 1
    assert session.get(Contact, contact.id).callback_at == first_time  # type: ignore[union-attr]


def test_a_text_is_recorded_with_its_words_on_the_contact(
    client: FlaskClient, session: Session, twilio: None, fieldwork: Fieldwork
) -> None:
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    session.commit()
    response = signed_post(client, "/telephony/inbound/sms", text_params(9))
    assert response.status_code == 200  # type: ignore[attr-defined]
    assert response.data.strip().endswith(b"<Response />")  # type: ignore[attr-defined]
    touch = session.scalars(select(InboundTouch)).one()
    assert touch.kind is TouchKind.TEXT and touch.contact_id == contact.id
    assert touch.body == "Hi, returning your call about enrolment."


def test_unsigned_or_bad_requests_change_nothing(
    client: FlaskClient, session: Session, twilio: None, fieldwork: Fieldwork
) -> None:
    assert (
        signed_post(client, "/telephony/inbound/voice", call_params(1), signature="forged").status_code == 403
    )  # type: ignore[attr-defined]
    bad = call_params(2) | {"From": "not a number", "CallSid": "CA123"}
    response = signed_post(client, "/telephony/inbound/voice", bad)
    assert response.status_code == 400  # type: ignore[attr-defined]
    fields = {problem["field"] for problem in response.get_json()["errors"]}  # type: ignore[attr-defined]
    assert {"From", "CallSid"} <= fields
    assert touches(session) == 0


def test_without_twilio_the_inbound_webhooks_are_not_found(client: FlaskClient) -> None:
    assert client.post("/telephony/inbound/voice", data=call_params(3)).status_code == 404
    assert client.post("/telephony/inbound/sms", data=text_params(3)).status_code == 404


def test_a_call_from_an_unknown_number_is_kept_unmatched(session: Session, fieldwork: Fieldwork) -> None:
    touch = apply_inbound(session, TouchKind.CALL, call_params(4, caller="+12125550100"), AT, ACCOUNT_SID)
    assert touch.contact_id is None and touch.from_number == "+12125550100"


def test_the_open_phone_contact_is_chosen_and_approved_contacts_are_not_open(
    session: Session, fieldwork: Fieldwork
) -> None:
    email_contact = start_contact(session, fieldwork.email, fieldwork.auditor)
    phone_contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    session.commit()
    touch = apply_inbound(session, TouchKind.CALL, call_params(5), AT, ACCOUNT_SID)
    assert touch.contact_id == phone_contact.id and phone_contact.callback_at == AT
    text = apply_inbound(session, TouchKind.TEXT, text_params(6), AT, ACCOUNT_SID)
    assert text.contact_id == phone_contact.id
    for contact in (email_contact, phone_contact):
        contact.status = ContactStatus.APPROVED
    session.commit()
    later = apply_inbound(session, TouchKind.CALL, call_params(8), AT, ACCOUNT_SID)
    assert later.contact_id is None
