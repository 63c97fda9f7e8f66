"""Where sent email contacts stand: the words on an auditor's assignment, the counts on a round."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact
from audits.mail.sending import send_contact_email
from audits.mail.status import mail_status, mail_statuses, reply_counts
from audits.models import Contact, ReplyStatus
from tests.audits.fieldwork_helpers import local
from tests.audits.mail_helpers import VAULT, persona_mailbox
from tests.audits.test_mail_sending import DRAFT, MAX_BYTES, SENT, _world
from tests.mail_servers import MailAccount

ZONE = "America/New_York"
DUE = local("2027-02-04T09:14")  # Thursday: two school days after Tuesday 09:14


def _contact(**fields: object) -> Contact:
    return Contact(sent_at=SENT, reply_due_at=DUE, **fields)


def test_the_words_follow_the_reply_and_the_deadline() -> None:
    """Awaiting, received, late, no reply: each with its times in the district's time."""
    assert mail_status(Contact(), ZONE, SENT) is None  # not sent through Touchpoint
    awaiting = mail_status(_contact(), ZONE, local("2027-02-02T10:00"))
    assert awaiting is not None
    assert (awaiting.key, awaiting.text) == ("awaiting", "Sent 09:14, awaiting reply (due by Thu 09:14)")
    later = mail_status(_contact(), ZONE, local("2027-02-03T10:00"))
    assert later is not None and later.text == "Sent Tue 09:14, awaiting reply (due by Thu 09:14)"
    overdue = mail_status(_contact(), ZONE, local("2027-02-04T10:00"))
    assert overdue is not None
    assert (overdue.key, overdue.text) == ("no_reply", "Sent Tue 09:14, no reply by the deadline (09:14)")
    received = mail_status(_contact(reply_received_at=local("2027-02-03T11:05")), ZONE, DUE)
    assert received is not None and received.text == "Sent Tue 09:14, reply received Wed 11:05"
    late = mail_status(_contact(reply_received_at=local("2027-02-05T08:00")), ZONE, local("2027-02-05T09:00"))
    assert late is not None
    assert (late.key, late.text) == ("late", "Sent Tue 09:14, reply came late: 08:00 (due Thu 09:14)")
    far = mail_status(_contact(), ZONE, local("2027-02-02T10:00") - timedelta(days=9))
    assert far is not None and far.text == "Sent Tue, Feb 2 09:14, awaiting reply (due by Thu, Feb 4 09:14)"


def test_a_contact_the_poll_marked_no_reply_stays_so() -> None:
    """Marked "no reply" by the deadline job: no reply, even read before the deadline's moment."""
    marked = mail_status(_contact(reply_status=ReplyStatus.NO_REPLY), ZONE, local("2027-02-03T10:00"))
    assert marked is not None and marked.key == "no_reply"


def test_a_round_counts_replies_awaited_received_and_overdue(
    session: Session, mail_account: MailAccount, tmp_path: Path
) -> None:
    """A sent contact counts as awaited, then overdue after its deadline, or received (late or not)."""
    world = _world(session)
    persona_mailbox(session, world.district, world.auditor, mail_account)
    contact = start_contact(session, world.email, world.auditor)
    send_contact_email(
        session, contact, world.auditor, DRAFT, VAULT, clock=lambda: SENT, folder=tmp_path,
        max_bytes=MAX_BYTES,
    )  # fmt: skip
    session.commit()
    counts = reply_counts(session, world.round.id, local("2027-02-03T10:00"))
    assert (counts.sent, counts.awaiting, counts.received, counts.late, counts.overdue) == (1, 1, 0, 0, 0)
    assert reply_counts(session, world.round.id, local("2027-02-04T10:00")).overdue == 1
    statuses = mail_statuses(session, [world.email, world.phone], ZONE, local("2027-02-03T10:00"))
    assert list(statuses) == [world.email.id] and statuses[world.email.id].key == "awaiting"
    contact.reply_received_at = local("2027-02-05T08:00")
    contact.reply_status = ReplyStatus.LATE
    session.commit()
    counts = reply_counts(session, world.round.id, local("2027-02-08T10:00"))
    assert (counts.awaiting, counts.received, counts.late, counts.overdue) == (0, 1, 1, 0)
