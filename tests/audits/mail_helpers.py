"""Persona mailboxes on the tests' real mail servers (``tests.mail_servers``), for the mail tests."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audits.mail.credentials import Vault
from audits.mail.mailboxes import MailboxSettings, save_mailbox
from audits.models import AuditorProfile, District, MailSecurity, PersonaMailbox, User
from tests.mail_servers import MailAccount

# The tests' key to mailbox passwords (a Fernet key: 32 bytes, URL-safe base64).
TEST_KEY = "dGVzdC1rZXktZm9yLXBlcnNvbmEtbWFpbGJveGVzISE="
VAULT = Vault(TEST_KEY)


def settings_for(account: MailAccount, *, plus_addressing: bool = True) -> MailboxSettings:
    """Settings of a mailbox on the local servers: no TLS, the account's login for both."""
    return MailboxSettings(
        address=account.address,
        display_name="Maria Family",
        smtp_host=account.host,
        smtp_port=account.smtp_port,
        smtp_security=MailSecurity.NONE,
        smtp_password=account.password,
        imap_host=account.host,
        imap_port=account.imap_port,
        imap_security=MailSecurity.NONE,
        plus_addressing=plus_addressing,
    )


def persona_mailbox(
    session: Session,
    district: District,
    auditor: User,
    account: MailAccount,
    *,
    plus_addressing: bool = True,
    vault: Vault = VAULT,
) -> PersonaMailbox:
    """A district mailbox on ``account``, used by ``auditor``'s persona (committed)."""
    mailbox = save_mailbox(session, district, settings_for(account, plus_addressing=plus_addressing), vault)
    profile = session.get(AuditorProfile, auditor.id)
    if profile is None:
        profile = AuditorProfile(user_id=auditor.id, persona_name="Maria")
        session.add(profile)
    profile.mailbox_id = mailbox.id
    profile.persona_email = account.address
    session.commit()
    return mailbox
