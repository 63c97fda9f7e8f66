"""Times the reviewer is asked to check: outside school hours, off the plan, after the submission."""

from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy.orm import Session

from audits.fieldwork.time_flags import time_flags
from audits.models import Contact
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork, local


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(
        session
    )  # a round from Mon Feb 1 to Fri Feb 26, 2027; the call due Tue Feb 2, morning


def _flags(
    session: Session, world: Fieldwork, started: str, submitted: str | None = None, **extra: object
) -> list[str]:
    with session.no_autoflush:
        contact = Contact(
            attempt=1,
            started_at=local(started),
            submitted_at=local(submitted) if submitted else None,
        )
        contact.assignment = world.phone
        return time_flags(contact, world.calendar, now=local("2027-03-31T12:00"))


@pytest.mark.parametrize(
    ("started", "flags"),
    [
        ("2027-02-02T09:15", []),
        ("2027-02-02T18:40", ["recorded at 18:40, outside school hours (07:30–16:00)"]),
        ("2027-02-02T14:00", ["at 14:00, outside its 09:00–11:00 slot"]),
        (
            "2027-02-06T10:00",
            ["recorded on Saturday, February 6, not a school day", "3 school days from its due day (Feb 2)"],
        ),
        ("2027-02-12T10:00", ["8 school days from its due day (Feb 2)"]),
        (
            "2027-03-02T10:00",
            ["outside the round's window (Feb 1 – Feb 26)", "20 school days from its due day (Feb 2)"],
        ),
    ],
)
def test_a_time_off_the_plan_is_flagged_with_its_reason(
    session: Session, world: Fieldwork, started: str, flags: list[str]
) -> None:
    assert _flags(session, world, started) == flags


def test_a_time_after_the_submission_or_in_the_future_is_flagged(session: Session, world: Fieldwork) -> None:
    assert _flags(session, world, "2027-02-03T10:00", submitted="2027-02-02T10:00") == [
        "recorded as happening after it was submitted"
    ]
    with session.no_autoflush:
        contact = Contact(attempt=1, started_at=local("2027-02-02T09:15"))
        contact.assignment = world.phone
        assert time_flags(
            contact, world.calendar, now=datetime(2027, 2, 1, tzinfo=local("2027-02-01T00:00").tzinfo)
        ) == ["recorded as happening in the future"]
