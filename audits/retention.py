"""Retention: which evidence and free texts have outlived their keeping period, and purging them.

Each kind of evidence is kept for its own period. Photos, emails (``.eml``), text files and
the contacts' free texts (what the auditor typed or quoted: the email sent and the reply,
comments, text answers, the draft, reviewers' notes, second auditors' comments and the edit log's
copies of them) are kept for a number of school years (August to July) counted from the school
year in which the round ended: kept for 3 school years, a round that ended in May 2024 (school year
2023-24) keeps them through July 2026 and loses them from August 2026. Uploaded audio
recordings keep the call recordings' rule, a number of days from the upload
(``RECORDING_RETENTION_DAYS``). A round on legal hold is skipped whole.

Scores, answers, timings, approved results and scorecards stay: only evidence files and
free texts go. Files no record points at (orphans, older than a grace period so that an
upload in progress is never taken) go too. ``purge_expired`` changes the rows and says
which files to delete; the caller commits, then deletes them (``remove_files``), so a
failure never leaves a record pointing at a missing file.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.orm import Session

from audits.calendar import school_year_of, school_year_start
from audits.models import (
    Assignment,
    Call,
    Contact,
    ContactEdit,
    DoubleScoring,
    Evidence,
    EvidenceKind,
    InboundTouch,
    ItemKind,
    ReceivedMessage,
    Response,
    RetentionPurge,
    ReviewEvent,
    Round,
    RubricItem,
    SecondAnswer,
)
from audits.storage_check import find_orphans

# The kinds a purge counts, in the order reports print them.
PHOTOS, EMAILS, TEXT_FILES, RECORDINGS, TEXTS, ORPHANS = (
    "photos",
    "emails",
    "text_files",
    "recordings",
    "texts",
    "orphans",
)
KINDS = (PHOTOS, EMAILS, TEXT_FILES, RECORDINGS, TEXTS, ORPHANS)
# Twilio's recordings of calls placed through Touchpoint, kept as long as uploaded audio.
CALL_RECORDINGS = "call_recordings"
# The edit log's fields that copy a free text (``audits.fieldwork.entry`` paths).
TEXT_TIMINGS = ("timings.sent_text", "timings.reply_text")


@dataclass(frozen=True)
class RetentionPolicy:
    """How long each kind of evidence is kept."""

    photo_school_years: int = 3
    email_school_years: int = 3
    text_school_years: int = 3
    recording_days: int = 90
    orphan_grace: timedelta = timedelta(days=1)


@dataclass
class PurgeReport:
    """What a purge removed (or, in a dry run, would remove), counted per kind."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    held_round_ids: list[int] = field(default_factory=list)
    files: list[Path] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        """One line: ``photos 2, emails 0, …``."""
        return ", ".join(f"{kind.replace('_', ' ')} {self.counts[kind]}" for kind in KINDS)


def expiry_boundary(today: date, school_years: int) -> date:
    """Rounds that ended before this day have outlived ``school_years`` school years on ``today``."""
    return school_year_start(school_year_of(today) - school_years + 1)


def _evidence_of_unheld_rounds() -> Select[tuple[Evidence]]:
    return (
        select(Evidence)
        .join(Contact, Evidence.contact_id == Contact.id)
        .join(Assignment, Contact.assignment_id == Assignment.id)
        .join(Round, Assignment.round_id == Round.id)
        .where(Round.legal_hold_at.is_(None))
        .order_by(Evidence.id)
    )


def _expired(policy: RetentionPolicy, now: datetime) -> dict[str, ColumnElement[bool]]:
    """For each kind of evidence, the condition an evidence record past its keeping period meets."""
    boundary = {
        years: expiry_boundary(now.date(), years)
        for years in (policy.photo_school_years, policy.email_school_years, policy.text_school_years)
    }
    return {
        PHOTOS: and_(
            Evidence.kind == EvidenceKind.IMAGE, Round.last_day < boundary[policy.photo_school_years]
        ),
        EMAILS: and_(
            Evidence.kind == EvidenceKind.EMAIL, Round.last_day < boundary[policy.email_school_years]
        ),
        TEXT_FILES: and_(
            Evidence.kind == EvidenceKind.TEXT, Round.last_day < boundary[policy.text_school_years]
        ),
        RECORDINGS: and_(
            Evidence.kind == EvidenceKind.AUDIO,
            Evidence.uploaded_at < now - timedelta(days=policy.recording_days),
        ),
    }


