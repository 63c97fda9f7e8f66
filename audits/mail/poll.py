"""Reading persona mailboxes over IMAP: each new message once, matched, stored, timed.

For each mailbox the poll keeps the folder's ``UIDVALIDITY`` and the highest UID it has read
(``PersonaMailbox.imap_uid_validity`` / ``imap_last_uid``) and asks the server only for newer
UIDs; their sizes come first (headers only), then the bodies of those within the limit, in
batches, all with ``BODY.PEEK`` so nothing is marked read, and nothing is ever deleted or moved.
Each batch is one transaction: one query for the Message-IDs already kept, one commit with the
batch's last UID; a batch that fails is rolled back with the evidence files it wrote and read
again whole next time.
When the server renumbers the folder (a new ``UIDVALIDITY``) everything is read again, and every
message already kept (``ReceivedMessage``: the hash of its Message-ID and of its content) is skipped:
the same reply fetched twice is recorded once, while two different messages that clash on one
Message-ID are both kept.

A personal reply matched by thread or reply address becomes the contact's reply: stored as
evidence (its text, its attachments that pass the evidence checks), its time, the response time
in the district's business hours, received or late against the deadline; whether it answered
the question stays unanswered in the rubric (not judged) for the auditor. A match by sender
and subject waits for the auditor (``confirm_suggestion`` / ``decline_suggestion``).
Auto-replies are kept but never counted; a bounce marks the school's address as failing. A
server that refuses the login or cannot be reached is recorded on the mailbox and tried again
later, each failure waiting longer (``BACKOFF``); the poll itself never raises for it.

Then the deadline sweep (``mark_no_reply``): a sent email whose deadline passed without a
personal reply is marked "no reply" and its draft prefilled with that outcome for the auditor.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted, MailMessage, U
from imap_tools.errors import ImapToolsError, MailboxLoginError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from audits.businesshours import BusinessCalendar, business_hours_between
from audits.errors import ConflictError, DomainError, NotAllowedError, StorageFullError, ValidationError
from audits.fieldwork.drafts import form_values, format_local, save_draft
from audits.fieldwork.evidence import delete_evidence, store_evidence
from audits.fieldwork.workflow import EDITABLE_BY_AUDITOR
from audits.mail.classify import (
    MAX_MESSAGE_BYTES,
    MessageKind,
    ReadMessage,
    TooLargeError,
    evidence_copy,
    message_id_hash,
    read_message,
    refuse_if_too_large,
)
from audits.mail.deadline import district_reply_due, reply_status
from audits.mail.matching import SentMail, match_message
from audits.models import (
    Assignment,
    Contact,
    Evidence,
    MailSecurity,
    MessageState,
    Outcome,
    PersonaMailbox,
    PollStatus,
    ReplyStatus,
    School,
    User,
)
from audits.models import (
    ReceivedMessage as KeptMessage,
)

log = logging.getLogger(__name__)

# Messages fetched per IMAP command: bounded memory, few round trips.
BATCH = 100
# How long a silent server is waited for before the poll gives up on it.
TIMEOUT_SECONDS = 30
# After the n-th failure in a row the mailbox waits BACKOFF * 2**(n-1), at most MAX_BACKOFF.
BACKOFF = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=2)
# A reply's Date may run a little ahead of ours; further ahead, or before we sent, it is not believed.
CLOCK_SLACK = timedelta(minutes=15)
MAX_TEXT = 20_000
REPLY_LABEL = "Reply from the school"
FURTHER_LABEL = "Further reply from the school"
SUGGESTED_LABEL = "Possible reply: waiting for your confirmation"
ATTACHED_LABEL = "Attached to a reply: "


@dataclass(frozen=True)
class ImapLogin:
    """Where and how to read a mailbox: the server, its security, the account and the folder."""

    host: str
    port: int
    security: MailSecurity
    username: str
    password: str
    folder: str = "INBOX"

    @classmethod
    def of(cls, mailbox: PersonaMailbox, password: str) -> ImapLogin:
        """The login of ``mailbox`` with its decrypted IMAP ``password``."""
        return cls(
            host=mailbox.imap_host,
            port=mailbox.imap_port,
            security=mailbox.imap_security,
            username=mailbox.imap_username or mailbox.address,
            password=password,
            folder=mailbox.imap_folder or "INBOX",
        )


@dataclass(frozen=True)
class EvidenceFolder:
    """Where replies are stored as evidence, and the largest file accepted."""

    folder: Path
    max_bytes: int


@dataclass
class PollResult:
    """What one poll of one mailbox did."""

    mailbox_id: int
    fetched: int = 0
    counts: dict[MessageState, int] = field(default_factory=dict)
    duplicates: int = 0
    error: str = ""
    skipped: bool = False

    def count(self, state: MessageState) -> int:
        """How many messages ended in ``state``."""
        return self.counts.get(state, 0)

    def add(self, state: MessageState) -> None:
        """Count one message that ended in ``state``."""
        self.counts[state] = self.counts.get(state, 0) + 1


class _Fetched(MailMessage):
    """A fetched message kept as the server's bytes (imap-tools would parse it; we parse it once)."""

    def __init__(self, fetch_data: list[object]) -> None:
        raw, uid_data, flag_data = self._get_message_data_parts(fetch_data)
        self._raw_uid_data = uid_data
        self._raw_flag_data = flag_data
        self.raw: bytes = raw


