"""Benchmark the mailbox poll: a persona mailbox of 10,000 messages of which 500 are new.

Run: ``.venv/bin/python bench/mail_poll.py [--total 10000] [--new 500] [--repeat 5]``.

A real Dovecot (``tests/mail_servers.py``; ``make mail-deps`` installs it) holds the mailbox.
The first ``total - new`` messages were read by an earlier poll (the mailbox keeps their
UIDVALIDITY and last UID); the ``new`` ones are a mix of the school's threaded replies,
automatic replies and unrelated mail. Each run polls from that same state (the kept messages,
evidence and reply fields of the last run are removed first) and measures the seconds, the
peak of Python's allocations (tracemalloc) and the process's peak resident memory, and counts
the messages fetched: only the new ones should be. Prints medians and the load average.
"""

from __future__ import annotations

import argparse
import imaplib
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import delete

from app import create_app
from app.extensions import db
from audits.fieldwork.contacts import start_contact
from audits.mail.credentials import Vault
from audits.mail.deadline import district_reply_due
from audits.mail.poll import EvidenceFolder, poll_mailbox
from audits.models import (
    Contact,
    Evidence,
    MailSecurity,
    MessageState,
    PersonaMailbox,
    ReceivedMessage,
    ReplyStatus,
)
from tests.audits.fieldwork_helpers import build_fieldwork
from tests.mail_servers import DovecotServer

SCHOOL = "office@abess.school.test"
SENT = datetime(2027, 2, 2, 14, 14, tzinfo=UTC)
NOW = datetime(2027, 2, 5, 17, 0, tzinfo=UTC)
SENT_ID = "<tp.0123456789abcdef0123.a1b2c3@touchpoint.test>"
KEY = Vault.of("", "bench secret key")


def message(number: int, kind: str) -> bytes:
    """One message of the mailbox: a newsletter, an automatic reply or the school's threaded reply."""
    mail = EmailMessage()
    mail["To"] = "persona@touchpoint.test"
    mail["Date"] = format_datetime(SENT + timedelta(minutes=number % 3000))
    mail["Message-ID"] = make_msgid(idstring=str(number), domain="bench.test")
    if kind == "reply":
        mail["From"] = f"Front Office <{SCHOOL}>"
        mail["Subject"] = "Re: Enrolling my daughter"
        mail["In-Reply-To"] = SENT_ID
        mail["References"] = SENT_ID
        mail.set_content(f"Hello, about your question ({number}): bring proof of address.\n" * 5)
    elif kind == "auto":
        mail["From"] = SCHOOL
        mail["Subject"] = "Automatic reply: Enrolling my daughter"
        mail["Auto-Submitted"] = "auto-replied"
        mail["In-Reply-To"] = SENT_ID
        mail.set_content("I am out of the office until Monday.\n")
    else:
        mail["From"] = f"news{number % 17}@district-news.test"
        mail["Subject"] = f"District newsletter {number}"
        mail.set_content(("Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 8 + "\n") * 20)
    return mail.as_bytes()


def fill(server: DovecotServer, address: str, numbers: range, kinds: list[str]) -> None:
    """APPEND the messages ``numbers`` over one IMAP connection."""
    user = server.users[address]
    connection = imaplib.IMAP4(server.host, server.port, timeout=60)
    try:
        connection.login(user.username, user.password)
        for index, number in enumerate(numbers):
            data = message(number, kinds[index % len(kinds)])
            status, detail = connection.append("INBOX", None, None, data)
            if status != "OK":
                raise RuntimeError(f"APPEND refused: {detail!r}")
    finally:
        connection.logout()


def main() -> None:
    """Fill the mailbox, then poll it ``--repeat`` times from the same state; print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    old = args.total - args.new
    server = DovecotServer().start()
    folder = Path(tempfile.mkdtemp(prefix="tp-bench-mail-"))
    try:
        address = "persona@touchpoint.test"
        server.add_user(address)
        started = time.perf_counter()
        fill(server, address, range(old), ["newsletter"])
        # The new messages: 1 in 10 the school's replies, 1 in 10 automatic replies, the rest other mail.
        fill(server, address, range(old, args.total), ["reply", "auto"] + ["newsletter"] * 8)
        print(f"filled a mailbox of {args.total:,} messages in {time.perf_counter() - started:.1f} s")
        database = f"sqlite:///{folder}/bench.sqlite"
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database, "EVIDENCE_DIR": str(folder / "ev")})
        with app.app_context():
            upgrade()
            session = db.session
            world = build_fieldwork(session)
            world.school.email = SCHOOL
            mailbox = PersonaMailbox(
                district_id=world.district.id, address=address, smtp_host=server.host, imap_host=server.host,
                imap_port=server.port, imap_security=MailSecurity.NONE, imap_username=address,
                imap_password_encrypted=KEY.encrypt(server.password),
            )  # fmt: skip
            session.add(mailbox)
            contact = start_contact(session, world.email, world.auditor)
            contact.sent_mailbox = mailbox
            contact.sent_message_id = SENT_ID
            contact.reply_token = "0123456789abcdef0123"
            contact.sent_at = SENT
            contact.reply_due_at = district_reply_due(world.district, SENT)
            session.commit()
            with server.imap(server.users[address]) as connection:
                connection.select("INBOX", readonly=True)
                validity = int(connection.untagged_responses["UIDVALIDITY"][0])
            evidence = EvidenceFolder(folder / "ev", 10 * 1024 * 1024)
            evidence.folder.mkdir(parents=True, exist_ok=True)
            seconds, peaks, fetched = [], [], []
            for _ in range(args.repeat):
                session.execute(delete(ReceivedMessage))
                session.execute(delete(Evidence))
                for name in os.listdir(evidence.folder):
                    (evidence.folder / name).unlink()
                contact.reply_received_at = contact.reply_at = None
                contact.reply_status = ReplyStatus.AWAITING
                contact.draft = {}
                mailbox.imap_uid_validity, mailbox.imap_last_uid = validity, old  # read up to here before
                session.commit()
                tracemalloc.start()
                start = time.perf_counter()
                result = poll_mailbox(session, mailbox, server.password, NOW, evidence, force=True)
                seconds.append(time.perf_counter() - start)
                peaks.append(tracemalloc.get_traced_memory()[1] / 2**20)
                tracemalloc.stop()
                if result.error:
                    raise SystemExit(result.error)
                fetched.append(result.fetched)
            counted = result.count(MessageState.COUNTED) + result.count(MessageState.FURTHER)
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"poll of {args.total:,} messages, {args.new:,} new ({args.repeat} runs):")
            median = statistics.median(seconds)
            print(f"  median {median:.2f} s (min {min(seconds):.2f}, max {max(seconds):.2f})")
            peak = statistics.median(peaks)
            print(f"  median peak Python allocations {peak:.1f} MiB; peak RSS {rss:.0f} MiB")
            autos, others = result.count(MessageState.AUTO_REPLY), result.count(MessageState.UNMATCHED)
            print(f"  fetched per run: {sorted(set(fetched))} (only the new ones)")
            print(f"  last run: {counted} replies, {autos} automatic replies, {others} other messages")
            assert set(fetched) == {args.new}, "the poll fetched messages it had read before"
            assert db.session.get(Contact, contact.id) is not None
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
    load = os.getloadavg()
    print(f"load average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
