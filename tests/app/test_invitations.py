"""Invitations and password resets through the real pages, with the emails the outbox sends."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import AccountLink, AuditEntry, District, OutboxEmail, Role, School, User
from audits.passwords import verify_password
from tests.conftest import PASSWORD, AuthActions

CHOSEN = "quiet harbour lantern 42"
SENT = "If an account uses that address, we have sent it a link"


def sent_mail(app: Flask) -> list:
    return list(getattr(app.extensions["mailman"], "outbox", []))


def link_in(app: Flask, path: str) -> str:
    """The path of the one link to ``path`` in the last email sent, checked in its text and HTML."""
    message = sent_mail(app)[-1]
    found = re.search(rf"https?://[^\s]+({re.escape(path)}[A-Za-z0-9_-]+)", message.body)
    assert found, message.body
    assert found.group(0) in message.alternatives[0][0]
    return found.group(1)


def home_after(client: FlaskClient, response) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == 302 and response.headers["Location"] == "/"
    g.pop("_login_user", None)
    return client.get("/").get_data(as_text=True)


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval")


def test_a_leader_invites_a_principal_who_sets_a_password_and_lands_signed_in(
    app: Flask,
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    district: District,
    make_user: Callable[..., User],
    make_school: Callable[..., School],
) -> None:
    leader = make_user(Role.LEADER, district, name="Lee Leader")
    school = make_school(district, name="Abess Park Elementary")
    auth.sign_in(leader)
    page = client.get("/users/invite").get_data(as_text=True)
    assert "Abess Park Elementary" in page and 'value="admin"' not in page
    response = client.post(
        "/users/invite",
        data={
            "email": "Pat@Example.org",
            "name": "Pat Principal",
            "role": "principal",
            "district": district.id,
            "school": [school.id],
        },
    )
    assert response.status_code == 302
    message = sent_mail(app)[-1]
    assert message.subject == "You are invited to Touchpoint" and message.to == ["pat@example.org"]
    assert "Lee Leader has invited you" in message.body
    path = link_in(app, "/invitations/")
    invited = session.scalars(select(User).filter_by(email="pat@example.org")).one()
    assert invited.invitation_pending and invited.schools == [school]
    listed = client.get("/users/invite").get_data(as_text=True)
    assert "pat@example.org" in listed and "Withdraw" in listed
    assert path.rsplit("/", 1)[1] not in listed  # the token is in the email only
    # The users page lists the person as invited, and the audit log says who invited them.
    people = client.get("/users/?status=invited").get_data(as_text=True)
    assert "Pat Principal" in people and "<td>Invited</td>" in people and "1 person." in people
    assert "Pat Principal" not in client.get("/users/?status=deactivated").get_data(as_text=True)
    assert "Invite someone" in client.get("/users/").get_data(as_text=True)
    entry = session.scalars(select(AuditEntry).where(AuditEntry.subject_user_id == invited.id)).one()
    assert (entry.action, entry.actor_id, entry.details) == ("user.invited", leader.id, {"role": "principal"})
    auth.logout()

    form = client.get(path)
    text = form.get_data(as_text=True)
    assert form.status_code == 200 and "pat@example.org" in text and "Pat Principal" in text
    assert path.rsplit("/", 1)[1] not in text and form.headers["Cache-Control"] == "no-store"
    mismatch = client.post(path, data={"password": CHOSEN, "confirm": CHOSEN + "x"})
    assert mismatch.status_code == 400 and "the two new passwords differ" in mismatch.get_data(as_text=True)
    weak = client.post(path, data={"password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "must be at least 12 characters" in weak.get_data(as_text=True)
    home = home_after(client, client.post(path, data={"password": CHOSEN, "confirm": CHOSEN}))
    assert "Pat Principal" in home or "pat@example.org" in home
    session.expire_all()
    assert invited.active and verify_password(invited.password_hash, CHOSEN)

    again = client.get(path)
    assert again.status_code == 410
    assert "ask your district leader for a new invitation" in again.get_data(as_text=True).lower()
    assert client.get("/invitations/not-a-real-token").status_code == 404


def test_an_expired_or_withdrawn_invitation_changes_nothing(
    app: Flask, client: FlaskClient, session: Session, auth: AuthActions, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN)
    auth.sign_in(admin)
    assert client.post("/users/invite", data={"email": "ada@example.org", "role": "admin"}).status_code == 302
    first = link_in(app, "/invitations/")
    invited = session.scalars(select(User).filter_by(email="ada@example.org")).one()
    assert client.post(f"/users/{invited.id}/invitation/resend").status_code == 302
    second = link_in(app, "/invitations/")
    assert client.get(first).status_code == 410
    assert client.post(f"/users/{invited.id}/invitation/revoke").status_code == 302
    refused = client.post(second, data={"password": CHOSEN, "confirm": CHOSEN})
    assert refused.status_code == 410
    assert client.post(f"/users/{invited.id}/invitation/resend").status_code == 302
    third = link_in(app, "/invitations/")
    link = session.scalars(select(AccountLink).where(AccountLink.revoked_at.is_(None))).one()
    link.expires_at = link.created_at - timedelta(seconds=1)  # it has expired
    session.commit()
    assert client.post(third, data={"password": CHOSEN, "confirm": CHOSEN}).status_code == 410
    session.expire_all()
    assert invited.invitation_pending and not verify_password(invited.password_hash, CHOSEN)


def test_a_leader_cannot_invite_an_administrator_nor_manage_another_districts_invitation(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    district: District,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    auth.sign_in(make_user(Role.LEADER, district))
    refused = client.post(
        "/users/invite", data={"email": "boss@example.org", "role": "admin", "district": district.id}
    )
    assert refused.status_code == 400
    away = make_user(Role.REVIEWER, make_district("Clay"), active=False)
    assert client.post(f"/users/{away.id}/invitation/resend").status_code == 404
    assert session.scalar(select(User.id).filter_by(email="boss@example.org")) is None


def test_a_forgotten_password_is_reset_by_email_and_every_other_sign_in_ends(
    app: Flask, client: FlaskClient, session: Session, district: District, make_user: Callable[..., User]
) -> None:
    user = make_user(Role.REVIEWER, district, email="rae@example.org", name="Rae Reviewer")
    assert 'href="/password/forgot"' in client.get("/login").get_data(as_text=True)
    elsewhere = app.test_client()
    assert (
        elsewhere.post("/login", data={"email": "rae@example.org", "password": PASSWORD}).status_code == 302
    )
    g.pop("_login_user", None)

    answer = client.post("/password/forgot", data={"email": "RAE@example.org"})
    assert answer.status_code == 200 and SENT in answer.get_data(as_text=True)
    assert sent_mail(app)[-1].subject == "Reset your Touchpoint password"
    path = link_in(app, "/password/reset/")
    weak = client.post(path, data={"password": "password1234", "confirm": "password1234"})
    assert weak.status_code == 400 and "too easy to guess" in weak.get_data(as_text=True)
    home = home_after(client, client.post(path, data={"password": CHOSEN, "confirm": CHOSEN}))
    assert "Rae Reviewer" in home
    session.expire_all()
    assert verify_password(user.password_hash, CHOSEN)
    g.pop("_login_user", None)
    assert elsewhere.get("/").status_code == 302  # the other browser is signed out
    reused = client.post(
        path, data={"password": "another quiet lantern 77", "confirm": "another quiet lantern 77"}
    )
    assert reused.status_code == 410 and "Ask for a new link" in reused.get_data(as_text=True)
    session.expire_all()
    assert verify_password(user.password_hash, CHOSEN)


def test_forgot_answers_the_same_for_known_unknown_and_switched_off_addresses(
    app: Flask, client: FlaskClient, session: Session, district: District, make_user: Callable[..., User]
) -> None:
    make_user(Role.REVIEWER, district, email="known@example.org")
    make_user(Role.REVIEWER, district, email="off@example.org", active=False)
    answers = [
        client.post("/password/forgot", data={"email": email})
        for email in ("known@example.org", "nobody@example.org", "off@example.org")
    ]
    assert {a.status_code for a in answers} == {200}
    assert len({a.get_data() for a in answers}) == 1
    assert [m.to for m in sent_mail(app)] == [["known@example.org"]]
    assert session.scalars(select(OutboxEmail.recipient)).all() == ["known@example.org"]


def test_forgot_sends_only_a_few_emails_to_one_address(
    app: Flask, client: FlaskClient, district: District, make_user: Callable[..., User]
) -> None:
    make_user(Role.REVIEWER, district, email="busy@example.org")
    answers = {
        client.post("/password/forgot", data={"email": "busy@example.org"}).get_data() for _ in range(5)
    }
    assert len(answers) == 1
    assert len(sent_mail(app)) == 3


def test_flask_users_invite_creates_the_person_and_sends_the_invitation(
    app: Flask,
    runner,
    session: Session,
    district: District,
    make_school: Callable[..., School],  # type: ignore[no-untyped-def]
) -> None:
    school = make_school(district, nces_id="120048000001")
    result = runner.invoke(
        args=[
            "users",
            "invite",
            "Pia@example.org",
            "--role",
            "principal",
            "--school",
            "120048000001",
            "--name",
            "Pia",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "invited principal pia@example.org" in result.output
    invited = session.scalars(select(User).filter_by(email="pia@example.org")).one()
    assert invited.invitation_pending and invited.schools == [school]
    assert link_in(app, "/invitations/").startswith("/invitations/")
    assert "/invitations/" not in result.output  # the link is in the email only
    again = runner.invoke(args=["users", "invite", "pia@example.org", "--role", "reviewer"])
    assert again.exit_code == 1 and "already exists" in again.output
