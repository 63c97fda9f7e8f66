"""Calibration exercises: build one, take it blind, read how alike the auditors score.

A leader builds an exercise (draft) on one published rubric version: reference contacts
(approved contacts of the district with their evidence, or uploaded material), the auditors
taking part and, optionally, a key: the answers the district's lead reviewer agreed, entered
on the same form. Opening it lets the auditors score; each scores every reference on the
rubric's items and submits all at once. The blindness rule (``may_see_answers``): an auditor
sees nobody else's answers, nor the key, nor any figure, before submitting all of theirs;
leaders and reviewers of the district see everything. Closing it freezes the figures.

Items scored from a contact fact (rings, hold time …) are measured, not judged: an exercise
asks only the items an auditor answers (``judged_items``), and text items are asked but left
out of the agreement figures. A sheet's score is its earned share of the points of the items it
answered (N/A leaves an item out), in percent. Nothing here writes a ``Contact`` or a
``Response``: exercise scores never reach any school.

The figures (``exercise_agreement``) come from ``audits.agreement`` on the submitted sheets.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session, object_session, selectinload

from audits.agreement import (
    Alpha,
    Difference,
    Level,
    Reliability,
    Share,
    Thresholds,
    item_alpha,
    level_for,
    mean_difference,
    percent_agreement,
    rater_agreement,
    reference_value,
)
from audits.errors import ConflictError, NotAllowedError, Problem, ValidationError
from audits.fieldwork.entry import MAX_TEXT, AnswerEntry, response_path
from audits.fieldwork.evidence import read_eml, sniff
from audits.models import (
    Assignment,
    CalibrationExercise,
    CalibrationParticipant,
    CalibrationReference,
    Contact,
    ContactStatus,
    District,
    EvidenceKind,
    ExerciseStatus,
    ItemKind,
    Role,
    Round,
    Rubric,
    RubricItem,
    RubricStatus,
    ScoreSheet,
    SheetAnswer,
    User,
)
from audits.rubrics.scoring import NA, item_fraction
from audits.rubrics.versions import spec_from_item
from audits.storage import write_file
from audits.timeutil import utcnow
from audits.vocabulary import count_of

MAX_NAME = 200
MAX_TITLE = 200
MAX_NARRATIVE = 20_000
# An auditor whose scores sit this many percentage points or more above (or below) the key's
# on average is flagged lenient (or harsh), whatever their agreement on single answers.
LENIENCY_POINTS = 10.0
# How many of an auditor's most disagreed items a flag lists to retrain.
RETRAIN_ITEMS = 3


# ---------------------------------------------------------------------------- building


def _check_draft(exercise: CalibrationExercise) -> None:
    if exercise.status is not ExerciseStatus.DRAFT:
        raise ConflictError("status", "the exercise is open: its references and auditors are fixed")


def _clean_name(name: str, field_name: str, limit: int) -> str:
    text = " ".join(name.split())
    if not text:
        raise ValidationError(field_name, "is required")
    if len(text) > limit:
        raise ValidationError(field_name, f"keep it under {limit} characters")
    return text


def create_exercise(
    session: Session, district: District, user: User, name: str, rubric: Rubric
) -> CalibrationExercise:
    """A new exercise (draft) of ``district`` on a published ``rubric`` version; the caller commits."""
    problems: list[Problem] = []
    try:
        clean = _clean_name(name, "name", MAX_NAME)
    except ValidationError as error:
        problems += error.problems
    if rubric.status is not RubricStatus.PUBLISHED:
        problems.append(("rubric_id", "choose a published rubric version"))
    if problems:
        raise ValidationError.many(problems)
    exercise = CalibrationExercise(
        district_id=district.id, name=clean, rubric_id=rubric.id, created_by_id=user.id
    )
    exercise.rubric = rubric
    session.add(exercise)
    session.flush()
    return exercise


def approved_contacts(session: Session, exercise: CalibrationExercise) -> list[Contact]:
    """The district's approved contacts on the exercise's rubric key that reached the school, newest first."""
    rows = session.scalars(
        select(Contact)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(Round, Round.id == Assignment.round_id)
        .join(Rubric, Rubric.id == Contact.rubric_id)
        .where(
            Round.district_id == exercise.district_id,
            Contact.status == ContactStatus.APPROVED,
            Contact.unreached.is_(False),
            Rubric.key == exercise.rubric.key,
        )
        .order_by(Contact.approved_at.desc(), Contact.id.desc())
        .limit(200)
    )
    return list(rows)


def _next_position(exercise: CalibrationExercise) -> int:
    return max((reference.position for reference in exercise.references), default=0) + 1


def add_contact_reference(
    session: Session, exercise: CalibrationExercise, contact: Contact, title: str = ""
) -> CalibrationReference:
    """Add an approved contact of the district (reached, on the exercise's rubric key) as a reference."""
    _check_draft(exercise)
    if (
        contact.assignment.round.district_id != exercise.district_id
        or contact.status is not ContactStatus.APPROVED
        or contact.unreached
        or contact.rubric.key != exercise.rubric.key
    ):
        raise ValidationError(
            "contact_id", "choose an approved contact of this district scored on the exercise's rubric"
        )
    if any(reference.contact_id == contact.id for reference in exercise.references):
        raise ValidationError("contact_id", "this contact is already a reference of the exercise")
    position = _next_position(exercise)
    reference = CalibrationReference(
        position=position,
        title=_clean_name(title, "title", MAX_TITLE) if title.strip() else f"Reference {position}",
        contact_id=contact.id,
        token=secrets.token_urlsafe(24),
    )
    reference.contact = contact
    exercise.references.append(reference)
    session.flush()
    return reference


def add_material_reference(
    session: Session,
    exercise: CalibrationExercise,
    title: str,
    narrative: str,
    upload: tuple[bytes, str] | None,
    folder: Path,
    max_bytes: int,
) -> CalibrationReference:
    """Add uploaded material as a reference: a file (audio, ``.eml``, photo), a narrative, or both.

    An ``.eml``'s plain text becomes the narrative when none is given. The file is stored in
    ``folder`` under a random name, like evidence; the caller commits.
    """
    _check_draft(exercise)
    problems: list[Problem] = []
    text = narrative.strip()
    if len(text) > MAX_NARRATIVE:
        problems.append(("narrative", f"keep it under {MAX_NARRATIVE:,} characters"))
    if upload is None and not text:
        problems.append(("file", "attach a recording, an email (.eml) or a photo, or write a narrative"))
    clean_title = ""
    try:
        clean_title = _clean_name(title, "title", MAX_TITLE)
    except ValidationError as error:
        problems += error.problems
    if problems:
        raise ValidationError.many(problems)
    reference = CalibrationReference(
        position=_next_position(exercise), title=clean_title, narrative=text, token=secrets.token_urlsafe(24)
    )
    if upload is not None:
        data, filename = upload
        if not data:
            raise ValidationError("file", "the file is empty")
        if len(data) > max_bytes:
            raise ValidationError(
                "file", f"the file is larger than the {max_bytes // (1024 * 1024)} MB limit"
            )
        sniffed = sniff(data)
        if sniffed.kind is EvidenceKind.EMAIL and not text:
            reference.narrative = read_eml(data).text.strip()[:MAX_NARRATIVE]
        reference.storage_name = secrets.token_hex(16)
        write_file(folder / reference.storage_name, data)
        reference.file_kind = sniffed.kind
        reference.content_type = sniffed.content_type
        reference.file_name = Path(filename or "upload").name[:255]
        reference.size = len(data)
    exercise.references.append(reference)
    session.flush()
    return reference


def remove_reference(
    session: Session, exercise: CalibrationExercise, reference: CalibrationReference
) -> None:
    """Take a reference out of a draft exercise (its file stays until the storage check sweeps it)."""
    _check_draft(exercise)
    if reference.exercise_id != exercise.id:
        raise ValidationError("reference_id", "this reference belongs to another exercise")
    exercise.references.remove(reference)
    session.flush()


def set_auditors(session: Session, exercise: CalibrationExercise, auditors: Sequence[User]) -> None:
    """The auditors taking part: active auditors of the exercise's district."""
    _check_draft(exercise)
    wrong = [
        user
        for user in auditors
        if user.role is not Role.AUDITOR or user.district_id != exercise.district_id or not user.active
    ]
    if wrong:
        raise ValidationError("auditor_ids", "choose active auditors of this district")
    wanted = {user.id for user in auditors}
    for taking in list(exercise.participants):
        if taking.auditor_id not in wanted:
            exercise.participants.remove(taking)
    have = {taking.auditor_id for taking in exercise.participants}
    for user in auditors:
        if user.id not in have:
            exercise.participants.append(CalibrationParticipant(auditor_id=user.id, auditor=user))
            have.add(user.id)
    session.flush()


def open_exercise(session: Session, exercise: CalibrationExercise, now: datetime | None = None) -> None:
    """Let the auditors score: needs at least one reference and two auditors."""
    _check_draft(exercise)
    problems: list[Problem] = []
    if not exercise.references:
        problems.append(("references", "add at least one reference contact"))
    if len(exercise.participants) < 2:
        problems.append(("auditor_ids", "choose at least two auditors: agreement needs two"))
    if problems:
        raise ValidationError.many(problems)
    exercise.status = ExerciseStatus.OPEN
    exercise.opened_at = now or utcnow()
    session.flush()


def close_exercise(session: Session, exercise: CalibrationExercise, now: datetime | None = None) -> None:
    """Finish an open exercise: no more answers; the figures rest on the sheets submitted by then."""
    if exercise.status is not ExerciseStatus.OPEN:
        raise ConflictError("status", "only an open exercise can be finished")
    exercise.status = ExerciseStatus.CLOSED
    exercise.closed_at = now or utcnow()
    session.flush()


# ---------------------------------------------------------------------------- scoring


def judged_items(rubric: Rubric) -> list[RubricItem]:
    """The items an auditor answers in an exercise: every item not scored from a contact fact."""
    return [item for item in rubric.items if not item.fact]


def check_answers(
    rubric: Rubric, answers: Mapping[str, AnswerEntry]
) -> dict[int, tuple[Any, bool, float | None, str]]:
    """Check answers by item key against the rubric; ``{item id: (value, na, fraction, comment)}``.

    Every judged item but a text item needs an answer or N/A (where allowed). Raises one
    ``ValidationError`` naming each problem at ``responses.<key>``, in the rubric's order.
    """
    problems: list[Problem] = []
    checked: dict[int, tuple[Any, bool, float | None, str]] = {}
    for item in judged_items(rubric):
        given = answers.get(item.key, AnswerEntry())
        comment = given.comment.strip()
        if len(comment) > MAX_TEXT:
            problems.append((response_path(item.key, "comment"), f"keep it under {MAX_TEXT:,} characters"))
            continue
        if item.kind is ItemKind.TEXT:
            text = "" if given.value is None else str(given.value).strip()
            if len(text) > MAX_TEXT:
                problems.append((response_path(item.key), f"keep it under {MAX_TEXT:,} characters"))
                continue
            checked[item.id] = (text, False, None, comment)
            continue
        spec = spec_from_item(item)
        try:
            if given.na:
                item_fraction(spec, NA)
                checked[item.id] = (None, True, None, comment)
            else:
                fraction = item_fraction(spec, given.value)
                value = float(given.value) if item.kind is ItemKind.TIMING else given.value  # type: ignore[arg-type]
                checked[item.id] = (value, False, fraction, comment)
        except ValidationError as error:
            problems.append((response_path(item.key), error.reason))
    if problems:
        raise ValidationError.many(problems)
    return checked


def participant_of(exercise: CalibrationExercise, user: User) -> CalibrationParticipant | None:
    """``user``'s place in the exercise, if they take part."""
    return next((taking for taking in exercise.participants if taking.auditor_id == user.id), None)


def sheet_of(
    exercise: CalibrationExercise, reference: CalibrationReference, user: User | None, *, key: bool = False
) -> ScoreSheet | None:
    """``user``'s sheet for ``reference`` (or the key's, with ``key``), if any."""
    for sheet in exercise.sheets:
        if sheet.reference_id != reference.id or sheet.is_key != key:
            continue
        if key or (user is not None and sheet.auditor_id == user.id):
            return sheet
    return None


def record_sheet(
    session: Session,
    exercise: CalibrationExercise,
    reference: CalibrationReference,
    user: User,
    answers: Mapping[str, AnswerEntry],
    *,
    key: bool = False,
    now: datetime | None = None,
) -> ScoreSheet:
    """Keep ``user``'s answers to ``reference`` (replacing earlier ones), or the key's with ``key``.

    An auditor answers while the exercise is open and until they submit all; the key is entered
    by a leader or reviewer of the district while the exercise is not finished.
    """
    if reference.exercise_id != exercise.id:
        raise ValidationError("reference_id", "this reference belongs to another exercise")
    if key:
        if user.role not in (Role.ADMIN, Role.LEADER, Role.REVIEWER):
            raise NotAllowedError(None, "only a leader or a reviewer enters the key")
        if exercise.status is ExerciseStatus.CLOSED:
            raise ConflictError("status", "the exercise is finished: its key is final")
    else:
        taking = participant_of(exercise, user)
        if taking is None:
            raise NotAllowedError(None, "you do not take part in this exercise")
        if exercise.status is not ExerciseStatus.OPEN:
            raise ConflictError("status", "the exercise is not open for scoring")
        if taking.submitted_at is not None:
            raise ConflictError("status", "you have submitted your answers: they are final")
    checked = check_answers(exercise.rubric, answers)
    sheet = sheet_of(exercise, reference, user, key=key)
    if sheet is None:
        sheet = ScoreSheet(reference_id=reference.id, auditor_id=user.id, is_key=key)
        sheet.reference = reference
        exercise.sheets.append(sheet)
    sheet.auditor_id = user.id
    sheet.answers.clear()
    session.flush()
    items = {item.id: item for item in exercise.rubric.items}
    earned = possible = 0.0
    for item_id, (value, na, fraction, comment) in checked.items():
        sheet.answers.append(
            SheetAnswer(item_id=item_id, value=value, na=na, fraction=fraction, comment=comment)
        )
        if fraction is not None:
            earned += fraction * items[item_id].points
            possible += items[item_id].points
    sheet.earned_points, sheet.possible_points = earned, possible
    sheet.saved_at = now or utcnow()
    if key:
        exercise.key_by_id = user.id
    session.flush()
    return sheet


def missing_references(exercise: CalibrationExercise, user: User) -> list[CalibrationReference]:
    """The references ``user`` has not scored yet."""
    done = {
        sheet.reference_id for sheet in exercise.sheets if sheet.auditor_id == user.id and not sheet.is_key
    }
    return [reference for reference in exercise.references if reference.id not in done]


def submit_sheets(
    session: Session, exercise: CalibrationExercise, user: User, now: datetime | None = None
) -> CalibrationParticipant:
    """An auditor submits all their answers at once; after this they see the others' and the key."""
    taking = participant_of(exercise, user)
    if taking is None:
        raise NotAllowedError(None, "you do not take part in this exercise")
    if exercise.status is not ExerciseStatus.OPEN:
        raise ConflictError("status", "the exercise is not open for scoring")
    if taking.submitted_at is not None:
        raise ConflictError("status", "you have already submitted your answers")
    missing = missing_references(exercise, user)
    if missing:
        names = ", ".join(reference.title for reference in missing)
        raise ValidationError(
            None, f"score every reference first: {count_of(len(missing), 'reference')} to go ({names})"
        )
    taking.submitted_at = now or utcnow()
    session.flush()
    return taking


def may_see_answers(exercise: CalibrationExercise, user: User) -> bool:
    """The blindness rule: whether ``user`` may see others' answers, the key and the figures.

    Leaders, reviewers and administrators of the district may; an auditor only once they have
    submitted all their own answers.
    """
    if user.role in (Role.ADMIN, Role.LEADER, Role.REVIEWER):
        return user.role is Role.ADMIN or user.district_id == exercise.district_id
    taking = participant_of(exercise, user)
    return taking is not None and taking.submitted_at is not None


# ---------------------------------------------------------------------------- figures


class StoredAnswer(NamedTuple):
    """One stored answer of a sheet, as plain values: the item, the raw value, N/A."""

    item_id: int
    value: Any
    na: bool


def sheet_answers(exercise: CalibrationExercise) -> dict[int, list[StoredAnswer]]:
    """Every answer of every sheet of the exercise, by sheet id, read as plain rows in one query.

    An exercise of 60 auditors, 20 references and 40 items holds about 50,000 answers: as rows
    they load in a fraction of the time the same answers take as ORM objects.
    """
    session = object_session(exercise)
    found: dict[int, list[StoredAnswer]] = {sheet.id: [] for sheet in exercise.sheets}
    if session is None:
        for sheet in exercise.sheets:
            found[sheet.id] = [StoredAnswer(a.item_id, a.value, a.na) for a in sheet.answers]
        return found
    rows = session.execute(
        select(SheetAnswer.sheet_id, SheetAnswer.item_id, SheetAnswer.value, SheetAnswer.na)
        .join(ScoreSheet, ScoreSheet.id == SheetAnswer.sheet_id)
        .where(ScoreSheet.exercise_id == exercise.id)
    )
    for sheet_id, item_id, value, na in rows:
        found.setdefault(sheet_id, []).append(StoredAnswer(item_id, value, na))
    return found


def answer_value(item: RubricItem, answer: StoredAnswer) -> Any:
    """An answer as the figures compare it: ``None`` for N/A; a timing as a number."""
    if answer.na or answer.value is None:
        return None
    return float(answer.value) if item.kind is ItemKind.TIMING else answer.value


def answer_words(item: RubricItem, value: Any) -> str:
    """An answer as people read it: Yes, No, N/A, an option's label, ``3 = friendly``, ``4 rings``."""
    if value is None:
        return "N/A"
    if item.kind is ItemKind.YES_NO:
        return "Yes" if value else "No"
    if item.kind is ItemKind.SCALE:
        words = item.point_label(int(value))
        return f"{value} = {words}" if words else str(value)
    if item.kind is ItemKind.TIMING:
        unit = str(item.unit or "").replace("_", " ")
        return f"{value:g} {unit}".strip()
    return str(value)


def raw_value(item: RubricItem, answer: StoredAnswer) -> Any:
    """An answer as the API gives it: ``yes``/``no``, the option's label, the scale point, the number."""
    if answer.na or answer.value is None:
        return None
    if item.kind is ItemKind.YES_NO:
        return "yes" if answer.value else "no"
    return answer.value


@dataclass(frozen=True)
class Rating:
    """One auditor's answer to one item of one reference (for the API and the answers table)."""

    auditor_id: int
    pseudonym: str
    reference_id: int
    item: str
    value: Any
    na: bool


@dataclass(frozen=True)
class AnswerDifference:
    """Where an auditor's answer differed from the reference answer on one reference."""

    reference: str
    theirs: str
    reference_answer: str


@dataclass(frozen=True)
class RetrainItem:
    """An item to retrain on: its prompt and guidance, the key's answers and where they differed."""

    key: str
    prompt: str
    guidance: str
    share: Share
    differences: list[AnswerDifference] = field(default_factory=list)


@dataclass(frozen=True)
class ItemFigure:
    """One item's figures: level, alpha and the ratings it rests on, agreement, reading."""

    key: str
    prompt: str
    level: Level
    alpha: Alpha
    agreement: Share
    reading: Reliability
    guidance: str = ""
    key_answers: list[tuple[str, str]] = field(default_factory=list)  # (reference title, key's answer)

    @property
    def flagged(self) -> bool:
        """Whether the auditors should be retrained on this item."""
        return self.reading.flagged


@dataclass(frozen=True)
class AuditorFigure:
    """One auditor's figures: agreement with the reference, mean signed difference, what to retrain."""

    auditor_id: int
    name: str
    pseudonym: str
    agreement: Share
    difference: Difference
    reading: Reliability
    lean: str  # "lenient", "harsh" or ""
    retrain: list[RetrainItem] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """Whether this auditor should be retrained (agreement below tentative, or leaning)."""
        return self.reading.flagged or bool(self.lean)


@dataclass(frozen=True)
class ExerciseAgreement:
    """Every figure of an exercise, on the sheets of the auditors who submitted."""

    items: list[ItemFigure]
    score_alpha: Alpha
    agreement: Share
    auditors: list[AuditorFigure]
    thresholds: Thresholds
    against_key: bool
    submitted: int

    @property
    def flagged_items(self) -> list[ItemFigure]:
        """The items below the tentative threshold."""
        return [figure for figure in self.items if figure.flagged]

    @property
    def flagged_auditors(self) -> list[AuditorFigure]:
        """The auditors flagged to retrain."""
        return [figure for figure in self.auditors if figure.flagged]


def thresholds_of(district: District) -> Thresholds:
    """The district's alpha thresholds."""
    return Thresholds(good=district.alpha_good, tentative=district.alpha_tentative)


def submitted_sheets(exercise: CalibrationExercise) -> list[ScoreSheet]:
    """The sheets the figures rest on: those of auditors who submitted all theirs."""
    done = {taking.auditor_id for taking in exercise.participants if taking.submitted_at is not None}
    return [sheet for sheet in exercise.sheets if not sheet.is_key and sheet.auditor_id in done]


def exercise_ratings(exercise: CalibrationExercise) -> list[Rating]:
    """Every submitted answer to every judged item of every reference, by pseudonym."""
    items = {item.id: item for item in exercise.rubric.items}
    answers = sheet_answers(exercise)
    rows = []
    for sheet in submitted_sheets(exercise):
        for answer in answers[sheet.id]:
            item = items[answer.item_id]
            rows.append(
                Rating(
                    sheet.auditor_id,
                    sheet.auditor.pseudonym,
                    sheet.reference_id,
                    item.key,
                    raw_value(item, answer),
                    answer.na,
                )
            )
    return rows


def exercise_agreement(
    exercise: CalibrationExercise, thresholds: Thresholds | None = None
) -> ExerciseAgreement:
    """The exercise's agreement figures (per item, over scores, per auditor) and its flags."""
    thresholds = thresholds or thresholds_of(exercise.district)
    rubric = exercise.rubric
    figured = [item for item in judged_items(rubric) if level_for(item.kind) is not None]
    titles = {reference.id: reference.title for reference in exercise.references}
    sheets = submitted_sheets(exercise)
    key_sheets = [sheet for sheet in exercise.sheets if sheet.is_key]
    against_key = bool(key_sheets)
    ratings: dict[str, dict[int, dict[int, Any]]] = {item.key: {} for item in figured}
    scores: dict[int, dict[int, float | None]] = {}
    stored = sheet_answers(exercise)
    # Plain lookups, not ORM attributes, in the loops over every answer (50,000 in a large exercise).
    key_of = {item.id: item.key for item in figured}
    timing = {item.id for item in figured if item.kind is ItemKind.TIMING}

    def compared(item_id: int, value: Any, na: bool) -> Any:
        if na or value is None:
            return None
        return float(value) if item_id in timing else value

    for sheet in sheets:
        reference_id, auditor_id = sheet.reference_id, sheet.auditor_id
        scores.setdefault(reference_id, {})[auditor_id] = sheet.score
        for item_id, value, na in stored[sheet.id]:
            item_key = key_of.get(item_id)
            if item_key is not None:
                ratings[item_key].setdefault(reference_id, {})[auditor_id] = compared(item_id, value, na)
    for reference_id in titles:
        for units in ratings.values():
            units.setdefault(reference_id, {})
    key: dict[str, dict[int, Any]] = {item.key: {} for item in figured}
    key_scores: dict[int, float | None] = {}
    for sheet in key_sheets:
        key_scores[sheet.reference_id] = sheet.score
        for item_id, value, na in stored[sheet.id]:
            item_key = key_of.get(item_id)
            if item_key is not None:
                key[item_key][sheet.reference_id] = compared(item_id, value, na)
    levels: dict[str, Level] = {}
    item_figures = []
    for item in figured:
        level = level_for(item.kind)
        assert level is not None
        levels[item.key] = level
        domain = list(range((item.scale_max or 1) + 1)) if level is Level.ORDINAL else None
        alpha = item_alpha(ratings[item.key], level, domain)
        item_figures.append(
            ItemFigure(
                key=item.key,
                prompt=item.prompt,
                level=level,
                alpha=alpha,
                agreement=percent_agreement(ratings[item.key]),
                reading=thresholds.reading(alpha.value),
                guidance=item.guidance,
                key_answers=[
                    (titles[reference_id], answer_words(item, value))
                    for reference_id, value in sorted(key[item.key].items())
                    if reference_id in titles
                ],
            )
        )
    score_alpha = item_alpha(scores, Level.INTERVAL)
    agreed = sum(figure.agreement.agreed for figure in item_figures)
    pairs = sum(figure.agreement.n for figure in item_figures)
    items_by_key = {item.key: item for item in figured}
    auditors = []
    names = {taking.auditor_id: taking.auditor for taking in exercise.participants}
    for taking in exercise.participants:
        if taking.submitted_at is None:
            continue
        auditor_id = taking.auditor_id
        mine = rater_agreement(ratings, levels, auditor_id, key if against_key else None)
        difference = mean_difference(scores, auditor_id, key_scores if against_key else None)
        lean = ""
        if difference.value is not None and abs(difference.value) >= LENIENCY_POINTS:
            lean = "lenient" if difference.value > 0 else "harsh"
        reading = thresholds.reading(mine.overall.value)
        retrain = []
        if reading.flagged or lean:
            for weak_key in mine.weakest(RETRAIN_ITEMS):
                item = items_by_key[str(weak_key)]
                differences = []
                for reference_id, by_rater in ratings[item.key].items():
                    theirs = by_rater.get(auditor_id)
                    if theirs is None:
                        continue
                    if against_key:
                        expected: tuple[Any, ...] = (
                            () if key[item.key].get(reference_id) is None else (key[item.key][reference_id],)
                        )
                    else:
                        others = [v for rater, v in by_rater.items() if rater != auditor_id]
                        expected = reference_value(others, levels[item.key])
                    if expected and theirs not in expected:
                        differences.append(
                            AnswerDifference(
                                titles[reference_id],
                                answer_words(item, theirs),
                                " or ".join(answer_words(item, value) for value in expected),
                            )
                        )
                retrain.append(
                    RetrainItem(item.key, item.prompt, item.guidance, mine.items[item.key], differences)
                )
        user = names[auditor_id]
        auditors.append(
            AuditorFigure(
                auditor_id,
                user.display_name,
                user.pseudonym,
                mine.overall,
                difference,
                reading,
                lean,
                retrain,
            )
        )
    return ExerciseAgreement(
        items=item_figures,
        score_alpha=score_alpha,
        agreement=Share(agreed, pairs),
        auditors=auditors,
        thresholds=thresholds,
        against_key=against_key,
        submitted=len(auditors),
    )


def load_exercise(session: Session, exercise_id: int) -> CalibrationExercise | None:
    """An exercise with everything its pages and figures read, in a few queries."""
    return session.get(
        CalibrationExercise,
        exercise_id,
        options=[
            selectinload(CalibrationExercise.references),
            selectinload(CalibrationExercise.participants).selectinload(CalibrationParticipant.auditor),
            selectinload(CalibrationExercise.sheets),
        ],
    )


# ---------------------------------------------------------------------------- using it


@dataclass(frozen=True)
class CalibrationResult:
    """An auditor's latest finished exercise: when, on which rubric, and their figures in it."""

    exercise_id: int
    name: str
    rubric_key: str
    rubric_name: str
    submitted_at: datetime
    figure: AuditorFigure | None


def latest_result(session: Session, auditor: User) -> CalibrationResult | None:
    """The auditor's most recent submitted exercise and their figures in it, or ``None``."""
    taking = session.scalars(
        select(CalibrationParticipant)
        .where(
            CalibrationParticipant.auditor_id == auditor.id, CalibrationParticipant.submitted_at.is_not(None)
        )
        .order_by(CalibrationParticipant.submitted_at.desc(), CalibrationParticipant.id.desc())
        .limit(1)
    ).first()
    if taking is None or taking.submitted_at is None:
        return None
    exercise = load_exercise(session, taking.exercise_id)
    assert exercise is not None
    figures = exercise_agreement(exercise)
    figure = next((f for f in figures.auditors if f.auditor_id == auditor.id), None)
    return CalibrationResult(
        exercise.id, exercise.name, exercise.rubric.key, exercise.rubric.name, taking.submitted_at, figure
    )


def calibrations_since(session: Session, district_id: int, since: datetime) -> dict[int, set[str]]:
    """By auditor id, the rubric keys of the exercises of the district they submitted since ``since``."""
    rows = session.execute(
        select(CalibrationParticipant.auditor_id, Rubric.key)
        .join(CalibrationExercise, CalibrationExercise.id == CalibrationParticipant.exercise_id)
        .join(Rubric, Rubric.id == CalibrationExercise.rubric_id)
        .where(
            CalibrationExercise.district_id == district_id,
            CalibrationParticipant.submitted_at.is_not(None),
            CalibrationParticipant.submitted_at >= since,
        )
    )
    found: dict[int, set[str]] = {}
    for auditor_id, rubric_key in rows:
        found.setdefault(auditor_id, set()).add(rubric_key)
    return found


def calibration_window(first_day: datetime, days: int) -> datetime:
    """The earliest submission that still counts for a round starting ``first_day``."""
    return first_day - timedelta(days=days)
