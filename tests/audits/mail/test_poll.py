"""Polling a persona mailbox on a real Dovecot, after sending through a real SMTP server.

Every test sends the email contact through aiosmtpd (tests/mail_servers.py), drops the school's
answer into the persona's IMAP INBOX, and polls with imap-tools: nothing here is a mock.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import StorageFullError
from audits.mail import classify, poll
from audits.mail.matching import MatchRule
from audits.mail.poll import (
    backoff,
    confirm_suggestion,
    decline_suggestion,
    mark_no_reply,
    poll_mailbox,
    suggestions_for,
)
from audits.models import (
    Contact,
    Evidence,
    EvidenceKind,
    MessageState,
    PersonaMailbox,
    PollStatus,
    ReceivedMessage,
    ReplyStatus,
)
from audits.retention import blank_texts
from tests.audits.mail.messages import bounce, png_bytes, reply
from tests.audits.mail.poll_helpers import (
    SCHOOL_EMAIL,
    SUBJECT,
    Sent,
    evidence_folder,
    send_email_contact,
)
from tests.audits.mail_helpers import VAULT
from tests.mail_servers import MailAccount, reply_to

SENT_LABEL = "Email sent"
# Wednesday 3 February 2027, 10:00 in New York; the poll runs at noon.
ANSWERED = datetime(2027, 2, 3, 15, 0, tzinfo=UTC)
NOON = datetime(2027, 2, 3, 17, 0, tzinfo=UTC)
# 09:14 → 16:00 on Tuesday (6 h 46 min) and 07:30 → 10:00 on Wednesday (2 h 30 min).
BUSINESS_HOURS = 6 + 46 / 60 + 2.5


@pytest.fixture
def sent(session: Session, mail_account: MailAccount, tmp_path: Path) -> Sent:
    return send_email_contact(session, mail_account, tmp_path / "evidence")


def run_poll(session: Session, sent: Sent, tmp_path: Path, now: datetime = NOON) -> poll.PollResult:
    password = VAULT.decrypt(sent.mailbox.imap_password_encrypted)
    return poll_mailbox(session, sent.mailbox, password, now, evidence_folder(tmp_path))


def kept(session: Session) -> list[ReceivedMessage]:
    return list(session.scalars(select(ReceivedMessage).order_by(ReceivedMessage.id)))


def evidence_count(session: Session, contact: Contact) -> int:
    """Evidence on ``contact`` besides the sent email."""
    query = (
        select(func.count())
        .select_from(Evidence)
        .where(Evidence.contact_id == contact.id, Evidence.label != SENT_LABEL)
    )
    return session.scalar(query) or 0


def received_evidence(contact: Contact) -> list[Evidence]:
    """The contact's evidence besides the sent email."""
    return [item for item in contact.evidence if item.label != SENT_LABEL]


def school_reply(sent: Sent, text: str = "Hello, bring proof of address and her birth certificate.") -> bytes:
    """The school's answer to what the SMTP server delivered to it: threaded, to the reply address."""
    delivered = sent.account.sent_to(SCHOOL_EMAIL)[-1].message
    answer = reply_to(delivered, f"Front Office <{SCHOOL_EMAIL}>", text, format_datetime(ANSWERED))
    return answer.as_bytes()


