"""Retention: expired evidence and free texts go, per kind and period; held rounds and scores stay."""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError, ValidationError
from audits.fieldwork.contacts import approve, return_contact, reviewer_edit, start_contact, submit
from audits.fieldwork.entry import AnswerEntry
from audits.holds import lift_hold, place_hold
from audits.models import (
    Assignment,
    Contact,
    ContactEdit,
    ContactStatus,
    Evidence,
    EvidenceKind,
    HoldAction,
    Response,
    RetentionPurge,
    ReviewEvent,
    Round,
    RoundStatus,
    Slot,
)
from audits.retention import (
    CALL_RECORDINGS,
    EMAILS,
    ORPHANS,
    PHOTOS,
    RECORDINGS,
    TEXT_FILES,
    TEXTS,
    RetentionPolicy,
    expired_in_round,
    expiry_boundary,
    purge_expired,
    remove_files,
)
from tests.audits.fieldwork_helpers import REACHED_CALL, Fieldwork, build_fieldwork, changed
from tests.conftest import TEST_NOW

# The fieldwork round ended on 2027-02-26 (school year 2026-27): kept 3 school years, its
# evidence goes from August 2029. Its audio was uploaded on 2027-02-02 (90 days: gone by May).
UPLOADED = datetime(2027, 2, 2, 15, tzinfo=UTC)
STILL_KEPT = datetime(2029, 7, 31, 12, tzinfo=UTC)
EXPIRED = datetime(2029, 8, 15, 12, tzinfo=UTC)
POLICY = RetentionPolicy(photo_school_years=3, email_school_years=3, text_school_years=3, recording_days=90)
KINDS = {
    EvidenceKind.IMAGE: b"\x89PNG photo",
    EvidenceKind.EMAIL: b"From: office@school\nSubject: Re: enrolment\n\nBring two proofs.",
    EvidenceKind.TEXT: b"Notes typed on the way out.",
    EvidenceKind.AUDIO: b"RIFF audio",
}


@dataclass
class RetentionWorld:
    """The fieldwork round with a reviewed call and one file of each kind; a held round beside it."""

    fieldwork: Fieldwork
    contact: Contact
    held_round: Round
    held_contact: Contact
    folder: Path
    old_orphan: Path
    new_orphan: Path


def _evidence(session: Session, contact: Contact, kind: EvidenceKind, folder: Path) -> Evidence:
    name = secrets.token_hex(16)
    (folder / name).write_bytes(KINDS[kind])
    evidence = Evidence(
        token=secrets.token_urlsafe(24), contact_id=contact.id, kind=kind, content_type="application/x-test",
        size=len(KINDS[kind]), storage_name=name, uploaded_by_id=contact.auditor_id, uploaded_at=UPLOADED,
    )  # fmt: skip
    session.add(evidence)
    return evidence


def _file(path: Path, moment: datetime) -> Path:
    path.write_bytes(b"left behind")
    os.utime(path, (moment.timestamp(), moment.timestamp()))
    return path


