"""Twilio click-to-call through the web: signed webhooks, the bridge TwiML, the call button, recordings.

No test reaches the network: Twilio's REST client gets a fake ``HttpClient`` that
records each request, and ``requests`` itself is switched off for the module.
"""

from __future__ import annotations

import json
import logging
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from twilio.http import HttpClient
from twilio.http.request import Request as TwilioRequest
from twilio.http.response import Response as TwilioResponse
from twilio.request_validator import RequestValidator

from app.tasks import BEAT_SCHEDULE
from app.telephony.client import twilio_client
from audits.fieldwork.contacts import start_contact
from audits.models import Call, CallEvent, Contact, Role, User
from audits.telephony.recording import NOTICE
from config import ConfigError, load_config
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork
from tests.audits.telephony_helpers import (
    ACCOUNT_SID,
    AUDITOR_SID,
    RECORDING_SID,
    SCHOOL_PHONE,
    T0,
    auditor_call,
    school_call,
    sid,
    status_params,
)
from tests.conftest import AuthActions

TOKEN = "0123456789abcdef0123456789abcdef"
CALLER_ID = "+19045550000"
PUBLIC = "https://touchpoint.example.org"
AUDIO = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00" + bytes(range(256))
API = f"https://api.twilio.com/2010-04-01/Accounts/{ACCOUNT_SID}"


class FakeTwilioHttpClient(HttpClient):
    """Answers like Twilio's API and keeps every request; nothing leaves the process."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)
        self.requests: list[TwilioRequest] = []

    def request(
        self,
        method: str,
        uri: str,
        params: dict[str, object] | None = None,
        data: dict[str, object] | None = None,
        headers: dict[str, str] | None = None,
        auth: tuple[str, str] | None = None,
        timeout: float | None = None,
        allow_redirects: bool = False,
    ) -> TwilioResponse:
        """Record the request; answer a call creation, a recording download or a deletion."""
        self.requests.append(TwilioRequest(method, uri, auth, params, data, headers))
        if method == "POST" and uri == f"{API}/Calls.json":
            body = {
                "sid": AUDITOR_SID,
                "account_sid": ACCOUNT_SID,
                "status": "queued",
                "to": data and data["To"],
            }
            return TwilioResponse(201, json.dumps(body))
        if method == "GET" and uri.startswith(f"{API}/Recordings/") and uri.endswith(".mp3"):
            return TwilioResponse(200, AUDIO, {"Content-Type": "audio/mpeg"})  # type: ignore[arg-type]
        if method == "DELETE" and uri.startswith(f"{API}/Recordings/"):
            return TwilioResponse(204, "")
        return TwilioResponse(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))


@pytest.fixture(autouse=True)
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any real HTTP request fails the test."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("a test tried to reach the network")

    monkeypatch.setattr("requests.sessions.Session.send", refuse)


@pytest.fixture
def twilio(app: Flask) -> FakeTwilioHttpClient:
    """Twilio configured on ``app``, with the fake HTTP client."""
    app.config.update(
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=TOKEN,
        TWILIO_CALLER_ID=CALLER_ID,
        PUBLIC_BASE_URL=PUBLIC,
        RECORDING_POLICY="off",
    )
    fake = FakeTwilioHttpClient()
    app.extensions["twilio_http_client"] = fake
    return fake


@dataclass
class World:
    """A phone contact of the auditor, and people who may or may not see it."""

    fieldwork: Fieldwork
    contact: Contact
    principal: User
    admin: User

    @property
    def auditor(self) -> User:
        """The contact's auditor."""
        return self.fieldwork.auditor


@pytest.fixture
def world(session: Session, make_user: Callable[..., User]) -> World:
    """The fieldwork world with the phone contact started; the school is in Texas."""
    fieldwork = build_fieldwork(session)
    fieldwork.school.phone, fieldwork.school.state = SCHOOL_PHONE, "TX"
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    session.commit()
    principal = make_user(Role.PRINCIPAL, fieldwork.district, schools=[fieldwork.school])
    admin = make_user(Role.ADMIN)
    return World(fieldwork, contact, principal, admin)


def signed_post(
    client: FlaskClient, path: str, params: dict[str, str], token: str = TOKEN, signature: str | None = None
) -> Any:
    """Post ``params`` to ``path`` as Twilio would, signed for the public URL."""
    if signature is None:
        signature = RequestValidator(token).compute_signature(PUBLIC + path, params)
    headers = {"X-Twilio-Signature": signature} if signature else {}
    return client.post(path, data=params, headers=headers)