def open_imap(login: ImapLogin, timeout: float = TIMEOUT_SECONDS) -> BaseMailBox:
    """Connect and log in to ``login``'s server and select its folder (raises what the server says)."""
    box: BaseMailBox
    if login.security is MailSecurity.SSL:
        box = MailBox(login.host, login.port, timeout=timeout)
    elif login.security is MailSecurity.STARTTLS:
        box = MailBoxStartTls(login.host, login.port, timeout=timeout)
    else:
        box = MailBoxUnencrypted(login.host, login.port, timeout=timeout)
    box.email_message_class = _Fetched
    try:
        return box.login(login.username, login.password, initial_folder=login.folder)
    except BaseException:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            box.client.shutdown()  # a refused login leaves the connection open otherwise
        raise


def backoff(failures: int) -> timedelta:
    """How long a mailbox waits after its ``failures``-th failure in a row."""
    return min(BACKOFF * 2 ** max(failures - 1, 0), MAX_BACKOFF)


def server_error_words(error: BaseException, login: ImapLogin) -> str:
    """A failed poll in an administrator's words, with the server's own."""
    where = f"{login.host}:{login.port}"
    if isinstance(error, MailboxLoginError):
        return f"The IMAP server {where} refused the username or password ({_server_text(error)})."
    if isinstance(error, TimeoutError):
        return f"The IMAP server {where} did not answer within {TIMEOUT_SECONDS} seconds."
    if isinstance(error, ConnectionRefusedError):
        return f"Could not reach the IMAP server {where}: the connection was refused."
    if isinstance(error, OSError):
        return f"Could not reach the IMAP server {where}: {error.strerror or error}."
    return f"The IMAP server {where} answered with an error: {_server_text(error)}."


def _server_text(error: BaseException) -> str:
    text = str(error)
    return text if len(text) <= 300 else text[:300] + "…"


