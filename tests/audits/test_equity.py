"""The equal-service figures: against hand-computed values and scipy/statsmodels on small data, the
"no difference shown" wording, and one school's own pair facts (never a claim over schools)."""

from __future__ import annotations

import math

import pytest
from scipy import stats
from sqlalchemy.orm import Session
from statsmodels.stats.power import TTestPower

from audits.equity import (
    Measure,
    equity_figures,
    paired_rate_test,
    paired_score_test,
    pairs_needed,
    school_pair_facts,
)
from tests.audits.equity_helpers import LANGUAGE_GAP, Member, build_equity_world


def test_a_rate_gap_by_hand_mcnemar_exact_and_its_conditional_interval() -> None:
    # 16 pairs: 9 both reached, 7 where only member a was (n10 = 7, n01 = 0).
    test = paired_rate_test([1] * 16, [1] * 9 + [0] * 7)
    assert test.pairs == 16
    assert test.difference == pytest.approx(-7 / 16)
    # McNemar's exact test: two-sided binomial on 7 discordant pairs, all one way: 2 × 0.5⁷.
    assert test.p_value == pytest.approx(2 * 0.5**7)
    assert test.p_value == pytest.approx(stats.binomtest(0, 7, 0.5).pvalue)
    # Clopper-Pearson for 0 of 7: [0, 1 - 0.025^(1/7)], mapped by (7/16)(2π - 1).
    upper = 1 - 0.025 ** (1 / 7)
    assert test.ci_low == pytest.approx(-7 / 16)
    assert test.ci_high == pytest.approx(7 / 16 * (2 * upper - 1))
    assert test.ci_high == pytest.approx(-0.07908, abs=1e-4)


def test_balanced_discordance_shows_no_difference() -> None:
    test = paired_rate_test([1, 1, 0, 0, 1, 1], [0, 1, 1, 0, 1, 1])
    assert (test.difference, test.p_value) == (0.0, 1.0)
    assert test.ci_low is not None and test.ci_high is not None
    assert test.ci_low < 0 < test.ci_high
    assert test.ci_low == pytest.approx(-test.ci_high)
    none_discordant = paired_rate_test([1, 0, 1], [1, 0, 1])
    assert (none_discordant.ci_low, none_discordant.ci_high, none_discordant.p_value) == (0.0, 0.0, 1.0)


def test_the_rate_interval_excludes_zero_exactly_when_the_exact_test_rejects() -> None:
    for n10 in range(9):
        for n01 in range(9):
            a = [1] * n10 + [0] * n01 + [1, 0]
            b = [0] * n10 + [1] * n01 + [1, 0]
            test = paired_rate_test(a, b)
            assert test.ci_low is not None and test.ci_high is not None and test.p_value is not None
            excludes = test.ci_low > 0 or test.ci_high < 0
            assert excludes == (test.p_value < 0.05), (n10, n01)


def test_a_score_difference_by_hand_and_scipy_ttest_rel() -> None:
    a, b = [70.0, 80.0, 60.0, 90.0], [60.0, 75.0, 50.0, 91.0]
    test = paired_score_test(a, b)
    # Differences -10, -5, -10, +1: mean -6, sd √(82/3), t(3) critical 3.182446.
    spread = math.sqrt(82 / 3)
    half = 3.182446305284263 * spread / 2
    assert test.difference == pytest.approx(-6.0)
    assert test.ci_low == pytest.approx(-6 - half)
    assert test.ci_high == pytest.approx(-6 + half)
    assert test.p_value == pytest.approx(stats.ttest_rel(b, a).pvalue)
    assert test.p_value == pytest.approx(0.1054, abs=1e-3)
    assert test.pairs_needed == math.ceil(TTestPower().solve_power(10 / spread, alpha=0.05, power=0.8))


