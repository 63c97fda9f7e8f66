"""The state-wide view: each district's figures are its own dashboard's, in a fixed number of queries."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import Channel
from audits.results.heatmap import heatmap
from audits.results.overview import round_overview
from audits.results.region import Period, state_comparison
from audits.scoring.engine import CHANNELS, round_scores
from audits.scoring.state import rounds_figures
from tests.audits.region_helpers import region_district


def test_each_district_has_its_own_dashboards_figures(session: Session) -> None:
    north = region_district(session, schools=5, shift=0)
    south = region_district(session, schools=7, shift=2)
    comparison = state_comparison(session)
    rows = {row.district.id: row for row in comparison.rows}
    for place in (north, south):
        row = rows[place.world.district.id]
        assert row.round is not None and row.round.id == place.latest.id  # not the newer, unpublished one
        own = round_scores(session, place.latest)
        overview = round_overview(session, place.latest)
        assert row.overall.mean == pytest.approx(own.district.overall.mean)
        assert row.overall.median == pytest.approx(own.district.overall.median)
        assert row.overall.count == len(own.schools) == len(place.world.schools)
        assert row.histogram == overview.histogram
        totals = own.district.channel_totals.values()
        assert row.reach_rate == pytest.approx(
            sum(t.reached for t in totals) / sum(t.contacts for t in totals)
        )
        assert row.reach_rate < 1  # the unreached calls count
        assert row.figures is not None
        assert sorted(row.figures.school_overalls) == sorted(
            s.overall for s in own.schools if s.overall is not None
        )
        for group in comparison.groups:
            heat = heatmap(session, place.latest, channel=group.key)
            assert [row.section_median(key) for key in group.sections] == heat.medians
            assert row.channel_median(group.channel) == heat.channel_median
            assert row.overall_median == heat.overall_median
        rubrics = place.world.rubrics
        assert row.rubric_keys == sorted([rubrics[Channel.PHONE].key, rubrics[Channel.EMAIL].key])
    # The two districts differ, so the comparison does not hand one district's figures to the other.
    assert rows[north.world.district.id].overall.mean != rows[south.world.district.id].overall.mean


def test_batched_figures_equal_one_round_at_a_time(session: Session) -> None:
    places = [region_district(session, schools=4, shift=shift) for shift in range(3)]
    rounds = [round_ for place in places for round_ in (place.latest, place.older, place.unpublished)]
    batched = rounds_figures(session, [round_.id for round_ in rounds])
    assert set(batched) == {round_.id for round_ in rounds}
    for round_ in rounds:
        alone = round_scores(session, round_)
        together = batched[round_.id]
        assert together.overall == alone.district.overall
        assert together.sections == alone.district.sections
        assert together.channels == alone.district.channels
        assert list(together.channels) == CHANNELS
        assert sorted(together.school_overalls) == sorted(
            s.overall for s in alone.schools if s.overall is not None
        )
        totals = alone.district.channel_totals.values()
        assert (together.contacts, together.reached) == (
            sum(t.contacts for t in totals),
            sum(t.reached for t in totals),
        )
        assert together.contacts >= together.reached > 0
    assert any(figures.contacts > figures.reached for figures in batched.values())  # unreached calls count
    assert rounds_figures(session, []) == {}


def test_a_period_chooses_each_districts_latest_round_in_it(session: Session) -> None:
    place = region_district(session, schools=3, shift=1)
    comparison = state_comparison(session, Period.of(date(2026, 9, 1), date(2026, 12, 31)))
    row = next(row for row in comparison.rows if row.district.id == place.world.district.id)
    assert row.round is not None and row.round.id == place.older.id
    empty = state_comparison(session, Period.of(date(2030, 1, 1), None))
    assert all(row.round is None and row.overall.mean is None for row in empty.rows)
    assert empty.compared == []
    with pytest.raises(ValidationError) as refused:
        Period.of(date(2027, 1, 2), date(2027, 1, 1))
    assert refused.value.problems[0][0] == "until"


def test_queries_do_not_grow_with_the_number_of_districts(session: Session) -> None:
    counts = []
    for _ in range(2):
        region_district(session, schools=3, shift=0)
        region_district(session, schools=3, shift=1)
        statements: list[str] = []

        def count(*args: object, seen: list[str] = statements) -> None:
            seen.append("x")

        session.flush()
        event.listen(session.get_bind(), "before_cursor_execute", count)
        comparison = state_comparison(session)
        event.remove(session.get_bind(), "before_cursor_execute", count)
        counts.append((len(comparison.compared), len(statements)))
    (fewer, first), (more, second) = counts
    assert more == fewer + 2
    assert first == second <= 9
