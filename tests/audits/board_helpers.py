"""A round in the field whose assignments stand in every status of the progress board, for the board and
the leader's home.

On Wednesday, February 3, 2027 (``TODAY``), by school:

- Abess Park Elementary: the phone call waits for review (attempt 2, after a busy line); the email is
  approved, unreached (no reply); the visit, due February 2, has an unsaved attempt: overdue.
- Beta Middle: phone call 1 is due today, untouched; phone call 2 (due February 1) was returned; the
  email (due February 5) has a saved draft: due later.
- Gamma High: the phone call (due February 4, another auditor's) was approved, then reopened: returned.

So: 1 approved, 1 waiting for review, 2 returned, 1 overdue, 1 due today, 1 due later (7 in all).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy.orm import Session

from audits.fieldwork.contacts import approve, reopen, retry, return_contact, start_contact, submit
from audits.fieldwork.drafts import save_draft
from audits.models import Assignment, Contact, Level, Role, School, Slot, User
from audits.passwords import hash_password
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, attempt, build_fieldwork
from tests.conftest import TEST_NOW

TODAY = date(2027, 2, 3)


@dataclass
class BoardWorld:
    """The fieldwork world with two more schools, a leader, and the contacts that set each status."""

    fieldwork: Fieldwork
    leader: User
    beta: School
    gamma: School
    beta_phone_today: Assignment
    beta_phone_returned: Assignment
    beta_email: Assignment
    gamma_phone: Assignment
    abess_call: Contact  # attempt 2, waiting for review
    beta_returned: Contact
    gamma_reopened: Contact


def _assignment(
    session: Session,
    like: Assignment,
    school: School,
    due: date,
    sequence: int = 1,
    auditor: User | None = None,
) -> Assignment:
    assignment = Assignment(
        round_id=like.round_id,
        school_id=school.id,
        scenario_id=like.scenario_id,
        auditor_id=(auditor.id if auditor else like.auditor_id),
        channel=like.channel,
        sequence=sequence,
        due_day=due,
        slot=Slot.MORNING,
    )
    session.add(assignment)
    session.flush()
    return assignment


def build_board(session: Session) -> BoardWorld:
    """Create the world (committed)."""
    world = build_fieldwork(session)
    auditor, other, reviewer, calendar = world.auditor, world.other_auditor, world.reviewer, world.calendar
    world.school.phone, world.school.email = "+19045550100", "office@abess.example.org"
    world.school.principal_name, world.school.office_hours = "Pat Principal", "7:30-16:00"
    beta = School(
        district=world.district, nces_id="990000000002", name="Beta Middle", level=Level.MIDDLE,
        phone="+19045550200", principal_name="Bo Principal", office_hours="8-4",
    )  # fmt: skip
    gamma = School(
        district=world.district, nces_id="990000000003", name="Gamma High", level=Level.HIGH,
        email="office@gamma.example.org", principal_name="Gil Principal",
    )  # fmt: skip
    leader = User(
        email="leader@example.org",
        role=Role.LEADER,
        district=world.district,
        password_hash=hash_password("correct-horse-battery"),
        name="Lee Leader",
    )
    session.add_all([beta, gamma, leader])
    session.flush()
    beta_today = _assignment(session, world.phone, beta, TODAY)
    beta_returned = _assignment(session, world.phone, beta, TODAY - timedelta(days=2), sequence=2)
    beta_email = _assignment(session, world.email, beta, TODAY + timedelta(days=2))
    gamma_phone = _assignment(session, world.phone, gamma, TODAY + timedelta(days=1), auditor=other)

    busy = start_contact(session, world.phone, auditor)
    submit(session, busy, attempt("busy", "2027-02-02T09:15"), auditor, calendar, now=TEST_NOW)
    approve(session, busy, reviewer)
    call = retry(session, world.phone, auditor)
    submit(session, call, REACHED_CALL, auditor, calendar, now=TEST_NOW)
    email = start_contact(session, world.email, auditor)
    no_reply = attempt("no_reply", "2027-02-02T10:00", sent_text="Hi")
    submit(session, email, no_reply, auditor, calendar, now=TEST_NOW)
    approve(session, email, reviewer)
    start_contact(session, world.visit, auditor)  # opened, nothing typed: not a draft

    returned = start_contact(session, beta_returned, auditor)
    submit(session, returned, REACHED_CALL, auditor, calendar, now=TEST_NOW)
    return_contact(session, returned, reviewer, "Check the rings")
    draft = start_contact(session, beta_email, auditor)
    save_draft(draft, {"sent_text": "Hello"}, auditor, now=TEST_NOW)
    reopened = start_contact(session, gamma_phone, other)
    submit(session, reopened, REACHED_CALL, other, calendar, now=TEST_NOW)
    approve(session, reopened, reviewer)
    reopen(session, reopened, reviewer, "The rings look wrong")
    session.commit()
    return BoardWorld(
        world,
        leader,
        beta,
        gamma,
        beta_today,
        beta_returned,
        beta_email,
        gamma_phone,
        call,
        returned,
        reopened,
    )
