"""The auditor's contact form: the scenario, drafts, submitting, errors, retries and My assignments."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact
from audits.models import Channel, ContactStatus, District, User
from tests.app.fieldwork_world import (
    World,
    build_world,
    checked,
    current_contact,
    input_value,
    json_headers,
    login,
    open_form,
    selected,
    textarea_value,
)
from tests.audits.fieldwork_helpers import LIBRARY_CALL_FORM, REACHED_CALL_FORM, use_library_rubric
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    return build_world(session, make_district, make_user)


# --- the form


def test_the_auditor_opens_their_assignment_and_sees_the_scenario_and_rubric(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    html = open_form(client, world.phone)
    scenario = world.phone.scenario
    assert scenario.persona in html
    assert "Hello, I am calling about enrolling my son. &lt;b&gt;Say it slowly.&lt;/b&gt;" in html  # escaped
    assert "<b>Say it slowly" not in html
    assert "What do I need?" in html and "- proof of residence" in html  # questions and the answer key
    assert 'href="tel:+19045551234"' in html and "(904) 555-1234" in html
    assert 'href="mailto:office@abess.example"' in html and "12731 Abess Blvd, Jacksonville, FL 32225" in html
    # the channel's own fields, as native inputs
    assert re.search(r'<input[^>]*type="datetime-local"[^>]*name="started_at"|name="started_at"[^>]*'
                     r'type="datetime-local"', html)  # fmt: skip
    for label in ("Reached a person", "Voicemail", "Auto-attendant with no way to a person", "Busy"):
        assert label in html
    assert "No reply" not in html  # an email outcome
    for name in ("rings", "hold_seconds", "transfers", "call_seconds", "callback_at"):
        assert f'name="{name}"' in html, name
    assert 'inputmode="numeric"' in html
    assert (
        'name="staff_gave_name" type="radio" value="yes"' in html
        or 'type="radio" name="staff_gave_name"' in html
    )
    assert 'name="sent_text"' not in html and 'name="greeted_seconds"' not in html
    # the rubric, through the shared macro
    for name in ("item-answered_by_person", "item-rings", "item-courtesy", "na-courtesy", "comment-accuracy"):
        assert f'name="{name}"' in html, name
    assert 'name="na-accuracy"' not in html  # N/A only where the item allows it
    # drafts: the script, its data and the status line; no inline script anywhere
    assert f'data-draft-url="/contacts/{current_contact(session, world.phone).id}/draft"' in html
    assert 'src="/static/contact-form.js"' in html
    assert re.search(r"<script(?![^>]*\ssrc=)[^>]*>", html) is None
    assert re.search(r"\son[a-z]+=", html) is None
    assert 'role="status" aria-live="polite"' in html
    assert '<meta name="csrf-token"' in html and 'name="viewport"' in html


def test_each_channel_shows_its_own_fields(client: FlaskClient, auth: AuthActions, world: World) -> None:
    login(auth, world.users["auditor"])
    email = open_form(client, world.email)
    for name in ("sent_text", "reply_at", "reply_text"):
        assert f'name="{name}"' in email
    assert "When you sent the email" in email and "No reply" in email and 'name="rings"' not in email
    assert 'accept=".eml' in email
    visit = open_form(client, world.visit)
    for name in ("greeted_seconds", "wait_seconds"):
        assert f'name="{name}"' in visit
    assert "When you arrived" in visit and 'accept="image/*"' in visit
    for label in ("Entrance", "Signage", "Office"):
        assert f">{label}</option>" in visit


def test_opening_the_form_twice_keeps_one_attempt(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    first = current_contact(session, world.phone)
    open_form(client, world.phone)
    assert current_contact(session, world.phone).id == first.id and first.attempt == 1


# --- drafts


def test_the_autosave_endpoint_keeps_a_draft_that_a_reload_shows(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    draft = {
        "started_at": "2027-02-02T09:15",
        "outcome": "reached",
        "rings": "7",
        "staff_gave_name": "no",
        "item-courtesy": "2",
        "na-courtesy": "1",
        "comment-accuracy": "Said to call the district <office>.",
    }
    response = client.post(f"/contacts/{contact.id}/draft", json=draft, headers=json_headers())
    assert response.status_code == 200
    body = response.get_json()
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", body["saved_at"])
    assert body["measured"] == {"rings": 7.0}  # the rings timing item, measured from the rings typed

    html = open_form(client, world.phone)
    assert input_value(html, "started_at") == "2027-02-02T09:15"
    assert input_value(html, "rings") == "7"
    assert re.search(
        r'<option[^>]*selected[^>]*value="reached"|<option[^>]*value="reached"[^>]*selected', html
    )
    assert checked(html, "staff_gave_name", "no") and not checked(html, "staff_gave_name", "yes")
    assert checked(html, "item-courtesy", "2") and checked(html, "na-courtesy", "1")
    assert textarea_value(html, "comment-accuracy") == "Said to call the district &lt;office&gt;."
    assert 'placeholder="7"' in html and "Measured from your timings" in html
    assert "Draft saved" in html


def test_without_the_script_save_draft_posts_the_form_and_returns_to_it(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    response = client.post(f"/contacts/{contact.id}/draft", data={"rings": "3", "csrf_token": "ignored"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assignments/{world.phone.id}/contact")
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Draft saved at" in html and input_value(html, "rings") == "3"
    assert current_contact(session, world.phone).draft == {"rings": "3"}


def test_a_draft_that_cannot_be_read_or_kept_is_refused_as_json(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    response = client.post(f"/contacts/{contact.id}/draft", json=["not", "an", "object"])
    assert response.status_code == 400 and response.get_json()["code"] == "bad_request"
    client.post(f"/contacts/{contact.id}/submit", data=REACHED_CALL_FORM)
    response = client.post(f"/contacts/{contact.id}/draft", json={"rings": "2"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["code"] == "conflict" and body["errors"][0]["field"] == "status"
    assert "submitted" in body["errors"][0]["message"]


@pytest.mark.csrf
def test_the_draft_endpoint_needs_the_csrf_token_in_its_header(
    client: FlaskClient, world: World, session: Session
) -> None:
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login_page)
    assert token is not None
    client.post(
        "/login",
        data={"email": world.users["auditor"].email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    html = open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    meta = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert meta is not None
    url = f"/contacts/{contact.id}/draft"
    assert client.post(url, json={"rings": "4"}, headers=json_headers()).status_code == 400
    response = client.post(url, json={"rings": "4"}, headers=json_headers(**{"X-CSRFToken": meta.group(1)}))
    assert response.status_code == 200
    assert current_contact(session, world.phone).draft == {"rings": "4"}


# --- submitting


def test_a_rejected_submission_shows_every_error_next_to_its_field_and_keeps_everything(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    data = {
        "outcome": "reached",
        "started_at": "yesterday",
        "rings": "-2",
        "hold_seconds": "45",
        "item-courtesy": "9",
        "comment-courtesy": "Kept, whatever happens.",
    }
    response = client.post(f"/contacts/{contact.id}/submit", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for anchor in ("started_at-error", "rings-error"):
        assert f'id="{anchor}"' in html, anchor
    for key in ("answered_by_person", "rings", "courtesy", "accuracy"):
        assert f'id="error-{key}"' in html, key  # rubric errors, keyed by item key
    assert "6 things to fix before this can be submitted" in html
    assert 'href="#rubric-item-courtesy"' in html and 'href="#started_at"' in html
    assert input_value(html, "started_at") == "yesterday"
    assert input_value(html, "rings") == "-2" and input_value(html, "hold_seconds") == "45"
    assert selected(html, "outcome") == "reached"
    assert textarea_value(html, "comment-courtesy") == "Kept, whatever happens."
    stored = current_contact(session, world.phone)
    assert stored.status is ContactStatus.DRAFT
    assert stored.draft["rings"] == "-2" and stored.draft["comment-courtesy"] == "Kept, whatever happens."
    assert "Draft saved" in open_form(client, world.phone)  # a reload shows what was typed


def test_a_valid_submission_goes_to_the_reviewers_queue(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    response = client.post(f"/contacts/{contact.id}/submit", data=REACHED_CALL_FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/assignments/?submitted={contact.id}")
    mine = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Submitted your phone contact with Abess Park Elementary for review." in mine
    assert f'data-submitted-contact="{contact.id}"' in mine  # the form's script forgets its copy
    assert 'data-state="submitted"' in mine
    stored = current_contact(session, world.phone)
    assert stored.status is ContactStatus.SUBMITTED and stored.draft == {}

    auth.logout()
    login(auth, world.users["reviewer"])
    queue = client.get("/review/").get_data(as_text=True)
    assert f'id="queue-{contact.id}"' in queue
    assert "Abess Park Elementary" in queue and "Avery Quintanilla" in queue and "Reached a person" in queue
    home = client.get("/").get_data(as_text=True)
    assert "<strong>1</strong> submitted contact waits for review" in home
    assert f"/contacts/{contact.id}" in home
    assert "0 contacts" in client.get(f"/review/?school={world.fieldwork.school.id}&channel=email").get_data(
        as_text=True
    )


def test_my_assignments_confirms_only_a_submission_that_went_through(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    """``?submitted=`` makes the form's script forget its copy: only for one's own submitted contact."""
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    draft = current_contact(session, world.phone)
    for wrong in (str(draft.id), "99999999999999999999", "-1", "x"):  # still a draft, none, nonsense
        assert "data-submitted-contact" not in client.get(f"/assignments/?submitted={wrong}").get_data(
            as_text=True
        )
    client.post(f"/contacts/{draft.id}/submit", data=REACHED_CALL_FORM)
    login(auth, world.users["other_auditor"])
    assert "data-submitted-contact" not in client.get(f"/assignments/?submitted={draft.id}").get_data(
        as_text=True
    )


def test_a_failed_attempt_offers_a_retry_at_another_time(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    first = current_contact(session, world.phone)
    response = client.post(
        f"/contacts/{first.id}/submit", data={"outcome": "no_answer", "started_at": "2027-02-02T09:15"}
    )
    assert response.status_code == 302
    mine = client.get("/assignments/").get_data(as_text=True)
    assert "Recorded attempt 1" in mine and 'data-state="retry"' in mine
    html = open_form(client, world.phone)
    assert "Try again (attempt 2 of 3)" in html and "Midday" in html  # a slot the first attempt did not use
    assert f'action="/assignments/{world.phone.id}/retry"' in html

    response = client.post(f"/assignments/{world.phone.id}/retry")
    assert response.status_code == 302
    second = current_contact(session, world.phone)
    assert second.attempt == 2 and second.status is ContactStatus.DRAFT
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Attempt 2 of 3" in html and "Attempt 2 started" in html and "Try again (" not in html
    assert "No answer" in html  # the first attempt is listed
    assert client.post(f"/assignments/{world.phone.id}/retry").status_code == 302  # no third while 2 is open
    assert current_contact(session, world.phone).attempt == 2


def test_my_assignments_shows_each_state_with_a_link_to_its_form(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    start_contact(session, world.email, world.fieldwork.auditor).draft_saved_at = None
    session.commit()
    login(auth, world.users["auditor"])
    html = client.get("/assignments/").get_data(as_text=True)
    for assignment in (world.phone, world.email, world.visit):
        assert f'href="/assignments/{assignment.id}/contact"' in html
    assert html.count('data-state="not_started"') == 3
    contact = current_contact(session, world.email)
    client.post(f"/contacts/{contact.id}/draft", json={"sent_text": "Hello"})
    assert 'data-state="draft"' in client.get("/assignments/").get_data(as_text=True)
    home = client.get("/").get_data(as_text=True)
    assert 'data-state="draft"' in home


def test_a_time_in_the_future_is_refused_next_to_its_field_and_the_draft_kept(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    data = {**REACHED_CALL_FORM, "started_at": "2027-07-02T09:15"}  # the app's "now" is June 30, 2027
    response = client.post(f"/contacts/{contact.id}/submit", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="started_at-error"' in html
    assert "this is in the future: enter the time it really happened" in html
    assert input_value(html, "started_at") == "2027-07-02T09:15"
    assert current_contact(session, world.phone).status is ContactStatus.DRAFT


def test_my_assignments_put_returned_work_first_and_fold_done_work_away(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    from audits.fieldwork.contacts import approve, return_contact, submit
    from tests.audits.fieldwork_helpers import attempt
    from tests.conftest import TEST_NOW

    auditor, reviewer = world.fieldwork.auditor, world.fieldwork.reviewer
    calendar = world.fieldwork.calendar
    email = start_contact(session, world.email, auditor)
    no_reply = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submit(session, email, no_reply, auditor, calendar, now=TEST_NOW)
    approve(session, email, reviewer, now=TEST_NOW)  # unreached and approved: done
    visit = start_contact(session, world.visit, auditor)
    visit_entry = attempt("not_served", "2027-02-02T13:30")
    submit(session, visit, visit_entry, auditor, calendar, now=TEST_NOW)
    return_contact(session, visit, reviewer, "Add the photo of the entrance.", now=TEST_NOW)
    session.commit()
    login(auth, world.users["auditor"])
    html = client.get("/assignments/").get_data(as_text=True)
    returned, rest = html.split("Returned to you (1)", 1)[1].split("</section>", 1)
    assert (
        f"/assignments/{world.visit.id}/contact" in returned and "Add the photo of the entrance." in returned
    )
    later, done = rest.split('<details class="done-work">', 1)
    assert "Week of Monday, February 1 (1)" in later and f"/assignments/{world.phone.id}/contact" in later
    assert "Done (1)" in done and f"/assignments/{world.email.id}/contact" in done
    home = client.get("/").get_data(as_text=True)  # "Due next": the returned visit first, nothing done
    assert home.index(f"/assignments/{world.visit.id}/contact") < home.index(
        f"/assignments/{world.phone.id}/contact"
    )
    assert f"/assignments/{world.email.id}/contact" not in home


def test_later_weeks_come_a_few_at_a_time(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    from datetime import timedelta

    from audits.models import Assignment

    phone = world.phone
    for week in range(1, 5):  # four more weeks of work after the week of Feb 1
        session.add(
            Assignment(
                round_id=phone.round_id, school_id=phone.school_id, scenario_id=phone.scenario_id,
                auditor_id=phone.auditor_id, channel=phone.channel, sequence=10 + week,
                due_day=phone.due_day + timedelta(weeks=week), slot=phone.slot,
            )
        )  # fmt: skip
    session.commit()
    login(auth, world.users["auditor"])
    first = client.get("/assignments/").get_data(as_text=True)
    assert "Week of Monday, February 1" in first and "Week of Monday, February 8" in first
    assert "Week of Monday, February 15" not in first and "Page 1 of 3" in first
    assert "Later: 7 assignments" in first and 'href="/assignments/?later=2"' in first
    second = client.get("/assignments/?later=2").get_data(as_text=True)
    assert "Week of Monday, February 15" in second and "Week of Monday, February 22" in second
    assert "Week of Monday, February 1 " not in second and 'href="/assignments/?later=1"' in second
    assert "Week of Monday, March 1" in client.get("/assignments/?later=99").get_data(as_text=True)


# --- ask once, derive the rest


def test_a_fact_is_asked_once_and_its_items_say_what_they_follow_from(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    """On the library's phone rubric: no answer inputs for the items scored from the call's facts."""
    use_library_rubric(session, Channel.PHONE)
    login(auth, world.users["auditor"])
    html = open_form(client, world.phone)
    for key in ("answered_by_person", "rings", "own_name_given", "hold_check_back", "transfers"):
        assert f'name="item-{key}"' not in html and f'name="na-{key}"' not in html, key
        assert f'id="derived-{key}"' in html and f'name="comment-{key}"' in html, key
    assert "From the outcome above: <strong data-derived-value>Yes</strong>" in html
    assert "From the rings above: <strong data-derived-value>not recorded yet</strong>" in html
    for key in ("school_named", "offer_of_help", "courtesy", "question_answered"):
        assert f'name="item-{key}"' in html, key
    # each field once: the rings, the hold and the name are inputs of the call only
    assert html.count('name="rings"') == 1 and html.count('name="staff_gave_name"') == 2  # yes and no
    assert "Longest hold in seconds" in html and "Seconds on hold" not in html
    # guidance folded away, one disclosure per item that has guidance
    assert html.count("<summary>How to judge this</summary>") == 16  # one per item, all folded
    assert '<p class="hint" id="hint-courtesy">' in html
    # what depends on reaching a person, for the page's script to switch off on another outcome
    strict = '<div data-outcome-only="reached" data-outcome-strict>'
    for name in ("hold_seconds", "transfers", "staff_gave_name"):
        field = rf'<div class="field[^"]*"[^>]*>\s*<label for="{name}"|<fieldset[^>]*id="{name}"'
        assert re.search(rf"{strict}\s*(?:{field})", html), name
    assert len(re.findall(r'<div data-outcome-only="reached" data-outcome-strict>', html)) == 3
    assert '<div class="rubric" data-outcome-only="reached" data-outcome-strict>' in html
    assert 'data-outcome-only="voicemail auto_attendant no_answer busy wrong_number"' in html


def test_a_reached_call_stores_the_answers_its_facts_give(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    """An answer left in an older draft for a derived item is not read: the fact decides."""
    use_library_rubric(session, Channel.PHONE)
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    draft = client.post(
        f"/contacts/{contact.id}/draft", json={"rings": "4", "transfers": "5"}, headers=json_headers()
    ).get_json()
    assert draft["derived"] == {
        "answered_by_person": "Yes",
        "rings": "4 rings",
        "own_name_given": None,  # not recorded yet
        "hold_check_back": None,
        "transfers": "Three or more transfers",
    }
    data = {**LIBRARY_CALL_FORM, "item-rings": "1", "item-answered_by_person": "no"}
    response = client.post(f"/contacts/{contact.id}/submit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    stored = current_contact(session, world.phone)
    answers = {r.item.key: (r.value, r.na, r.fraction, r.comment) for r in stored.responses}
    assert answers["answered_by_person"] == (True, False, 1.0, "")
    assert answers["rings"] == (4.0, False, 0.75, "A menu answered first; rings counted after pressing 0.")
    assert answers["own_name_given"] == (False, False, 0.0, "")
    assert answers["hold_check_back"] == (None, True, None, "")
    assert answers["transfers"] == ("One transfer", False, 0.75, "")
    assert not stored.critical_failure


def test_a_reached_call_without_its_facts_is_refused_next_to_each_fact(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    use_library_rubric(session, Channel.PHONE)
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    data = {k: v for k, v in LIBRARY_CALL_FORM.items() if k not in {"hold_seconds", "staff_gave_name"}}
    response = client.post(f"/contacts/{contact.id}/submit", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "2 things to fix before this can be submitted" in html
    assert re.search(
        r'id="hold_seconds-error"[^>]*>.*enter the longest hold in seconds; 0 if you were not put', html
    )
    assert 'id="staff_gave_name-error"' in html and 'href="#staff_gave_name"' in html


def test_an_unanswered_call_with_greeting_answers_is_refused_next_to_each_field(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    """Without the page's script (which switches them off), answers an outcome rules out come back refused."""
    use_library_rubric(session, Channel.PHONE)
    login(auth, world.users["auditor"])
    open_form(client, world.phone)
    contact = current_contact(session, world.phone)
    data = {
        "started_at": "2027-02-02T09:15",
        "outcome": "no_answer",
        "rings": "12",
        "hold_seconds": "30",
        "staff_gave_name": "yes",
        "item-school_named": "yes",
        "item-offer_of_help": "no",
        "comment-question_answered": "It rang out.",
    }
    response = client.post(f"/contacts/{contact.id}/submit", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    ended = "the call ended “No answer”"
    assert "4 things to fix before this can be submitted" in html
    for key in ("school_named", "offer_of_help"):
        assert re.search(
            rf'id="error-{key}"><span class="visually-hidden">Error: </span>does not apply when {ended}', html
        )
        assert f'href="#rubric-item-{key}"' in html
    assert 'id="item-school_named-clear" name="item-school_named" value=""' in html  # a way to clear it
    for name in ("hold_seconds", "staff_gave_name"):
        assert f'id="{name}-error"' in html and f'href="#{name}"' in html
    assert f"{ended}: leave this blank, or change how it ended" in html
    stored = current_contact(session, world.phone)
    assert stored.status is ContactStatus.DRAFT and stored.responses == []
    assert stored.draft["item-school_named"] == "yes"  # kept as the draft, nothing lost

    cleared = {**data, "item-school_named": "", "hold_seconds": "", "staff_gave_name": ""}
    del cleared["item-offer_of_help"]
    response = client.post(f"/contacts/{contact.id}/submit", data=cleared)
    assert response.status_code == 302
    stored = current_contact(session, world.phone)
    assert (stored.outcome.value if stored.outcome else None, stored.rings) == ("no_answer", 12)
    assert all(response.value is None for response in stored.responses)
