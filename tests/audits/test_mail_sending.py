"""Sending an email contact through the persona's mailbox, on real local SMTP and IMAP servers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml
from sqlalchemy.orm import Session

from audits.errors import ConflictError, MailServerError, NotAllowedError, ValidationError
from audits.fieldwork.contacts import start_contact
from audits.fieldwork.evidence import remove_evidence
from audits.mail.addresses import token_in_address, token_in_message_id
from audits.mail.mailboxes import MailboxSettings, check_connection, save_mailbox
from audits.mail.sending import EmailDraft, draft_from_script, send_contact_email
from audits.models import Contact, Evidence, MailSecurity, PersonaMailbox, ReplyStatus
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork, local
from tests.audits.mail_helpers import VAULT, persona_mailbox, settings_for
from tests.mail_servers import MailAccount, free_port

LIBRARY = Path(__file__).resolve().parents[2] / "audits" / "library" / "scenarios"
SENT = local("2027-02-02T09:14")  # a Tuesday
DRAFT = EmailDraft("After-school program for my son", "Hi,\n\nIs there an after-school program?\n\nMaria")
MAX_BYTES = 15 * 1024 * 1024


def _world(session: Session) -> Fieldwork:
    world = build_fieldwork(session)
    world.school.email = "office@abess.example.org"
    session.commit()
    return world


def _send(session: Session, world: Fieldwork, folder: Path, draft: EmailDraft = DRAFT) -> Contact:
    contact = start_contact(session, world.email, world.auditor)
    send_contact_email(
        session, contact, world.auditor, draft, VAULT, clock=lambda: SENT, folder=folder, max_bytes=MAX_BYTES
    )
    session.commit()
    return contact


def test_the_script_spells_out_the_subject_and_the_body() -> None:
    """The library's email scenario gives its "Subject:" line and its indented body, dedented."""
    script = yaml.safe_load((LIBRARY / "after-school-care.yaml").read_text())["script"]
    draft = draft_from_script(script)
    assert draft.subject == "After-school program for my son"
    paragraphs = draft.body.split("\n\n")
    assert paragraphs[0] == "Hi,"
    assert paragraphs[1].startswith("My son will start {child_grade} at your school next month. I work until")
    assert "\n" not in paragraphs[1] and paragraphs[1].endswith("what other options families use?")
    assert paragraphs[-1] == "Thank you,\n{persona_name}"
    assert "Do not reply" not in draft.body
    assert draft_from_script("1. Ask the question.\n2. Thank them.") == EmailDraft("", "")


def test_sending_delivers_a_threadable_message_and_records_it(
    session: Session, mail_account: MailAccount, tmp_path: Path
) -> None:
    """The school gets the email with a Message-ID and plus address naming the contact; it is filed."""
    world = _world(session)
    persona_mailbox(session, world.district, world.auditor, mail_account)
    contact = _send(session, world, tmp_path)

    (received,) = mail_account.sent_to("office@abess.example.org")
    message = received.message
    assert message["Subject"] == DRAFT.subject
    assert message["From"] == f"Maria Family <{mail_account.address}>"
    assert message.get_content().replace("\r\n", "\n").strip() == DRAFT.body
    assert message["Message-ID"] == contact.sent_message_id
    assert token_in_message_id(contact.sent_message_id or "") == contact.reply_token
    assert token_in_address(str(message["Reply-To"])) == contact.reply_token
    assert str(message["Reply-To"]).startswith(mail_account.address.split("@")[0] + "+tp.")

    assert contact.sent_at == SENT
    assert contact.reply_due_at == local("2027-02-04T09:14")  # two school days later
    assert contact.reply_status is ReplyStatus.AWAITING
    assert contact.sent_mailbox is not None and contact.sent_mailbox.address == mail_account.address
    (evidence,) = contact.evidence
    assert evidence.content_type == "message/rfc822" and evidence.label == "Email sent"
    assert (tmp_path / evidence.storage_name).read_bytes() == received.content
    assert evidence.sent_by_touchpoint
    with pytest.raises(ConflictError, match="stays with the contact"):
        remove_evidence(session, evidence, world.auditor, tmp_path)
    assert contact.draft["started_at"] == "2027-02-02T09:14"
    assert contact.draft["sent_text"].startswith("Subject: After-school program for my son\n\nHi,")


def test_without_plus_addressing_only_the_message_id_names_the_contact(
    session: Session, mail_account: MailAccount, tmp_path: Path
) -> None:
    """A provider without plus-addressing: replies go to the bare address; the Message-ID keeps the token."""
    world = _world(session)
    persona_mailbox(session, world.district, world.auditor, mail_account, plus_addressing=False)
    contact = _send(session, world, tmp_path)
    (received,) = mail_account.smtp.received
    assert received.message["Reply-To"] is None
    assert token_in_message_id(str(received.message["Message-ID"])) == contact.reply_token


def test_a_wrong_password_is_shown_and_nothing_is_kept(
    session: Session, mail_account: MailAccount, tmp_path: Path
) -> None:
    """The server's refusal reaches the auditor; no evidence, no sent time, no file, nothing sent."""
    world = _world(session)
    mailbox = persona_mailbox(session, world.district, world.auditor, mail_account)
    mailbox.smtp_password_encrypted = VAULT.encrypt("not-the-password")
    session.commit()
    contact = start_contact(session, world.email, world.auditor)
    session.commit()
    with pytest.raises(MailServerError) as refused:
        send_contact_email(
            session, contact, world.auditor, DRAFT, VAULT, clock=lambda: SENT, folder=tmp_path,
            max_bytes=MAX_BYTES,
        )  # fmt: skip
    session.rollback()
    assert "refused the user name or password: 535" in refused.value.reason
    assert refused.value.field == "smtp"
    session.refresh(contact)
    assert contact.sent_at is None and contact.sent_message_id is None and contact.evidence == []
    assert list(tmp_path.iterdir()) == []
    assert mail_account.smtp.received == []


