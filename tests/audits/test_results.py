"""Results arrangement: ordering, histogram, bands, alert threshold, school results."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import Channel, District, Level, Outcome
from audits.results.heatmap import Band, band_of, heatmap
from audits.results.ordering import Ordering, sort_rows
from audits.results.overview import histogram, round_overview
from audits.results.school import school_results
from audits.results.thresholds import flagged_schools, parse_threshold, set_alert_threshold
from audits.scoring.engine import SchoolScore
from tests.audits.scoring_helpers import build_world

PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0}
HALF = {"answered": 1.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.5}


def test_ordering_parse_falls_back_to_defaults() -> None:
    columns = ("name", "overall", "phone")
    assert Ordering.parse(None, None, None, columns) == Ordering("overall", True, None)
    assert Ordering.parse("name", None, None, columns) == Ordering("name", False, None)
    assert Ordering.parse("phone", "asc", "high", columns) == Ordering("phone", False, Level.HIGH)
    assert Ordering.parse("drop table", "up", "nursery", columns) == Ordering("overall", True, None)
    ordering = Ordering("overall", True)
    assert (ordering.toggled("overall"), ordering.toggled("name"), ordering.toggled("phone")) == (
        "asc",
        "asc",
        "desc",
    )


def test_sort_rows_puts_missing_values_last_and_ties_by_name() -> None:
    rows = [("b", 2.0), ("a", None), ("c", 2.0), ("d", 1.0)]
    key, name = (lambda r: r[1]), (lambda r: r[0])
    assert [r[0] for r in sort_rows(rows, key, name, descending=True)] == ["b", "c", "d", "a"]
    assert [r[0] for r in sort_rows(rows, key, name, descending=False)] == ["d", "b", "c", "a"]


def test_histogram_bins() -> None:
    bins = histogram([0, 9.99, 10, 55, 99.9, 100])
    assert [b.count for b in bins] == [2, 1, 0, 0, 0, 1, 0, 0, 0, 2]
    assert (bins[0].label, bins[-1].label) == ("0–10", "90–100")


def test_bands() -> None:
    assert [band_of(s) for s in (None, 0, 49.9, 50, 69.9, 70, 80, 89.99, 90, 100)] == [
        Band.NONE,
        Band.POOR,
        Band.POOR,
        Band.WEAK,
        Band.WEAK,
        Band.FAIR,
        Band.GOOD,
        Band.GOOD,
        Band.STRONG,
        Band.STRONG,
    ]


@pytest.mark.parametrize(
    ("raw", "expected"), [("70", 70.0), (" 72,5 ", 72.5), ("0", 0.0), (100, 100.0), ("99.9", 99.9)]
)
def test_threshold_accepts_0_to_100(raw: str | float, expected: float) -> None:
    district = District(name="D")
    assert set_alert_threshold(district, raw) == expected
    assert district.alert_threshold == expected


@pytest.mark.parametrize("raw", [None, "", "  ", "seventy", "100.1", "-0.5", "inf", "nan", float("nan")])
def test_threshold_refuses_the_rest(raw: str | float | None) -> None:
    district = District(name="D", alert_threshold=70.0)
    with pytest.raises(ValidationError) as caught:
        set_alert_threshold(district, raw)
    assert caught.value.field == "alert_threshold"
    assert district.alert_threshold == 70.0
    with pytest.raises(ValidationError):
        parse_threshold(raw)


def test_flagged_schools_are_below_the_threshold_lowest_first() -> None:
    schools = [
        SchoolScore(1, "1", "B", "high", overall=60),
        SchoolScore(2, "2", "A", "high", overall=60),
        SchoolScore(3, "3", "C", "high", overall=70),
        SchoolScore(4, "4", "D", "high", overall=None),
        SchoolScore(5, "5", "E", "high", overall=10),
    ]
    assert [s.name for s in flagged_schools(schools, 70)] == ["E", "A", "B"]


def test_overview_heatmap_and_school_results(session: Session) -> None:
    world = build_world(session, schools=3)
    a, b, c = world.schools
    c.level = Level.MIDDLE
    earlier = world.round("Autumn", date(2026, 10, 1))
    round_ = world.round("Spring", date(2027, 2, 1))
    world.contact(earlier, a, Channel.PHONE, HALF)
    world.contact(round_, a, Channel.PHONE, PERFECT, started_at=datetime(2027, 2, 1, 15, tzinfo=UTC))
    world.contact(round_, b, Channel.PHONE, HALF)
    world.contact(round_, c, Channel.EMAIL, {}, outcome=Outcome.NO_REPLY, unreached=True)
    overview = round_overview(session, round_, "name", "desc", "elementary")
    assert [s.name for s in overview.rows] == ["School B", "School A"]
    assert [s.name for s in overview.flagged] == ["School C", "School B"]
    assert overview.levels == [Level.ELEMENTARY, Level.MIDDLE]
    assert overview.mean_change == pytest.approx((100 + 100 * 10 / 17 + 0) / 3 - 100 * 10 / 17)
    heat = heatmap(session, round_, "service", "asc", None)
    assert list(heat.sections) == ["greeting", "service"]
    assert heat.sections["greeting"] == "Greeting"
    assert [row.school.name for row in heat.rows] == ["School B", "School A", "School C"]
    assert [cell.score for cell in heat.rows[0].cells] == [pytest.approx(100 * 5 / 7), pytest.approx(50.0)]
    results = school_results(session, a, None)
    assert results.round is not None and results.round.id == round_.id
    assert [(p.round.name, p.current) for p in results.trend] == [("Autumn", False), ("Spring", True)]
    assert [(line.day, line.score) for line in results.contacts] == [(date(2027, 2, 1), 100.0)]
    assert school_results(session, c, earlier).score is None
