"""What the mailbox poll and the persona phone number received: each message and each call-back once.

A **ReceivedMessage** is one message read from a persona mailbox (kept whatever it is: a reply, an
auto-reply, a bounce, a stranger's mail, one refused for its size), under its Message-ID's hash
and a hash of its content, so the same message read twice is recognised and two different
messages sharing a Message-ID are both kept. An **InboundTouch** is one call or text a school
made to a persona phone number (Twilio's SID unique), matched to the open contact.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.contact import Contact
    from audits.models.mailbox import PersonaMailbox


class MessageState(StrEnum):
    """What became of a message read from a persona mailbox."""

    COUNTED = "counted"  # a personal reply, matched: the contact's reply
    FURTHER = "further"  # a personal reply to a contact that already had its first reply
    SUGGESTED = "suggested"  # matched by sender and subject only: waiting for the auditor
    DECLINED = "declined"  # the auditor said the suggested contact is not the one
    AUTO_REPLY = "auto_reply"  # kept, never counted
    BOUNCE = "bounce"  # the school's address refused the email
    UNMATCHED = "unmatched"  # no contact found
    REFUSED = "refused"  # too large (or unreadable): not read

    @property
    def label(self) -> str:
        """The state as an auditor reads it."""
        return MESSAGE_STATE_LABELS[self]


MESSAGE_STATE_LABELS = {
    MessageState.COUNTED: "Reply",
    MessageState.FURTHER: "Further reply",
    MessageState.SUGGESTED: "Waiting for your confirmation",
    MessageState.DECLINED: "Not this contact",
    MessageState.AUTO_REPLY: "Automatic reply (not counted)",
    MessageState.BOUNCE: "Bounced: the school's address refused the email",
    MessageState.UNMATCHED: "Not matched to a contact",
    MessageState.REFUSED: "Refused (too large to read)",
}


class ReceivedMessage(Base):
    """One message read from a persona mailbox, kept once (the mailbox itself is never changed)."""

    __tablename__ = "received_messages"
    __table_args__ = (UniqueConstraint("mailbox_id", "message_id_hash", "content_hash"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(
        ForeignKey("persona_mailboxes.id", ondelete="CASCADE"), index=True
    )
    uid_validity: Mapped[int] = mapped_column(BigInteger)
    uid: Mapped[int] = mapped_column(BigInteger)
    message_id: Mapped[str] = mapped_column(String(255), default="")
    message_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))  # audits.mail.classify.MessageKind, or "unread"
    state: Mapped[MessageState] = mapped_column(_enum(MessageState), index=True)
    rule: Mapped[str | None] = mapped_column(String(30))  # audits.mail.matching.MatchRule
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    # The evidence stored from it on its contact: the text copy first, then accepted attachments.
    evidence_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    sender: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(500), default="")
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the message's Date
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the poll read it
    size: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[bool] = mapped_column(default=False)
    # What was refused or odd about it: a disguised attachment, a Message-ID clash, its size.
    notes: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")  # its plain (or de-HTML-ed) text
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    mailbox: Mapped[PersonaMailbox] = relationship()
    contact: Mapped[Contact | None] = relationship()


class TouchKind(StrEnum):
    """How a school reached a persona phone number."""

    CALL = "call"
    TEXT = "text"

    @property
    def label(self) -> str:
        """The kind as an auditor reads it."""
        return "Call-back" if self is TouchKind.CALL else "Text message"


class InboundTouch(Base):
    """A call or text a school made to a persona phone number (once per Twilio SID)."""

    __tablename__ = "inbound_touches"
    __table_args__ = (UniqueConstraint("sid"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64))
    kind: Mapped[TouchKind] = mapped_column(_enum(TouchKind))
    from_number: Mapped[str] = mapped_column(String(20))
    to_number: Mapped[str] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact | None] = relationship()