def place_call(client: FlaskClient, auth: AuthActions, world: World, phone: str = "904-555-0199") -> Any:
    """Sign the auditor in and press "Call through Twilio"."""
    auth.sign_in(world.auditor.email)
    return client.post(
        f"/contacts/{world.contact.id}/call", data={"phone": phone}, headers={"Accept": "application/json"}
    )


def events(session: Session) -> int:
    """How many call events are stored."""
    return session.scalar(select(func.count(CallEvent.id))) or 0


# --- Signatures -------------------------------------------------------------------------------------------


def test_twilios_published_request_validator_values_verify() -> None:
    # From Twilio's own test suite (twilio-python tests/unit/test_request_validator.py).
    validator = RequestValidator("12345")
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675309",
        "Digits": "1234",
        "From": "+14158675309",
        "To": "+18005551212",
    }
    assert validator.compute_signature(url, params) == "RSOYDt4T1cUTdK1PDd93/VVr8B8="
    assert validator.validate(url, params, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")
    assert not validator.validate(url, {**params, "Digits": "1235"}, "RSOYDt4T1cUTdK1PDd93/VVr8B8=")


@pytest.mark.parametrize(
    "how", ["forged", "missing", "other token", "signed for the proxy's inner address", "tampered"]
)
def test_an_unsigned_or_forged_callback_is_refused_and_changes_nothing(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    twilio: FakeTwilioHttpClient,
    world: World,
    how: str,
) -> None:
    assert place_call(client, auth, world).status_code == 201
    params = school_call()[1]
    signature = {
        "forged": "RSOYDt4T1cUTdK1PDd93/VVr8B8=",
        "missing": "",
        "other token": RequestValidator("another-token").compute_signature(
            PUBLIC + "/telephony/status", params
        ),
        "signed for the proxy's inner address": RequestValidator(TOKEN).compute_signature(
            "http://localhost/telephony/status", params
        ),
        "tampered": RequestValidator(TOKEN).compute_signature(
            PUBLIC + "/telephony/status", {**params, "CallStatus": "busy"}
        ),
    }[how]
    response = signed_post(client, "/telephony/status", params, signature=signature)
    assert response.status_code == 403
    assert events(session) == 0
    session.expire_all()
    assert {call.status for call in session.scalars(select(Call))} == {"queued"}


@pytest.mark.csrf
def test_webhooks_need_no_csrf_token_the_signature_is_the_proof(
    client: FlaskClient, session: Session, twilio: FakeTwilioHttpClient, world: World
) -> None:
    response = signed_post(client, "/telephony/status", status_params(sid("CA", 9), "ringing", 1, T0))
    assert response.status_code == 200


# --- Status callbacks -------------------------------------------------------------------------------------


def test_status_callbacks_fill_the_contact_in_any_order_and_repeated(
    client: FlaskClient, session: Session, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    assert place_call(client, auth, world).status_code == 201
    callbacks = auditor_call() + school_call(ring_seconds=13, talk_seconds=180)
    for params in [*reversed(callbacks), callbacks[5], callbacks[0]]:
        assert signed_post(client, "/telephony/status", params).status_code == 200
    assert events(session) == 8
    session.expire_all()
    contact = session.get(Contact, world.contact.id)
    assert contact is not None
    assert (contact.measured["rings"], contact.measured["outcome"], contact.measured["call_seconds"]) == (
        3,
        "reached",
        180,
    )
    assert contact.draft["rings"] == "3"
    status = client.get(f"/contacts/{contact.id}/call/status").get_json()
    assert status["active"] is False
    assert status["legs"]["school"]["status"] == "completed"
    assert status["legs"]["school"]["answered_by"] == "human"
    assert status["legs"]["auditor"]["label"] == "Ended"
    assert status["form_values"] == {
        "started_at": "2027-02-02T09:15",
        "outcome": "reached",
        "rings": "3",
        "call_seconds": "180",
    }


def test_a_callback_for_an_unknown_call_is_answered_200(
    client: FlaskClient, session: Session, twilio: FakeTwilioHttpClient, world: World
) -> None:
    response = signed_post(client, "/telephony/status", status_params(sid("CA", 42), "ringing", 1, T0))
    assert response.status_code == 200
    assert events(session) == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"CallStatus": "on-fire"}, "CallStatus"),
        ({"SequenceNumber": "two"}, "SequenceNumber"),
        ({"Timestamp": "2027-02-02 14:15"}, "Timestamp"),
        ({"CallDuration": "-4"}, "CallDuration"),
        ({"CallSid": "CA123"}, "CallSid"),
        ({"AccountSid": "AC" + "f" * 32}, "AccountSid"),
        ({"Weird\u00e9Name": "1"}, "Weird\u00e9Name"),
        ({"Note": "\x00"}, "Note"),
    ],
)
def test_bad_parameters_get_400_and_change_nothing(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    twilio: FakeTwilioHttpClient,
    world: World,
    change: dict[str, str],
    field: str,
) -> None:
    assert place_call(client, auth, world).status_code == 201
    response = signed_post(client, "/telephony/status", {**auditor_call()[1], **change})
    assert response.status_code == 400
    assert field in [problem["field"] for problem in response.get_json()["errors"]]
    assert events(session) == 0


