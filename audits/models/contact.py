"""Contacts: each attempt to reach a school, its answers, evidence, reviews and edit log."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
    select,
    text,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from audits.models.base import Base, UTCDateTime
from audits.models.mailbox import ReplyStatus
from audits.models.rubric import _enum
from audits.timeutil import utcnow

if TYPE_CHECKING:
    from audits.models.mailbox import PersonaMailbox
    from audits.models.round import Assignment
    from audits.models.rubric import Rubric, RubricItem
    from audits.models.user import User


class ContactStatus(StrEnum):
    """draft → submitted → (returned → submitted)* → approved (→ reopened → submitted …)."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REOPENED = "reopened"

    @property
    def label(self) -> str:
        """The status as people say it."""
        return self.value.capitalize()


class Outcome(StrEnum):
    """How an attempt ended. Anything but ``reached`` is a failed attempt."""

    REACHED = "reached"
    VOICEMAIL = "voicemail"
    AUTO_ATTENDANT = "auto_attendant"
    NO_ANSWER = "no_answer"
    BUSY = "busy"
    WRONG_NUMBER = "wrong_number"
    NO_REPLY = "no_reply"
    NOT_SERVED = "not_served"

    @property
    def label(self) -> str:
        """The outcome as an auditor reads it."""
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.REACHED: "Reached a person",
    Outcome.VOICEMAIL: "Voicemail",
    Outcome.AUTO_ATTENDANT: "Auto-attendant with no way to a person",
    Outcome.NO_ANSWER: "No answer",
    Outcome.BUSY: "Busy",
    Outcome.WRONG_NUMBER: "Wrong number",
    Outcome.NO_REPLY: "No reply",
    Outcome.NOT_SERVED: "Not served (office closed or turned away)",
}


# Which contacts count, as the partial index ``ix_contacts_counted`` states it (migration 0034).
COUNTED_PREDICATE = "status = 'approved' AND (outcome = 'reached' OR unreached IS true)"


def _empty_draft() -> dict[str, Any]:
    return {}


class Contact(Base):
    """One attempt at an assignment, scored on one exact rubric version.

    ``revision`` counts the contact's workflow steps and recorded entries (not drafts, not
    Twilio's measurements): every UPDATE of the row checks it is still the revision that was
    read, so two changes made at once cannot both land, and a step can insist on the revision
    its user saw.
    """

    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("assignment_id", "attempt"),
        # The contacts that count (``audits.scoring.queries.counted``), by assignment, with their
        # tallies: a round's scores reach its counted contacts without reading any other row.
        Index(
            "ix_contacts_counted",
            "assignment_id",
            postgresql_where=text(COUNTED_PREDICATE),
            sqlite_where=text(COUNTED_PREDICATE),
            postgresql_include=["earned_points", "possible_points", "critical_failure", "rubric_id"],
        ),
        # A round's counted contacts without a join through every district's assignments.
        Index(
            "ix_contacts_round_counted",
            "round_id",
            postgresql_where=text(COUNTED_PREDICATE),
            sqlite_where=text(COUNTED_PREDICATE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    # The round of the assignment, carried so a round's scores find its contacts by index
    # (``ix_contacts_round_counted``); set on insert from the assignment (``_carry_round``).
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"))
    attempt: Mapped[int] = mapped_column(Integer, default=1)
    auditor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    rubric_id: Mapped[int] = mapped_column(ForeignKey("rubrics.id"), index=True)
    status: Mapped[ContactStatus] = mapped_column(
        _enum(ContactStatus), default=ContactStatus.DRAFT, index=True
    )
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome))
    unreached: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Phone
    rings: Mapped[int | None] = mapped_column(Integer)
    hold_seconds: Mapped[int | None] = mapped_column(Integer)
    transfers: Mapped[int | None] = mapped_column(Integer)
    call_seconds: Mapped[int | None] = mapped_column(Integer)
    staff_gave_name: Mapped[bool | None] = mapped_column(Boolean)
    callback_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Email
    sent_text: Mapped[str] = mapped_column(Text, default="")
    reply_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_text: Mapped[str] = mapped_column(Text, default="")
    response_business_hours: Mapped[float | None] = mapped_column(Float)
    # Sent through a persona mailbox (``audits.mail.sending``): the message's Message-ID, the token its
    # reply address carries, when the SMTP server took it, and by when a reply is due.
    sent_mailbox_id: Mapped[int | None] = mapped_column(
        ForeignKey("persona_mailboxes.id", ondelete="SET NULL"), index=True
    )
    sent_message_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # The subject sent (the poll's last matching rule compares a reply's "Re: …" with it).
    sent_subject: Mapped[str] = mapped_column(String(500), default="", server_default="")
    reply_token: Mapped[str | None] = mapped_column(String(40), unique=True)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Filled by the mailbox poll (``audits.mail``): when the first personal reply arrived and where it stands.
    reply_received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reply_status: Mapped[ReplyStatus | None] = mapped_column(_enum(ReplyStatus), index=True)
    # Visit
    greeted_seconds: Mapped[int | None] = mapped_column(Integer)
    wait_seconds: Mapped[int | None] = mapped_column(Integer)
    # Measured by Twilio when the call went through Touchpoint (the auditor's values stay editable)
    measured: Mapped[dict[str, Any]] = mapped_column(JSON, default=_empty_draft)
    # The contact's points, tallied from its responses whenever they are recorded
    # (audits.scoring.tally), so that scores read contacts rather than every response.
    earned_points: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    possible_points: Mapped[float] = mapped_column(Float, default=0.0, server_default="0")
    critical_failure: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    recording_policy: Mapped[str | None] = mapped_column(String(20))
    # Work in progress and review
    draft: Mapped[dict[str, Any]] = mapped_column(JSON, default=_empty_draft)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship()
    auditor: Mapped[User] = relationship()
    rubric: Mapped[Rubric] = relationship()
    sent_mailbox: Mapped[PersonaMailbox | None] = relationship()
    responses: Mapped[list[Response]] = relationship(back_populates="contact", cascade="all, delete-orphan")
    section_points: Mapped[list[ContactSectionPoints]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", passive_deletes=True
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="Evidence.id"
    )
    events: Mapped[list[ReviewEvent]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ReviewEvent.id"
    )
    edits: Mapped[list[ContactEdit]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEdit.id"
    )

    __mapper_args__ = {"version_id_col": revision, "version_id_generator": False}

    @property
    def failed(self) -> bool:
        """Whether this attempt did not reach the school."""
        return self.outcome is not None and self.outcome is not Outcome.REACHED

    def __repr__(self) -> str:
        return f"<Contact {self.id} assignment={self.assignment_id} attempt={self.attempt} {self.status}>"


