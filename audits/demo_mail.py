"""The demo's persona mailboxes: one per demo persona, on the local mail servers of ``make mail-servers``.

The servers (Dovecot for IMAP, aiosmtpd for SMTP: ``tests/mail_servers.py``) listen on this machine
without TLS, so the mailboxes use no encryption; every address has the servers' one password.
Mail to the schools lands in the servers' catch-all mailbox, where ``python -m tests.mail_servers
reply`` answers it into the persona's INBOX, for the mailbox poll to find.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from audits.demo import DEMO_PERSONAS
from audits.mail.credentials import Vault
from audits.mail.mailboxes import MailboxSettings, save_mailbox
from audits.models import AuditorProfile, District, MailSecurity, PersonaMailbox, User


@dataclass(frozen=True)
class DemoMailServers:
    """Where the demo's local mail servers listen, and their one password."""

    host: str = "127.0.0.1"
    smtp_port: int = 1025
    imap_port: int = 1143
    password: str = "persona-mail-secret"


def load_demo_mailboxes(
    session: Session, district: District, auditors: list[User], vault: Vault, servers: DemoMailServers
) -> list[PersonaMailbox]:
    """A mailbox for each demo auditor's persona (plus-addressing on), given to the persona; flushed."""
    mailboxes = []
    for auditor in auditors:
        persona = DEMO_PERSONAS.get(auditor.email)
        profile = session.get(AuditorProfile, auditor.id)
        if persona is None or profile is None:
            continue
        name, _, address = persona
        settings = MailboxSettings(
            address=address,
            display_name=f"{name} Family",
            smtp_host=servers.host,
            smtp_port=servers.smtp_port,
            smtp_security=MailSecurity.NONE,
            smtp_password=servers.password,
            imap_host=servers.host,
            imap_port=servers.imap_port,
            imap_security=MailSecurity.NONE,
            plus_addressing=True,
        )
        mailbox = save_mailbox(session, district, settings, vault)
        profile.mailbox_id = mailbox.id
        mailboxes.append(mailbox)
    session.flush()
    return mailboxes
