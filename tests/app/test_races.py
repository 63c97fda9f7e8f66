"""Two changes to one contact at the same instant, through a served app: one lands, the other is told why.

Each race is run ``TRIES`` times (twenty on PostgreSQL) on a fresh contact. Whatever the timing: no 500, one
event per step that happened, an approval never overwritten by a submission, and the
refused request answers 409 saying what changed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import approve, reopen, start_contact, submit
from audits.models import Contact, ContactEdit, ContactStatus, ReviewAction, ReviewEvent, Role, User
from audits.tokens import create_token
from tests.app.api_helpers import REACHED_CALL_BODY
from tests.app.fieldwork_world import World, build_world
from tests.app.served import Served, race, serve
from tests.audits.fieldwork_helpers import REACHED_CALL, REACHED_CALL_FORM
from tests.conftest import TEST_DATABASE_URL, TEST_NOW

# PostgreSQL, what a district runs, gets the full twenty tries of every race; SQLite (one writer
# at a time, so fewer ways to collide) gets a few, to keep the suite quick.
TRIES = 20 if TEST_DATABASE_URL.startswith("postgresql") else 5


@pytest.fixture
def world(session: Session, make_district, make_user) -> World:  # type: ignore[no-untyped-def]
    return build_world(session, make_district, make_user)


@pytest.fixture
def served(world: World, database_url: str, tmp_path: Path) -> Iterator[Served]:
    with serve(database_url, tmp_path) as app:
        yield app


def _fresh_contact(session: Session, world: World) -> Contact:
    """The phone assignment's first attempt, started again from nothing (committed)."""
    session.execute(delete(Contact).where(Contact.assignment_id == world.phone.id))
    session.commit()
    contact = start_contact(session, world.phone, world.fieldwork.auditor)
    session.commit()
    return contact


def _post(browser: requests.Session, url: str, form: dict[str, str]) -> Callable[[], requests.Response]:
    """A form post to make in a race."""
    return lambda: browser.post(url, data=form, timeout=60)


def _events(session: Session, contact_id: int) -> Counter[ReviewAction]:
    session.expire_all()
    return Counter(session.scalars(select(ReviewEvent.action).where(ReviewEvent.contact_id == contact_id)))


def _second_reviewer(session: Session, world: World) -> User:
    reviewer = User(
        email="second-reviewer@example.org",
        role=Role.REVIEWER,
        district=world.fieldwork.district,
        password_hash=world.fieldwork.reviewer.password_hash,
        name="Sol Second",
    )
    session.add(reviewer)
    session.commit()
    return reviewer


def test_the_same_contact_submitted_from_two_tabs_lands_once(
    served: Served, world: World, session: Session
) -> None:
    auditor = world.fieldwork.auditor
    tabs = [served.signed_in(auditor.email), served.signed_in(auditor.email)]
    statuses: Counter[int] = Counter()
    for _ in range(TRIES):
        contact = _fresh_contact(session, world)
        url = f"{served.url}/contacts/{contact.id}/submit"
        forms = [{**REACHED_CALL_FORM, "rings": rings, "revision": "1"} for rings in ("3", "4")]
        answers = race(*(_post(tab, url, form) for tab, form in zip(tabs, forms, strict=True)))
        codes = sorted(answer.status_code for answer in answers)
        statuses.update(codes)
        assert codes == [200, 409], codes  # the winner follows its redirect; the other is told why
        refused = next(answer for answer in answers if answer.status_code == 409)
        assert "submitted by its auditor a moment ago; reload to see it" in refused.text
        assert _events(session, contact.id) == {ReviewAction.SUBMITTED: 1}
        assert session.scalar(select(func.count()).select_from(ContactEdit)) == 0  # no edit was logged
        stored = session.get(Contact, contact.id)
        assert stored is not None and stored.status is ContactStatus.SUBMITTED and stored.revision == 2
    assert statuses[500] == 0


def test_an_approval_racing_a_resubmission_is_never_overwritten(
    served: Served, world: World, session: Session
) -> None:
    auditor, reviewer = world.fieldwork.auditor, world.fieldwork.reviewer
    auditor_tab, reviewer_tab = served.signed_in(auditor.email), served.signed_in(reviewer.email)
    winners: Counter[str] = Counter()
    for _ in range(TRIES):
        contact = _fresh_contact(session, world)
        submit(session, contact, REACHED_CALL, auditor, world.fieldwork.calendar, now=TEST_NOW)
        approve(session, contact, reviewer, now=TEST_NOW)
        reopen(session, contact, reviewer, "The principal disputed the hold time.", now=TEST_NOW)
        session.commit()
        seen = str(contact.revision)
        resubmit = {**REACHED_CALL_FORM, "hold_seconds": "20", "revision": seen}
        answers = race(
            _post(auditor_tab, f"{served.url}/contacts/{contact.id}/submit", resubmit),
            _post(reviewer_tab, f"{served.url}/contacts/{contact.id}/approve", {"revision": seen}),
        )
        codes = [answer.status_code for answer in answers]
        assert 500 not in codes and sorted(codes) == [200, 409], codes
        session.expire_all()
        stored = session.get(Contact, contact.id)
        assert stored is not None
        events = _events(session, contact.id)
        if codes[0] == 200:  # the resubmission landed: the approval of the old entry was refused
            winners["submit"] += 1
            assert stored.status is ContactStatus.SUBMITTED and stored.approved_at is None
            assert events == {ReviewAction.SUBMITTED: 2, ReviewAction.APPROVED: 1, ReviewAction.REOPENED: 1}
            assert "submitted by its auditor a moment ago" in answers[1].text
        else:  # the approval landed: the auditor is told, and nothing of theirs overwrote it
            winners["approve"] += 1
            assert stored.status is ContactStatus.APPROVED and stored.hold_seconds == 30
            assert events == {ReviewAction.SUBMITTED: 1, ReviewAction.APPROVED: 2, ReviewAction.REOPENED: 1}
            assert "approved by a reviewer a moment ago" in answers[0].text
    assert sum(winners.values()) == TRIES


