"""Persona mailboxes: the addresses auditors' personas send email audits from and read replies in.

A district keeps one or more. Each has an SMTP server to send through and an IMAP server to
read replies from (standard protocols only, no particular provider); the passwords are stored
encrypted with Fernet (``audits.mail.credentials``), under a key from the environment.
"""

from __future__ import annotations

from datetime import datetime
from email.utils import formataddr
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.district import District


class MailSecurity(StrEnum):
    """How a connection to a mail server is protected."""

    SSL = "ssl"  # TLS from the first byte (SMTP 465, IMAP 993)
    STARTTLS = "starttls"  # plain, then upgraded (SMTP 587, IMAP 143)
    NONE = "none"  # no encryption: only for a server on this machine (the demo's, the tests')

    @property
    def label(self) -> str:
        """The security as a settings page names it."""
        return MAIL_SECURITY_LABELS[self]


MAIL_SECURITY_LABELS = {
    MailSecurity.SSL: "SSL/TLS",
    MailSecurity.STARTTLS: "STARTTLS",
    MailSecurity.NONE: "None (local test server only)",
}


class PollStatus(StrEnum):
    """How the last reading of a mailbox over IMAP went."""

    OK = "ok"
    FAILED = "failed"


class ReplyStatus(StrEnum):
    """Where an email contact sent through Touchpoint stands with the school's reply."""

    AWAITING = "awaiting"  # sent, the deadline has not passed
    RECEIVED = "received"  # a personal reply came before the deadline
    LATE = "late"  # a personal reply came after the deadline
    NO_REPLY = "no_reply"  # the deadline passed without a personal reply

    @property
    def label(self) -> str:
        """The status as an auditor reads it."""
        return REPLY_STATUS_LABELS[self]


REPLY_STATUS_LABELS = {
    ReplyStatus.AWAITING: "Awaiting reply",
    ReplyStatus.RECEIVED: "Reply received",
    ReplyStatus.LATE: "Reply came late",
    ReplyStatus.NO_REPLY: "No reply",
}


class PersonaMailbox(Base):
    """One persona mailbox of a district: its address, SMTP and IMAP servers, encrypted passwords."""

    __tablename__ = "persona_mailboxes"
    __table_args__ = (UniqueConstraint("district_id", "address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    district_id: Mapped[int] = mapped_column(ForeignKey("districts.id", ondelete="CASCADE"), index=True)
    address: Mapped[str] = mapped_column(String(254))
    display_name: Mapped[str] = mapped_column(String(100), default="")
    # Sending
    smtp_host: Mapped[str] = mapped_column(String(255))
    smtp_port: Mapped[int] = mapped_column(Integer, default=587)
    smtp_security: Mapped[MailSecurity] = mapped_column(_enum(MailSecurity), default=MailSecurity.STARTTLS)
    smtp_username: Mapped[str] = mapped_column(String(254), default="")
    smtp_password_encrypted: Mapped[str] = mapped_column(Text, default="")
    # Reading replies
    imap_host: Mapped[str] = mapped_column(String(255))
    imap_port: Mapped[int] = mapped_column(Integer, default=993)
    imap_security: Mapped[MailSecurity] = mapped_column(_enum(MailSecurity), default=MailSecurity.SSL)
    imap_username: Mapped[str] = mapped_column(String(254), default="")
    imap_password_encrypted: Mapped[str] = mapped_column(Text, default="")
    imap_folder: Mapped[str] = mapped_column(String(200), default="INBOX", server_default="INBOX")
    # Whether the provider delivers ``local+tag@domain`` to ``local@domain`` (replies name their contact).
    plus_addressing: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The IMAP folder's UIDVALIDITY and the highest UID read: only newer messages are fetched next time.
    imap_uid_validity: Mapped[int | None] = mapped_column(BigInteger)
    imap_last_uid: Mapped[int | None] = mapped_column(BigInteger)
    # How the last reading went (shown on the settings page); failures back off before the next try.
    last_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_poll_status: Mapped[PollStatus | None] = mapped_column(_enum(PollStatus))
    last_poll_error: Mapped[str] = mapped_column(Text, default="", server_default="")
    poll_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_poll_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    district: Mapped[District] = relationship()

    def __repr__(self) -> str:
        return f"<PersonaMailbox {self.address!r}>"

    @property
    def sender(self) -> str:
        """The From header: ``Display Name <address>``, or the bare address."""
        return formataddr((self.display_name, self.address)) if self.display_name else self.address