def poll_mailbox(
    session: Session,
    mailbox: PersonaMailbox,
    password: str,
    now: datetime,
    evidence: EvidenceFolder,
    *,
    force: bool = False,
    timeout: float = TIMEOUT_SECONDS,
) -> PollResult:
    """Read ``mailbox``'s new messages and apply each once; commits as it goes, never raises for the server.

    A mailbox backing off after a failure is skipped until its ``next_poll_at`` unless ``force``.
    """
    result = PollResult(mailbox.id)
    if not force and mailbox.next_poll_at is not None and now < mailbox.next_poll_at:
        result.skipped = True
        return result
    login = ImapLogin.of(mailbox, password)
    try:
        with open_imap(login, timeout) as box:
            _read_new(session, mailbox, box, login, now, evidence, result)
    except (ImapToolsError, imaplib.IMAP4.error, OSError) as error:
        session.rollback()
        result.error = server_error_words(error, login)
        record_failure(session, mailbox, now, result.error)
        log.warning("polling mailbox %s failed: %s", mailbox.id, result.error)
        return result
    except DomainError as error:  # a full disk while storing a reply: that message is read again next time
        session.rollback()
        result.error = f"A message could not be stored: {error.reason}"
        record_failure(session, mailbox, now, result.error)
        log.warning("polling mailbox %s stopped: %s", mailbox.id, result.error)
        return result
    mailbox.last_poll_at = now
    mailbox.last_poll_status = PollStatus.OK
    mailbox.last_poll_error = ""
    mailbox.poll_failures = 0
    mailbox.next_poll_at = None
    session.commit()
    return result


def record_failure(session: Session, mailbox: PersonaMailbox, now: datetime, words: str) -> None:
    """Record a failed poll on ``mailbox`` (shown on its settings page) and when to try again; commits."""
    mailbox.last_poll_at = now
    mailbox.last_poll_status = PollStatus.FAILED
    mailbox.last_poll_error = words
    mailbox.poll_failures = (mailbox.poll_failures or 0) + 1
    mailbox.next_poll_at = now + backoff(mailbox.poll_failures)
    session.commit()


