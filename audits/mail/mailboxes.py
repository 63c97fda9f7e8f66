"""A district's persona mailboxes: saved from a leader's settings, checked against their servers.

Passwords are taken in clear only to be encrypted (``audits.mail.credentials.Vault``) and are never
given back: a blank password on an edit keeps the stored one, a blank IMAP password uses the SMTP
one (most providers have one password for both), and a new SMTP password replaces an IMAP password
that was the same.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.accounts import normalise_email
from audits.errors import ConflictError, MailServerError, ValidationError
from audits.mail.credentials import Vault
from audits.mail.transport import DEFAULT_TIMEOUT, imap_session, smtp_session
from audits.models import AuditorProfile, District, MailSecurity, PersonaMailbox

MAX_HOST = 255
MAX_NAME = 100
MAX_PASSWORD = 500
MAX_USERNAME = 254
DEFAULT_PORTS = {
    ("smtp", MailSecurity.SSL): 465,
    ("smtp", MailSecurity.STARTTLS): 587,
    ("smtp", MailSecurity.NONE): 25,
    ("imap", MailSecurity.SSL): 993,
    ("imap", MailSecurity.STARTTLS): 143,
    ("imap", MailSecurity.NONE): 143,
}


@dataclass
class MailboxSettings:
    """What a leader types about a persona mailbox. Blank passwords keep the stored ones."""

    address: str = ""
    display_name: str = ""
    smtp_host: str = ""
    smtp_port: int | None = None
    smtp_security: MailSecurity = MailSecurity.STARTTLS
    smtp_username: str = ""
    smtp_password: str = ""
    imap_host: str = ""
    imap_port: int | None = None
    imap_security: MailSecurity = MailSecurity.SSL
    imap_username: str = ""
    imap_password: str = ""
    imap_folder: str = "INBOX"
    plus_addressing: bool = False

    @classmethod
    def of(cls, mailbox: PersonaMailbox) -> MailboxSettings:
        """A mailbox's settings as its form shows them: never its passwords."""
        return cls(
            address=mailbox.address,
            display_name=mailbox.display_name,
            smtp_host=mailbox.smtp_host,
            smtp_port=mailbox.smtp_port,
            smtp_security=mailbox.smtp_security,
            smtp_username=mailbox.smtp_username,
            imap_host=mailbox.imap_host,
            imap_port=mailbox.imap_port,
            imap_security=mailbox.imap_security,
            imap_username=mailbox.imap_username,
            imap_folder=mailbox.imap_folder,
            plus_addressing=mailbox.plus_addressing,
        )


def one_line(text: str) -> bool:
    """Whether ``text`` holds no line break and no control or format character (a header's rule)."""
    return not any(unicodedata.category(character).startswith("C") for character in text)


def mailboxes_of(session: Session, district_id: int) -> list[PersonaMailbox]:
    """The district's persona mailboxes, by address."""
    return list(
        session.scalars(
            select(PersonaMailbox)
            .where(PersonaMailbox.district_id == district_id)
            .order_by(PersonaMailbox.address)
        )
    )


def personas_using(session: Session, mailbox: PersonaMailbox) -> list[AuditorProfile]:
    """The auditors' personas that send from ``mailbox``."""
    return list(session.scalars(select(AuditorProfile).where(AuditorProfile.mailbox_id == mailbox.id)))


def _host(text: str, name: str, problems: list[tuple[str | None, str]]) -> str:
    host = text.strip().lower()
    if not host:
        problems.append((name, "enter the server's name, as mail.example.org"))
    elif len(host) > MAX_HOST or any(c.isspace() or c in "/:@" for c in host):
        problems.append((name, "enter the server's name alone, as mail.example.org (no port, no https://)"))
    return host


def _port(
    value: int | None, kind: str, security: MailSecurity, problems: list[tuple[str | None, str]]
) -> int:
    if value is None:
        return DEFAULT_PORTS[(kind, security)]
    if not 1 <= value <= 65535:
        problems.append((f"{kind}_port", "a port is a whole number from 1 to 65535"))
    return value