@pytest.fixture
def world(session: Session, tmp_path: Path) -> RetentionWorld:
    fieldwork = build_fieldwork(session)
    folder = tmp_path / "evidence"
    (folder / "recordings").mkdir(parents=True)
    contact = start_contact(session, fieldwork.phone, fieldwork.auditor)
    submit(session, contact, REACHED_CALL, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    return_contact(session, contact, fieldwork.reviewer, "Say which documents were missing.")
    submit(session, contact, REACHED_CALL, fieldwork.auditor, fieldwork.calendar, now=TEST_NOW)
    corrected = changed(
        REACHED_CALL,
        responses={"accuracy": AnswerEntry("Partly correct", comment="No immunisation records.")},
    )
    reviewer_edit(session, contact, corrected, fieldwork.reviewer, fieldwork.calendar, now=TEST_NOW)
    approve(session, contact, fieldwork.reviewer)
    for kind in KINDS:
        _evidence(session, contact, kind, folder)
    held_round = Round(
        district_id=fieldwork.district.id, name="Held", status=RoundStatus.CLOSED,
        first_day=date(2027, 1, 4), last_day=date(2027, 1, 29),
    )  # fmt: skip
    session.add(held_round)
    session.flush()
    assignment = Assignment(
        round_id=held_round.id, school_id=fieldwork.school.id, scenario_id=fieldwork.phone.scenario_id,
        auditor_id=fieldwork.auditor.id, channel=fieldwork.phone.channel, sequence=1,
        due_day=date(2027, 1, 5), slot=Slot.MORNING,
    )  # fmt: skip
    session.add(assignment)
    session.flush()
    held_contact = Contact(
        assignment_id=assignment.id, auditor_id=fieldwork.auditor.id, rubric_id=contact.rubric_id,
        sent_text="Kept under the hold.",
    )  # fmt: skip
    session.add(held_contact)
    session.flush()
    for kind in KINDS:
        _evidence(session, held_contact, kind, folder)
    place_hold(session, held_round, fieldwork.reviewer, "Complaint 2027-03 from a parent")
    session.commit()
    old_orphan = _file(folder / "recordings" / "stray.mp3", datetime(2027, 3, 1, tzinfo=UTC))
    new_orphan = _file(folder / "upload-in-progress", EXPIRED - timedelta(hours=1))
    return RetentionWorld(fieldwork, contact, held_round, held_contact, folder, old_orphan, new_orphan)


def _kinds(session: Session, contact: Contact) -> set[EvidenceKind]:
    return set(session.scalars(select(Evidence.kind).where(Evidence.contact_id == contact.id)))


def _files(folder: Path) -> set[str]:
    return {path.name for path in folder.rglob("*") if path.is_file()}


def _purge(
    session: Session, world: RetentionWorld, now: datetime, policy: RetentionPolicy = POLICY
) -> dict[str, int]:
    report = purge_expired(session, policy, now, world.folder)
    session.commit()
    remove_files(report.files)
    return report.counts


def test_school_years_are_counted_from_the_one_the_round_ended_in() -> None:
    """Kept 3 school years, a round ending in February 2027 is kept through July 2029."""
    assert expiry_boundary(date(2029, 7, 31), 3) == date(2026, 8, 1)
    assert expiry_boundary(date(2029, 8, 1), 3) == date(2027, 8, 1)
    assert expiry_boundary(date(2029, 8, 1), 1) == date(2029, 8, 1)


def test_a_dry_run_counts_and_changes_nothing(session: Session, world: RetentionWorld) -> None:
    files = _files(world.folder)
    report = purge_expired(session, POLICY, EXPIRED, world.folder, dry_run=True)
    session.commit()
    assert report.counts == {PHOTOS: 1, EMAILS: 1, TEXT_FILES: 1, RECORDINGS: 1, TEXTS: 1, ORPHANS: 1}
    assert report.files == [] and report.held_round_ids == [world.held_round.id]
    assert _files(world.folder) == files
    assert _kinds(session, world.contact) == set(KINDS)
    comments = session.scalars(select(ReviewEvent.comment).where(ReviewEvent.contact_id == world.contact.id))
    assert "Say which documents were missing." in list(comments)
    assert session.scalar(select(func.count()).select_from(RetentionPurge)) == 0


def test_before_the_school_years_run_out_only_old_audio_and_orphans_go(
    session: Session, world: RetentionWorld
) -> None:
    counts = _purge(session, world, STILL_KEPT)
    assert counts == {PHOTOS: 0, EMAILS: 0, TEXT_FILES: 0, RECORDINGS: 1, TEXTS: 0, ORPHANS: 1}
    assert _kinds(session, world.contact) == {EvidenceKind.IMAGE, EvidenceKind.EMAIL, EvidenceKind.TEXT}
    assert _kinds(session, world.held_contact) == set(KINDS)  # held: even its old audio stays
    assert not world.old_orphan.exists() and world.new_orphan.exists()


def test_expired_evidence_and_texts_go_scores_and_held_rounds_stay(
    session: Session, world: RetentionWorld
) -> None:
    contact = world.contact
    earned, status = contact.earned_points, contact.status
    fractions = sorted(r.fraction or 0 for r in contact.responses)
    held_files = {e.storage_name for e in world.held_contact.evidence}
    counts = _purge(session, world, EXPIRED)
    assert counts == {PHOTOS: 1, EMAILS: 1, TEXT_FILES: 1, RECORDINGS: 1, TEXTS: 1, ORPHANS: 1}
    assert _kinds(session, contact) == set()
    assert _files(world.folder) == held_files | {world.new_orphan.name}
    purged = session.get(Contact, contact.id)
    assert purged is not None
    assert (purged.sent_text, purged.reply_text, purged.draft) == ("", "", {})
    assert (purged.status, purged.earned_points) == (status, earned) == (ContactStatus.APPROVED, earned)
    responses = session.scalars(select(Response).where(Response.contact_id == contact.id)).all()
    assert sorted(r.fraction or 0 for r in responses) == fractions
    assert all(r.comment == "" for r in responses)
    assert "" in [r.value for r in responses]  # the text answer ("Friendly but rushed.") is blanked
    assert all(
        e.comment == ""
        for e in session.scalars(select(ReviewEvent).where(ReviewEvent.contact_id == contact.id))
    )
    edits = {e.field: (e.old_value, e.new_value) for e in session.scalars(select(ContactEdit))}
    assert edits["responses.accuracy.comment"] == ("", "")
    held = session.get(Contact, world.held_contact.id)
    assert held is not None and held.sent_text == "Kept under the hold."
    assert _kinds(session, world.held_contact) == set(KINDS)
    record = session.scalars(select(RetentionPurge)).one()
    assert record.counts[PHOTOS] == 1 and record.held_round_ids == [world.held_round.id]
    assert session.get(Round, world.fieldwork.round.id).texts_purged_at == EXPIRED  # type: ignore[union-attr]
    # Safe to repeat: nothing is left to purge.
    assert set(_purge(session, world, EXPIRED + timedelta(hours=1)).values()) == {0}


def test_each_kind_keeps_its_own_period_and_a_lifted_hold_lets_the_purge_in(
    session: Session, world: RetentionWorld
) -> None:
    """Photos kept one school year, the rest five: in August 2028 only the photos go."""
    policy = RetentionPolicy(
        photo_school_years=1, email_school_years=5, text_school_years=5, recording_days=9999
    )
    counts = _purge(session, world, datetime(2028, 8, 15, tzinfo=UTC), policy)
    assert (counts[PHOTOS], counts[EMAILS], counts[TEXT_FILES], counts[TEXTS]) == (1, 0, 0, 0)
    assert _kinds(session, world.contact) == {EvidenceKind.EMAIL, EvidenceKind.TEXT, EvidenceKind.AUDIO}
    lift_hold(session, world.held_round, world.fieldwork.reviewer, "Complaint closed")
    session.commit()
    counts = _purge(session, world, datetime(2028, 8, 16, tzinfo=UTC), policy)
    assert counts[PHOTOS] == 1 and _kinds(session, world.held_contact) == {
        EvidenceKind.EMAIL, EvidenceKind.TEXT, EvidenceKind.AUDIO,
    }  # fmt: skip


def test_a_hold_needs_a_reason_and_is_placed_and_lifted_once(session: Session, world: RetentionWorld) -> None:
    round_, leader = world.fieldwork.round, world.fieldwork.reviewer
    with pytest.raises(ValidationError, match="say why"):
        place_hold(session, round_, leader, "   ")
    with pytest.raises(ValidationError, match="1000 characters"):
        place_hold(session, round_, leader, "x" * 1001)
    with pytest.raises(ConflictError, match="not on legal hold"):
        lift_hold(session, round_, leader, "nothing to lift")
    place_hold(session, round_, leader, "  Records request 7 ")
    assert round_.on_hold and round_.legal_hold_reason == "Records request 7"
    with pytest.raises(ConflictError, match="already on legal hold"):
        place_hold(session, round_, leader, "again")
    lift_hold(session, round_, leader, "Answered")
    assert not round_.on_hold and round_.legal_hold_reason is None
    assert [(e.action, e.reason) for e in round_.hold_events] == [
        (HoldAction.PLACED, "Records request 7"), (HoldAction.LIFTED, "Answered"),
    ]  # fmt: skip


def test_what_lifting_a_hold_releases_is_counted_first_and_is_what_the_purge_then_takes(
    session: Session, world: RetentionWorld
) -> None:
    """The lift page's count for a held round: its files and texts past their period, none before."""
    assert expired_in_round(session, world.held_round, POLICY, STILL_KEPT)[PHOTOS] == 0
    released = expired_in_round(session, world.held_round, POLICY, EXPIRED)
    assert released == {
        PHOTOS: 1, EMAILS: 1, TEXT_FILES: 1, RECORDINGS: 1, TEXTS: 1, CALL_RECORDINGS: 0,
    }  # fmt: skip
    assert _purge(session, world, EXPIRED)[PHOTOS] == 1  # the unheld round's photo alone: the hold holds
    assert len(_kinds(session, world.held_contact)) == 4
    lift_hold(session, world.held_round, world.fieldwork.reviewer, "Complaint closed")
    session.commit()
    counts = _purge(session, world, EXPIRED + timedelta(hours=1))
    assert (counts[PHOTOS], counts[EMAILS], counts[TEXT_FILES], counts[RECORDINGS], counts[TEXTS]) == (
        1, 1, 1, 1, 1,
    )  # fmt: skip
    assert _kinds(session, world.held_contact) == set()
