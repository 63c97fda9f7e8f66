"""Every form of the app, posted empty, with garbage, with huge values and without a CSRF token.

The routes come from ``app.url_map`` (every POST route outside the API), each posted by a
role allowed to use it. The field names come from the form on the page that posts to the
route, and from the WTForms classes. The answer is never a 500, and a refused request
(4xx, the form again with its errors, or a redirect with an error message) changes no row
and no stored file. Huge typed values (1 MB) are refused, never stored.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from twilio.request_validator import RequestValidator
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from tests.app.hostile_forms import FormField, PageForm, page_forms, wtforms_field_names
from tests.app.hostile_world import Hostile, fresh, sign_in, start_hostile
from tests.app.route_world import TWILIO_SETTINGS, FakeTwilio
from tests.audits.telephony_helpers import ACCOUNT_SID

TWILIO_TOKEN = TWILIO_SETTINGS["TWILIO_AUTH_TOKEN"]
PUBLIC = TWILIO_SETTINGS["PUBLIC_BASE_URL"]
MB = 1024 * 1024
# Not pages with forms: files, feeds, JSON.
NOT_PAGES = re.compile(r"\.(pdf|ics|yaml)$|/export\.|^/(static|api|evidence)/|/status$|/recording$")
HUGE = "9" * MB
# What lands in every field at once, one post per value.
GARBAGE = ["<script>alert(1)</script>\x00\u202e", "99999999999999999999", "-1", "0000-00-00", "nan"]
# What lands in one typed field at a time, the rest of the form as the page filled it, by input type.
ONE_FIELD = {
    "number": ["99999999999999999999", "-5", "1e309", HUGE],
    "date": ["0000-00-00", "2027-02-30", HUGE],
    "datetime-local": ["0000-00-00T25:61", "9999-12-31T23:59", HUGE],
    "time": ["25:61", HUGE],
    "textarea": [HUGE],
}
ONE_TEXT = ["99999999999999999999", HUGE]
ONE_CHOICE = ["<script>alert(1)</script>", "99999999999999999999"]

# Twilio's webhooks: signed by Twilio instead of carrying a CSRF token.
SIGNED = ("telephony_webhooks.", "telephony_inbound.")
# Who posts to each route (the first matching prefix): a role the route is meant for.
ROLES = [
    ("auth.", None),
    ("two_step.", None),
    ("telephony_webhooks.", None),
    ("telephony_inbound.", None),
    ("mailpoll.", "auditor"),
    ("fieldwork.", "auditor"),
    ("double_scoring.", "second_auditor"),
    ("evidence.", "auditor"),
    ("sending.", "auditor"),
    ("mailboxes.", "leader"),
    ("telephony.place", "auditor"),
    ("telephony.call", "auditor"),
    ("review.", "reviewer"),
    ("appeals.new", "principal"),
    ("appeals.", "reviewer"),
    ("rounds.", "leader"),
    ("districts.", "leader"),
    ("dashboards.", "leader"),
    ("scorecards.", "leader"),
    ("auditors.", "leader"),
    ("schools.", "leader"),
    ("scenarios.", "leader"),
    ("portal.", "principal"),
    ("account.alerts", "leader"),
    ("plans.open_plan", "leader"),
    ("plans.", "principal"),
    ("plan_writing.", "principal"),
    ("plan_closing.", "principal"),
    ("plan_decisions.", "leader"),
    ("calibration.score", "auditor"),
    ("calibration.submit", "auditor"),
    ("calibration.key", "reviewer"),
    ("calibration.", "leader"),
    ("", "admin"),
]
# Which world object fills a URL parameter, where a route needs one in a particular state.
PARAMETERS: dict[str, dict[str, str]] = {
    "rounds.edit": {"round_id": "draft_round_id"},
    "rounds.commit": {"round_id": "draft_round_id"},
    "rounds.move": {"round_id": "draft_round_id"},
    "scorecards.generate": {"round_id": "closed_round_id"},
    "scorecards.publish_round": {"round_id": "closed_round_id"},
    "scorecards.unpublish_round": {"round_id": "closed_round_id"},
    "review.approve_contact": {"contact_id": "submitted_contact_id"},
    "review.return_to_auditor": {"contact_id": "submitted_contact_id"},
    "review.edit": {"contact_id": "submitted_contact_id"},
    "review.reopen_contact": {"contact_id": "approved_contact_id"},
    "telephony_webhooks.bridge": {"contact_id": "submitted_contact_id"},
    "scenarios.adopt_into_district": {"scenario_id": "library_scenario_id"},
    "telephony.place": {"contact_id": "phone_draft_contact_id"},
    "plan_decisions.approve": {"plan_id": "submitted_plan_id"},
    "plan_decisions.send_back": {"plan_id": "submitted_plan_id"},
    "plan_closing.close": {"plan_id": "approved_plan_id", "action_id": "approved_action_id"},
    "appeals.new": {"contact_id": "published_contact_id"},
    "calibration.add_contact": {"exercise_id": "draft_exercise_id"},
    "calibration.add_material": {"exercise_id": "draft_exercise_id"},
    "calibration.auditors": {"exercise_id": "draft_exercise_id"},
    "calibration.open_": {"exercise_id": "draft_exercise_id"},
    "calibration.remove": {"exercise_id": "draft_exercise_id", "reference_id": "draft_reference_id"},
    "sending.send": {"contact_id": "email_draft_contact_id"},
    "mailpoll.confirm": {"message_id": "suggested_message_id"},
    "mailpoll.decline": {"message_id": "suggested_message_id"},
}
DEFAULT_PARAMETERS = {
    "contact_id": "draft_contact_id",
    "token": "evidence_token",
}
# What Twilio posts to its webhooks, well formed: each field then gets the garbage in turn.
WEBHOOK_FORM = PageForm(
    "",
    {
        name: FormField(name, "text", value)
        for name, value in {
            "AccountSid": ACCOUNT_SID,
            "CallSid": "CA" + "1" * 32,
            "ParentCallSid": "CA" + "2" * 32,
            "CallStatus": "completed",
            "CallDuration": "42",
            "Duration": "1",
            "AnsweredBy": "human",
            "Timestamp": "Tue, 02 Feb 2027 14:15:00 +0000",
            "SequenceNumber": "3",
            "RecordingSid": "RE" + "3" * 32,
            "RecordingStatus": "completed",
            "RecordingDuration": "40",
            "RecordingUrl": "https://api.twilio.com/2010-04-01/Accounts/x/Recordings/y",
            # An incoming call or text to a persona number.
            "From": "+19045551234",
            "To": "+19045550142",
            "MessageSid": "SM" + "4" * 32,
            "Body": "Returning your call.",
        }.items()
    },
)
# Tables a refused request changes on purpose: a failed sign-in is counted (lockout), and a
# refused submission is kept as the auditor's draft so nothing typed is lost.
REFUSAL_KEEPS = {"auth.login": {"login_failures"}, "fieldwork.submit_contact": {"contacts"}}


def role_for(endpoint: str) -> str | None:
    """The role that posts to ``endpoint`` (``None``: nobody signed in)."""
    return next(role for prefix, role in ROLES if endpoint.startswith(prefix))


def post_routes(app: Flask) -> dict[str, str]:
    """Every POST route outside the API, by endpoint, with its URL template."""
    return {
        rule.endpoint: rule.rule
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or set()) and not rule.rule.startswith("/api/")
    }


def route_url(hostile: Hostile, endpoint: str) -> str:
    """The URL of ``endpoint`` with its parameters filled from the world."""
    rule = next(rule for rule in hostile.app.url_map.iter_rules() if rule.endpoint == endpoint)
    chosen = {**DEFAULT_PARAMETERS, **PARAMETERS.get(endpoint, {})}
    values = {name: hostile.world.values[chosen.get(name, name)] for name in rule.arguments}
    with hostile.app.test_request_context():
        return url_for(endpoint, **values)


def _page_urls(hostile: Hostile, rule: Rule) -> list[str]:
    """The URLs of a GET route for every world object of the right kind (every contact, round …)."""
    choices = [
        [key for key in hostile.world.values if key == name or key.endswith("_" + name)]
        for name in rule.arguments
    ]
    urls = []
    for picked in itertools.product(*choices):
        values = {name: hostile.world.values[key] for name, key in zip(rule.arguments, picked, strict=True)}
        with hostile.app.test_request_context():
            urls.append(url_for(rule.endpoint, **values))
    return urls


def collect_forms(hostile: Hostile) -> dict[str, PageForm]:
    """Every post form on every page (for every object of the world), by the path it posts to."""
    forms: dict[str, PageForm] = {}
    client = hostile.app.test_client()
    for rule in hostile.app.url_map.iter_rules():
        if "GET" not in (rule.methods or set()) or NOT_PAGES.search(rule.rule):
            continue
        role = role_for(rule.endpoint)
        sign_in(client, hostile.world.users[role] if role else None)
        for url in _page_urls(hostile, rule):
            response = client.get(url)
            if response.status_code == 200 and response.mimetype == "text/html":
                for form in page_forms(response.get_data(as_text=True), url):
                    known = forms.setdefault(form.action, form)
                    for name, control in form.fields.items():
                        known.fields.setdefault(name, control)
            response.close()
    return forms


@pytest.fixture(scope="module")
def hostile(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    # "Generate scorecards" validates and answers here, but starts no worker process: a batch
    # outliving its request would write into the next request's world.
    patch = pytest.MonkeyPatch()
    patch.setattr("app.scorecards.jobs._start_local", lambda app, job_id: None)
    for built in start_hostile(
        database_template, tmp_path_factory.mktemp("hostile-forms"), **TWILIO_SETTINGS
    ):
        built.app.extensions["twilio_http_client"] = FakeTwilio()
        yield built
    patch.undo()


@pytest.fixture(scope="module")
def forms(hostile: Hostile) -> dict[str, PageForm]:
    """The post forms of every page, by the path they post to (opening pages starts contacts: reset)."""
    found = collect_forms(hostile)
    hostile.reset()
    return found


@pytest.fixture
def client(hostile: Hostile, request: pytest.FixtureRequest) -> Iterator[FlaskClient]:
    hostile.app.config["WTF_CSRF_ENABLED"] = request.node.get_closest_marker("csrf") is not None
    yield from fresh(hostile)
    hostile.app.config["WTF_CSRF_ENABLED"] = False


class Poster:
    """Posts to one route as its role and checks every answer."""

    def __init__(self, hostile: Hostile, client: FlaskClient, endpoint: str) -> None:
        self.hostile = hostile
        self.client = client
        self.endpoint = endpoint
        self.url = route_url(hostile, endpoint)
        self.role = role_for(endpoint)
        self.statuses: list[int] = []
        self.problems: list[str] = []
        self._sign_in()

    def _sign_in(self) -> None:
        sign_in(self.client, self.hostile.world.users[self.role] if self.role else None)

    def post(self, label: str, data: dict[str, Any], must_refuse: bool = False) -> TestResponse:
        """Post ``data``; record a 500, a change made by a refused post, or a huge value kept."""
        headers = {}
        if self.endpoint.startswith(SIGNED):
            signed = {key: value if isinstance(value, str) else value[0] for key, value in data.items()}
            data = signed
            headers["X-Twilio-Signature"] = RequestValidator(TWILIO_TOKEN).compute_signature(
                PUBLIC + self.url, signed
            )
        response = self.client.post(self.url, data=data, headers=headers)
        status = response.status_code
        self.statuses.append(status)
        if status >= 500:
            self.problems.append(f"{label}: {status}")
            self._restart()
            return response
        refused = self._refused(response)
        if refused:
            allowed = REFUSAL_KEEPS.get(self.endpoint, set())
            changed = [name for name in self.hostile.unchanged() if name not in allowed]
            if changed:
                self.problems.append(f"{label}: refused ({status}) but changed {changed}")
        elif must_refuse:
            self.problems.append(f"{label}: a 1 MB value was accepted ({status})")
        if not refused:
            self._restart()
        return response

    def _refused(self, response: TestResponse) -> bool:
        if response.status_code >= 400:
            return True
        if response.status_code == 200 and response.mimetype == "text/html":
            page = response.get_data(as_text=True)
            return 'aria-invalid="true"' in page or "error-summary" in page or 'class="error"' in page
        if response.status_code == 302:
            with self.client.session_transaction() as web_session:
                flashes = web_session.get("_flashes", [])
                web_session.pop("_flashes", None)
            return any(category == "error" for category, _ in flashes)
        return False

    def _restart(self) -> None:
        """Back to the world as built, still signed in."""
        self.hostile.reset()
        self._sign_in()


def _field_names(forms: dict[str, PageForm], endpoint: str, url: str) -> tuple[PageForm | None, list[str]]:
    form = WEBHOOK_FORM if endpoint.startswith(SIGNED) else forms.get(url)
    if form is not None:
        return form, sorted(form.fields)
    return None, sorted(wtforms_field_names())


def _routes() -> list[str]:
    from app import create_app

    return sorted(post_routes(create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})))


@pytest.mark.parametrize("endpoint", _routes())
def test_every_form_refuses_garbage_without_a_500_or_a_half_save(
    hostile: Hostile, forms: dict[str, PageForm], client: FlaskClient, endpoint: str
) -> None:
    poster = Poster(hostile, client, endpoint)
    form, names = _field_names(forms, endpoint, poster.url)
    poster.post("empty body", {})
    for value in GARBAGE:
        poster.post(f"every field {value!r}", dict.fromkeys(names, value))
    huge = min(MB, 4 * MB // max(len(names), 1))
    typed = form.typed() if form else []
    poster.post("every field huge", dict.fromkeys(names, "x" * huge), must_refuse=bool(typed))
    # A draft keeps whatever was typed (only its size is limited): its form is the contact form,
    # whose fields the submit route checks one by one.
    if form is not None and endpoint != "fieldwork.save":
        defaults = form.defaults()
        for name in typed:
            for value in ONE_FIELD.get(form.fields[name].kind, ONE_TEXT):
                label = f"{name}={value[:20]!r}{'…' if len(value) > 20 else ''}"
                poster.post(label, {**defaults, name: value}, must_refuse=value is HUGE)
        for name, control in form.fields.items():
            if control.options:
                for value in ONE_CHOICE:
                    poster.post(f"{name}={value!r}", {**defaults, name: value})
        poster.post("the form as the page fills it", defaults)
    assert not poster.problems, f"{endpoint} ({poster.url}):\n" + "\n".join(poster.problems)
    # The posts reached the view: not every one was stopped at the door.
    assert any(status not in {401, 403, 404, 405} for status in poster.statuses), poster.statuses


def _csrf_routes() -> list[str]:
    """The routes CSRF protects: every POST route but Twilio's (signed instead) and the API (tokens)."""
    return [endpoint for endpoint in _routes() if not endpoint.startswith(SIGNED)]


