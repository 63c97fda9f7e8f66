"""Review: the queue, the contact page, returning, approving, reopening, the edit log, the progress board."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.entry import AnswerEntry
from audits.models import ContactStatus, District, User
from tests.app.fieldwork_world import (
    AUDITOR_NAME,
    World,
    build_world,
    current_contact,
    input_value,
    login,
    open_form,
    submitted_call,
)
from tests.audits.fieldwork_helpers import REACHED_CALL, REACHED_CALL_FORM, attempt, changed
from tests.conftest import TEST_NOW, AuthActions

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    return build_world(session, make_district, make_user)


def test_the_contact_page_shows_everything_the_auditor_entered(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    entry = changed(
        REACHED_CALL, responses={"answered_by_person": AnswerEntry(False), "courtesy": AnswerEntry(na=True)}
    )
    contact = submitted_call(session, world, entry)
    login(auth, world.users["reviewer"])
    html = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert AUDITOR_NAME in html and "Reached a person" in html
    assert "Tue, Feb 2, 2027, 09:15" in html  # in the district's time
    for shown in ("Rings before a person answered", "Seconds on hold", "Staff member gave their name"):
        assert shown in html
    assert re.search(r'<tr id="answer-answered_by_person" class="critical-failure">', html)
    assert "Critical failure:" in html and "Critical item failed" in html
    courtesy = html.split('id="answer-courtesy"')[1].split("</tr>")[0]
    assert "N/A" in courtesy
    accuracy = html.split('id="answer-accuracy"')[1].split("</tr>")[0]
    assert (
        "Partly correct" in accuracy
        and "50%" in accuracy
        and "Did not mention immunisation records." in accuracy
    )
    rings = html.split('id="answer-rings"')[1].split("</tr>")[0]
    assert "4 rings" in rings and "50%" in rings  # filled from the measured rings
    assert "Friendly but rushed." in html
    assert "Review history" in html and "Submitted" in html and "Edit log" in html
    for button in ("Approve", "Return to the auditor", "Correct the entry"):
        assert button in html
    assert "Reopen</button>" not in html


def test_return_fix_resubmit_approve_lock_and_reopen(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    contact = submitted_call(session, world)
    login(auth, world.users["reviewer"])
    response = client.post(f"/contacts/{contact.id}/return", data={"comment": "  "})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="comment-error"' in html and "say what the auditor should fix" in html
    response = client.post(
        f"/contacts/{contact.id}/return", data={"comment": "Rings look wrong: count again."}
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("/review/")
    assert current_contact(session, world.phone).status is ContactStatus.RETURNED

    auth.logout()
    login(auth, world.users["auditor"])
    mine = client.get("/assignments/").get_data(as_text=True)
    assert 'data-state="returned"' in mine and "Rings look wrong: count again." in mine
    form = open_form(client, world.phone)
    assert "Returned by Rita Reviewer" in form and "Rings look wrong: count again." in form
    assert input_value(form, "rings") == "4"  # the stored entry, ready to fix
    response = client.post(f"/contacts/{contact.id}/submit", data={**REACHED_CALL_FORM, "rings": "2"})
    assert response.status_code == 302
    assert current_contact(session, world.phone).status is ContactStatus.SUBMITTED

    auth.logout()
    login(auth, world.users["reviewer"])
    response = client.post(f"/contacts/{contact.id}/approve")
    assert response.status_code == 302
    approved = current_contact(session, world.phone)
    assert approved.status is ContactStatus.APPROVED and approved.approved_at is not None
    page = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    assert "Approve</button>" not in page and "Reopen</button>" in page
    again = client.post(f"/contacts/{contact.id}/approve")  # explained, nothing changes
    assert again.status_code == 409 and "Not approved: an approved contact cannot be approved." in again.text
    assert client.get(f"/contacts/{contact.id}/review-edit").status_code == 302  # locked for edits too

    auth.logout()
    login(auth, world.users["auditor"])
    response = client.post(f"/contacts/{contact.id}/submit", data={**REACHED_CALL_FORM, "rings": "9"})
    assert response.status_code == 409
    refused = response.get_data(as_text=True)
    assert (
        "This could not be submitted" in refused
        and "The contact is approved; it cannot be submitted now" in refused
    )
    draft = client.post(f"/contacts/{contact.id}/draft", json={"rings": "9"})
    assert draft.status_code == 409
    locked = current_contact(session, world.phone)
    assert locked.status is ContactStatus.APPROVED and locked.rings == 2 and locked.draft == {}
    assert "approved and locked" in open_form(client, world.phone)

    auth.logout()
    login(auth, world.users["leader"])
    response = client.post(f"/contacts/{contact.id}/reopen", data={"reason": ""})
    assert response.status_code == 400 and 'id="reason-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/contacts/{contact.id}/reopen", data={"reason": "The principal disputed the rings."}
    )
    assert response.status_code == 302
    reopened = current_contact(session, world.phone)
    assert reopened.status is ContactStatus.REOPENED and reopened.approved_at is None
    history = client.get(f"/contacts/{contact.id}").get_data(as_text=True).split("Review history")[1]
    for step in ("Submitted", "Returned to the auditor", "Approved", "Reopened"):
        assert step in history
    assert "The principal disputed the rings." in history and "Lee Leader" in history


def test_a_reviewers_correction_appears_in_the_edit_log(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    contact = submitted_call(session, world)
    login(auth, world.users["reviewer"])
    form = client.get(f"/contacts/{contact.id}/review-edit").get_data(as_text=True)
    assert "You are correcting Avery Quintanilla's entry" in form
    assert input_value(form, "hold_seconds") == "30" and input_value(form, "started_at") == "2027-02-02T09:15"
    assert "data-draft-url" not in form and "contact-form.js" not in form  # no drafts in review
    response = client.post(
        f"/contacts/{contact.id}/review-edit", data={**REACHED_CALL_FORM, "hold_seconds": "-5"}
    )
    assert response.status_code == 400 and 'id="hold_seconds-error"' in response.get_data(as_text=True)
    response = client.post(
        f"/contacts/{contact.id}/review-edit",
        data={**REACHED_CALL_FORM, "hold_seconds": "45", "item-courtesy": "4"},
    )
    assert response.status_code == 302
    html = client.get(f"/contacts/{contact.id}").get_data(as_text=True)
    log = html.split('id="edits-heading"')[1]
    assert "Seconds on hold" in log and "How courteous was the staff member?" in log
    assert re.search(r">30</span> → <span class=\"new\">45<", log)
    assert "Rita Reviewer" in log
    assert current_contact(session, world.phone).status is ContactStatus.SUBMITTED

    auth.logout()
    login(auth, world.users["auditor"])  # the auditor reads their own contact, without the edit log
    own = client.get(f"/contacts/{contact.id}")
    assert own.status_code == 200
    page = own.get_data(as_text=True)
    assert "Edit log" not in page and "Approve</button>" not in page and "45" in page


def test_the_queue_is_oldest_first_and_filters(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    call = submitted_call(session, world)
    email = start_contact(session, world.email, world.fieldwork.auditor)
    no_reply = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submit(session, email, no_reply, world.fieldwork.auditor, world.fieldwork.calendar, now=TEST_NOW)
    session.commit()
    login(auth, world.users["leader"])
    html = client.get("/review/").get_data(as_text=True)
    assert html.index(f'id="queue-{call.id}"') < html.index(f'id="queue-{email.id}"')
    assert "2 contacts waiting" in html and "unreached" in html
    only_email = client.get("/review/?channel=email").get_data(as_text=True)
    assert f'id="queue-{email.id}"' in only_email and f'id="queue-{call.id}"' not in only_email
    other = world.users["other_auditor"].id
    assert "0 contacts waiting" in client.get(f"/review/?auditor={other}").get_data(as_text=True)
    assert "2 contacts waiting" in client.get(f"/review/?round={world.fieldwork.round.id}").get_data(
        as_text=True
    )
    auth.logout()
    login(auth, world.users["foreign_leader"])
    assert "0 contacts waiting" in client.get("/review/").get_data(as_text=True)
    auth.logout()
    login(auth, world.users["admin"])
    assert "2 contacts waiting" in client.get("/review/").get_data(as_text=True)


def test_the_progress_board_counts_submitted_and_approved_contacts(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    submitted_call(session, world)
    email = start_contact(session, world.email, world.fieldwork.auditor)
    entry = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submit(session, email, entry, world.fieldwork.auditor, world.fieldwork.calendar, now=TEST_NOW)
    approve(session, email, world.fieldwork.reviewer)
    session.commit()
    login(auth, world.users["leader"])
    html = client.get(f"/rounds/{world.fieldwork.round.id}/progress").get_data(as_text=True)
    assert re.search(r"3 assigned across 1 school,\s+1 submitted, 1 approved, 0 overdue", html)
    assert "stay at 0" not in html


def test_a_principal_is_refused_every_fieldwork_page_and_never_sees_an_auditor(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    contact = submitted_call(session, world)
    login(auth, world.users["principal"])
    school = world.fieldwork.school.id
    for path in ("/", "/schools/", f"/schools/{school}"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert AUDITOR_NAME not in response.get_data(as_text=True), path
    for method, path in (
        ("GET", f"/assignments/{world.phone.id}/contact"),
        ("POST", f"/assignments/{world.phone.id}/retry"),
        ("POST", f"/contacts/{contact.id}/draft"),
        ("POST", f"/contacts/{contact.id}/submit"),
        ("POST", f"/contacts/{contact.id}/evidence"),
        ("GET", "/review/"),
        ("GET", f"/contacts/{contact.id}"),
        ("POST", f"/contacts/{contact.id}/approve"),
        ("POST", f"/contacts/{contact.id}/return"),
        ("POST", f"/contacts/{contact.id}/reopen"),
        ("GET", f"/contacts/{contact.id}/review-edit"),
    ):
        response = client.open(path, method=method)
        assert response.status_code == 403, path
        assert AUDITOR_NAME not in response.get_data(as_text=True), path


def test_another_auditor_is_refused_the_form_drafts_submit_and_uploads(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    contact = start_contact(session, world.phone, world.fieldwork.auditor)
    session.commit()
    login(auth, world.users["other_auditor"])
    assert client.get(f"/assignments/{world.phone.id}/contact").status_code == 403
    assert client.post(f"/contacts/{contact.id}/draft", json={"rings": "1"}).status_code == 403
    assert client.post(f"/contacts/{contact.id}/submit", data=REACHED_CALL_FORM).status_code == 403
    assert client.post(f"/contacts/{contact.id}/evidence", data={}).status_code == 403
    assert client.get(f"/contacts/{contact.id}").status_code == 403
    assert current_contact(session, world.phone).draft == {}


# --- phones and the strict content security policy to come


def test_pages_fit_a_375_pixel_screen() -> None:
    base = (REPO / "templates" / "base.html").read_text()
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in base
    css = (REPO / "app" / "static" / "style.css").read_text()
    fieldwork_css = css.split("/* Fieldwork:")[1]
    widths = re.findall(r"(?<![-\w])(?:min-)?width:\s*(\d+(?:\.\d+)?)(px|rem|em)", fieldwork_css)
    too_wide = [(value, unit) for value, unit in widths if float(value) * (1 if unit == "px" else 16) > 375]
    assert not too_wide
    assert "table.stack" in fieldwork_css and "@media (max-width: 40rem)" in fieldwork_css


def test_fieldwork_templates_have_no_inline_script_or_handler() -> None:
    for path in [*(REPO / "templates" / "fieldwork").glob("*.html"), REPO / "templates" / "base.html"]:
        text = path.read_text()
        assert re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text) is None, path.name
        assert re.search(r"\son[a-z]+\s*=", text) is None, path.name
        assert "javascript:" not in text, path.name
