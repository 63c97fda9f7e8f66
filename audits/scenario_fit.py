"""Which schools a scenario fits: the grades its persona's child may be in, the levels it suits.

A scenario with ``grades`` ``[]`` (any) and ``levels`` ``[]`` (any) fits every school; one that
names grades fits a school serving at least one of them; one that names levels fits schools of
those levels. The child's grade on a contact is one the school serves and the scenario allows.
"""

from __future__ import annotations

from collections.abc import Collection

from audits.grades import GRADE_ORDER, grade_span_words, grades_between
from audits.models import Level

# The grades a school of each level may serve, as NCES defines the levels (``audits.grades``).
LEVEL_GRADES: dict[str, tuple[str, ...]] = {
    Level.ELEMENTARY.value: grades_between("PK", "08"),
    Level.MIDDLE.value: grades_between("04", "09"),
    Level.HIGH.value: grades_between("07", "12"),
}
SCENARIO_LEVELS = tuple(LEVEL_GRADES)


def child_grades(
    scenario_grades: Collection[str],
    scenario_levels: Collection[str],
    school_level: str,
    school_grades: Collection[str],
) -> tuple[str, ...]:
    """The grades the persona's child may be in at this school, in order; empty: the scenario does not fit.

    A school whose grades are unknown fits only a scenario open to any grade and level, and its
    child has no grade (``("",)``): such a scenario must not ask for ``{child_grade}``.
    """
    if scenario_levels and school_level not in scenario_levels:
        return ()
    served = sorted(school_grades, key=GRADE_ORDER.__getitem__)
    if not served:
        return () if scenario_grades or scenario_levels else ("",)
    return tuple(grade for grade in served if not scenario_grades or grade in scenario_grades)


def misfit_reason(channel_word: str, school_level: str, school_grades: Collection[str]) -> str:
    """Why no scenario of a channel could be given to a school, in the words of the unplaced list."""
    if not school_grades:
        return (
            f"no {channel_word} scenario of this round fits a school whose grades are unknown "
            "(add its grades on the school's page, or choose a scenario for any grade)"
        )
    span = grade_span_words(sorted(school_grades, key=GRADE_ORDER.__getitem__))
    kind = "a school" if school_level == Level.OTHER.value else f"a {school_level} school"
    kind = kind.replace("a elementary", "an elementary")
    return f"no {channel_word} scenario of this round fits {kind} serving grades {span}"


def impossible_levels(grades: Collection[str], levels: Collection[str]) -> list[str]:
    """The levels of ``levels`` whose schools serve none of ``grades`` (both non-empty)."""
    if not grades:
        return []
    return [level for level in levels if not set(grades) & set(LEVEL_GRADES.get(level, ()))]