def _chunks(items: Sequence[int], size: int) -> Iterator[Sequence[int]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _read_new(
    session: Session,
    mailbox: PersonaMailbox,
    box: BaseMailBox,
    login: ImapLogin,
    now: datetime,
    evidence: EvidenceFolder,
    result: PollResult,
) -> None:
    status = box.folder.status(login.folder, ["UIDVALIDITY", "UIDNEXT"])
    validity = int(status["UIDVALIDITY"])
    if mailbox.imap_uid_validity != validity:
        # A renumbered folder (or the first poll): read it all; kept messages are recognised by hash.
        mailbox.imap_uid_validity = validity
        mailbox.imap_last_uid = 0
        session.commit()
    last = mailbox.imap_last_uid or 0
    if int(status.get("UIDNEXT", last + 2)) <= last + 1:
        return  # nothing new: not even a search
    # "N:*" always names the highest UID, even one below N: keep only those past the last read.
    new = sorted(uid for uid in map(int, box.uids(AND(uid=U(str(last + 1), "*")))) if uid > last)
    if not new:
        return
    sent = sent_mail(session, mailbox.id)
    for batch in _chunks(new, BATCH):
        if not _read_batch(session, mailbox, box, validity, batch, sent, now, evidence, result):
            return  # another poll of this mailbox is reading the same messages right now


@dataclass
class _Batch:
    """One batch of messages being kept: what the mailbox already holds, and the files written so far."""

    mailbox_id: int
    validity: int
    # The content hashes kept under each Message-ID hash of the batch, by earlier polls and by this one.
    kept: dict[str, set[str]]
    written: list[Path] = field(default_factory=list)
    # The evidence stored from each kept message, whose ids it takes once the batch is flushed.
    stored: list[tuple[KeptMessage, list[Evidence]]] = field(default_factory=list)

    def flush(self, session: Session) -> None:
        """Insert the batch's rows in one flush and give each kept message its evidence ids."""
        session.flush()
        for kept, items in self.stored:
            kept.evidence_ids = [item.id for item in items]
        self.stored.clear()

    def seen(self, id_hash: str, content: str) -> tuple[bool, bool]:
        """Whether this very message is kept already, and whether another one holds its Message-ID."""
        contents = self.kept.setdefault(id_hash, set())
        return content in contents, bool(contents)

    def remember(self, id_hash: str, content: str) -> None:
        """Note a message kept in this batch (a second copy of it later in the batch is a duplicate)."""
        self.kept.setdefault(id_hash, set()).add(content)

    def discard_files(self) -> None:
        """The batch's rows were rolled back: its evidence files go too, never left orphaned."""
        for path in self.written:
            path.unlink(missing_ok=True)
        self.written.clear()


def _read_batch(
    session: Session,
    mailbox: PersonaMailbox,
    box: BaseMailBox,
    validity: int,
    batch: Sequence[int],
    sent: Sequence[SentMail],
    now: datetime,
    evidence: EvidenceFolder,
    result: PollResult,
) -> bool:
    """Fetch, read and keep one batch of UIDs in one transaction; False when another poll got there first.

    Two IMAP commands (sizes, then the bodies within the limit), one query for the Message-IDs
    already kept, one commit. If anything fails the whole batch is rolled back, its evidence
    files removed, and the batch read again next time (``imap_last_uid`` is committed with it).
    """
    uid_list = [str(uid) for uid in batch]
    sizes = {
        int(item.uid or 0): item.size_rfc822
        for item in box.fetch(uid_list=uid_list, headers_only=True, mark_seen=False, bulk=len(uid_list) + 1)
    }
    small = [str(uid) for uid in batch if sizes.get(uid, 0) <= MAX_MESSAGE_BYTES]
    bodies: dict[int, bytes] = {}
    if small:
        for item in box.fetch(uid_list=small, mark_seen=False, bulk=len(small) + 1):
            if isinstance(item, _Fetched):
                bodies[int(item.uid or 0)] = item.raw
    reads: dict[int, ReadMessage] = {}
    for uid, raw in bodies.items():
        with contextlib.suppress(TooLargeError):  # kept as refused below, like one the server did not send
            reads[uid] = read_message(raw)
    keys = {_refused_key(mailbox.id, validity, uid) for uid in batch if uid not in reads}
    keys |= {message_id_hash(_message_id(read)) for read in reads.values()}
    state = _Batch(mailbox.id, validity, _kept_contents(session, mailbox.id, keys))
    try:
        for uid in batch:
            result.fetched += 1
            if uid in reads:
                _keep(session, state, uid, bodies.pop(uid), reads.pop(uid), sent, now, evidence, result)
            else:
                size = len(bodies.pop(uid, b"")) or sizes.get(uid, 0)  # read and too large, or not sent
                _keep_refused(session, state, uid, size, now, result)
            mailbox.imap_last_uid = uid
        state.flush(session)
        session.commit()
    except IntegrityError:  # another poll kept one of them at the same moment: leave the rest to that one
        session.rollback()
        state.discard_files()
        return False
    except OSError as error:  # the evidence folder, not the server: said as such
        session.rollback()
        state.discard_files()
        raise StorageFullError(
            "message", f"the evidence folder refused the file ({error.strerror or error})"
        ) from error
    except BaseException:
        session.rollback()
        state.discard_files()
        raise
    return True


def _kept_contents(session: Session, mailbox_id: int, id_hashes: set[str]) -> dict[str, set[str]]:
    """The content hashes already kept in ``mailbox_id`` under each of ``id_hashes`` (one query)."""
    kept: dict[str, set[str]] = {}
    if not id_hashes:
        return kept
    rows = session.execute(
        select(KeptMessage.message_id_hash, KeptMessage.content_hash).where(
            KeptMessage.mailbox_id == mailbox_id, KeptMessage.message_id_hash.in_(sorted(id_hashes))
        )
    )
    for id_hash, content in rows:
        kept.setdefault(id_hash, set()).add(content)
    return kept


def _message_id(read: ReadMessage) -> str:
    """The Message-ID a message is kept under (one made of its content when it has none)."""
    return read.message_id or f"<no-message-id-{read.content_hash}>"


def _refused_key(mailbox_id: int, validity: int, uid: int) -> str:
    """The key a message refused unread is kept under: its UID in this numbering of the folder."""
    return message_id_hash(f"<too-large-{validity}-{uid}@{mailbox_id}>")


def sent_mail(session: Session, mailbox_id: int) -> list[SentMail]:
    """Every email sent through ``mailbox_id``, as matching needs it."""
    rows = session.execute(
        select(
            Contact.id,
            Contact.sent_message_id,
            Contact.reply_token,
            School.email,
            Contact.sent_subject,
            Contact.sent_at,
            Contact.sent_text,
            Contact.draft,
        )
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(School, School.id == Assignment.school_id)
        .where(Contact.sent_mailbox_id == mailbox_id, Contact.sent_message_id.is_not(None))
    ).all()
    return [
        SentMail(
            contact_id=row.id,
            message_id=row.sent_message_id or "",
            reply_token=row.reply_token or "",
            school_email=(row.email or "").lower(),
            subject=row.sent_subject or subject_of(row.sent_text or (row.draft or {}).get("sent_text", "")),
            sent_at=row.sent_at,
        )
        for row in rows
        if row.sent_at is not None
    ]


def subject_of(sent_text: str) -> str:
    """The subject in a sent email's text as the contact keeps it: ``Subject: …`` on its first line."""
    first = str(sent_text or "").lstrip().split("\n", 1)[0]
    name, colon, subject = first.partition(":")
    return subject.strip() if colon and name.strip().lower() in {"subject", "asunto"} else ""


def _keep_refused(
    session: Session,
    batch: _Batch,
    uid: int,
    size: int,
    now: datetime,
    result: PollResult,
) -> None:
    """A message too large to read: noted once under its UID (nothing of it was read)."""
    key = _refused_key(batch.mailbox_id, batch.validity, uid)
    if batch.seen(key, key)[0]:
        result.duplicates += 1
        return
    if size > MAX_MESSAGE_BYTES:
        try:
            refuse_if_too_large(size)
        except TooLargeError as error:
            note = error.reason
    else:  # the server sent no content for it
        note = "The server did not send this message's content; it was not read."
    session.add(
        KeptMessage(
            mailbox_id=batch.mailbox_id,
            uid_validity=batch.validity,
            uid=uid,
            message_id_hash=key,
            content_hash=key,
            kind="unread",
            state=MessageState.REFUSED,
            received_at=now,
            size=size,
            notes=note,
        )
    )
    batch.remember(key, key)
    result.add(MessageState.REFUSED)


def _keep(
    session: Session,
    batch: _Batch,
    uid: int,
    raw: bytes,
    read: ReadMessage,
    sent: Sequence[SentMail],
    now: datetime,
    evidence: EvidenceFolder,
    result: PollResult,
) -> None:
    """Match and apply one read message, once (a repeat is skipped, a clash kept with a note)."""
    message_id = _message_id(read)
    id_hash = message_id_hash(message_id)
    repeat, clash = batch.seen(id_hash, read.content_hash)
    if repeat:
        result.duplicates += 1
        return
    notes = list(read.notes)
    if clash:
        notes.append("Another message in this mailbox has the same Message-ID; both are kept.")
    match = match_message(read, sent)
    kept = KeptMessage(
        mailbox_id=batch.mailbox_id,
        uid_validity=batch.validity,
        uid=uid,
        message_id=message_id[:255],
        message_id_hash=id_hash,
        content_hash=read.content_hash,
        kind=read.kind.value,
        state=MessageState.UNMATCHED,
        rule=match.rule.value if match else None,
        contact_id=match.contact_id if match else None,
        sender=read.sender[:254],
        subject=read.subject[:500],
        sent_at=read.sent_at,
        received_at=now,
        size=read.size,
        notes="\n".join(notes),
        text=read.text[:MAX_TEXT],
    )
    session.add(kept)
    batch.remember(id_hash, read.content_hash)
    contact = session.get(Contact, match.contact_id) if match else None
    if contact is None:
        kept.state = MessageState.UNMATCHED
    elif read.kind is MessageKind.BOUNCE:
        kept.state = MessageState.BOUNCE
        _mark_address_failing(contact, read, now)
    elif read.kind is MessageKind.AUTO_REPLY:
        kept.state = MessageState.AUTO_REPLY
        _store_evidence(session, batch, kept, contact, raw, read, evidence, "Automatic reply (not counted)")
    elif match is not None and not match.confirmed:
        kept.state = MessageState.SUGGESTED
        _store_evidence(session, batch, kept, contact, raw, read, evidence, SUGGESTED_LABEL)
    else:
        label = REPLY_LABEL if contact.reply_received_at is None else FURTHER_LABEL
        _store_evidence(session, batch, kept, contact, raw, read, evidence, label)
        _apply_reply(kept, contact, now)
    result.add(kept.state)


def _store_evidence(
    session: Session,
    batch: _Batch,
    kept: KeptMessage,
    contact: Contact,
    raw: bytes,
    read: ReadMessage,
    evidence: EvidenceFolder,
    label: str,
) -> None:
    """Store the message (its text, as ``.eml``) and its accepted attachments on ``contact``."""
    notes = [kept.notes] if kept.notes else []
    stored: list[Evidence] = []
    items = [(evidence_copy(raw, read), "reply.eml", label)] + [
        (item.data, item.filename, f"{ATTACHED_LABEL}{item.filename}") for item in read.attachments
    ]
    for data, filename, item_label in items:
        try:  # a refused file raises before anything is written or stored
            saved = store_evidence(
                session,
                contact,
                data,
                filename,
                item_label,
                contact.auditor,
                evidence.folder,
                evidence.max_bytes,
                flush=False,  # the batch is flushed once, then ``kept.evidence_ids`` filled
            )
        except ValidationError as error:
            notes.append(f"“{filename}” was not stored as evidence: {error.reason}")
            continue
        batch.written.append(evidence.folder / saved.storage_name)
        stored.append(saved)
    batch.stored.append((kept, stored))
    kept.notes = "\n".join(notes)


def reply_moment(sent_at: datetime | None, contact: Contact, now: datetime) -> datetime:
    """When the reply was written: its ``Date`` if believable (after the send, not ahead of now), else now."""
    if sent_at is None or sent_at > now + CLOCK_SLACK:
        return now
    if contact.sent_at is not None and sent_at < contact.sent_at - CLOCK_SLACK:
        return now
    return sent_at


def _apply_reply(kept: KeptMessage, contact: Contact, now: datetime) -> None:
    """A personal reply of ``contact``: its time, business hours, received or late; only the first counts."""
    at = reply_moment(kept.sent_at, contact, now)
    first = contact.reply_received_at is None
    kept.state = MessageState.COUNTED if first else MessageState.FURTHER
    district = contact.assignment.round.district
    due = contact.reply_due_at
    if due is None and contact.sent_at is not None:
        due = district_reply_due(district, contact.sent_at)
    kept.late = due is not None and at > due
    if not first:
        return
    contact.reply_received_at = at
    contact.reply_status = reply_status(due, at, now) if due is not None else ReplyStatus.RECEIVED
    if contact.status not in EDITABLE_BY_AUDITOR:
        return  # submitted already (as "no reply", say): the late reply is shown, the record kept
    contact.reply_at = at
    contact.reply_text = kept.text
    contact.response_business_hours = (
        business_hours_between(BusinessCalendar.of(district), contact.sent_at, at)
        if contact.sent_at is not None
        else None
    )
    timezone = district.timezone
    values = form_values(contact, timezone)
    values.update(
        {
            "outcome": Outcome.REACHED.value,
            "reply_at": format_local(at, timezone),
            "reply_text": kept.text,
        }
    )
    if contact.sent_at is not None and not values.get("started_at"):
        values["started_at"] = format_local(contact.sent_at, timezone)
    _save_draft_as_auditor(contact, values, now)


def _save_draft_as_auditor(contact: Contact, values: dict[str, str], now: datetime) -> None:
    try:
        save_draft(contact, values, contact.auditor, now)
    except (ConflictError, NotAllowedError, ValidationError) as error:
        log.warning("could not prefill contact %s's draft: %s", contact.id, error)


def _mark_address_failing(contact: Contact, read: ReadMessage, now: datetime) -> None:
    """A bounce: the school's address is shown as failing on the school's page, from the bounce's time."""
    school = contact.assignment.school
    if (
        school.email
        and school.email.lower() not in {address.lower() for address in read.bounced}
        and read.bounced
    ):
        return  # the bounce is about another address than the school's
    school.email_failing_since = school.email_failing_since or read.sent_at or now
    failed = ", ".join(read.bounced) or (school.email or "the school's address")
    school.email_failure = f"Email to {failed} bounced: {read.subject}"[:1000]


def confirm_suggestion(session: Session, kept: KeptMessage, user: User, now: datetime) -> None:
    """The auditor confirms a sender-and-subject match: it becomes the contact's reply."""
    contact = _suggested_contact(kept, user)
    kept.decided_by_id = user.id
    kept.decided_at = now
    for item in contact.evidence:
        if item.id in (kept.evidence_ids or []) and item.label == SUGGESTED_LABEL:
            item.label = REPLY_LABEL
    _apply_reply(kept, contact, now)
    session.flush()


def decline_suggestion(session: Session, kept: KeptMessage, user: User, now: datetime, folder: Path) -> None:
    """The auditor says it is not this contact: its copies leave the contact; the message stays kept."""
    contact = _suggested_contact(kept, user)
    for item in list(contact.evidence):
        if item.id in (kept.evidence_ids or []):
            delete_evidence(session, item, folder)
    session.expire(contact, ["evidence"])
    kept.evidence_ids = []
    kept.state = MessageState.DECLINED
    kept.decided_by_id = user.id
    kept.decided_at = now
    session.flush()


def _suggested_contact(kept: KeptMessage, user: User) -> Contact:
    if kept.state is not MessageState.SUGGESTED or kept.contact is None:
        raise ConflictError("message", "this message is no longer waiting for a decision")
    if kept.contact.auditor_id != user.id:
        raise NotAllowedError("message", "only the contact's auditor decides whether a reply is theirs")
    return kept.contact


def suggestions_for(session: Session, user: User) -> list[KeptMessage]:
    """The messages matched to ``user``'s contacts by sender and subject only, oldest first."""
    return list(
        session.scalars(
            select(KeptMessage)
            .join(Contact, Contact.id == KeptMessage.contact_id)
            .where(KeptMessage.state == MessageState.SUGGESTED, Contact.auditor_id == user.id)
            .order_by(KeptMessage.received_at, KeptMessage.id)
        )
    )


def mark_no_reply(session: Session, now: datetime, contact_ids: Iterable[int] | None = None) -> list[Contact]:
    """Sent emails past their deadline without a personal reply: "no reply", prefilled for the auditor."""
    query = select(Contact).where(
        Contact.reply_status == ReplyStatus.AWAITING,
        Contact.reply_due_at.is_not(None),
        Contact.reply_due_at < now,
        Contact.reply_received_at.is_(None),
        Contact.reply_at.is_(None),  # the auditor recorded a reply themselves (an uploaded .eml)
    )
    if contact_ids is not None:
        query = query.where(Contact.id.in_(list(contact_ids)))
    overdue = list(session.scalars(query))
    overdue = [contact for contact in overdue if not (contact.draft or {}).get("reply_at")]
    for contact in overdue:
        contact.reply_status = ReplyStatus.NO_REPLY
        if contact.status in EDITABLE_BY_AUDITOR:
            timezone = contact.assignment.round.district.timezone
            values = form_values(contact, timezone)
            if not values.get("outcome"):
                values["outcome"] = Outcome.NO_REPLY.value
                _save_draft_as_auditor(contact, values, now)
    session.flush()
    return overdue
