"""Review: the queue, the contact page, returning, approving, reopening, the edit log, the progress board."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, ContactEntry
from audits.models import Assignment, Contact, ContactStatus, District, User
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
    # Each contact is opened by its school and channel, not by a date.
    school = world.fieldwork.school.name
    link = f'<a href="/contacts/{call.id}">{school}<span class="visually-hidden">: phone call</span></a>'
    assert link in html
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
    assert "3 assignments at 1 school." in html
    assert "Approved: 1" in html and "Waiting for review: 1" in html and "Due later: 1" in html
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


# --- what the principal will see, and on to the next contact


def _submitted(
    session: Session, world: World, assignment: Assignment, entry: ContactEntry, hours_ago: int
) -> Contact:
    """The assignment's first attempt, submitted ``hours_ago`` hours before the pinned now (committed)."""
    contact = start_contact(session, assignment, world.fieldwork.auditor)
    now = TEST_NOW - timedelta(hours=hours_ago)
    submit(session, contact, entry, world.fieldwork.auditor, world.fieldwork.calendar, now=now)
    session.commit()
    return contact


def _flash(html: str) -> str:
    found = re.search(r'<p class="flash[^"]*">(.*?)</p>', html, re.S)
    assert found is not None, "no message"
    return " ".join(found.group(1).split())


