"""Persona mailboxes through the pages: settings and their check, a persona's mailbox, sending, its status."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.mailboxes.credentials import vault
from audits.models import AuditorProfile, Contact, District, PersonaMailbox, ReplyStatus, User
from tests.app.fieldwork_world import World, build_world, current_contact, input_value, login, open_form
from tests.app.fieldwork_world import textarea_value as textarea
from tests.audits.mail_helpers import persona_mailbox
from tests.conftest import AuthActions
from tests.mail_servers import MailAccount, free_port

SCRIPT = (
    "1. Send the email below from {persona_email}.\n"
    "2. Subject: Free meals for my son\n"
    "3. Body (send exactly as written):\n\n"
    "   Hello,\n\n"
    "   How do we apply for free meals?\n\n"
    "   Thank you,\n"
    "   {persona_name}\n\n"
    "4. Record the reply."
)


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    world = build_world(session, make_district, make_user)
    world.email.scenario.script = SCRIPT
    session.add(AuditorProfile(user_id=world.fieldwork.auditor.id, persona_name="Maria"))
    session.commit()
    return world


def _mailbox_form(account: MailAccount, **changes: str) -> dict[str, str]:
    form = {
        "address": account.address, "display_name": "Maria Family", "plus_addressing": "y",
        "smtp_host": account.host, "smtp_security": "none", "smtp_port": str(account.smtp_port),
        "smtp_password": account.password, "imap_host": account.host, "imap_security": "none",
        "imap_port": str(account.imap_port), "imap_folder": "INBOX",
    }  # fmt: skip
    return form | changes


def test_a_leader_adds_a_mailbox_checks_it_and_never_sees_its_password(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, mail_account: MailAccount
) -> None:
    """Saved encrypted, shown without its password; the check logs in to both real servers."""
    login(auth, world.users["leader"])
    district = world.fieldwork.district
    response = client.post(f"/districts/{district.id}/mailboxes/new", data=_mailbox_form(mail_account))
    assert response.status_code == 302
    mailbox = session.scalars(select(PersonaMailbox)).one()
    assert mail_account.password not in mailbox.smtp_password_encrypted
    page = client.get(f"/mailboxes/{mailbox.id}").get_data(as_text=True)
    assert mail_account.password not in page
    assert input_value(page, "smtp_password") in (None, "")
    checked = client.post(f"/mailboxes/{mailbox.id}/check").get_data(as_text=True)
    assert "Sending (SMTP): logged in." in checked and "Reading (IMAP): logged in." in checked

    # A wrong password typed in: the check shows each server's own refusal.
    client.post(f"/mailboxes/{mailbox.id}", data=_mailbox_form(mail_account, smtp_password="wrong"))
    checked = client.post(f"/mailboxes/{mailbox.id}/check").get_data(as_text=True)
    assert "Sending (SMTP) failed:" in checked and "535" in checked
    assert "Reading (IMAP) failed:" in checked and "AUTHENTICATIONFAILED" in checked
    assert "mailboxes/" in client.get("/mailboxes/").get_data(as_text=True)


def test_bad_settings_are_summarised_and_shown_by_their_fields(
    client: FlaskClient, auth: AuthActions, session: Session, world: World
) -> None:
    """400, the error summary, each error next to its field, nothing saved."""
    login(auth, world.users["leader"])
    district = world.fieldwork.district
    response = client.post(
        f"/districts/{district.id}/mailboxes/new",
        data={"address": "nope", "smtp_host": "https://smtp.example.org", "smtp_port": "99999",
              "smtp_security": "none", "imap_security": "bogus"},
    )  # fmt: skip
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in page
    for field in ("address", "smtp_host", "smtp_port", "imap_host", "smtp_password", "imap_security"):
        assert f'id="{field}-error"' in page, field
    assert session.scalar(select(PersonaMailbox.id)) is None


def test_a_leader_of_another_district_cannot_see_or_change_the_mailbox(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, mail_account: MailAccount
) -> None:
    """Another district's leader gets 403 on every mailbox page; auditors too."""
    mailbox = persona_mailbox(
        session, world.fieldwork.district, world.fieldwork.auditor, mail_account, vault=vault()
    )
    for role in ("foreign_leader", "auditor"):
        login(auth, world.users[role])
        assert client.get(f"/mailboxes/{mailbox.id}").status_code == 403
        assert client.post(f"/mailboxes/{mailbox.id}/check").status_code == 403
        assert client.get(f"/districts/{world.fieldwork.district.id}/mailboxes/new").status_code == 403


def test_a_persona_gets_a_mailbox_and_its_address(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, mail_account: MailAccount
) -> None:
    """Choosing the mailbox on the auditor page links it and gives the persona its address."""
    mailbox = persona_mailbox(session, world.fieldwork.district, world.fieldwork.other_auditor, mail_account,
                              vault=vault())  # fmt: skip
    auditor = world.fieldwork.auditor
    login(auth, world.users["leader"])
    form = {"languages": ["en"], "max_per_day": "3", "weekdays": ["0", "1"], "persona_name": "Maria",
            "mailbox_id": str(mailbox.id)}  # fmt: skip
    assert client.post(f"/auditors/{auditor.id}", data=form).status_code == 302
    profile = session.get(AuditorProfile, auditor.id)
    session.refresh(profile)
    assert (
        profile is not None and profile.mailbox_id == mailbox.id and profile.persona_email == mailbox.address
    )
    refused = client.post(f"/auditors/{auditor.id}", data=form | {"persona_email": "other@example.net"})
    assert refused.status_code == 400
    assert f"use {mailbox.address}" in refused.get_data(as_text=True)


