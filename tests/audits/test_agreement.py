"""Agreement figures (audits/agreement.py), each checked against the ``krippendorff`` package.

The expected alphas are computed here by calling ``krippendorff.alpha`` on the raters × units
matrix directly (NaN for a missing value), or taken from Krippendorff's own worked example;
never from the code under test.
"""

from __future__ import annotations

import math
import random
from typing import Any

import krippendorff
import numpy as np
import pytest

from audits.agreement import (
    NOT_ENOUGH_VARIATION,
    Alpha,
    Level,
    Reliability,
    Thresholds,
    item_alpha,
    level_for,
    mean_difference,
    percent_agreement,
    rater_agreement,
    reference_value,
)
from audits.models import ItemKind

NAN = math.nan

# Krippendorff (2011), "Computing Krippendorff's alpha-reliability", the example with missing
# values: 3 coders, 15 units. Nominal alpha 0.691, interval 0.811 (printed in the paper).
PAPER = [
    [NAN, NAN, NAN, NAN, NAN, 3, 4, 1, 2, 1, 1, 3, 3, NAN, 3],
    [1, NAN, 2, 1, 3, 3, 4, 3, NAN, NAN, NAN, NAN, NAN, NAN, NAN],
    [NAN, NAN, 2, 1, 3, 4, 4, NAN, 2, 1, 1, 3, 3, NAN, 4],
]


def as_ratings(matrix: list[list[Any]], labels: dict[float, Any] | None = None) -> dict[int, dict[str, Any]]:
    """The raters × units matrix as ``{unit: {rater: value}}``, NaN as ``None``."""
    ratings: dict[int, dict[str, Any]] = {}
    for r, row in enumerate(matrix):
        for u, value in enumerate(row):
            missing = isinstance(value, float) and math.isnan(value)
            shown = None if missing else (labels[value] if labels else value)
            ratings.setdefault(u, {})[f"rater{r}"] = shown
    return ratings


def generated(seed: int, raters: int, units: int, values: list[float], missing: float) -> list[list[float]]:
    """A random matrix whose raters mostly agree with a true value per unit, with missing values."""
    rng = random.Random(seed)
    truth = [rng.choice(values) for _ in range(units)]
    matrix = []
    for _ in range(raters):
        row = []
        for u in range(units):
            if rng.random() < missing:
                row.append(NAN)
            elif rng.random() < 0.7:
                row.append(truth[u])
            else:
                row.append(rng.choice(values))
        matrix.append(row)
    return matrix


def test_levels_follow_the_item_kind() -> None:
    assert level_for(ItemKind.YES_NO) is Level.NOMINAL
    assert level_for(ItemKind.CHOICE) is Level.NOMINAL
    assert level_for(ItemKind.SCALE) is Level.ORDINAL
    assert level_for(ItemKind.TIMING) is Level.INTERVAL
    assert level_for(ItemKind.TEXT) is None


def test_krippendorffs_worked_example() -> None:
    ratings = as_ratings(PAPER)
    nominal = item_alpha(ratings, Level.NOMINAL)
    interval = item_alpha(ratings, Level.INTERVAL)
    assert nominal.value == pytest.approx(0.691358, abs=1e-6)
    assert interval.value == pytest.approx(0.810845, abs=1e-6)
    # Units 1, 2 and 14 have fewer than two ratings: the 26 others' values are pairable.
    assert nominal.n == 26


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("level", list(Level))
def test_alpha_matches_the_package_on_generated_ratings(seed: int, level: Level) -> None:
    values = {Level.NOMINAL: [0.0, 1.0], Level.ORDINAL: [0.0, 1.0, 2.0, 3.0, 4.0]}.get(
        level, [float(v) for v in range(0, 40, 3)]
    )
    matrix = generated(seed, raters=2 + seed % 5, units=6 + seed, values=values, missing=0.2)
    expected = krippendorff.alpha(reliability_data=np.array(matrix), level_of_measurement=level.value)
    got = item_alpha(as_ratings(matrix), level, domain=values if level is Level.ORDINAL else None)
    assert got.value == pytest.approx(expected, abs=1e-9)
    assert got.n == sum(
        sum(1 for r in range(len(matrix)) if not math.isnan(matrix[r][u]))
        for u in range(len(matrix[0]))
        if sum(1 for r in range(len(matrix)) if not math.isnan(matrix[r][u])) >= 2
    )


