"""A published round with one approved call, its school's principal, another school's, and two reviewers."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.models import Channel, Contact, Level, Outcome, Role, RoundStatus, School, Scorecard, User
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, build_fieldwork, local, use_library_rubric
from tests.conftest import PASSWORD_HASH, TEST_NOW

# The call's scorecard is published on Friday, March 5, 2027 (10:00 in the district): with the
# default window of 10 school days, answers may be queried until Friday, March 19.
PUBLISHED_AT = datetime(2027, 3, 5, 15, 0, tzinfo=UTC)
LAST_DAY = date(2027, 3, 19)
# A reached call on the library's phone rubric: the rings (4), the hold (none), the transfers (1) and
# the staff name (not given) are recorded once, as facts; the rubric's other answers are given.
LIBRARY_CALL = ContactEntry(
    outcome=Outcome.REACHED,
    started_at=local("2027-02-02T09:15"),
    timings=Timings(rings=4, hold_seconds=0, transfers=1, call_seconds=240, staff_gave_name=False),
    responses={
        "rings": AnswerEntry(comment="A menu answered first; rings counted after pressing 0."),
        "school_named": AnswerEntry(True),
        "offer_of_help": AnswerEntry(True),
        "voicemail_returned": AnswerEntry(na=True),
        "callback_time": AnswerEntry(na=True),
        "question_answered": AnswerEntry(True),
        "answer_accuracy": AnswerEntry("Accurate but missing one or two points"),
        "courtesy": AnswerEntry(4),
        "respectful_treatment": AnswerEntry(True),
        "what_families_heard": AnswerEntry("Friendly and quick."),
        "language_help_offered": AnswerEntry(na=True),
        "language_help_wait": AnswerEntry(na=True),
    },
)


@dataclass
class AppealWorld:
    """The fieldwork world with its round published, the call approved by ``reviewer``."""

    fieldwork: Fieldwork
    call: Contact
    principal: User
    other_principal: User
    other_school: School
    second_reviewer: User
    leader: User

    @property
    def reviewer(self) -> User:
        """The reviewer who approved the call."""
        return self.fieldwork.reviewer


def _user(session: Session, role: Role, email: str, name: str, **fields: object) -> User:
    user = User(email=email, role=role, name=name, password_hash=PASSWORD_HASH, **fields)
    session.add(user)
    return user


def build_appeal_world(session: Session, scorecard: bool = True, library: bool = False) -> AppealWorld:
    """Submit and approve the world's phone call (on the library's rubric, whose facts score the rings,
    with ``library``), publish the round and (with ``scorecard``) a scorecard row for the school at
    ``PUBLISHED_AT`` (committed). Its PDF is not rendered."""
    fieldwork = build_fieldwork(session)
    district = fieldwork.district
    if library:
        use_library_rubric(session, Channel.PHONE)
    call = start_contact(session, fieldwork.phone, fieldwork.auditor)
    entry = LIBRARY_CALL if library else REACHED_CALL
    submit(session, call, entry, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    approve(session, call, fieldwork.reviewer, now=TEST_NOW)
    other_school = School(
        district=district, nces_id="990000000002", name="Beauclerc Elementary", level=Level.ELEMENTARY
    )
    session.add(other_school)
    people = {
        "principal": _user(
            session, Role.PRINCIPAL, "principal@example.org", "Pat Principal", district=district,
            schools=[fieldwork.school],
        ),
        "other_principal": _user(
            session, Role.PRINCIPAL, "other-principal@example.org", "Bea Other", district=district,
            schools=[other_school],
        ),
        "second_reviewer": _user(
            session, Role.REVIEWER, "second-reviewer@example.org", "Sid Second", district=district
        ),
        "leader": _user(session, Role.LEADER, "leader@example.org", "Lee Leader", district=district),
    }  # fmt: skip
    fieldwork.round.status = RoundStatus.PUBLISHED
    if scorecard:
        session.add(
            Scorecard(
                token=secrets.token_urlsafe(32), round_id=fieldwork.round.id, school_id=fieldwork.school.id,
                inputs_hash="0" * 64, content_hash="0" * 64, path="scorecards/none.pdf", size=1,
                published_at=PUBLISHED_AT,
            )
        )  # fmt: skip
    session.commit()
    return AppealWorld(
        fieldwork, call, people["principal"], people["other_principal"], other_school,
        people["second_reviewer"], people["leader"],
    )  # fmt: skip