def test_the_auditor_sends_the_scripts_email_and_sees_it_awaiting_a_reply(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, mail_account: MailAccount
) -> None:
    """The panel holds the script's email; Send delivers it, files it, and the status reads everywhere."""
    persona_mailbox(session, world.fieldwork.district, world.fieldwork.auditor, mail_account, vault=vault())
    login(auth, world.users["auditor"])
    page = open_form(client, world.email)
    assert input_value(page, "subject") == "Free meals for my son"
    body = textarea(page, "body")
    assert body is not None and body.startswith("Hello,") and body.rstrip().endswith("Maria")
    contact = current_contact(session, world.email)

    response = client.post(
        f"/contacts/{contact.id}/send", data={"subject": "Free meals for my son", "body": body}
    )
    assert response.status_code == 302
    (sent,) = mail_account.sent_to("office@abess.example")
    assert sent.message["Subject"] == "Free meals for my son"
    contact = current_contact(session, world.email)
    assert contact.reply_status is ReplyStatus.AWAITING and contact.evidence[0].label == "Email sent"

    # TEST_NOW is Wednesday 12:00 in New York: due two school days later, Friday 12:00.
    expected = "Sent 12:00, awaiting reply (due by Fri 12:00)"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert expected in page and "Send the email</button>" not in page
    assert expected in client.get("/assignments/").get_data(as_text=True)
    assert (
        client.post(f"/contacts/{contact.id}/send", data={"subject": "Again", "body": "x"}).status_code == 409
    )
    assert len(mail_account.smtp.received) == 1

    login(auth, world.users["leader"])
    round_page = client.get(f"/rounds/{world.fieldwork.round.id}").get_data(as_text=True)
    replies = re.search(r'id="replies".*?</section>', round_page, re.S)
    assert replies is not None
    words = " ".join(re.sub(r"<[^>]+>", " ", replies.group(0)).split())
    assert "1 email sent" in words and "1 awaiting a reply" in words and "0 overdue" in words


def test_a_server_that_cannot_be_reached_is_shown_and_nothing_is_kept(
    client: FlaskClient, auth: AuthActions, session: Session, world: World, mail_account: MailAccount
) -> None:
    """502, "The email was not sent", the server's words; no evidence, no sent time; the text stays."""
    mailbox = persona_mailbox(session, world.fieldwork.district, world.fieldwork.auditor, mail_account,
                              vault=vault())  # fmt: skip
    mailbox.smtp_port = free_port()
    session.commit()
    login(auth, world.users["auditor"])
    open_form(client, world.email)
    contact = current_contact(session, world.email)
    response = client.post(f"/contacts/{contact.id}/send", data={"subject": "Free meals", "body": "Hello"})
    page = response.get_data(as_text=True)
    assert response.status_code == 502
    assert "The email was not sent." in page and "connection refused" in page
    assert input_value(page, "subject") == "Free meals"
    contact = current_contact(session, world.email)
    assert contact.sent_at is None and contact.evidence == []
    assert session.scalar(select(Contact.sent_message_id).where(Contact.id == contact.id)) is None

    # An empty subject: 400, next to its field.
    mailbox.smtp_port = mail_account.smtp_port
    session.commit()
    response = client.post(f"/contacts/{contact.id}/send", data={"subject": " ", "body": "Hello"})
    assert response.status_code == 400 and 'id="subject-error"' in response.get_data(as_text=True)


def test_without_a_mailbox_the_auditor_is_told_to_send_from_elsewhere(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    """No mailbox: no Send button, the way to upload the reply instead."""
    login(auth, world.users["auditor"])
    page = open_form(client, world.email)
    assert "Your persona has no mailbox in Touchpoint yet" in page
    assert "Send the email</button>" not in page


def test_a_leader_sets_the_districts_reply_deadline(
    client: FlaskClient, auth: AuthActions, session: Session, world: World
) -> None:
    """The district settings page holds the deadline in school days; a bad one is refused by its field."""
    district = world.fieldwork.district
    login(auth, world.users["leader"])
    url = f"/districts/{district.id}/settings"
    assert input_value(client.get(url).get_data(as_text=True), "reply_deadline_school_days") == "2"
    settings = {"name": district.name, "timezone": district.timezone, "school_day_start": "07:30",
                "school_day_end": "16:00", "appeal_window_days": "10"}  # fmt: skip
    refused = client.post(url, data=settings | {"reply_deadline_school_days": "0"})
    assert refused.status_code == 400
    assert 'id="reply_deadline_school_days-error"' in refused.get_data(as_text=True)
    assert client.post(url, data=settings | {"reply_deadline_school_days": "3"}).status_code == 302
    session.refresh(district)
    assert district.reply_deadline_school_days == 3