def test_nominal_labels_are_only_names() -> None:
    matrix = generated(3, raters=4, units=10, values=[0.0, 1.0, 2.0], missing=0.1)
    labels = {0.0: "Yes, fully", 1.0: "Partly", 2.0: "No"}
    expected = krippendorff.alpha(reliability_data=np.array(matrix), level_of_measurement="nominal")
    assert item_alpha(as_ratings(matrix, labels), Level.NOMINAL).value == pytest.approx(expected)
    booleans = {0.0: False, 1.0: True, 2.0: True}
    two = [[booleans[v] if not math.isnan(v) else NAN for v in row] for row in matrix]
    as_numbers = [[float(v) if not isinstance(v, float) else v for v in row] for row in two]
    expected_two = krippendorff.alpha(reliability_data=np.array(as_numbers), level_of_measurement="nominal")
    assert item_alpha(as_ratings(two), Level.NOMINAL).value == pytest.approx(expected_two)


def test_an_ordinal_scale_orders_its_points_not_their_names() -> None:
    # A scale's unused points do not change alpha; the order of the points does.
    matrix = generated(5, raters=3, units=12, values=[1.0, 2.0, 4.0], missing=0.1)
    expected = krippendorff.alpha(
        reliability_data=np.array(matrix), value_domain=[0, 1, 2, 3, 4], level_of_measurement="ordinal"
    )
    got = item_alpha(as_ratings(matrix), Level.ORDINAL, domain=[0, 1, 2, 3, 4])
    assert got.value == pytest.approx(expected)


def test_many_distinct_measurements_stay_close_to_the_exact_alpha() -> None:
    rng = random.Random(9)
    truth = [rng.uniform(0, 3000) for _ in range(40)]
    matrix = [[t + rng.gauss(0, 300) for t in truth] for _ in range(5)]
    expected = krippendorff.alpha(reliability_data=np.array(matrix), level_of_measurement="interval")
    assert item_alpha(as_ratings(matrix), Level.INTERVAL).value == pytest.approx(expected, abs=0.005)


@pytest.mark.parametrize("level", list(Level))
def test_a_single_valued_item_has_no_alpha(level: Level) -> None:
    ratings = {u: {"a": 3, "b": 3, "c": None} for u in range(6)}
    assert item_alpha(ratings, level) == Alpha(None, 12, NOT_ENOUGH_VARIATION)


def test_too_few_pairable_ratings_have_no_alpha() -> None:
    # Every unit has one rating at most: nothing to pair, whatever the values.
    ratings = {0: {"a": 1, "b": None}, 1: {"a": None, "b": 2}, 2: {"a": 3}}
    assert item_alpha(ratings, Level.INTERVAL) == Alpha(None, 0, NOT_ENOUGH_VARIATION)
    assert item_alpha({}, Level.NOMINAL) == Alpha(None, 0, NOT_ENOUGH_VARIATION)


def test_values_only_outside_pairable_units_give_no_variation() -> None:
    # The only other value sits in a unit of one rating: the pairable ones are all alike.
    ratings = {0: {"a": True, "b": True}, 1: {"a": True, "b": True}, 2: {"a": False}}
    result = item_alpha(ratings, Level.NOMINAL)
    assert result.value is None and result.reason == NOT_ENOUGH_VARIATION and result.n == 4