def test_pairs_needed_follow_statsmodels_power() -> None:
    # A gap of 10 points with differences spread 20 points: effect size 0.5, 33.4 pairs → 34.
    assert pairs_needed(10, 20) == 34
    assert pairs_needed(0.10, 0.5) == math.ceil(TTestPower().solve_power(0.2, alpha=0.05, power=0.8))
    assert paired_score_test([50.0], [60.0]).ci_low is None  # one pair has no interval
    # Differences without spread have no interval either: no gap is claimed on them.
    same = paired_score_test([50.0, 60.0, 70.0], [40.0, 50.0, 60.0])
    assert (same.difference, same.ci_low, same.ci_high, same.p_value) == (-10.0, None, None, None)


def test_the_round_figures_show_the_language_gap_in_reach(session: Session) -> None:
    world = build_equity_world(session)
    world.pairs(LANGUAGE_GAP)
    figures = {figure.measure: figure for figure in equity_figures(session, world.round)}
    reach = figures[Measure.REACH]
    assert (reach.a.value, reach.a.n) == (1.0, 16)
    assert (reach.b.value, reach.b.n) == (pytest.approx(9 / 16), 16)
    assert reach.test.pairs == 16 and reach.shown
    assert reach.test.p_value == pytest.approx(2 * 0.5**7)
    assert reach.finding == (
        "Reach rate was lower for Spanish-language requests than for English-language requests: "
        "\u221244 percentage points (95% confidence interval \u221244 to \u22128 percentage points), "
        "over 16 pairs."
    )
    score = figures[Measure.SCORE]
    assert (score.a.value, score.b.value) == (100.0, pytest.approx(100 * 9 / 16))
    # Accuracy is compared only where both members reached someone: no difference there.
    accuracy = figures[Measure.ACCURACY]
    assert (accuracy.a.n, accuracy.b.n, accuracy.test.pairs) == (16, 9, 9)
    assert accuracy.test.difference == 0.0 and not accuracy.shown


def test_no_difference_shown_when_the_interval_includes_zero(session: Session) -> None:
    world = build_equity_world(session, schools=6)
    world.pairs(
        [(Member(), Member())] * 4 + [(Member(reached=False), Member()), (Member(), Member(reached=False))]
    )
    reach = next(f for f in equity_figures(session, world.round) if f.measure is Measure.REACH)
    assert not reach.shown
    assert reach.finding.startswith("No difference shown with 6 pairs. About ")
    assert reach.finding.endswith(" pairs would be needed to detect a gap of 10 percentage points.")
    assert "lower" not in reach.finding and "higher" not in reach.finding
    within = next(f for f in equity_figures(session, world.round) if f.measure is Measure.WITHIN_STANDARD)
    assert within.test.pairs == 6


def test_unapproved_contacts_do_not_count_and_an_empty_round_claims_nothing(session: Session) -> None:
    world = build_equity_world(session, schools=2)
    world.record(world.schools[0], "a", Member())
    world.record(world.schools[0], "b", Member(reached=False), approved=False)
    reach = next(f for f in equity_figures(session, world.round) if f.measure is Measure.REACH)
    assert (reach.a.n, reach.b.n, reach.test.pairs) == (1, 0, 0)
    assert reach.finding == "No school has both members counted yet: nothing to compare."


def test_a_school_sees_its_own_pair_as_facts_only(session: Session) -> None:
    world = build_equity_world(session, schools=16)
    world.pairs(LANGUAGE_GAP)
    facts = school_pair_facts(session, world.round, world.schools[15].id)
    assert len(facts) == 1
    assert facts[0].sentences == [
        "The English-language phone call, Oct 5, 2026, reached a person (scored 100 of 100).",
        "The Spanish-language phone call, Oct 7, 2026, two days later, was not answered.",
    ]
    text = " ".join(facts[0].sentences)
    for claim in ("confidence", "difference", "percentage", "pairs"):
        assert claim not in text
    assert (
        school_pair_facts(session, world.round, world.schools[0].id)[0]
        .sentences[1]
        .endswith("reached a person (scored 100 of 100).")
    )
