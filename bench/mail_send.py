"""Benchmark sending email contacts through a persona mailbox on a real local SMTP server.

Run: ``.venv/bin/python bench/mail_send.py [--contacts 50] [--starts 5]``. Starts Dovecot and the
SMTP server of ``tests/mail_servers.py`` (needs ``make mail-deps``), sends ``--contacts`` email
contacts one after the other as the Send button does (compose, file the evidence, SMTP, commit) on
a migrated SQLite database, and prints the median and 95th percentile seconds of one send, the
median seconds to start Dovecot, and the load average (the figures mean little on a busy machine).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from audits.fieldwork.contacts import start_contact
from audits.mail.sending import EmailDraft, send_contact_email
from audits.models import Assignment, Channel, Slot
from tests.audits.fieldwork_helpers import build_fieldwork, local
from tests.audits.mail_helpers import VAULT, persona_mailbox
from tests.mail_servers import DovecotServer, MailAccount, SmtpServer

DRAFT = EmailDraft("Free meals for my son", "Hello,\n\nHow do we apply for free meals?\n\nThank you,\nMaria")


def dovecot_starts(times: int) -> list[float]:
    """Seconds to start Dovecot (until it greets), ``times`` times."""
    found = []
    for _ in range(times):
        began = time.perf_counter()
        server = DovecotServer().start()
        found.append(time.perf_counter() - began)
        server.stop()
    return found


def sends(contacts: int, folder: Path) -> list[float]:
    """Seconds of each of ``contacts`` sends through the local servers."""
    dovecot = DovecotServer().start()
    smtp = SmtpServer(dovecot).start()
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'bench.sqlite'}"})
    found = []
    try:
        with app.app_context():
            upgrade()
            session = db.session
            world = build_fieldwork(session)  # type: ignore[arg-type]
            world.school.email = "office@abess.example.org"
            account = MailAccount(dovecot, smtp, dovecot.add_user("maria.family@example.net"))
            persona_mailbox(session, world.district, world.auditor, account)  # type: ignore[arg-type]
            assignments = [
                Assignment(
                    round_id=world.round.id, school_id=world.school.id, scenario_id=world.email.scenario_id,
                    auditor_id=world.auditor.id, channel=Channel.EMAIL, sequence=number + 2,
                    due_day=date(2027, 2, 2), slot=Slot.MIDDAY,
                )
                for number in range(contacts)
            ]  # fmt: skip
            session.add_all(assignments)
            session.commit()
            sent_at = local("2027-02-02T09:14")
            for assignment in assignments:
                contact = start_contact(session, assignment, world.auditor)  # type: ignore[arg-type]
                session.commit()
                began = time.perf_counter()
                send_contact_email(
                    session, contact, world.auditor, DRAFT, VAULT, clock=lambda: sent_at,  # type: ignore[arg-type]
                    folder=folder / "evidence", max_bytes=15 * 1024 * 1024,
                )  # fmt: skip
                session.commit()
                found.append(time.perf_counter() - began)
            assert len(smtp.received) == contacts
            db.session.remove()
            db.engine.dispose()
    finally:
        smtp.stop()
        dovecot.stop()
    return found


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contacts", type=int, default=50)
    parser.add_argument("--starts", type=int, default=5)
    arguments = parser.parse_args()
    starts = dovecot_starts(arguments.starts)
    with tempfile.TemporaryDirectory() as folder:
        (Path(folder) / "evidence").mkdir()
        timings = sends(arguments.contacts, Path(folder))
    p95 = statistics.quantiles(timings, n=20)[-1]
    print(f"Dovecot start: median {statistics.median(starts):.3f} s ({arguments.starts} starts)")
    print(f"send one email contact: median {statistics.median(timings) * 1000:.1f} ms, "
          f"p95 {p95 * 1000:.1f} ms ({arguments.contacts} contacts, SMTP on 127.0.0.1, SQLite)")  # fmt: skip
    print("load average (1, 5, 15 min): " + ", ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