@pytest.mark.csrf
@pytest.mark.parametrize("endpoint", _csrf_routes())
def test_a_post_without_its_csrf_token_is_refused_and_changes_nothing(
    hostile: Hostile, forms: dict[str, PageForm], client: FlaskClient, endpoint: str
) -> None:
    poster = Poster(hostile, client, endpoint)
    form, _ = _field_names(forms, endpoint, poster.url)
    data = form.defaults() if form is not None else {}
    data.pop("csrf_token", None)
    response = client.post(poster.url, data=data)
    assert response.status_code == 400, response.status_code
    assert "The form expired" in response.get_data(as_text=True)
    assert hostile.unchanged() == []
    response = client.post(poster.url, data={**data, "csrf_token": "forged.token.value"})
    assert response.status_code == 400
    assert hostile.unchanged() == []


@pytest.mark.csrf
def test_a_draft_sent_as_json_without_the_header_gets_a_json_400(
    hostile: Hostile, client: FlaskClient
) -> None:
    sign_in(client, hostile.world.users["auditor"])
    contact = hostile.world.values["draft_contact_id"]
    response = client.post(f"/contacts/{contact}/draft", json={"greeted_seconds": "12"})
    assert response.status_code == 400
    assert response.is_json and response.get_json()["code"] == "form_expired"
    assert "form was open too long" in response.get_json()["errors"][0]["message"]
    assert hostile.unchanged() == []


def test_a_round_name_with_a_line_break_is_refused(
    hostile: Hostile, forms: dict[str, PageForm], client: FlaskClient
) -> None:
    # A round's name heads the principals' emails: a line break would end the subject (and every
    # email of the round would fail to send).
    poster = Poster(hostile, client, "rounds.edit")
    form, _ = _field_names(forms, "rounds.edit", poster.url)
    assert form is not None
    for name in ("Spring\r\nBcc: everyone@example.org", "Spring\nround", "Spring\u2028round"):
        response = client.post(poster.url, data={**form.defaults(), "name": name})
        assert response.status_code == 400
        assert "keep the name on one line" in response.get_data(as_text=True)
        assert hostile.unchanged() == []
    response = client.post(poster.url, data={**form.defaults(), "name": "Spring <b>round</b>"})
    assert response.status_code == 302