def test_a_threaded_reply_becomes_the_contacts_reply_with_its_business_hours(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    delivered = sent.account.sent_to(SCHOOL_EMAIL)
    assert len(delivered) == 1 and delivered[0].message["Message-ID"] == sent.message_id
    sent.account.deliver(school_reply(sent))
    result = run_poll(session, sent, tmp_path)
    assert result.fetched == 1 and result.count(MessageState.COUNTED) == 1 and not result.error
    contact = session.get(Contact, sent.contact.id)
    assert contact is not None
    assert contact.reply_received_at == ANSWERED and contact.reply_at == ANSWERED
    assert contact.response_business_hours == pytest.approx(BUSINESS_HOURS)
    assert contact.reply_status is ReplyStatus.RECEIVED
    assert contact.reply_text == "Hello, bring proof of address and her birth certificate."
    assert contact.draft["outcome"] == "reached"
    assert not [
        name for name in contact.draft if name.startswith("item-")
    ]  # the rubric: the auditor's to judge
    assert contact.draft["reply_at"] == "2027-02-03T10:00"
    [message] = kept(session)
    assert (message.state, message.rule, message.contact_id) == (
        MessageState.COUNTED, MatchRule.THREAD.value, contact.id,
    )  # fmt: skip
    [stored] = received_evidence(contact)
    assert stored.kind is EvidenceKind.EMAIL and stored.label == poll.REPLY_LABEL
    assert (tmp_path / "evidence" / stored.storage_name).read_bytes().startswith(b"From: Front Office")
    mailbox = session.get(PersonaMailbox, sent.mailbox.id)
    assert mailbox is not None and mailbox.last_poll_status is PollStatus.OK and mailbox.imap_last_uid == 1
    assert len(sent.account.inbox()) == 1  # nothing deleted from the mailbox


def test_a_reply_without_threading_headers_is_matched_by_its_reply_address(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(
        reply(at=ANSWERED, to=sent.reply_address, subject="Your question", sender=SCHOOL_EMAIL)
    )
    run_poll(session, sent, tmp_path)
    [message] = kept(session)
    assert message.rule == MatchRule.REPLY_ADDRESS.value and message.state is MessageState.COUNTED
    assert sent.contact.reply_received_at == ANSWERED


def test_a_match_by_sender_and_subject_waits_for_the_auditor(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(
        reply(at=ANSWERED, to=sent.account.address, subject=f"RE: {SUBJECT}", sender=SCHOOL_EMAIL)
    )
    run_poll(session, sent, tmp_path)
    [message] = kept(session)
    assert message.state is MessageState.SUGGESTED and message.rule == MatchRule.SENDER_SUBJECT.value
    assert sent.contact.reply_received_at is None  # not counted until confirmed
    assert suggestions_for(session, sent.fieldwork.auditor) == [message]
    assert suggestions_for(session, sent.fieldwork.other_auditor) == []
    confirm_suggestion(session, message, sent.fieldwork.auditor, NOON)
    session.commit()
    assert message.state is MessageState.COUNTED and message.decided_by_id == sent.fieldwork.auditor.id
    assert sent.contact.reply_received_at == ANSWERED
    assert sent.contact.response_business_hours == pytest.approx(BUSINESS_HOURS)
    assert [item.label for item in received_evidence(sent.contact)] == [poll.REPLY_LABEL]


def test_declining_a_suggestion_takes_its_copy_off_the_contact(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(
        reply(at=ANSWERED, to=sent.account.address, subject=f"Re: {SUBJECT}", sender=SCHOOL_EMAIL)
    )
    run_poll(session, sent, tmp_path)
    [message] = kept(session)
    assert evidence_count(session, sent.contact) == 1
    with pytest.raises(poll.NotAllowedError):
        decline_suggestion(session, message, sent.fieldwork.other_auditor, NOON, tmp_path / "evidence")
    decline_suggestion(session, message, sent.fieldwork.auditor, NOON, tmp_path / "evidence")
    session.commit()
    assert message.state is MessageState.DECLINED and evidence_count(session, sent.contact) == 0
    assert sent.contact.reply_received_at is None
    assert len(list((tmp_path / "evidence").iterdir())) == 1  # the sent email alone


def test_auto_replies_are_kept_but_not_counted_and_a_bounce_marks_the_address_failing(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(
        reply("I am out of the office until Monday.", at=ANSWERED, in_reply_to=sent.message_id,
              subject=f"Automatic reply: {SUBJECT}", sender=SCHOOL_EMAIL,
              headers={"Auto-Submitted": "auto-replied"})
    )  # fmt: skip
    sent.account.deliver(bounce(SCHOOL_EMAIL, sent.message_id))
    result = run_poll(session, sent, tmp_path)
    assert result.count(MessageState.AUTO_REPLY) == 1 and result.count(MessageState.BOUNCE) == 1
    contact = sent.contact
    assert contact.reply_received_at is None and contact.reply_status is ReplyStatus.AWAITING
    assert [item.label for item in received_evidence(contact)] == ["Automatic reply (not counted)"]
    school = sent.fieldwork.school
    assert school.email_failing_since is not None
    assert SCHOOL_EMAIL in school.email_failure and "bounced" in school.email_failure


def test_past_the_deadline_without_a_reply_is_no_reply_and_a_later_reply_is_late(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    due = sent.contact.reply_due_at
    assert due == datetime(2027, 2, 4, 14, 14, tzinfo=UTC)  # Thursday 09:14: two school days
    assert mark_no_reply(session, due - timedelta(minutes=1)) == []
    assert mark_no_reply(session, due + timedelta(minutes=1)) == [sent.contact]
    session.commit()
    assert sent.contact.reply_status is ReplyStatus.NO_REPLY
    assert sent.contact.draft["outcome"] == "no_reply"  # for the auditor to submit
    late = datetime(2027, 2, 5, 15, 0, tzinfo=UTC)
    sent.account.deliver(reply(at=late, in_reply_to=sent.message_id, sender=SCHOOL_EMAIL))
    run_poll(session, sent, tmp_path, now=late + timedelta(hours=1))
    [message] = kept(session)
    assert message.late and message.state is MessageState.COUNTED
    assert sent.contact.reply_status is ReplyStatus.LATE and sent.contact.reply_received_at == late


def test_polling_again_reads_only_new_messages_and_doubles_nothing(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(school_reply(sent))
    assert run_poll(session, sent, tmp_path).fetched == 1
    assert run_poll(session, sent, tmp_path).fetched == 0
    # A further reply, then the very same reply delivered again, then a stranger's message clashing on its ID.
    sent.account.deliver(reply("One more thing: bring her shot records.", at=ANSWERED + timedelta(hours=1),
                               in_reply_to=sent.message_id, sender=SCHOOL_EMAIL))  # fmt: skip
    sent.account.deliver(school_reply_again := kept_bytes(sent))
    clash_id = kept(session)[0].message_id
    sent.account.deliver(reply("Unrelated newsletter", message_id=clash_id, sender="news@elsewhere.test"))
    result = run_poll(session, sent, tmp_path)
    assert result.fetched == 3 and result.duplicates == 1 and school_reply_again
    states = [message.state for message in kept(session)]
    assert states == [MessageState.COUNTED, MessageState.FURTHER, MessageState.UNMATCHED]
    assert "same Message-ID" in kept(session)[2].notes
    assert sent.contact.reply_received_at == ANSWERED  # the first reply's time stays
    # The server renumbers the folder (a new UIDVALIDITY): everything is read again, nothing doubled.
    mailbox = sent.mailbox
    mailbox.imap_uid_validity = (mailbox.imap_uid_validity or 0) + 1
    session.commit()
    again = run_poll(session, sent, tmp_path)
    assert again.fetched == 4 and again.duplicates == 4
    assert len(kept(session)) == 3 and evidence_count(session, sent.contact) == 2


def kept_bytes(sent: Sent) -> bytes:
    """The first message of the persona's INBOX, byte for byte (as a second delivery of it)."""
    return sent.account.dovecot.messages(sent.account.user)[0]


def test_a_wrong_password_or_unreachable_server_is_recorded_and_retried_later(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    folder = evidence_folder(tmp_path)
    result = poll_mailbox(session, sent.mailbox, "wrong password", NOON, folder)
    mailbox = sent.mailbox
    assert "refused the username or password" in result.error
    assert mailbox.last_poll_status is PollStatus.FAILED and mailbox.last_poll_error == result.error
    assert mailbox.poll_failures == 1 and mailbox.next_poll_at == NOON + backoff(1)
    assert poll_mailbox(session, mailbox, "wrong password", NOON + timedelta(minutes=1), folder).skipped
    second = poll_mailbox(session, mailbox, "wrong password", NOON + timedelta(minutes=3), folder)
    assert second.error and mailbox.poll_failures == 2 and mailbox.next_poll_at == NOON + timedelta(minutes=7)
    mailbox.imap_port = free_port()
    third = poll_mailbox(session, mailbox, sent.account.password, NOON + timedelta(hours=1), folder)
    assert "Could not reach the IMAP server" in third.error and mailbox.poll_failures == 3
    mailbox.imap_port = sent.account.imap_port
    sent.account.deliver(school_reply(sent))
    fourth = poll_mailbox(session, mailbox, sent.account.password, NOON + timedelta(hours=2), folder)
    assert not fourth.error and fourth.count(MessageState.COUNTED) == 1
    assert (
        mailbox.last_poll_status is PollStatus.OK
        and mailbox.poll_failures == 0
        and not mailbox.last_poll_error
    )


def free_port() -> int:
    from tests.mail_servers import free_port as port

    return port()


def test_huge_malformed_html_and_disguised_messages_lose_nothing_and_store_nothing_unsafe(
    session: Session, sent: Sent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poll, "MAX_MESSAGE_BYTES", 20_000)
    monkeypatch.setattr(classify, "MAX_MESSAGE_BYTES", 20_000)
    sent.account.deliver(reply("x" * 30_000, at=ANSWERED, in_reply_to=sent.message_id, sender=SCHOOL_EMAIL))
    with_attachments = reply(
        html="<p>Hello,</p><script>alert(1)</script><p>Forms <b>attached</b>.</p>",
        at=ANSWERED + timedelta(minutes=5), in_reply_to=sent.message_id, sender=SCHOOL_EMAIL,
    )  # fmt: skip
    with_attachments.add_attachment(png_bytes(), maintype="image", subtype="png", filename="form.png")
    with_attachments.add_attachment(b"MZ\x90\x00" + b"\x00" * 60, maintype="image", subtype="jpeg",
                                    filename="photo.jpg")  # fmt: skip
    sent.account.deliver(with_attachments)
    sent.account.deliver(b"Subject: Re: broken\r\nFrom: =?x?q?broken \r\n\r\n\xff\xfe not a message")
    result = run_poll(session, sent, tmp_path)
    assert result.fetched == 3 and not result.error
    huge, html, broken = kept(session)
    assert huge.state is MessageState.REFUSED and "limit" in huge.notes and huge.contact_id is None
    assert html.state is MessageState.COUNTED
    assert "photo.jpg" in html.notes
    assert sent.contact.reply_text == "Hello,\nForms attached."
    assert sorted(item.kind for item in received_evidence(sent.contact)) == [
        EvidenceKind.EMAIL,
        EvidenceKind.IMAGE,
    ]
    assert broken.state is MessageState.UNMATCHED
    assert run_poll(session, sent, tmp_path).fetched == 0  # each of them read once


def test_a_reply_that_cannot_be_stored_is_read_again_next_time(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(school_reply(sent))
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the evidence folder should be")
    password = VAULT.decrypt(sent.mailbox.imap_password_encrypted)
    failed = poll_mailbox(session, sent.mailbox, password, NOON, poll.EvidenceFolder(blocked, 10_000_000))
    assert "could not be stored" in failed.error and "evidence folder refused" in failed.error
    assert sent.mailbox.last_poll_status is PollStatus.FAILED and not kept(session)
    assert sent.contact.reply_received_at is None
    later = NOON + timedelta(hours=1)
    result = poll_mailbox(session, sent.mailbox, password, later, evidence_folder(tmp_path))
    assert result.count(MessageState.COUNTED) == 1 and sent.contact.reply_received_at == ANSWERED


def test_a_batch_that_fails_midway_leaves_no_file_behind_and_is_read_again_whole(
    session: Session, sent: Sent, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent.account.deliver(school_reply(sent))
    sent.account.deliver(reply("One more thing: bring her shot records.", at=ANSWERED + timedelta(hours=1),
                               in_reply_to=sent.message_id, sender=SCHOOL_EMAIL))  # fmt: skip
    folder = evidence_folder(tmp_path)
    files_before = sorted(folder.folder.iterdir())
    store = poll.store_evidence
    calls: list[str] = []

    def disk_full_on_the_second_reply(*args: object, **kwargs: object) -> Evidence:
        calls.append("store")
        if len(calls) == 2:
            raise StorageFullError("file", "The disk is full.")
        return store(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(poll, "store_evidence", disk_full_on_the_second_reply)
    password = VAULT.decrypt(sent.mailbox.imap_password_encrypted)
    failed = poll_mailbox(session, sent.mailbox, password, NOON, folder)
    assert "could not be stored" in failed.error and len(calls) == 2
    # The first reply's file was written, then its batch rolled back: the file went with it.
    assert sorted(folder.folder.iterdir()) == files_before
    assert not kept(session) and evidence_count(session, sent.contact) == 0
    assert sent.contact.reply_received_at is None
    monkeypatch.setattr(poll, "store_evidence", store)
    result = poll_mailbox(session, sent.mailbox, password, NOON + timedelta(hours=1), folder)
    assert result.fetched == 2 and not result.error
    assert result.count(MessageState.COUNTED) == result.count(MessageState.FURTHER) == 1
    assert evidence_count(session, sent.contact) == 2 and sent.contact.reply_received_at == ANSWERED
    assert len(list(folder.folder.iterdir())) == len(files_before) + 2


def test_the_retention_purge_blanks_what_the_school_wrote(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    sent.account.deliver(school_reply(sent))
    run_poll(session, sent, tmp_path)
    [message] = kept(session)
    assert message.text and message.subject
    blank_texts(session, [sent.fieldwork.round], NOON)
    session.commit()
    [message] = kept(session)
    assert (message.text, message.subject) == ("", "")
    assert message.state is MessageState.COUNTED  # the fact of the reply stays


def test_a_reply_the_auditor_recorded_by_hand_is_never_marked_no_reply(
    session: Session, sent: Sent, tmp_path: Path
) -> None:
    due = sent.contact.reply_due_at
    assert due is not None
    sent.contact.draft = {**sent.contact.draft, "reply_at": "2027-02-03T10:00"}  # from an uploaded .eml
    session.commit()
    assert mark_no_reply(session, due + timedelta(minutes=1)) == []
    assert sent.contact.reply_status is ReplyStatus.AWAITING