def expired_evidence(session: Session, policy: RetentionPolicy, now: datetime) -> dict[str, list[Evidence]]:
    """The evidence records past their keeping period, by kind; held rounds' never appear."""
    return {
        name: list(session.scalars(_evidence_of_unheld_rounds().where(condition)))
        for name, condition in _expired(policy, now).items()
    }


def expired_in_round(
    session: Session, round_: Round, policy: RetentionPolicy, now: datetime
) -> dict[str, int]:
    """What the purges would take from ``round_`` at ``now`` were it not on hold, counted per kind.

    Evidence files past their keeping period, Twilio's call recordings past theirs
    (``call_recordings``, deleted by ``audits.telephony.retention``'s daily run) and (``texts``)
    the contacts whose free texts would be blanked: what lifting a legal hold releases.
    """
    counts = dict.fromkeys(KINDS, 0)
    del counts[ORPHANS]  # files no record points at belong to no round
    for name, condition in _expired(policy, now).items():
        counts[name] = (
            session.scalar(
                select(func.count(Evidence.id))
                .join(Contact, Evidence.contact_id == Contact.id)
                .join(Assignment, Contact.assignment_id == Assignment.id)
                .join(Round, Assignment.round_id == Round.id)
                .where(Round.id == round_.id, condition)
            )
            or 0
        )
    counts[CALL_RECORDINGS] = (
        session.scalar(
            select(func.count(Call.id))
            .join(Contact, Call.contact_id == Contact.id)
            .join(Assignment, Contact.assignment_id == Assignment.id)
            .where(
                Assignment.round_id == round_.id,
                Call.recording_sid.is_not(None),
                Call.recording_deleted_at.is_(None),
                Call.created_at < now - timedelta(days=policy.recording_days),
            )
        )
        or 0
    )
    texts_expired = round_.last_day < expiry_boundary(now.date(), policy.text_school_years)
    if texts_expired and round_.texts_purged_at is None:
        counts[TEXTS] = len(contacts_with_texts(session, [round_.id]))
    return counts


def rounds_with_expired_texts(session: Session, policy: RetentionPolicy, now: datetime) -> list[Round]:
    """Rounds whose contacts' free texts have outlived their keeping period and are not blanked yet."""
    return list(
        session.scalars(
            select(Round)
            .where(
                Round.last_day < expiry_boundary(now.date(), policy.text_school_years),
                Round.legal_hold_at.is_(None),
                Round.texts_purged_at.is_(None),
            )
            .order_by(Round.id)
        )
    )


def _contact_ids(round_ids: list[int]) -> Select[tuple[int]]:
    return (
        select(Contact.id)
        .join(Assignment, Contact.assignment_id == Assignment.id)
        .where(Assignment.round_id.in_(round_ids))
    )


def contacts_with_texts(session: Session, round_ids: list[int]) -> set[int]:
    """The ids of ``round_ids``' contacts that hold any free text."""
    contacts = _contact_ids(round_ids)
    text_items = select(RubricItem.id).where(RubricItem.kind == ItemKind.TEXT)
    found: set[int] = set(
        session.scalars(
            contacts.where(
                or_(Contact.sent_text != "", Contact.reply_text != "", Contact.draft_saved_at.is_not(None))
            )
        )
    )
    found.update(
        session.scalars(
            select(Response.contact_id).where(
                Response.contact_id.in_(contacts),
                or_(Response.comment != "", Response.item_id.in_(text_items)),
            )
        )
    )
    found.update(
        session.scalars(
            select(ReviewEvent.contact_id).where(
                ReviewEvent.contact_id.in_(contacts), ReviewEvent.comment != ""
            )
        )
    )
    found.update(
        session.scalars(
            select(DoubleScoring.contact_id)
            .join(SecondAnswer, SecondAnswer.scoring_id == DoubleScoring.id)
            .where(DoubleScoring.round_id.in_(round_ids), SecondAnswer.comment != "")
        )
    )
    return found


