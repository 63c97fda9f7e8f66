"""The second auditor's work: what they judge, what they may see, and recording their answers.

They judge the contact's items an answer is given to (yes/no, scale, choice, timing), never
the items scored from a recorded fact (those follow from the first auditor's measurements) nor
text items. They see the scenario (``blind_scenario``), the email thread and the recordings
(``JUDGEABLE_EVIDENCE``), never the first auditor's answers, comments, score, name or persona, nor
the school's name: they judge what was said, not who said it or to whom; their answers are checked as the
contact form's are (``item_fraction``) and stored as ``SecondAnswer`` rows, once.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from audits.double_scoring.selection import JUDGEABLE_EVIDENCE
from audits.errors import ConflictError, NotAllowedError, Problem, ValidationError
from audits.fieldwork.entry import MAX_TEXT, AnswerEntry, response_path
from audits.models import (
    Assignment,
    Contact,
    DoubleScoring,
    Evidence,
    ItemKind,
    Rubric,
    RubricItem,
    SecondAnswer,
    User,
)
from audits.rubrics.scoring import NA, item_fraction
from audits.rubrics.versions import spec_from_item
from audits.script_values import FilledScenario, district_values, school_values
from audits.script_variables import PersonaFacts, SchoolFacts, fill, values_for
from audits.timeutil import utcnow


def blind_scenario(session: Session, assignment: Assignment) -> FilledScenario:
    """The scenario as the second auditor reads it: the district's values and the child's grade filled,
    the school named only as "the school" and no persona: they judge what was said, not who said it."""
    scenario = assignment.scenario
    school = assignment.school
    values = district_values(session, school.district_id)
    values |= school_values(session, school.district_id).get(school.id, {})
    facts = SchoolFacts("the school", None, "", "", "the principal")
    persona = PersonaFacts("the parent", "", "the parent's email address")
    filled = values_for(facts, assignment.child_grade, scenario.language, values, persona)
    return FilledScenario(
        persona=fill(scenario.persona, filled),
        script=fill(scenario.script, filled),
        questions=[fill(question, filled) for question in scenario.questions],
        answer_key=fill(scenario.answer_key, filled),
    )


def judged_items(rubric: Rubric) -> list[RubricItem]:
    """The items a second auditor answers: every item answered by judgement (no fact, no text)."""
    return [item for item in rubric.items if item.kind is not ItemKind.TEXT and not item.fact]


def scorings_of(session: Session, auditor: User) -> list[DoubleScoring]:
    """The second scorings given to ``auditor``, those still to do first, then the latest done."""
    stmt = (
        select(DoubleScoring)
        .where(DoubleScoring.second_auditor_id == auditor.id)
        .options(
            joinedload(DoubleScoring.contact).joinedload(Contact.assignment).joinedload(Assignment.school)
        )
        .order_by(DoubleScoring.submitted_at.is_not(None), DoubleScoring.chosen_at, DoubleScoring.id)
    )
    return list(session.scalars(stmt).unique())


def visible_evidence(scoring: DoubleScoring) -> list[Evidence]:
    """The contact's files the second auditor may open: recordings and email threads only."""
    return [evidence for evidence in scoring.contact.evidence if evidence.kind in JUDGEABLE_EVIDENCE]


def may_open(user: User, evidence: Evidence, scorings: list[DoubleScoring]) -> bool:
    """Whether ``user`` opens ``evidence`` as the second auditor of its contact (one of ``scorings``)."""
    return evidence.kind in JUDGEABLE_EVIDENCE and any(
        scoring.contact_id == evidence.contact_id and scoring.second_auditor_id == user.id
        for scoring in scorings
    )


def check_second_answers(rubric: Rubric, answers: dict[str, AnswerEntry]) -> dict[int, AnswerEntry]:
    """Every judged item's answer checked against its kind, by item id; one error lists every problem."""
    problems: list[Problem] = []
    items = judged_items(rubric)
    known = {item.key for item in items}
    problems.extend(
        (response_path(key), "this item is not judged a second time") for key in answers if key not in known
    )
    checked: dict[int, AnswerEntry] = {}
    for item in items:
        given = answers.get(item.key, AnswerEntry())
        path = response_path(item.key)
        comment = given.comment.strip()
        if len(comment) > MAX_TEXT:
            problems.append((response_path(item.key, "comment"), f"keep it under {MAX_TEXT:,} characters"))
        value = given.value.strip() if isinstance(given.value, str) else given.value
        if value in (None, "") and not given.na:
            problems.append((path, "answer this item" + (" or mark it N/A" if item.allow_na else "")))
            continue
        if isinstance(value, float) and item.kind is ItemKind.SCALE and value.is_integer():
            value = int(value)
        if isinstance(value, int) and not isinstance(value, bool) and item.kind is ItemKind.TIMING:
            value = float(value)
        try:
            item_fraction(spec_from_item(item), NA if given.na else value)
        except ValidationError as error:
            problems.extend((path, reason) for _, reason in error.problems)
            continue
        checked[item.id] = AnswerEntry(None if given.na else value, given.na, comment)
    if problems:
        raise ValidationError.many(problems)
    return checked


def submit_second_scoring(
    session: Session,
    scoring: DoubleScoring,
    user: User,
    answers: dict[str, AnswerEntry],
    now: datetime | None = None,
) -> None:
    """Check and store the second auditor's answers, once; they never touch the contact's figures."""
    if scoring.second_auditor_id != user.id:
        raise NotAllowedError("scoring", "only the auditor asked to score this contact again can")
    if scoring.done:
        raise ConflictError("scoring", "you have already scored this contact")
    checked = check_second_answers(scoring.contact.rubric, answers)
    for item_id, answer in checked.items():
        scoring.answers.append(
            SecondAnswer(
                item_id=item_id,
                value=answer.value,
                na=answer.na,
                comment=answer.comment,
            )
        )
    scoring.submitted_at = now or utcnow()
    session.flush()


def to_do_count(session: Session, auditor: User) -> int:
    """How many contacts ``auditor`` is asked to score again and has not yet."""
    return (
        session.scalar(
            select(func.count()).where(
                DoubleScoring.second_auditor_id == auditor.id, DoubleScoring.submitted_at.is_(None)
            )
        )
        or 0
    )