def test_an_unreachable_server_is_said_plainly(
    session: Session, mail_account: MailAccount, tmp_path: Path
) -> None:
    """Nothing listening on the SMTP port: "connection refused", and the auditor can try again later."""
    world = _world(session)
    mailbox = persona_mailbox(session, world.district, world.auditor, mail_account)
    mailbox.smtp_port = free_port()
    session.commit()
    contact = start_contact(session, world.email, world.auditor)
    with pytest.raises(MailServerError, match="connection refused"):
        send_contact_email(
            session, contact, world.auditor, DRAFT, VAULT, clock=lambda: SENT, folder=tmp_path,
            max_bytes=MAX_BYTES, timeout=5,
        )  # fmt: skip
    session.rollback()
    assert session.query(Evidence).count() == 0


def test_what_cannot_be_sent(session: Session, mail_account: MailAccount, tmp_path: Path) -> None:
    """No mailbox, another auditor, no subject or text, a school without email, a second send."""
    world = _world(session)
    contact = start_contact(session, world.email, world.auditor)
    session.commit()

    def send(draft: EmailDraft = DRAFT, user: object = world.auditor) -> None:
        send_contact_email(
            session, contact, user, draft, VAULT, clock=lambda: SENT, folder=tmp_path,  # type: ignore[arg-type]
            max_bytes=MAX_BYTES,
        )  # fmt: skip

    with pytest.raises(ConflictError, match="no mailbox"):
        send()
    persona_mailbox(session, world.district, world.auditor, mail_account)
    with pytest.raises(NotAllowedError):
        send(user=world.other_auditor)
    world.school.email = None
    with pytest.raises(ValidationError) as invalid:
        send(EmailDraft(" ", "\n"))
    assert {field for field, _ in invalid.value.problems} == {"school", "subject", "body"}
    session.rollback()
    with pytest.raises(ValidationError, match="one line"):
        send(EmailDraft("Two\nlines", "Text"))
    send()
    session.commit()
    with pytest.raises(ConflictError, match="already been sent"):
        send()
    assert len(mail_account.smtp.received) == 1


def test_a_mailbox_is_saved_with_its_passwords_encrypted_and_checked_against_its_servers(
    session: Session, mail_account: MailAccount
) -> None:
    """Saved: passwords only encrypted, the IMAP one defaulting to SMTP's; the check logs in to both."""
    world = _world(session)
    mailbox = save_mailbox(session, world.district, settings_for(mail_account), VAULT)
    assert mail_account.password not in mailbox.smtp_password_encrypted
    assert VAULT.decrypt(mailbox.imap_password_encrypted) == mail_account.password
    assert mailbox.smtp_username == mailbox.imap_username == mail_account.address
    assert check_connection(mailbox, VAULT).ok

    edited = settings_for(mail_account)
    edited.smtp_password = ""  # blank: keep the stored one
    edited.display_name = "Maria F."
    save_mailbox(session, world.district, edited, VAULT, mailbox)
    assert VAULT.decrypt(mailbox.smtp_password_encrypted) == mail_account.password

    mailbox.smtp_password_encrypted = mailbox.imap_password_encrypted = VAULT.encrypt("wrong")
    check = check_connection(mailbox, VAULT, timeout=5)
    assert not check.ok
    assert check.smtp_error is not None and "refused the user name or password" in check.smtp_error
    assert check.imap_error is not None and "AUTHENTICATIONFAILED" in check.imap_error


def test_bad_mailbox_settings_are_each_reported(session: Session) -> None:
    """A bad address, a URL for a host, a port out of range and a missing password: all at once."""
    world = _world(session)
    bad = MailboxSettings(
        address="not an address",
        smtp_host="https://mail.example.org",
        smtp_port=70000,
        imap_host="",
        imap_security=MailSecurity.SSL,
    )
    with pytest.raises(ValidationError) as invalid:
        save_mailbox(session, world.district, bad, VAULT)
    assert {field for field, _ in invalid.value.problems} == {
        "address", "smtp_host", "smtp_port", "imap_host", "smtp_password",
    }  # fmt: skip
    good = MailboxSettings(
        address="maria.family@example.net", smtp_host="smtp.example.net", imap_host="imap.example.net",
        smtp_password="pw",
    )  # fmt: skip
    mailbox = save_mailbox(session, world.district, good, VAULT)
    assert (mailbox.smtp_port, mailbox.imap_port) == (587, 993)  # the security's usual ports
    with pytest.raises(ValidationError, match="already has a mailbox"):
        save_mailbox(session, world.district, good, VAULT)
    assert session.query(PersonaMailbox).count() == 1


def test_token_helpers_read_only_our_tokens() -> None:
    """Message-IDs and addresses of others carry no token."""
    assert token_in_message_id("<CAF=abc@mail.gmail.com>") is None
    assert token_in_address("office@school.example") is None
    assert token_in_address("Maria <maria+tp.0123456789abcdef0123@example.net>") == "0123456789abcdef0123"
    references = "<x@y> <tp.0123456789abcdef0123.aa11@example.net>"
    assert token_in_message_id(references) == "0123456789abcdef0123"
    assert datetime(2027, 2, 2, 14, 14, tzinfo=UTC) == SENT