def test_the_review_page_shows_the_score_the_flags_and_what_approving_changes(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    # An email nobody answered, approved: unreached, it scores 0 and is the school's only score so far.
    email = _submitted(
        session, world, world.email, attempt("no_reply", "2027-02-02T10:00", sent_text="Hi"), 5
    )
    approve(session, email, world.fieldwork.reviewer)
    session.commit()
    # A call that reached a person, answered "no person" (critical, 0 of 5): rings 4 earn half of 3,
    # courtesy 3 of 4 earns 3 of 4, "partly correct" half of 6: 7.5 of 18 points, 41.7.
    entry = changed(REACHED_CALL, responses={"answered_by_person": AnswerEntry(False)})
    call = _submitted(session, world, world.phone, entry, 1)
    login(auth, world.users["reviewer"])
    html = client.get(f"/contacts/{call.id}").get_data(as_text=True)
    summary = html.split('id="principal-heading"')[1].split('id="review-heading"')[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", summary).split())
    assert "Score 41.7 out of 100 for this phone call, with a critical failure." in text
    assert "1 thing to check before approving" in text
    assert (
        "The call is recorded as “Reached a person”, but “Did a person (not a machine) answer?” is answered "
        "No: that contradicts the outcome and makes it a critical failure on the scorecard." in text
    )
    assert 'href="#answer-answered_by_person"' in summary and 'id="answer-answered_by_person"' in html
    assert "If you approve it: Abess Park Elementary, Spring" in text
    # Overall: the email's 0 alone, then (41.7 + 0) / 2 = 20.8; phone: none, then 41.7.
    assert "School overall 0.0 20.8 ▲ +20.8 (up)" in text
    assert "Phone score — no score 41.7 first score" in text
    assert "Phone contacts reached 0 of 0 1 of 1 +1 counted" in text
    assert "Critical failures (all channels) 0 1 +1" in text
    assert (
        "Approving it adds a critical failure to the school's scorecard: "
        "“Did a person (not a machine) answer?”." in text
    )
    assert html.index('id="principal-heading"') < html.index("Approve</button>")  # read before deciding

    approve(session, call, world.fieldwork.reviewer)
    session.commit()
    done = client.get(f"/contacts/{call.id}").get_data(as_text=True)
    assert "What approving it changed for Abess Park Elementary" in done and "It added" in done

    auth.logout()
    login(auth, world.users["auditor"])  # the auditor's own page: no review summary
    own = client.get(f"/contacts/{call.id}").get_data(as_text=True)
    assert "What the principal will see" not in own and "to check before approving" not in own


def test_a_contact_that_adds_up_says_so_and_a_failed_attempt_changes_nothing(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    call = _submitted(session, world, world.phone, REACHED_CALL, 2)
    visit = _submitted(session, world, world.visit, attempt("not_served", "2027-02-02T13:30"), 1)
    login(auth, world.users["leader"])
    html = client.get(f"/contacts/{call.id}").get_data(as_text=True)
    assert "Nothing to check: the answers agree with the outcome and the recorded facts" in html
    # 5 + 1.5 + 3 + 3 = 12.5 of 18: 69.4, the school's first score.
    assert "Score 69.4</strong> out of 100 for this phone call." in html
    assert "Approving it adds no critical failure." in html
    failed = client.get(f"/contacts/{visit.id}").get_data(as_text=True)
    assert "an attempt that reached nobody is a record of the attempt, not a score" in failed
    assert "Approving it changes none of the school's figures." in failed


def test_approving_or_returning_leads_to_the_next_contact_with_the_same_filters(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    call = _submitted(session, world, world.phone, REACHED_CALL, 3)
    email = _submitted(
        session, world, world.email, attempt("no_reply", "2027-02-02T10:00", sent_text="Hi"), 2
    )
    visit = _submitted(session, world, world.visit, attempt("not_served", "2027-02-02T13:30"), 1)
    login(auth, world.users["reviewer"])
    queue = client.get("/review/?channel=visit").get_data(as_text=True)
    assert f'href="/contacts/{visit.id}?channel=visit"' in queue  # the filters travel with the contact
    page = client.get(f"/contacts/{visit.id}?channel=visit").get_data(as_text=True)
    assert f'action="/contacts/{visit.id}/approve?channel=visit"' in page
    assert f'action="/contacts/{visit.id}/return?channel=visit"' in page
    assert 'href="/review/?channel=visit">Review queue' in page

    # The only visit: approved, the filtered queue is empty, back to it.
    response = client.post(f"/contacts/{visit.id}/approve?channel=visit", follow_redirects=True)
    assert response.request.path == "/review/" and response.request.args.to_dict() == {"channel": "visit"}
    assert _flash(response.get_data(as_text=True)) == (
        "Approved the front-office visit with Abess Park Elementary: an attempt that reached nobody is kept "
        "as a record and counts in no score. Nothing else is waiting for review with these filters."
    )

    # No filter: the call, the oldest, then on to the email.
    response = client.post(f"/contacts/{call.id}/approve")
    assert response.status_code == 302 and response.headers["Location"] == f"/contacts/{email.id}"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert _flash(html) == (
        "Approved the phone call with Abess Park Elementary, scoring 69.4. It now counts. "
        "Here is the next contact waiting, oldest first."
    )
    assert "Email: Abess Park Elementary" in html

    # Returning the last one leads back to an empty queue.
    response = client.post(
        f"/contacts/{email.id}/return", data={"comment": "Paste the email you sent."}, follow_redirects=True
    )
    assert response.request.path == "/review/"
    assert _flash(response.get_data(as_text=True)) == (
        "Returned the email with Abess Park Elementary to its auditor. Nothing else is waiting for review."
    )
    assert "0 contacts waiting" in response.get_data(as_text=True)
    assert [current_contact(session, a).status for a in (world.phone, world.email, world.visit)] == [
        ContactStatus.APPROVED, ContactStatus.RETURNED, ContactStatus.APPROVED,
    ]  # fmt: skip


def test_approving_an_unreached_contact_says_it_scores_zero(
    client: FlaskClient, auth: AuthActions, world: World, session: Session
) -> None:
    email = _submitted(
        session, world, world.email, attempt("no_reply", "2027-02-02T10:00", sent_text="Hi"), 1
    )
    login(auth, world.users["reviewer"])
    html = client.post(f"/contacts/{email.id}/approve", follow_redirects=True).get_data(as_text=True)
    assert _flash(html) == (
        "Approved the email with Abess Park Elementary, unreached, scoring 0. It now counts. "
        "Nothing else is waiting for review."
    )
