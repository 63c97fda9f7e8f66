"""Confirmation pages: each step that ends work or cannot be taken back says what it will do, first.

Closing, starting, going back to draft and reopening a round; lifting a legal hold; publishing,
retiring and discarding a rubric version. Each page counts and lists; its form posts the
confirmation field; a POST without it (an old page's one-click form) does nothing; CSRF holds.
Publishing and unpublishing scorecards are in ``test_scorecards.py``.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits import audit_log
from audits.fieldwork.contacts import start_contact
from audits.holds import place_hold
from audits.models import (
    AuditEntry,
    Evidence,
    EvidenceKind,
    Role,
    RoundEvent,
    RoundStatus,
    Rubric,
    RubricStatus,
    User,
)
from audits.rubrics.versions import latest_published, new_version
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork
from tests.conftest import PASSWORD, AuthActions

YES = {"confirm": "yes"}  # what a confirmation page posts


@pytest.fixture
def world(session: Session) -> Fieldwork:
    """The in-field spring round: phone, email and visit assignments of one auditor, none started."""
    return build_fieldwork(session)


@pytest.fixture
def leader(make_user: Callable[..., User], world: Fieldwork) -> User:
    return make_user(Role.LEADER, district=world.district, name="Lee Leader")


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(Role.ADMIN, name="Ada Admin")


def _page(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def test_closing_says_which_assignments_it_ends_and_needs_the_confirmation(
    client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, leader: User
) -> None:
    start_contact(session, world.phone, world.auditor)  # a draft: started work, not closed
    session.commit()
    auth.sign_in(leader.email)
    round_page = _page(client, f"/rounds/{world.round.id}")
    assert 'class="danger-zone"' in round_page and f'href="/rounds/{world.round.id}/close"' in round_page
    page = _page(client, f"/rounds/{world.round.id}/close")
    assert "2 assignments nobody has started will be closed</strong>" in page
    assert "1 contact not submitted yet" in page
    assert page.count('<th scope="row">Abess Park Elementary</th>') == 2  # the email and the visit
    assert "Email" in page and "Front-office visit" in page and "Tue, Feb 2, 2027" in page
    assert "Yes, close the round and its 2 unstarted assignments" in page
    assert 'name="confirm" value="yes"' in page and f'name="revision" value="{world.round.revision}"' in page

    one_click = client.post(f"/rounds/{world.round.id}/close")  # an old page's form
    assert one_click.headers["Location"] == f"/rounds/{world.round.id}/close"
    session.expire_all()
    assert world.round.status is RoundStatus.IN_FIELD
    stale = client.post(f"/rounds/{world.round.id}/close", data={**YES, "revision": world.round.revision - 1})
    assert stale.status_code == 409 and "changed since you opened it" in stale.get_data(as_text=True)

    done = client.post(f"/rounds/{world.round.id}/close", data={**YES, "revision": world.round.revision})
    assert done.headers["Location"] == f"/rounds/{world.round.id}"
    session.expire_all()
    assert world.round.status is RoundStatus.CLOSED
    shown = _page(client, f"/rounds/{world.round.id}")
    assert "with the 2 assignments nobody had started" in shown  # the message, then the history
    assert "Closed by Lee Leader, with 2 assignments nobody had started" in shown


def test_an_administrator_reopens_with_a_reason_that_the_history_and_the_audit_log_keep(
    client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, leader: User, admin: User
) -> None:
    auth.sign_in(leader.email)
    client.post(f"/rounds/{world.round.id}/close", data=YES)
    assert client.get(f"/rounds/{world.round.id}/reopen").status_code == 403  # leaders cannot
    assert client.post(f"/rounds/{world.round.id}/reopen", data={**YES, "reason": "x"}).status_code == 403
    auth.sign_in(admin.email)
    shown = _page(client, f"/rounds/{world.round.id}")
    assert "Reopen the round…</a>" in shown
    page = _page(client, f"/rounds/{world.round.id}/reopen")
    assert "3 assignments closed unstarted are open again</strong>" in page and "Closed " in page
    assert "by Lee Leader" in page and 'for="reason">Why reopen this round' in page

    refused = client.post(f"/rounds/{world.round.id}/reopen", data={**YES, "reason": "  "})
    assert refused.status_code == 400 and "say why the round is reopened" in refused.get_data(as_text=True)
    assert client.post(f"/rounds/{world.round.id}/reopen", data={"reason": "no confirm"}).status_code == 302
    session.expire_all()
    assert world.round.status is RoundStatus.CLOSED

    done = client.post(f"/rounds/{world.round.id}/reopen", data={**YES, "reason": "Closed the wrong round"})
    assert done.headers["Location"] == f"/rounds/{world.round.id}"
    session.expire_all()
    assert world.round.status is RoundStatus.IN_FIELD
    assert start_contact(session, world.visit, world.auditor).attempt == 1  # the visit is open again
    shown = _page(client, f"/rounds/{world.round.id}")
    assert "Reopened by Ada Admin, 3 assignments open again. Why: <q>Closed the wrong round</q>" in shown
    log = _page(client, "/users/audit-log?action=round.reopened")
    assert "Round reopened" in log and "reason: Closed the wrong round" in log
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == audit_log.ROUND_REOPENED)).one()
    assert entry.actor_id == admin.id
    assert client.get(f"/rounds/{world.round.id}/reopen").headers["Location"] == f"/rounds/{world.round.id}"


def test_starting_and_going_back_to_draft_are_asked_with_their_counts(
    client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, leader: User
) -> None:
    world.round.status = RoundStatus.SCHEDULED
    session.commit()
    auth.sign_in(leader.email)
    start = _page(client, f"/rounds/{world.round.id}/start")
    assert "3 assignments across 1 auditor stay as planned" in start and "Yes, start the fieldwork" in start
    draft = _page(client, f"/rounds/{world.round.id}/back-to-draft")
    assert "All 3 assignments of this round will be deleted</strong>" in draft
    assert draft.count('<th scope="row">Abess Park Elementary</th>') == 3
    assert client.post(f"/rounds/{world.round.id}/start").status_code == 302  # not confirmed
    session.expire_all()
    assert world.round.status is RoundStatus.SCHEDULED
    assert client.post(f"/rounds/{world.round.id}/start", data=YES).status_code == 302
    session.expire_all()
    assert world.round.status is RoundStatus.IN_FIELD
    event = session.scalars(select(RoundEvent).order_by(RoundEvent.id.desc())).first()
    assert event is not None and (event.to_status, event.actor_id) == (RoundStatus.IN_FIELD, leader.id)


def _token(html: str) -> str:
    found = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


@pytest.mark.csrf
def test_a_confirmation_needs_the_pages_csrf_token(
    client: FlaskClient, session: Session, world: Fieldwork, leader: User
) -> None:
    login = client.get("/login").get_data(as_text=True)
    client.post("/login", data={"email": leader.email, "password": PASSWORD, "csrf_token": _token(login)})
    page = _page(client, f"/rounds/{world.round.id}/close")
    assert client.post(f"/rounds/{world.round.id}/close", data=YES).status_code == 400  # no token
    session.expire_all()
    assert world.round.status is RoundStatus.IN_FIELD
    with_token = client.post(f"/rounds/{world.round.id}/close", data={**YES, "csrf_token": _token(page)})
    assert with_token.status_code == 302
    session.expire_all()
    assert world.round.status is RoundStatus.CLOSED


def test_lifting_a_hold_says_what_the_next_purge_would_delete(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, leader: User
) -> None:
    contact = start_contact(session, world.visit, world.auditor)
    for kind in (EvidenceKind.IMAGE, EvidenceKind.IMAGE, EvidenceKind.EMAIL):
        session.add(
            Evidence(
                token=secrets.token_urlsafe(24), contact_id=contact.id, kind=kind, content_type="image/png",
                size=12, storage_name=secrets.token_hex(16), uploaded_by_id=world.auditor.id,
            )
        )  # fmt: skip
    place_hold(session, world.round, leader, "Records request 2027-3")
    session.commit()
    app.config["PHOTO_RETENTION_SCHOOL_YEARS"] = 0  # photos of any past round have outlived it
    auth.sign_in(leader.email)
    shown = _page(client, f"/rounds/{world.round.id}")
    assert f'href="/rounds/{world.round.id}/hold/lift">Lift the legal hold…</a>' in shown
    page = _page(client, f"/rounds/{world.round.id}/hold/lift")
    assert "The next daily purge (03:45 UTC) deletes what has already outlived its period" in page
    assert "<li>2 photos</li>" in page and "email" not in page.split("deletes what")[1].split("</ul>")[0]
    assert "Records request 2027-3" in page and "Yes, lift the legal hold" in page
    assert client.post(f"/rounds/{world.round.id}/hold/lift", data={"reason": "done"}).status_code == 302
    session.expire_all()
    assert world.round.on_hold  # not confirmed: still held
    done = client.post(f"/rounds/{world.round.id}/hold/lift", data={**YES, "reason": "Request answered"})
    assert done.status_code == 302
    session.expire_all()
    assert not world.round.on_hold


def test_rubric_versions_are_published_retired_and_discarded_from_their_pages(
    client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, admin: User
) -> None:
    key = world.phone.scenario.rubric_key
    current = latest_published(session, key)
    assert current is not None
    draft = new_version(session, current)
    session.commit()
    auth.sign_in(admin.email)
    shown = _page(client, f"/rubrics/{draft.id}")
    assert 'class="danger-zone"' in shown and f'href="/rubrics/{draft.id}/publish">Publish…</a>' in shown
    page = _page(client, f"/rubrics/{draft.id}/publish")
    assert f"Version {current.version}, in use since" in page and "is retired" in page
    assert "including the 1 assignment of scheduled and in-field rounds nobody has started yet" in page
    assert f"Yes, publish version {draft.version}" in page
    assert client.post(f"/rubrics/{draft.id}/publish").headers["Location"] == f"/rubrics/{draft.id}/publish"
    session.expire_all()
    assert draft.status is RubricStatus.DRAFT

    discard = _page(client, f"/rubrics/{draft.id}/discard")
    assert (
        "The draft is deleted</strong>" in discard
        and f"Version {current.version} stays the one in use" in discard
    )
    assert client.post(f"/rubrics/{draft.id}/publish", data=YES).status_code == 302
    session.expire_all()
    assert draft.status is RubricStatus.PUBLISHED and current.status is RubricStatus.RETIRED

    retire = _page(client, f"/rubrics/{draft.id}/retire")
    assert f"<code>{key}</code> will have no published version:</strong>" in retire
    assert "1 assignment of scheduled and in-field rounds nobody has started is stuck" in retire
    assert client.post(f"/rubrics/{draft.id}/retire", data=YES).status_code == 302
    session.expire_all()
    assert session.get(Rubric, draft.id).status is RubricStatus.RETIRED  # type: ignore[union-attr]
    assert client.get(f"/rubrics/{draft.id}/retire").headers["Location"] == f"/rubrics/{draft.id}"


def test_deactivating_an_auditor_says_which_work_is_left_undone(
    client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, leader: User
) -> None:
    auth.sign_in(leader.email)
    page = _page(client, f"/users/{world.auditor.id}/deactivate")
    assert "3 assignments of scheduled and in-field rounds are still theirs and not done:</strong>" in page
    assert "Yes, deactivate Avery" in page
    other = _page(client, f"/users/{world.other_auditor.id}/deactivate")
    assert "still theirs" not in other  # nothing of theirs is left undone
    one_click = client.post(f"/users/{world.auditor.id}/deactivate")
    assert one_click.headers["Location"] == f"/users/{world.auditor.id}/deactivate"
    session.expire_all()
    assert world.auditor.active
    assert client.post(f"/users/{world.auditor.id}/deactivate", data=YES).status_code == 302
    session.expire_all()
    assert not world.auditor.active