def blank_texts(session: Session, rounds: list[Round], now: datetime) -> int:
    """Blank every free text of ``rounds``' contacts; return how many contacts had any."""
    if not rounds:
        return 0
    round_ids = [round_.id for round_ in rounds]
    contacts = _contact_ids(round_ids)
    with_texts = contacts_with_texts(session, round_ids)
    text_keys = set(session.scalars(select(RubricItem.key).where(RubricItem.kind == ItemKind.TEXT)))
    text_items = select(RubricItem.id).where(RubricItem.kind == ItemKind.TEXT)
    text_fields = [*TEXT_TIMINGS, *(f"responses.{key}" for key in text_keys)]
    edit_is_text = or_(ContactEdit.field.in_(text_fields), ContactEdit.field.like("responses.%.comment"))
    session.execute(
        update(Contact)
        .where(Contact.id.in_(contacts))
        .values(sent_text="", reply_text="", draft={}, draft_saved_at=None)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Response)
        .where(Response.contact_id.in_(contacts), Response.comment != "")
        .values(comment="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Response)
        .where(Response.contact_id.in_(contacts), Response.item_id.in_(text_items))
        .values(value="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ReviewEvent)
        .where(ReviewEvent.contact_id.in_(contacts), ReviewEvent.comment != "")
        .values(comment="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(SecondAnswer)
        .where(
            SecondAnswer.scoring_id.in_(
                select(DoubleScoring.id).where(DoubleScoring.round_id.in_(round_ids))
            ),
            SecondAnswer.comment != "",
        )
        .values(comment="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(ContactEdit)
        .where(ContactEdit.contact_id.in_(contacts), edit_is_text)
        .values(old_value="", new_value="")
        .execution_options(synchronize_session=False)
    )
    # What came back from the schools: the words of replies read from mailboxes, and of texts.
    session.execute(
        update(ReceivedMessage)
        .where(ReceivedMessage.contact_id.in_(contacts))
        .values(text="", subject="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(InboundTouch)
        .where(InboundTouch.contact_id.in_(contacts), InboundTouch.body != "")
        .values(body="")
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Round)
        .where(Round.id.in_(round_ids))
        .values(texts_purged_at=now)
        .execution_options(synchronize_session=False)
    )
    session.expire_all()
    return len(with_texts)


def orphan_files(session: Session, evidence_dir: Path, now: datetime, grace: timedelta) -> list[Path]:
    """Files in the evidence folder (and its recordings) that no record points at, older than ``grace``."""
    return find_orphans(session, evidence_dir, None, now, grace)


def purge_expired(
    session: Session, policy: RetentionPolicy, now: datetime, evidence_dir: Path, *, dry_run: bool = False
) -> PurgeReport:
    """Remove what has outlived its keeping period; the caller commits, then calls ``remove_files``.

    Evidence records of the expired kinds are deleted (their files listed in the report),
    free texts of expired rounds blanked, orphan files listed, and a ``RetentionPurge``
    records the counts. A dry run counts the same and changes nothing.
    """
    report = PurgeReport(dry_run=dry_run)
    report.held_round_ids = list(
        session.scalars(select(Round.id).where(Round.legal_hold_at.is_not(None)).order_by(Round.id))
    )
    orphans = orphan_files(session, evidence_dir, now, policy.orphan_grace)
    report.counts[ORPHANS] = len(orphans)
    expired = expired_evidence(session, policy, now)
    for kind, records in expired.items():
        report.counts[kind] = len(records)
    text_rounds = rounds_with_expired_texts(session, policy, now)
    if dry_run:
        if text_rounds:
            report.counts[TEXTS] = len(contacts_with_texts(session, [round_.id for round_ in text_rounds]))
        return report
    for records in expired.values():
        for evidence in records:
            report.files.append(evidence_dir / evidence.storage_name)
            session.delete(evidence)
    session.flush()
    report.counts[TEXTS] = blank_texts(session, text_rounds, now)
    report.files.extend(orphans)
    session.add(RetentionPurge(ran_at=now, counts=dict(report.counts), held_round_ids=report.held_round_ids))
    session.flush()
    return report


def remove_files(paths: Iterable[Path]) -> int:
    """Delete the files a committed purge released; return how many were there."""
    removed = 0
    for path in paths:
        if path.exists():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
