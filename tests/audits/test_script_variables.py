"""Scripts filled before fieldwork: the library's variables, the demo's values, a round that cannot start."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.demo import ANSWER_KEY_FILE, DEMO_PERSONAS
from audits.errors import ValidationError
from audits.grades import grade_words, grades_between
from audits.library import LIBRARY_DIR, load_library
from audits.models import AuditorProfile, Channel, District, Level, Role, RoundStatus, School, User
from audits.planning.rounds import ChannelPlan, RoundSpec, commit_plan, move_round, save_round
from audits.scenarios import ScenarioSpec, parse_scenario, save_scenario
from audits.script_values import (
    district_values,
    fill_for_assignment,
    missing_for_round,
    save_district_values,
)
from audits.script_variables import (
    BUILT_IN,
    PersonaFacts,
    SchoolFacts,
    Source,
    district_variables,
    fill,
    values_for,
    variables_in,
)
from tests.audits.round_helpers import publish_rubric

SCENARIO_FILES = sorted((LIBRARY_DIR / "scenarios").glob("*.yaml"))


def _texts(data: dict) -> list[str]:
    return [
        data.get("persona", ""),
        data.get("script", ""),
        *data.get("questions", []),
        data.get("answer_key", ""),
    ]


@pytest.mark.parametrize("path", SCENARIO_FILES, ids=[path.stem for path in SCENARIO_FILES])
def test_every_library_scenario_is_filled_for_the_demo_with_no_placeholder_left(path: Path) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    spec = parse_scenario(data)  # known variables only, grades and levels that make sense
    answers = yaml.safe_load(ANSWER_KEY_FILE.read_text(encoding="utf-8"))["values"]
    name, phone, email = DEMO_PERSONAS["auditor1@example.org"]
    school = SchoolFacts(
        "ABESS PARK ELEMENTARY SCHOOL", "+19042211234", "12731 Abess Blvd", "Jacksonville", "Pat"
    )
    grades = spec.grades or list(grades_between("KG", "05"))
    values = values_for(school, grades[0], spec.language, answers, PersonaFacts(name, phone, email))
    for text in _texts(data):
        filled = fill(text, values)
        assert "{" not in filled and "}" not in filled, path.name
        assert "not filled in" not in filled and "[district" not in filled, path.name


def test_the_library_declares_exactly_the_district_variables_its_scenarios_use() -> None:
    used = {
        name for path in SCENARIO_FILES for name in variables_in(_texts(yaml.safe_load(path.read_text())))
    }
    declared = set(district_variables())
    assert used - set(BUILT_IN) == declared
    answers = yaml.safe_load(ANSWER_KEY_FILE.read_text(encoding="utf-8"))["values"]
    assert set(answers) == declared  # the demo's answer key fills every one
    assert all(str(value).strip() for value in answers.values())


@pytest.mark.parametrize(
    ("code", "language", "words"),
    [("07", "en", "seventh grade"), ("KG", "en", "kindergarten"), ("PK", "en", "pre-kindergarten"),
     ("01", "es", "primer grado"), ("03", "es", "tercer grado"), ("KG", "es", "kínder"),
     ("12", "en", "twelfth grade")],
)  # fmt: skip
def test_the_childs_grade_reads_as_a_parent_says_it(code: str, language: str, words: str) -> None:
    assert grade_words(code, language) == words


def test_fill_never_leaves_a_raw_placeholder() -> None:
    text = "Call me back at {callback_number}; doors open at {doors_open_time}."
    assert fill(text, {"callback_number": "(904) 555-0151"}) == (
        "Call me back at (904) 555-0151; doors open at [doors open in the morning: not filled in]."
    )


BASE = {
    "key": "test-key", "title": "T", "channel": "phone", "language": "en", "rubric": "phone-standard",
    "persona": "A parent.", "script": "Call.",
}  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "field", "reason"),
    [
        ({"script": "Say {my_street}."}, "script", "{my_street} is not a known variable"),
        ({"persona": "A {Child_Grade} parent"}, "persona", "no other braces"),
        (
            {"questions": ["Where is {nowhere}?"]},
            "questions",
            "question 1: {nowhere} is not a known variable",
        ),
        ({"grades": ["KG"], "levels": ["high"]}, "grades", "no high school serves grades KG"),
        ({"grades": ["13"]}, "grades", "'13' is not a grade"),
        ({"levels": "college"}, "levels", "'college' is not a level"),
    ],
)
def test_a_scenario_with_an_unknown_variable_or_impossible_grades_is_refused(
    changes: dict, field: str, reason: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_scenario(BASE | changes)
    assert (field, reason) in [(f, r if reason not in r else reason) for f, r in caught.value.problems]


def test_a_library_file_with_an_unknown_variable_is_refused_with_its_path(
    session: Session, tmp_path: Path
) -> None:
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "scenarios").mkdir()
    for rubric in (LIBRARY_DIR / "rubrics").glob("*.yaml"):
        (tmp_path / "rubrics" / rubric.name).write_bytes(rubric.read_bytes())
    data = yaml.safe_load((LIBRARY_DIR / "scenarios" / "report-absence.yaml").read_text())
    data["script"] += "\nMention {my_street}."
    (tmp_path / "scenarios" / "report-absence.yaml").write_text(yaml.safe_dump(data))
    with pytest.raises(ValidationError) as caught:
        load_library(session, tmp_path)
    assert ("report-absence.yaml: script", "{my_street} is not a known variable") in caught.value.problems


def test_grades_accept_any_k_and_plain_numbers() -> None:
    spec = parse_scenario(BASE | {"grades": "K, 1 6", "levels": ["Elementary", "middle"]})
    assert (spec.grades, spec.levels) == (["KG", "01", "06"], ["elementary", "middle"])
    assert parse_scenario(BASE | {"grades": "any", "levels": "any"}).grades == []


# A round whose scripts need values nobody has filled in cannot be scheduled or started.

MONDAY = date(2027, 2, 1)


@pytest.fixture
def district(
    session: Session,
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> District:
    district = make_district("Duval")
    for number in range(3):
        make_school(
            district, name=f"Elementary {number}", level=Level.ELEMENTARY, grade_low="KG", grade_high="05"
        )
    for number in range(2):
        auditor = make_user(
            Role.AUDITOR, district=district, email=f"auditor{number}@example.org", name=f"Ann {number}"
        )
        session.add(AuditorProfile(user_id=auditor.id, languages=["en"]))
    spec = ScenarioSpec(
        key="enrol",
        title="Enrolling a child",
        channel=Channel.PHONE,
        language="en",
        rubric=publish_rubric(session, Channel.PHONE),
        persona="A parent of a child entering {child_grade}.",
        script="Say you are {persona_name}; give {callback_number}.",
        questions=["When do doors open?"],
        answer_key="Doors open at {doors_open_time}.",
    )
    save_scenario(session, district.id, spec)
    session.commit()
    return district


def _round(session: Session, district: District) -> int:
    from audits.models import Scenario

    scenario_id = session.scalar(select(Scenario.id).where(Scenario.district_id == district.id))
    spec = RoundSpec(
        name="Spring",
        first_day=MONDAY,
        last_day=date(2027, 2, 26),
        channels={Channel.PHONE: ChannelPlan(1, [scenario_id])},
        seed=3,
    )
    return save_round(session, district, spec, today=MONDAY).id


def test_a_round_cannot_be_scheduled_until_its_scripts_can_be_filled(
    session: Session, district: District
) -> None:
    from audits.models import Round

    round_ = session.get(Round, _round(session, district))
    assert round_ is not None
    missing = missing_for_round(
        session,
        round_,
        [(c.school_id, c.scenario_id, c.auditor_id, c.child_grade) for c in _plan(session, round_)],
    )
    assert {(m.source, m.what) for m in missing} == {
        (Source.DISTRICT, "Doors open in the morning"),
        (Source.PERSONA, "Persona's first name"),
        (Source.PERSONA, "Persona's callback number"),
    }
    doors = next(m for m in missing if m.variable == "doors_open_time")
    assert (
        doors.link == ("answer_key", district.id)
        and doors.count == 3
        and doors.scenarios == ("Enrolling a child",)
    )
    with pytest.raises(ValidationError, match="cannot be scheduled yet"):
        commit_plan(session, round_)
    assert round_.status is RoundStatus.DRAFT and not round_.assignments

    save_district_values(session, None, district, {"doors_open_time": "7:45 a.m."})
    for number, profile in enumerate(session.scalars(select(AuditorProfile))):
        profile.persona_name, profile.persona_phone = "Maria", f"+1904555015{number}"
    commit_plan(session, round_)
    assert round_.status is RoundStatus.SCHEDULED
    assignment = round_.assignments[0]
    assert assignment.child_grade in grades_between("KG", "05")
    filled = fill_for_assignment(session, assignment)
    assert filled.persona == f"A parent of a child entering {grade_words(assignment.child_grade or '')}."
    assert filled.answer_key == "Doors open at 7:45 a.m."
    assert "{" not in filled.script and "(904) 555-015" in filled.script

    # Values taken away after scheduling: the round cannot start, and says why.
    save_district_values(session, None, district, {"doors_open_time": ""})
    assert "doors_open_time" not in district_values(session, district.id)
    with pytest.raises(ValidationError, match="cannot be started yet"):
        move_round(session, round_, RoundStatus.IN_FIELD)
    assert round_.status is RoundStatus.SCHEDULED


def _plan(session: Session, round_: object) -> list:
    from audits.planning.rounds import preview_plan

    return preview_plan(session, round_).contacts  # type: ignore[arg-type]


def test_values_with_braces_or_template_markers_are_refused(session: Session, district: District) -> None:
    with pytest.raises(ValidationError) as caught:
        save_district_values(
            session, None, district, {"doors_open_time": "[district: time]", "bell_times": "{x}", "nope": "1"}
        )
    assert {field for field, _ in caught.value.problems} == {"doors_open_time", "bell_times", "nope"}
    assert district_values(session, district.id) == {}


def test_a_persona_is_never_the_auditors_own(session: Session, district: District) -> None:
    from audits.auditors import AuditorSettings, update_auditor

    auditor = session.scalars(select(User).where(User.role == Role.AUDITOR)).first()
    assert auditor is not None
    auditor.phone = "+19045550100"
    settings = AuditorSettings(
        languages=["en"], max_per_day=3, weekdays=[0, 1], persona_name="ann",
        persona_phone="(904) 555-0100", persona_email=auditor.email,
    )  # fmt: skip
    with pytest.raises(ValidationError) as caught:
        update_auditor(session, auditor, settings)
    assert {field for field, _ in caught.value.problems} == {"persona_name", "persona_phone", "persona_email"}
    settings.persona_name, settings.persona_phone, settings.persona_email = (
        "Maria",
        "904-555-0151",
        "M@Example.net",
    )
    profile = update_auditor(session, auditor, settings)
    assert (profile.persona_name, profile.persona_phone, profile.persona_email) == (
        "Maria", "+19045550151", "m@example.net",
    )  # fmt: skip


def test_a_schools_own_answer_comes_before_the_districts(session: Session, district: District) -> None:
    from audits.models import Round

    round_ = session.get(Round, _round(session, district))
    assert round_ is not None
    for number, profile in enumerate(session.scalars(select(AuditorProfile))):
        profile.persona_name, profile.persona_phone = "Maria", f"+1904555015{number}"
    schools = list(
        session.scalars(select(School).where(School.district_id == district.id).order_by(School.id))
    )
    for school in schools[:2]:
        save_district_values(session, None, district, {"doors_open_time": "7:30 a.m. here"}, school=school)
    planned = [(c.school_id, c.scenario_id, c.auditor_id, c.child_grade) for c in _plan(session, round_)]
    missing = missing_for_round(session, round_, planned)
    assert [(m.variable, m.count) for m in missing] == [("doors_open_time", 1)]  # only the third school

    save_district_values(session, None, district, {"doors_open_time": "7:45 a.m."})
    commit_plan(session, round_)
    by_school = {a.school_id: fill_for_assignment(session, a).answer_key for a in round_.assignments}
    assert by_school == {
        schools[0].id: "Doors open at 7:30 a.m. here.",
        schools[1].id: "Doors open at 7:30 a.m. here.",
        schools[2].id: "Doors open at 7:45 a.m.",
    }