class Response(Base):
    """The answer to one rubric item: a value or N/A, and a comment."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("contact_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("rubric_items.id"), index=True)
    value: Mapped[Any] = mapped_column(JSON)
    na: Mapped[bool] = mapped_column(Boolean, default=False)
    fraction: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str] = mapped_column(Text, default="")

    contact: Mapped[Contact] = relationship(back_populates="responses")
    item: Mapped[RubricItem] = relationship()


class ContactSectionPoints(Base):
    """A contact's earned and possible points over the items of one section key (a tally)."""

    __tablename__ = "contact_section_points"

    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True)
    section_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    earned: Mapped[float] = mapped_column(Float)
    possible: Mapped[float] = mapped_column(Float)
    # The contact's round and school, written with the tally (``audits.scoring.tally``): many rounds'
    # section points are read by their round's index, not by probing each counted contact's rows.
    round_id: Mapped[int] = mapped_column(ForeignKey("rounds.id", ondelete="CASCADE"), index=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id", ondelete="CASCADE"))

    contact: Mapped[Contact] = relationship(back_populates="section_points")


class ReviewAction(StrEnum):
    """What happened to a contact in review."""

    SUBMITTED = "submitted"
    RETURNED = "returned"
    APPROVED = "approved"
    REOPENED = "reopened"


class ReviewEvent(Base):
    """A step of a contact's review: who did what, when, and why."""

    __tablename__ = "review_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    action: Mapped[ReviewAction] = mapped_column(_enum(ReviewAction))
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="events")
    actor: Mapped[User] = relationship()


class ContactEdit(Base):
    """One changed field of a contact after its first submission."""

    __tablename__ = "contact_edits"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    field: Mapped[str] = mapped_column(String(100))
    old_value: Mapped[str] = mapped_column(Text, default="")
    new_value: Mapped[str] = mapped_column(Text, default="")
    # Why it changed, when the change says (an upheld appeal's reason); "" for a plain correction.
    reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="edits")
    user: Mapped[User] = relationship()


class EvidenceKind(StrEnum):
    """What an uploaded file is, as its content (not its name) shows."""

    IMAGE = "image"
    EMAIL = "email"
    TEXT = "text"
    AUDIO = "audio"


class Evidence(Base):
    """An uploaded file, stored outside the web root under a random name."""

    __tablename__ = "evidence"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    kind: Mapped[EvidenceKind] = mapped_column(_enum(EvidenceKind))
    label: Mapped[str] = mapped_column(String(100), default="")
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    storage_name: Mapped[str] = mapped_column(String(100), unique=True)
    uploaded_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    contact: Mapped[Contact] = relationship(back_populates="evidence")

    @property
    def sent_by_touchpoint(self) -> bool:
        """Whether this is the email Touchpoint sent for its contact (``audits.mail.sending``): it stays."""
        token = self.contact.reply_token
        if token is None or self.contact.sent_at is None:
            return False
        return self.original_name == sent_file_name(token)


def sent_file_name(token: str) -> str:
    """The file name of the email sent for a contact, filed as its evidence: ``sent-<token's start>.eml``."""
    return f"sent-{token[:8]}.eml"


@event.listens_for(Contact, "before_insert")
def _carry_round(mapper: Mapper[Contact], connection: Connection, contact: Contact) -> None:
    """Give a new contact its assignment's round (an assignment never changes round)."""
    if contact.round_id is None:
        from audits.models.round import Assignment

        contact.round_id = connection.scalar(
            select(Assignment.round_id).where(Assignment.id == contact.assignment_id)
        )
