"""Item fractions for every kind and edge."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.errors import ValidationError
from audits.models import ItemKind, TimingUnit
from audits.rubrics.scoring import NA, band_fraction, item_fraction
from audits.rubrics.spec import ItemSpec, OptionSpec

YES_NO = ItemSpec("answered", "Answered?", ItemKind.YES_NO, points=5)
SCALE = ItemSpec("courtesy", "Courtesy", ItemKind.SCALE, points=4, max=4, allow_na=True)
CHOICE = ItemSpec(
    "accuracy",
    "Accuracy",
    ItemKind.CHOICE,
    points=6,
    options=[OptionSpec("Complete", 1.0), OptionSpec("Partly", 0.5), OptionSpec("Wrong", 0.0)],
)
TIMING = ItemSpec(
    "rings", "Rings", ItemKind.TIMING, points=3, unit=TimingUnit.RINGS, bands=[(3, 1.0), (5, 0.5), (8, 0.25)]
)
TEXT = ItemSpec("impression", "Impression", ItemKind.TEXT)


def test_yes_no() -> None:
    assert item_fraction(YES_NO, True) == 1.0
    assert item_fraction(YES_NO, False) == 0.0


@pytest.mark.parametrize(("value", "fraction"), [(0, 0.0), (1, 0.25), (3, 0.75), (4, 1.0)])
def test_scale_is_value_over_max(value: int, fraction: float) -> None:
    assert item_fraction(SCALE, value) == fraction


@pytest.mark.parametrize("value", [-1, 5, 2.5, True, "3"])
def test_scale_refuses_values_outside_zero_to_max(value: object) -> None:
    with pytest.raises(ValidationError, match="from 0 to 4"):
        item_fraction(SCALE, value)


def test_choice_uses_the_option_fraction() -> None:
    assert item_fraction(CHOICE, "Complete") == 1.0
    assert item_fraction(CHOICE, "Partly") == 0.5
    assert item_fraction(CHOICE, "Wrong") == 0.0
    with pytest.raises(ValidationError, match="one of the options"):
        item_fraction(CHOICE, "Brilliant")


@pytest.mark.parametrize(
    ("value", "fraction"),
    [(0, 1.0), (2, 1.0), (3, 1.0), (3.01, 0.5), (5, 0.5), (6, 0.25), (8, 0.25), (8.5, 0.0), (40, 0.0)],
)
def test_timing_band_bounds_are_inclusive_and_zero_past_the_last(value: float, fraction: float) -> None:
    assert item_fraction(TIMING, value) == fraction


def test_timing_refuses_negative_or_non_numbers() -> None:
    for value in (-1, "three", True):
        with pytest.raises(ValidationError):
            item_fraction(TIMING, value)


def test_text_is_not_scored() -> None:
    assert item_fraction(TEXT, "Friendly, but put me on hold twice.") is None


def test_na_where_allowed_adds_nothing() -> None:
    assert item_fraction(SCALE, NA) is None


def test_na_where_not_allowed_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        item_fraction(YES_NO, NA)
    assert caught.value.problems == [("answered", "this item cannot be marked N/A")]


def test_a_missing_answer_is_refused() -> None:
    with pytest.raises(ValidationError, match="required"):
        item_fraction(YES_NO, None)


@given(
    bounds=st.lists(st.integers(0, 1000), min_size=1, max_size=6, unique=True).map(sorted),
    fractions=st.lists(st.floats(0, 1), min_size=6, max_size=6),
    value=st.floats(0, 2000, allow_nan=False),
)
def test_band_fraction_is_the_first_band_that_holds_the_value(
    bounds: list[int], fractions: list[float], value: float
) -> None:
    bands = list(zip(bounds, fractions, strict=False))
    expected = next((fraction for bound, fraction in bands if value <= bound), 0.0)
    assert band_fraction(bands, value) == expected
    assert 0.0 <= band_fraction(bands, value) <= 1.0