# --- Click-to-call ----------------------------------------------------------------------------------------


def test_click_to_call_asks_twilio_to_ring_the_auditor_first(
    client: FlaskClient, session: Session, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    response = place_call(client, auth, world, phone="(904) 555-0199")
    assert response.status_code == 201
    body = response.get_json()
    assert body["status_url"] == f"/contacts/{world.contact.id}/call/status"
    [request] = twilio.requests
    assert request.method == "POST"
    assert request.url == f"{API}/Calls.json"
    assert request.auth == (ACCOUNT_SID, TOKEN)
    assert request.data["To"] == "+19045550199"
    assert request.data["From"] == CALLER_ID
    assert request.data["Url"] == f"{PUBLIC}/telephony/bridge/{world.contact.id}"
    assert request.data["Method"] == "POST"
    assert request.data["StatusCallback"] == f"{PUBLIC}/telephony/status"
    assert request.data["StatusCallbackEvent"] == ["initiated", "ringing", "answered", "completed"]
    session.expire_all()
    legs = session.scalars(select(Call).order_by(Call.id)).all()
    assert [(leg.id, leg.leg, leg.call_sid, leg.parent_call_sid) for leg in legs] == [
        (body["call_id"], "auditor", AUDITOR_SID, None),
        (body["call_id"] + 1, "school", None, AUDITOR_SID),
    ]
    assert session.get(User, world.auditor.id).phone == "+19045550199"  # type: ignore[union-attr]
    # A second press while the call is under way places no second call.
    again = client.post(
        f"/contacts/{world.contact.id}/call",
        data={"phone": "9045550199"},
        headers={"Accept": "application/json"},
    )
    assert again.status_code == 409 and again.get_json()["code"] == "conflict"
    assert again.get_json()["errors"][0]["field"] == "call"
    assert len(twilio.requests) == 1


def test_without_javascript_the_button_posts_the_form_and_the_call_page_follows(
    client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    auth.sign_in(world.auditor.email)
    page = client.get(f"/contacts/{world.contact.id}/call")
    assert page.status_code == 200
    assert "Call through Twilio" in page.get_data(as_text=True)
    response = client.post(f"/contacts/{world.contact.id}/call", data={"phone": "9045550199"})
    assert response.status_code == 302
    assert response.headers["Location"] == f"/contacts/{world.contact.id}/call"
    assert "Twilio is ringing your phone" in client.get(response.headers["Location"]).get_data(as_text=True)
    refused = client.post(f"/contacts/{world.contact.id}/call", data={"phone": "9045550199"})
    assert "already under way" in client.get(refused.headers["Location"]).get_data(as_text=True)


def test_a_bad_phone_number_is_refused_without_calling_twilio(
    client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    response = place_call(client, auth, world, phone="555-01")
    assert response.status_code == 400
    assert response.get_json()["errors"][0]["field"] == "phone"
    assert twilio.requests == []


def test_only_the_contacts_auditor_calls(
    client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    auth.sign_in(world.fieldwork.other_auditor.email)
    url = f"/contacts/{world.contact.id}/call"
    assert client.post(url, data={"phone": "9045550199"}).status_code == 403
    assert client.get(f"{url}/status").status_code == 403
    assert twilio.requests == []


def test_the_contact_form_shows_the_call_button_when_twilio_is_configured(
    client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    world.auditor.phone = "+19045550199"
    auth.sign_in(world.auditor.email)
    html = client.get(f"/assignments/{world.fieldwork.phone.id}/contact").get_data(as_text=True)
    assert "Call through Twilio" in html
    assert 'value="+19045550199"' in html  # the auditor's phone, to confirm
    assert "call-status.js" in html
    assert "<script>" not in html  # no inline script (CSP)
    email_form = client.get(f"/assignments/{world.fieldwork.email.id}/contact").get_data(as_text=True)
    assert "Call through Twilio" not in email_form


def test_without_twilio_there_is_no_button_and_every_route_refuses(
    app: Flask, client: FlaskClient, auth: AuthActions, world: World
) -> None:
    app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_CALLER_ID="")
    auth.sign_in(world.auditor.email)
    html = client.get(f"/assignments/{world.fieldwork.phone.id}/contact").get_data(as_text=True)
    assert "Call through Twilio" not in html
    cid = world.contact.id
    for method, path in [
        ("post", f"/contacts/{cid}/call"),
        ("get", f"/contacts/{cid}/call"),
        ("get", f"/contacts/{cid}/call/status"),
        ("get", f"/contacts/{cid}/recording"),
        ("post", f"/telephony/bridge/{cid}"),
        ("post", "/telephony/status"),
        ("post", "/telephony/recording"),
        ("post", "/telephony/whisper"),
    ]:
        params = status_params(AUDITOR_SID, "ringing", 1, T0)
        signature = RequestValidator(TOKEN).compute_signature(PUBLIC + path, params)
        response = getattr(client, method)(path, data=params, headers={"X-Twilio-Signature": signature})
        assert response.status_code == 404, path


def test_tests_can_never_reach_twilio_for_real(app: Flask) -> None:
    environ = {"TWILIO_ACCOUNT_SID": ACCOUNT_SID, "TWILIO_AUTH_TOKEN": TOKEN, "TWILIO_CALLER_ID": CALLER_ID}
    settings = load_config("testing", environ)
    assert (settings["TWILIO_ACCOUNT_SID"], settings["TWILIO_AUTH_TOKEN"], settings["TWILIO_CALLER_ID"]) == (
        "",
        "",
        "",
    )
    app.config.update(TWILIO_ACCOUNT_SID=ACCOUNT_SID, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_CALLER_ID=CALLER_ID)
    with pytest.raises(RuntimeError, match="fake Twilio HTTP client"):
        twilio_client()


# --- The bridge -------------------------------------------------------------------------------------------


def _bridge(client: FlaskClient, contact_id: int) -> ET.Element:
    params = {
        "AccountSid": ACCOUNT_SID,
        "CallSid": AUDITOR_SID,
        "CallStatus": "in-progress",
        "Direction": "outbound-api",
        "From": CALLER_ID,
        "To": "+19045550199",
        "ApiVersion": "2010-04-01",
    }
    response = signed_post(client, f"/telephony/bridge/{contact_id}", params)
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    return ET.fromstring(response.get_data())


@pytest.mark.parametrize(
    ("state", "policy", "record", "whisper"),
    [
        ("TX", "off", False, False),
        ("FL", "off", False, False),
        ("TX", "one_party_only", True, False),
        ("FL", "one_party_only", False, False),
        ("TX", "announce", True, True),
        ("FL", "announce", True, True),
    ],
)
def test_the_bridge_dials_the_school_recording_as_the_law_allows(
    app: Flask,
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    twilio: FakeTwilioHttpClient,
    world: World,
    state: str,
    policy: str,
    record: bool,
    whisper: bool,
) -> None:
    world.fieldwork.school.state = state
    session.commit()
    app.config["RECORDING_POLICY"] = policy
    assert place_call(client, auth, world).status_code == 201
    root = _bridge(client, world.contact.id)
    assert [child.tag for child in root] == [
        "Dial"
    ]  # nothing said before <Dial>: only the auditor would hear it
    dial = root[0]
    assert dial.get("callerId") == CALLER_ID
    assert (dial.get("record") == "record-from-answer-dual") is record
    assert (dial.get("recordingStatusCallback") == f"{PUBLIC}/telephony/recording") is record
    [number] = list(dial)
    assert number.tag == "Number"
    assert number.text == SCHOOL_PHONE
    assert number.get("statusCallback") == f"{PUBLIC}/telephony/status"
    assert number.get("statusCallbackEvent") == "initiated ringing answered completed"
    assert number.get("machineDetection") == "Enable"
    assert (number.get("url") == f"{PUBLIC}/telephony/whisper") is whisper
    session.expire_all()
    contact = session.get(Contact, world.contact.id)
    assert contact is not None
    expected = {"off": "off", "announce": "announced"}.get(policy, "one_party" if record else "withheld")
    assert contact.recording_policy == expected
    assert {call.recording_policy for call in session.scalars(select(Call))} == {expected}


def test_the_whisper_is_the_recording_notice(client: FlaskClient, twilio: FakeTwilioHttpClient) -> None:
    params = {"AccountSid": ACCOUNT_SID, "CallSid": sid("CA", 3), "ParentCallSid": AUDITOR_SID}
    response = signed_post(client, "/telephony/whisper", params)
    root = ET.fromstring(response.get_data())
    assert [(child.tag, child.text) for child in root] == [("Say", NOTICE)]
    assert signed_post(client, "/telephony/whisper", params, signature="bad").status_code == 403


def test_a_bridge_for_someone_elses_call_hangs_up(
    client: FlaskClient, twilio: FakeTwilioHttpClient, world: World
) -> None:
    root = _bridge(client, world.contact.id)  # no call was placed: the SID is not this contact's
    assert [child.tag for child in root] == ["Hangup"]


# --- Recordings -------------------------------------------------------------------------------------------


def _record(app: Flask, client: FlaskClient, auth: AuthActions, world: World) -> Any:
    app.config["RECORDING_POLICY"] = "one_party_only"  # Texas: one-party consent
    assert place_call(client, auth, world).status_code == 201
    params = {
        "AccountSid": ACCOUNT_SID,
        "CallSid": AUDITOR_SID,
        "RecordingSid": RECORDING_SID,
        "RecordingStatus": "completed",
        "RecordingDuration": "181",
        "RecordingChannels": "2",
        "RecordingSource": "DialVerb",
        "RecordingStartTime": "Tue, 02 Feb 2027 14:15:14 +0000",
        "RecordingUrl": f"{API}/Recordings/{RECORDING_SID}",
    }
    return signed_post(client, "/telephony/recording", params)


def test_a_recording_is_fetched_in_the_background_and_kept_outside_the_web_root(
    app: Flask,
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    twilio: FakeTwilioHttpClient,
    world: World,
) -> None:
    assert _record(app, client, auth, world).status_code == 200
    download = twilio.requests[-1]
    assert (download.method, download.url) == ("GET", f"{API}/Recordings/{RECORDING_SID}.mp3")
    assert download.auth == (ACCOUNT_SID, TOKEN)
    session.expire_all()
    call = session.scalars(select(Call).where(Call.recording_sid == RECORDING_SID)).one()
    assert call.recording_seconds == 181
    stored = Path(app.config["EVIDENCE_DIR"]) / "recordings" / str(call.recording_path)
    assert stored.read_bytes() == AUDIO
    assert len(stored.stem) == 32  # a random name
    with client.get(f"/contacts/{world.contact.id}/recording") as played:
        assert played.status_code == 200
        assert played.mimetype == "audio/mpeg"
        assert played.data == AUDIO
        assert "no-store" in played.headers["Cache-Control"]


def test_recording_playback_permissions(
    app: Flask, client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    assert _record(app, client, auth, world).status_code == 200
    url = f"/contacts/{world.contact.id}/recording"
    expected = {
        world.auditor.email: 200,
        world.fieldwork.other_auditor.email: 403,
        world.principal.email: 403,
        world.fieldwork.reviewer.email: 200,
        world.admin.email: 200,
    }
    for email, status in expected.items():
        auth.logout()
        auth.sign_in(email)
        with client.get(url) as response:
            assert response.status_code == status, email
    auth.logout()
    assert client.get(url).status_code in {302, 401}


def test_the_contact_page_plays_the_recording_to_its_reviewer(
    app: Flask, client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    page = f"/contacts/{world.contact.id}"
    player = f'src="/contacts/{world.contact.id}/recording"'
    assert _record(app, client, auth, world).status_code == 200
    auth.logout()
    auth.sign_in(world.fieldwork.reviewer.email)
    assert player in client.get(page).get_data(as_text=True)
    app.config["TWILIO_CALLER_ID"] = ""
    assert player not in client.get(page).get_data(as_text=True)


def test_retention_purge_deletes_at_twilio_and_here(
    app: Flask,
    client: FlaskClient,
    session: Session,
    runner: FlaskCliRunner,
    auth: AuthActions,
    twilio: FakeTwilioHttpClient,
    world: World,
) -> None:
    assert _record(app, client, auth, world).status_code == 200
    session.expire_all()
    call = session.scalars(select(Call).where(Call.recording_sid == RECORDING_SID)).one()
    stored = Path(app.config["EVIDENCE_DIR"]) / "recordings" / str(call.recording_path)
    created = call.created_at
    young = runner.invoke(
        args=["telephony", "purge-recordings", "--now", (created + timedelta(days=89)).isoformat()]
    )
    assert young.exit_code == 0, young.output
    assert "deleted 0 recordings" in young.output
    old = runner.invoke(
        args=["telephony", "purge-recordings", "--now", (created + timedelta(days=91)).isoformat()]
    )
    assert old.exit_code == 0, old.output
    assert "deleted 1 recording (retention: 90 days)" in old.output
    deletion = twilio.requests[-1]
    assert (deletion.method, deletion.url) == ("DELETE", f"{API}/Recordings/{RECORDING_SID}.json")
    assert not stored.exists()
    session.expire_all()
    call = session.scalars(select(Call).where(Call.recording_sid == RECORDING_SID)).one()
    assert call.recording_deleted_at is not None
    assert call.recording_path is None
    assert client.get(f"/contacts/{world.contact.id}/recording").status_code == 404


def test_the_purge_runs_daily() -> None:
    assert BEAT_SCHEDULE["purge-recordings-daily"]["task"] == "touchpoint.purge_recordings"


# --- Settings ---------------------------------------------------------------------------------------------


def test_the_settings_page_says_whether_twilio_is_configured_never_the_token(
    app: Flask, client: FlaskClient, auth: AuthActions, twilio: FakeTwilioHttpClient, world: World
) -> None:
    app.config.update(RECORDING_POLICY="announce", RECORDING_RETENTION_DAYS=30)
    auth.sign_in(world.admin.email)
    html = client.get("/settings/telephony").get_data(as_text=True)
    assert "Configured" in html
    assert "(904) 555-0000" in html
    assert "announce" in html
    assert "30 days" in html
    assert TOKEN not in html
    assert ACCOUNT_SID not in html
    app.config["TWILIO_AUTH_TOKEN"] = ""
    html = client.get("/settings/telephony").get_data(as_text=True)
    assert "Not configured" in html
    assert "TWILIO_AUTH_TOKEN" in html
    auth.logout()
    auth.sign_in(world.auditor.email)
    assert client.get("/settings/telephony").status_code == 403


# --- Configuration ----------------------------------------------------------------------------------------

PRODUCTION = {"SECRET_KEY": "s" * 32, "DATABASE_URL": "postgresql://db/tp"}


def test_telephony_settings_come_from_the_environment_outside_tests() -> None:
    settings = load_config(
        "production",
        {
            **PRODUCTION,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": TOKEN,
            "TWILIO_CALLER_ID": CALLER_ID,
            "RECORDING_POLICY": "One_Party_Only",
        },
    )
    assert settings["TWILIO_CALLER_ID"] == CALLER_ID
    assert settings["RECORDING_POLICY"] == "one_party_only"
    assert settings["RECORDING_RETENTION_DAYS"] == 90
    defaults = load_config("production", PRODUCTION)
    assert (defaults["RECORDING_POLICY"], defaults["TWILIO_ACCOUNT_SID"]) == ("off", "")


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RECORDING_POLICY", "always"),
        ("RECORDING_RETENTION_DAYS", "0"),
        ("RECORDING_RETENTION_DAYS", "a month"),
        ("TWILIO_CALLER_ID", "904-555-0000"),
    ],
)
def test_invalid_telephony_settings_are_refused(name: str, value: str) -> None:
    with pytest.raises(ConfigError, match=name):
        load_config("production", {**PRODUCTION, name: value})