def test_percent_agreement_counts_pairs() -> None:
    ratings = {
        0: {"a": "x", "b": "x", "c": "y"},  # 1 of 3 pairs agree
        1: {"a": "x", "b": "x"},  # 1 of 1
        2: {"a": "x", "b": None},  # not pairable
    }
    share = percent_agreement(ratings)
    assert (share.agreed, share.n) == (2, 4)
    assert share.value == 0.5
    assert percent_agreement({}).value is None


def test_thresholds_read_alpha() -> None:
    default = Thresholds()
    assert default.reading(0.84) is Reliability.GOOD
    assert default.reading(0.8) is Reliability.GOOD
    assert default.reading(0.7) is Reliability.TENTATIVE
    assert default.reading(0.5) is Reliability.NOT_RELIABLE
    assert default.reading(None) is Reliability.UNKNOWN
    assert Thresholds(0.9, 0.75).reading(0.8) is Reliability.TENTATIVE


def test_reference_value_is_the_mode_or_the_median() -> None:
    assert reference_value(["a", "b", "a", None], Level.NOMINAL) == ("a",)
    assert set(reference_value(["a", "b"], Level.NOMINAL)) == {"a", "b"}
    assert reference_value([1, 2, 4], Level.ORDINAL) == (2,)
    assert reference_value([1, 2, 3, 4], Level.ORDINAL) == (2, 3)
    assert reference_value([None], Level.INTERVAL) == ()


def test_rater_agreement_with_a_key() -> None:
    items = {
        "named": {1: {"ann": True, "bo": False}, 2: {"ann": True, "bo": True}, 3: {"ann": None, "bo": True}},
        "courtesy": {1: {"ann": 4, "bo": 2}, 2: {"ann": 3, "bo": 3}, 3: {"ann": 4, "bo": 4}},
    }
    levels = {"named": Level.NOMINAL, "courtesy": Level.ORDINAL}
    key = {"named": {1: True, 2: True, 3: True}, "courtesy": {1: 4, 2: 3, 3: 3}}
    ann = rater_agreement(items, levels, "ann", key)
    assert (ann.items["named"].agreed, ann.items["named"].n) == (2, 2)  # unit 3: N/A, not compared
    assert (ann.items["courtesy"].agreed, ann.items["courtesy"].n) == (2, 3)
    assert (ann.overall.agreed, ann.overall.n) == (4, 5)
    bo = rater_agreement(items, levels, "bo", key)
    assert (bo.overall.agreed, bo.overall.n) == (3, 6)
    assert bo.weakest() == ["courtesy", "named"]  # 1 of 3, then 2 of 3
    assert ann.weakest() == ["courtesy"]


def test_rater_agreement_without_a_key_uses_the_others() -> None:
    items = {"named": {1: {"a": True, "b": True, "c": False}, 2: {"a": False, "b": True, "c": True}}}
    levels = {"named": Level.NOMINAL}
    assert rater_agreement(items, levels, "c").overall == rater_agreement(items, levels, "a").overall
    c = rater_agreement(items, levels, "c")
    assert (c.overall.agreed, c.overall.n) == (1, 2)
    b = rater_agreement(items, levels, "b")
    # Unit 1: the others split (True, False), a tie: either answer agrees.
    assert (b.overall.agreed, b.overall.n) == (2, 2)


def test_mean_difference_is_signed() -> None:
    scores: dict[int, dict[str, float | None]] = {
        1: {"lenient": 90.0, "a": 70.0, "b": 72.0},
        2: {"lenient": 80.0, "a": 60.0, "b": None},
        3: {"lenient": None, "a": 50.0, "b": 52.0},
    }
    against_others = mean_difference(scores, "lenient")
    assert against_others.value == pytest.approx(((90 - 71) + (80 - 60)) / 2)
    assert against_others.n == 2
    key = {1: 75.0, 2: 65.0, 3: 51.0}
    harsh = mean_difference(scores, "a", key)
    assert harsh.value == pytest.approx(((70 - 75) + (60 - 65) + (50 - 51)) / 3)
    assert harsh.n == 3
    assert mean_difference(scores, "nobody").value is None