def save_mailbox(
    session: Session,
    district: District,
    settings: MailboxSettings,
    vault: Vault,
    mailbox: PersonaMailbox | None = None,
) -> PersonaMailbox:
    """Validate ``settings`` and save them as a new mailbox of ``district`` (or as ``mailbox``'s).

    Every problem is reported at once, on the settings' names; nothing is saved then. A new
    mailbox needs the SMTP password; the IMAP password defaults to it. The caller commits.
    """
    problems: list[tuple[str | None, str]] = []
    address = ""
    try:
        address = normalise_email(settings.address)
    except ValidationError as error:
        problems.extend(("address", reason) for _, reason in error.problems)
    if address:
        clash = session.scalar(
            select(PersonaMailbox.id).where(
                PersonaMailbox.district_id == district.id, PersonaMailbox.address == address
            )
        )
        if clash is not None and (mailbox is None or clash != mailbox.id):
            problems.append(("address", f"the district already has a mailbox for {address}"))
    display_name = settings.display_name.strip()
    if len(display_name) > MAX_NAME:
        problems.append(("display_name", f"keep it under {MAX_NAME} characters"))
    elif not one_line(display_name):
        problems.append(("display_name", "keep the name on one line, without control characters"))
    smtp_host = _host(settings.smtp_host, "smtp_host", problems)
    imap_host = _host(settings.imap_host, "imap_host", problems)
    smtp_port = _port(settings.smtp_port, "smtp", settings.smtp_security, problems)
    imap_port = _port(settings.imap_port, "imap", settings.imap_security, problems)
    folder = settings.imap_folder.strip() or "INBOX"
    if len(folder) > 200 or not one_line(folder):
        problems.append(("imap_folder", "enter the folder's name as the mail program shows it, as INBOX"))
    for name in ("smtp_username", "imap_username"):
        given = getattr(settings, name).strip()
        if len(given) > MAX_USERNAME or not one_line(given):
            problems.append((name, f"enter the user name on one line, at most {MAX_USERNAME} characters"))
    for name in ("smtp_password", "imap_password"):
        if len(getattr(settings, name)) > MAX_PASSWORD:
            problems.append((name, f"keep it under {MAX_PASSWORD} characters"))
    smtp_username = settings.smtp_username.strip() or address
    imap_username = settings.imap_username.strip() or smtp_username
    if mailbox is None and not settings.smtp_password:
        problems.append(("smtp_password", "enter the mailbox's password"))
    if problems:
        raise ValidationError.many(problems)
    shared = mailbox is None or _shared_password(mailbox, vault)
    if mailbox is None:
        mailbox = PersonaMailbox(district_id=district.id)
        session.add(mailbox)
    mailbox.address, mailbox.display_name = address, display_name
    mailbox.smtp_host, mailbox.smtp_port, mailbox.smtp_security = smtp_host, smtp_port, settings.smtp_security
    mailbox.imap_host, mailbox.imap_port, mailbox.imap_security = imap_host, imap_port, settings.imap_security
    mailbox.smtp_username, mailbox.imap_username = smtp_username, imap_username
    mailbox.imap_folder, mailbox.plus_addressing = folder, settings.plus_addressing
    if settings.smtp_password:
        mailbox.smtp_password_encrypted = vault.encrypt(settings.smtp_password)
    if settings.imap_password or (settings.smtp_password and shared):
        mailbox.imap_password_encrypted = vault.encrypt(settings.imap_password or settings.smtp_password)
    session.flush()
    return mailbox


def _shared_password(mailbox: PersonaMailbox, vault: Vault) -> bool:
    """Whether the mailbox's IMAP password is its SMTP one (then a new SMTP password is the IMAP one too)."""
    try:
        return vault.decrypt(mailbox.imap_password_encrypted) == vault.decrypt(
            mailbox.smtp_password_encrypted
        )
    except ConflictError:  # unreadable with this key: both must be typed again anyway
        return True


@dataclass(frozen=True)
class ConnectionCheck:
    """What logging in to a mailbox's two servers gave: ``None`` where it worked, else the server's error."""

    smtp_error: str | None
    imap_error: str | None

    @property
    def ok(self) -> bool:
        """Both servers took the mailbox's user name and password."""
        return self.smtp_error is None and self.imap_error is None


def check_connection(
    mailbox: PersonaMailbox, vault: Vault, timeout: float = DEFAULT_TIMEOUT
) -> ConnectionCheck:
    """Log in to the mailbox's SMTP and IMAP servers (sending and reading nothing); report each."""
    smtp_error = imap_error = None
    try:
        with smtp_session(mailbox, vault.decrypt(mailbox.smtp_password_encrypted), timeout) as client:
            client.noop()
    except (MailServerError, ConflictError) as error:  # the server's error, or a password no key reads
        smtp_error = error.reason
    try:
        with imap_session(mailbox, vault.decrypt(mailbox.imap_password_encrypted), timeout) as client:
            client.folder.get()
    except (MailServerError, ConflictError) as error:
        imap_error = error.reason
    return ConnectionCheck(smtp_error, imap_error)
