"""Grade codes and the NCES school level of a grade span."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.grades import GRADE_ORDER, is_grade_code, level_for_grades, normalise_grade
from audits.models import Level

GRADES = list(GRADE_ORDER)
NON_GRADES = ["UG", "AE", "N", "M", "\u2013", "\u2020", "", None]


def spellings(code: str) -> list[str]:
    """Ways a directory file may write the grade ``code``."""
    variants = [code, code.lower(), f" {code} "]
    if code == "KG":
        variants.append("K")
    if code.isdigit():
        variants.append(str(int(code)))
    return variants


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("PK", "PK"),
        ("pk", "PK"),
        ("KG", "KG"),
        ("K", "KG"),
        ("01", "01"),
        ("1", "01"),
        (" 9 ", "09"),
        ("12", "12"),
        ("13", None),
        ("0", None),
        ("UG", None),
        ("AE", None),
        ("N", None),
        ("\u2013", None),
        ("\u2020", None),
        ("", None),
        (None, None),
        ("grade five", None),
    ],
)
def test_normalise_grade(code: str | None, expected: str | None) -> None:
    assert normalise_grade(code) == expected


@pytest.mark.parametrize(("code", "expected"), [("UG", True), ("\u2013", True), ("5", True), ("ZZ", False)])
def test_is_grade_code_tells_codes_from_junk(code: str, expected: bool) -> None:
    assert is_grade_code(code) is expected


@pytest.mark.parametrize(
    ("low", "high", "level"),
    [
        ("PK", "05", Level.ELEMENTARY),
        ("KG", "08", Level.ELEMENTARY),
        ("PK", "PK", Level.ELEMENTARY),
        ("03", "05", Level.ELEMENTARY),
        ("PK", "09", Level.OTHER),
        ("04", "08", Level.MIDDLE),
        ("06", "08", Level.MIDDLE),
        ("07", "09", Level.MIDDLE),
        ("07", "08", Level.MIDDLE),
        ("07", "12", Level.HIGH),
        ("08", "12", Level.HIGH),
        ("09", "12", Level.HIGH),
        ("12", "12", Level.HIGH),
        ("09", "11", Level.OTHER),
        ("06", "12", Level.OTHER),
        ("KG", "12", Level.OTHER),
        ("PK", "12", Level.OTHER),
        ("05", "02", Level.OTHER),
        ("N", "N", Level.OTHER),
        ("\u2013", "\u2013", Level.OTHER),
        ("UG", "UG", Level.OTHER),
        ("AE", "12", Level.OTHER),
        (None, "05", Level.OTHER),
        ("K", "5", Level.ELEMENTARY),
    ],
)
def test_level_for_grades_follows_nces(low: str | None, high: str | None, level: Level) -> None:
    assert level_for_grades(low, high) is level


@given(st.sampled_from(GRADES), st.sampled_from(GRADES), st.data())
def test_level_does_not_depend_on_how_grades_are_spelt(low: str, high: str, data: st.DataObject) -> None:
    low_spelling = data.draw(st.sampled_from(spellings(low)))
    high_spelling = data.draw(st.sampled_from(spellings(high)))
    assert level_for_grades(low_spelling, high_spelling) is level_for_grades(low, high)


@given(st.sampled_from(GRADES + NON_GRADES), st.sampled_from(NON_GRADES))
def test_a_span_with_an_unknown_end_is_other(grade: str | None, unknown: str | None) -> None:
    assert level_for_grades(grade, unknown) is Level.OTHER
    assert level_for_grades(unknown, grade) is Level.OTHER
