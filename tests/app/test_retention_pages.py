"""Legal holds on the round page, ``flask retention purge`` and the daily purge task."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.retention import purge_expired_evidence_task
from audits.fieldwork.contacts import start_contact
from audits.models import Evidence, EvidenceKind, RetentionPurge, Role, Round, User
from tests.audits.fieldwork_helpers import Fieldwork, build_fieldwork
from tests.conftest import PASSWORD_HASH, AuthActions

YES = {"confirm": "yes"}  # what a confirmation page posts


@pytest.fixture
def world(session: Session) -> Fieldwork:
    return build_fieldwork(session)


@pytest.fixture
def leader(session: Session, world: Fieldwork) -> User:
    user = User(
        email="lead@example.org", role=Role.LEADER, district=world.district, password_hash=PASSWORD_HASH
    )
    session.add(user)
    session.commit()
    return user


def test_a_leader_places_and_lifts_a_hold_shown_on_the_round_page(
    client: FlaskClient, auth: AuthActions, world: Fieldwork, leader: User
) -> None:
    auth.sign_in(leader)
    page = f"/rounds/{world.round.id}"
    assert "Place a legal hold" in client.get(page).get_data(as_text=True)
    refused = client.post(f"{page}/hold", data={"reason": "  "})
    assert refused.status_code == 400 and "say why" in refused.get_data(as_text=True)
    nothing_held = client.post(f"{page}/hold/lift", data={**YES, "reason": "nothing held"})
    assert nothing_held.headers["Location"] == f"{page}#hold-heading"
    placed = client.post(f"{page}/hold", data={"reason": "Public records request 2027-19"})
    assert placed.status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert (
        "On legal hold" in shown
        and "Public records request 2027-19" in shown
        and "Lift the legal hold" in shown
    )
    assert client.post(f"{page}/hold", data={"reason": "twice"}).status_code == 409
    asked = client.get(f"{page}/hold/lift").get_data(as_text=True)
    assert "the next purge deletes nothing of it" in asked and "Yes, lift the legal hold" in asked
    assert client.post(f"{page}/hold/lift", data={"reason": "one click"}).status_code == 302  # not confirmed
    assert "On legal hold" in client.get(page).get_data(as_text=True)
    no_reason = client.post(f"{page}/hold/lift", data={**YES, "reason": " "})
    assert no_reason.status_code == 400 and "say why" in no_reason.get_data(as_text=True)
    assert client.post(f"{page}/hold/lift", data={**YES, "reason": "Request answered"}).status_code == 302
    shown = client.get(page).get_data(as_text=True)
    assert "Not on hold" in shown and "lifted by" in shown and "Request answered" in shown


def test_a_reviewer_sees_the_hold_but_cannot_change_it(
    client: FlaskClient, auth: AuthActions, session: Session, world: Fieldwork, leader: User
) -> None:
    round_ = session.get(Round, world.round.id)
    assert round_ is not None
    auth.sign_in(leader)
    client.post(f"/rounds/{round_.id}/hold", data={"reason": "Complaint 4"})
    auth.sign_in(world.reviewer)
    shown = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "On legal hold" in shown and "Complaint 4" in shown and "Lift the legal hold" not in shown
    assert client.post(f"/rounds/{round_.id}/hold/lift", data={"reason": "no"}).status_code == 403


def _photo(app: Flask, session: Session, world: Fieldwork) -> Path:
    contact = start_contact(session, world.phone, world.auditor)
    name = secrets.token_hex(16)
    path = Path(app.config["EVIDENCE_DIR"]) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\x89PNG a photo")
    session.add(
        Evidence(
            token=secrets.token_urlsafe(24),
            contact_id=contact.id,
            kind=EvidenceKind.IMAGE,
            content_type="image/png",
            size=12,
            storage_name=name,
            uploaded_by_id=world.auditor.id,
        )
    )
    session.commit()
    return path


def test_the_purge_command_counts_in_a_dry_run_then_purges_and_records_it(
    app: Flask, runner: FlaskCliRunner, session: Session, world: Fieldwork
) -> None:
    photo = _photo(app, session, world)
    dry = runner.invoke(args=["retention", "purge", "--dry-run", "--now", "2030-09-01T12:00:00Z"])
    assert dry.exit_code == 0 and "would purge: photos 1," in dry.output
    assert photo.exists() and session.scalars(select(RetentionPurge)).first() is None
    done = runner.invoke(args=["retention", "purge", "--now", "2030-09-01T12:00:00Z"])
    assert done.exit_code == 0 and "purged: photos 1," in done.output
    assert not photo.exists()
    record = session.scalars(select(RetentionPurge)).one()
    assert record.counts["photos"] == 1 and record.ran_at == datetime(2030, 9, 1, 12, tzinfo=UTC)


def test_the_daily_task_purges_nothing_that_is_still_kept(
    app: Flask, session: Session, world: Fieldwork
) -> None:
    photo = _photo(app, session, world)
    app.config["PHOTO_RETENTION_SCHOOL_YEARS"] = 50  # the round ended in 2027: kept until 2076
    counts = purge_expired_evidence_task.delay().get()
    assert counts["photos"] == 0 and photo.exists()
    assert session.scalars(select(RetentionPurge)).one().counts == counts