def test_an_approval_racing_a_return_lands_once(served: Served, world: World, session: Session) -> None:
    auditor, reviewer = world.fieldwork.auditor, world.fieldwork.reviewer
    other = _second_reviewer(session, world)
    first, second = served.signed_in(reviewer.email), served.signed_in(other.email)
    for _ in range(TRIES):
        contact = _fresh_contact(session, world)
        submit(session, contact, REACHED_CALL, auditor, world.fieldwork.calendar, now=TEST_NOW)
        session.commit()
        seen = str(contact.revision)
        returned = {"comment": "Count the rings again.", "revision": seen}
        answers = race(
            _post(first, f"{served.url}/contacts/{contact.id}/approve", {"revision": seen}),
            _post(second, f"{served.url}/contacts/{contact.id}/return", returned),
        )
        codes = [answer.status_code for answer in answers]
        assert 500 not in codes and sorted(codes) == [200, 409], codes
        events = _events(session, contact.id)
        assert events[ReviewAction.SUBMITTED] == 1
        assert events[ReviewAction.APPROVED] + events[ReviewAction.RETURNED] == 1


def _send(
    api: requests.Session, url: str, body: dict[str, Any], headers: dict[str, str]
) -> Callable[[], requests.Response]:
    """An API post to make in a race."""
    return lambda: api.post(url, json=body, headers=headers, timeout=60)


def _api(served: Served, token: str) -> requests.Session:
    client = requests.Session()
    client.headers["Authorization"] = f"Bearer {token}"
    return client


def test_two_api_submissions_at_once_record_one_attempt_with_or_without_a_key(
    served: Served, world: World, session: Session
) -> None:
    _, token = create_token(session, world.fieldwork.auditor, "races")
    session.commit()
    api = _api(served, token)
    url = f"{served.url}/api/v1/assignments/{world.phone.id}/contacts"
    no_answer = {**REACHED_CALL_BODY, "outcome": "no_answer", "timings": {}, "responses": []}
    for number in range(TRIES):
        for body, key in (
            (REACHED_CALL_BODY, None),
            (REACHED_CALL_BODY, f"same-{number}"),
            (no_answer, None),
        ):
            session.execute(delete(Contact).where(Contact.assignment_id == world.phone.id))
            session.commit()
            headers = {"Idempotency-Key": key} if key else {}
            answers = race(_send(api, url, body, headers), _send(api, url, body, headers))
            codes = sorted(answer.status_code for answer in answers)
            session.expire_all()
            attempts = session.scalars(select(Contact).where(Contact.assignment_id == world.phone.id)).all()
            assert len(attempts) == 1, (body["outcome"], key, codes)
            assert _events(session, attempts[0].id) == {ReviewAction.SUBMITTED: 1}
            if key:  # the second is answered as the first was
                assert codes == [201, 201], codes
                assert answers[0].json() == answers[1].json()
                assert sum(answer.headers.get("Idempotent-Replayed") == "true" for answer in answers) == 1
            elif body is no_answer:  # the same failed attempt again: nothing new
                assert codes == [200, 201], codes
            else:  # a submitted contact is no longer the auditor's to change
                assert codes == [201, 409], codes


def test_a_key_used_again_with_another_body_is_refused(
    served: Served, world: World, session: Session
) -> None:
    _, token = create_token(session, world.fieldwork.auditor, "keys")
    session.commit()
    api = _api(served, token)
    url = f"{served.url}/api/v1/assignments/{world.phone.id}/contacts"
    first = api.post(url, json=REACHED_CALL_BODY, headers={"Idempotency-Key": "k1"}, timeout=60)
    assert first.status_code == 201
    other = {**REACHED_CALL_BODY, "timings": {**REACHED_CALL_BODY["timings"], "rings": 9}}
    refused = api.post(url, json=other, headers={"Idempotency-Key": "k1"}, timeout=60)
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "Idempotency-Key"
    replayed = api.post(url, json=REACHED_CALL_BODY, headers={"Idempotency-Key": "k1"}, timeout=60)
    assert replayed.status_code == 201 and replayed.json() == first.json()
    assert replayed.headers["Idempotent-Replayed"] == "true"
    assert session.scalar(select(func.count()).select_from(Contact)) == 1
