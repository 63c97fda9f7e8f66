"""How sure the figures are (rules 12–14 of docs/scoring.md), each checked against figures computed here.

The expected intervals come from the textbook formula with the standard library's standard
deviation and Student's t from a printed table (or ``scipy.stats.t.ppf`` directly), never from
the code under test; the bands from intervals drawn by hand.
"""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path
from statistics import fmean, stdev

import pytest
from scipy import stats
from sqlalchemy.orm import Session

from audits.models import Channel, Outcome
from audits.scoring.engine import round_scores
from audits.scoring.precision import (
    CONFIDENCE,
    Interval,
    RankBand,
    band_of,
    is_early,
    method,
    overall_interval,
    standings,
)
from tests.audits.scoring_helpers import build_world

PHONE, EMAIL, VISIT = Channel.PHONE, Channel.EMAIL, Channel.VISIT
# Scoring rubric: answered 5 (critical), named 2, courtesy 4, accuracy 6, 17 points in all.
PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}  # 17 of 17 = 100
GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 0.75, "accuracy": 0.5}  # 13 of 17
HALF = {"answered": 1.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.5}  # 10 of 17


def test_the_interval_of_five_scores_by_hand() -> None:
    scores = [70.0, 72.0, 74.0, 76.0, 78.0]  # mean 74, standard deviation √10
    # By hand: s = √10 = 3.1623, s/√5 = 1.4142; t(0.975, 4) = 2.776 (a printed t table): ± 3.926.
    interval = overall_interval(74.0, scores)
    assert interval is not None
    assert (interval.low, interval.high) == (pytest.approx(70.074, abs=2e-3), pytest.approx(77.926, abs=2e-3))
    assert interval.contacts == 5 and interval.confidence == CONFIDENCE == 0.95


def test_the_interval_is_the_t_interval_around_the_overall_and_stays_within_0_to_100() -> None:
    scores = [60.0, 80.0, 100.0]
    half_width = stats.t.ppf(0.975, df=2) * stdev(scores) / math.sqrt(3)  # 4.303 × 11.547 = 49.68
    interval = overall_interval(80.0, scores)
    assert interval is not None
    assert interval.low == pytest.approx(80.0 - half_width)
    assert interval.high == 100.0  # 129.7 is cut to the top of the scale
    # Centred on the overall the card prints, whatever the mean of the contact scores.
    shifted = overall_interval(70.0, scores)
    assert shifted is not None and shifted.low == pytest.approx(70.0 - half_width)
    assert overall_interval(10.0, [0.0, 20.0]) == Interval(0.0, 100.0, 2)  # 10 ± 12.71 × 10, cut both ways


def test_no_interval_under_two_contacts_and_none_wide_when_they_agree() -> None:
    assert overall_interval(80.0, []) is None
    assert overall_interval(80.0, [80.0]) is None
    assert overall_interval(80.0, [80.0, 80.0, 80.0]) == Interval(80.0, 80.0, 3)


@pytest.mark.parametrize(
    ("best", "worst", "of", "band"),
    [
        (4, 4, 12, RankBand.EXACT),
        (1, 3, 12, RankBand.TOP_QUARTER),  # a quarter of 12 is 3
        (10, 12, 12, RankBand.BOTTOM_QUARTER),
        (2, 6, 12, RankBand.TOP_HALF),
        (7, 11, 12, RankBand.BOTTOM_HALF),
        (4, 9, 12, RankBand.MIDDLE_HALF),
        (3, 10, 12, RankBand.RANGE),
        (1, 12, 12, RankBand.RANGE),
        (1, 2, 3, RankBand.TOP_HALF),  # under four schools there are no quarters; half of 3 is 2
        (1, 3, 3, RankBand.RANGE),
        (1, 3, 10, RankBand.TOP_QUARTER),  # a quarter of 10 is 3 (rounded up)
    ],
)
def test_the_band_is_the_narrowest_that_holds_the_ranks(
    best: int, worst: int, of: int, band: RankBand
) -> None:
    assert band_of(best, worst, of) is band


def _ladder() -> list[tuple[int, Interval | None]]:
    """Twelve schools by hand: 1–3 overlap each other; 4 and 8 overlap only 9, which has no interval."""
    drawn = [
        (90, 100),  # 1: overlaps 2 and 3
        (86, 94),  # 2
        (82, 91),  # 3
        (75, 80),  # 4: touches no one
        (60, 70),  # 5: overlaps 6 and 7
        (58, 66),  # 6
        (55, 63),  # 7
        (45, 52),  # 8: overlaps 9 only (which could be anywhere)
        None,  # 9: one contact, no interval: 0 to 100
        (20, 30),  # 10
        (18, 26),  # 11
        (10, 24),  # 12
    ]
    return [(rank, None if ends is None else Interval(*ends, 5)) for rank, ends in enumerate(drawn, start=1)]


