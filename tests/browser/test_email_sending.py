"""Sending an email contact from its form, in Chromium on the demo district, through a real SMTP server.

The persona's demo mailbox is pointed at this test process's local servers (``tests.mail_servers``);
the auditor reviews the scenario's email, presses Send, and the contact says when it was sent and
by when the reply is due, as the assignment list does. Screenshots go to ``artifacts/browser/mail/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import create_engine, text

from audits.mail.credentials import Vault
from config import normalise_database_url
from tests.browser.conftest import ARTIFACTS, DemoWorld, server_environment
from tests.browser.ui import assert_accessible
from tests.mail_servers import DovecotServer, SmtpServer

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "mail"
PHONE = {"width": 375, "height": 812}


def _unsent_email_assignment(world: DemoWorld) -> tuple[str, int, str, str]:
    """An auditor, their unstarted email assignment at a school with an address, and both addresses."""
    engine = create_engine(normalise_database_url(world.database_url))
    try:
        with engine.connect() as connection:
            found = connection.execute(
                text(
                    "SELECT u.email, a.id, p.persona_email, s.email FROM assignments a "
                    "JOIN users u ON u.id = a.auditor_id JOIN auditor_profiles p ON p.user_id = u.id "
                    "JOIN schools s ON s.id = a.school_id JOIN rounds r ON r.id = a.round_id "
                    "WHERE r.status = 'in_field' AND r.follows_round_id IS NULL AND a.channel = 'email' "
                    "AND s.email IS NOT NULL AND p.mailbox_id IS NOT NULL "
                    "AND NOT EXISTS (SELECT 1 FROM contacts c WHERE c.assignment_id = a.id) "
                    "ORDER BY a.id LIMIT 1"
                )
            ).one()
    finally:
        engine.dispose()
    return str(found[0]), int(found[1]), str(found[2]), str(found[3])


def _point_mailbox_at(world: DemoWorld, address: str, dovecot: DovecotServer, smtp: SmtpServer) -> None:
    """The persona's mailbox on this process's servers, its password under the live server's key."""
    secret = server_environment(world.database_url, ARTIFACTS)["SECRET_KEY"]
    stored = Vault.of("", secret).encrypt(dovecot.password)
    engine = create_engine(normalise_database_url(world.database_url))
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "UPDATE persona_mailboxes SET smtp_port = :smtp, imap_port = :imap, "
                    "smtp_password_encrypted = :stored, imap_password_encrypted = :stored "
                    "WHERE address = :address"
                ),
                {"smtp": smtp.port, "imap": dovecot.port, "stored": stored, "address": address},
            )
    finally:
        engine.dispose()


def test_the_auditor_sends_the_scripts_email_and_sees_when_the_reply_is_due(
    signed_in: Callable[..., Page], demo_world: DemoWorld, dovecot: DovecotServer, smtp_server: SmtpServer
) -> None:
    """The panel holds the filled script's email; Send reaches the school; the status reads on both pages."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    auditor, assignment_id, persona, school = _unsent_email_assignment(demo_world)
    dovecot.add_user(persona)
    smtp_server.forget()
    _point_mailbox_at(demo_world, persona, dovecot, smtp_server)

    page = signed_in(auditor, f"/assignments/{assignment_id}/contact", viewport=PHONE)
    panel = page.locator("#email")
    expect(panel).to_contain_text(f"to {school}")
    subject = panel.get_by_label("Subject").input_value()
    assert subject, "the scenario's subject fills the field"
    assert "{" not in panel.get_by_label("Text").input_value(), "every variable of the script is filled"
    assert_accessible(page)
    page.screenshot(path=SHOTS / "send-panel-375.png", full_page=True)

    panel.get_by_role("button", name="Send the email").click()
    expect(page.locator("#email [data-mail-status]")).to_contain_text("awaiting reply (due by")
    (received,) = smtp_server.received
    assert received.recipients == [school] and received.message["Subject"] == subject
    expect(page.locator("#evidence")).to_contain_text("Email sent")
    assert_accessible(page)
    page.screenshot(path=SHOTS / "sent-375.png", full_page=True)

    page.goto("/assignments/")
    expect(page.locator(f"#assignment-{assignment_id} [data-mail-status]")).to_contain_text("awaiting reply")