def test_the_rank_is_exact_only_when_no_interval_overlaps() -> None:
    result = standings(_ladder())
    by_rank = {standing.rank: standing for standing in result}
    # 1st: 2 and 3 overlap it, nobody lies wholly above it, 9 (anywhere) and 4–8, 10–12 lie below or overlap.
    # Wholly below 1 ([90, 100]): 4, 5, 6, 7, 8, 10, 11, 12 → worst 12 - 8 = 4 because 9 could be above it.
    assert (by_rank[1].best, by_rank[1].worst) == (1, 4)
    assert by_rank[1].band is RankBand.TOP_HALF and by_rank[1].text == "in the top half (1st–4th of 12)"
    # 4th ([75, 80]) overlaps only 9, which could be anywhere: 4th or 5th is as precise as it gets.
    assert (by_rank[4].best, by_rank[4].worst, by_rank[4].band) == (4, 5, RankBand.TOP_HALF)
    # 9th, with no interval, could take any rank; 10th–12th overlap each other and 9.
    assert (by_rank[9].best, by_rank[9].worst, by_rank[9].band) == (1, 12, RankBand.RANGE)
    assert by_rank[9].text == "between 1st and 12th of 12"
    assert (by_rank[12].best, by_rank[12].worst, by_rank[12].band) == (9, 12, RankBand.BOTTOM_HALF)


def test_separate_intervals_give_exact_ranks_and_touching_ones_a_band() -> None:
    apart = standings([(1, Interval(80, 90, 3)), (2, Interval(60, 70, 3)), (3, Interval(40, 50, 3))])
    assert [(s.best, s.worst, s.exact, s.text) for s in apart] == [
        (1, 1, True, "1st of 3"),
        (2, 2, True, "2nd of 3"),
        (3, 3, True, "3rd of 3"),
    ]
    touching = standings([(1, Interval(70, 80, 3)), (2, Interval(60, 70, 3))])  # both hold 70
    assert [(s.best, s.worst, s.exact) for s in touching] == [(1, 2, False), (1, 2, False)]
    assert touching[0].places == "1st–2nd" and touching[0].band_words == "too close to rank exactly"


def test_a_quarter_band_from_hand_drawn_intervals() -> None:
    top = [(1, Interval(88, 98, 4)), (2, Interval(85, 92, 4)), (3, Interval(84, 89, 4))]
    rest = [(rank, Interval(70 - 5 * rank, 75 - 5 * rank, 4)) for rank in range(4, 13)]  # all below 84
    first = standings([*top, *rest])[0]
    assert (first.best, first.worst, first.band) == (1, 3, RankBand.TOP_QUARTER)
    assert first.text == "among the top quarter (1st–3rd of 12)" and first.places == "1st–3rd"


def test_early_readings() -> None:
    assert is_early(2, 3) and not is_early(3, 3) and not is_early(1, 1)
    assert "fewer than 3 contacts of a channel" in method(3) and "95% t-interval" in method(3)


def test_the_engine_carries_intervals_bands_and_early_readings(session: Session) -> None:
    world = build_world(session, schools=3)
    a, b, c = world.schools
    round_ = world.round("Spring", date(2027, 2, 1))
    for answers in (PERFECT, GOOD, HALF):  # three calls: 100, 76.5, 58.8
        world.contact(round_, a, PHONE, answers)
    world.contact(round_, a, EMAIL, PERFECT)  # one email: 100
    world.contact(round_, b, PHONE, HALF)
    world.contact(round_, b, PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True)  # scores 0
    world.contact(round_, c, VISIT, GOOD)  # a single contact: no interval
    session.flush()
    scores = {s.name: s for s in round_scores(session, round_).schools}
    first, second, third = scores["School A"], scores["School B"], scores["School C"]

    calls = [100.0, 1300 / 17, 1000 / 17]
    overall = fmean([fmean(calls), 100.0])  # rule 7: the mean of the channel means
    assert first.overall == pytest.approx(overall)
    contact_scores = [*calls, 100.0]
    half = stats.t.ppf(0.975, df=3) * stdev(contact_scores) / math.sqrt(4)
    assert first.interval is not None and first.interval.contacts == 4
    assert (first.interval.low, first.interval.high) == (pytest.approx(overall - half), 100.0)
    # Three calls reach the early-reading number; one email does not: the overall is an early reading.
    assert not first.channels["phone"].early and first.channels["email"].early and first.early
    assert first.section_contacts == {"greeting": 4, "service": 4}

    b_scores = [1000 / 17, 0.0]
    b_half = stats.t.ppf(0.975, df=1) * stdev(b_scores) / math.sqrt(2)
    assert second.interval is not None
    assert second.interval.low == pytest.approx(max(0.0, second.overall - b_half))
    assert second.section_contacts == {"greeting": 1, "service": 1}  # the unreached call has no sections
    assert third.interval is None and third.early

    # A (89.2, from 56.9 up), C (76.5, anywhere) and B (29.4, from 0) overlap: no rank is exact.
    assert [(s.rank, s.standing.best, s.standing.worst) for s in (first, third, second) if s.standing] == [
        (1, 1, 3),
        (2, 1, 3),
        (3, 1, 3),
    ]
    assert round_scores(session, round_).early_reading == 3


def test_the_district_sets_the_early_reading_number(session: Session) -> None:
    world = build_world(session, schools=1)
    round_ = world.round("Spring", date(2027, 2, 1))
    world.contact(round_, world.schools[0], PHONE, GOOD)
    world.contact(round_, world.schools[0], PHONE, HALF)
    session.flush()
    assert round_scores(session, round_).schools[0].early
    world.district.early_reading_contacts = 2
    session.flush()
    school = round_scores(session, round_).schools[0]
    assert not school.early and not school.channels["phone"].early
    # A lone school's rank is exact: no other interval to overlap.
    assert school.standing is not None and school.standing.exact and school.standing.text == "1st of 1"


def test_docs_print_the_scorecards_own_paragraph() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "scoring.md").read_text(encoding="utf-8")
    quoted = " ".join(line.removeprefix("> ").strip() for line in docs.splitlines() if line.startswith("> "))
    assert method(3) in quoted
