"""Scorecard figures: the engine's numbers, the words around them, and a fixed number of queries."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session

from audits.models import Outcome
from audits.scoring.engine import round_scores
from reports.figures import gather_round
from tests.reports.scorecard_helpers import GOOD, PHONE, at, scorecard_world


def test_headline_figures_are_the_engines(session: Session) -> None:
    built = scorecard_world(session)
    a, b, c = built.schools
    scores = round_scores(session, built.round)
    figures = gather_round(session, built.round)
    card = figures.scorecards[a.id]
    engine = scores.school(a.id)
    assert engine is not None
    assert card.overall == engine.overall
    assert card.district_median == scores.district.overall.median
    assert (card.rank, card.ranked) == (engine.rank, 2)
    assert card.previous == engine.previous
    assert card.change == pytest.approx(engine.overall - engine.previous)  # type: ignore[operator]
    assert card.previous_round == "Spring 2026 round"
    assert card.contacts == 5
    assert card.contacts_by_channel == ["3 phone calls", "1 email", "1 front-office visit"]
    assert [(row.label, row.school) for row in card.channels] == [
        (label, engine.channels[key].score)
        for key, label in (("phone", "Phone call"), ("email", "Email"), ("visit", "Front-office visit"))
    ]
    assert [(row.key, row.label) for row in card.sections] == [
        ("greeting", "Greeting"),
        ("service", "Service"),
    ]
    assert card.sections[0].school == engine.sections["greeting"]
    assert card.sections[0].district == scores.district.sections["greeting"].median
    assert card.standing.startswith(f"{a.name} is ")
    assert [point.round_name for point in card.trend] == ["Spring 2026 round", "Fall 2026 round"]
    assert figures.scorecards[c.id].contacts == 0
    assert not figures.scorecards[c.id].has_contacts
    assert figures.scorecards[b.id].rank == 2


def test_critical_failures_timings_and_reach(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    # One contact failed its critical item: the card counts it once, as the engine does, and cites its row.
    assert [(f.ref, f.channel, f.day, f.prompts) for f in card.critical_failures] == [
        (5, "Front-office visit", date(2026, 10, 13), ["Did a person answer?"])
    ]
    assert card.critical_failure_count == 1 == round_scores(session, built.round).schools[0].critical_failures
    timings = {timing.measure: timing for timing in card.timings}
    rings = timings["Rings before a person answered (phone, mean)"]
    assert (rings.school, rings.meets) == ("3.0 rings", True)
    assert "Answered within 3 rings" in rings.standard and "Lawrence" in rings.source
    hold = timings["Time on hold (phone, mean)"]
    assert (hold.school, hold.meets) == ("40 seconds", True)
    email = timings["Business hours to a personal reply (email, median)"]
    assert (email.school, email.meets) == ("6.5 business hours", True)
    assert "16 business hours" in email.standard
    reach = timings["Reach: contacts that reached a person"]
    assert reach.school.splitlines() == [
        "2 of 3 calls reached a person",
        "1 of 1 email got a personal reply",
        "1 of 1 visit was served",
    ]
    assert reach.meets is False


def test_quotes_show_both_sides_without_names(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    texts = [quote.text for quote in card.quotes]
    assert 3 <= len(texts) <= 6
    assert any(quote.strength for quote in card.quotes) and any(not quote.strength for quote in card.quotes)
    everything = json.dumps(asdict(card), default=str)
    for name in ("Rivera", "O'Neil", "Avery", "Quinn", "Pat Morgan"):
        assert name not in everything
    assert "[staff member] greeted me warmly and [auditor] was told every document needed." in texts


def test_next_steps_are_the_lowest_items_with_tips(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    # Three items earned nothing on the visit; the one that lost most points comes first.
    assert [(step.channel, step.checked) for step in card.next_steps] == [
        ("Front-office visit", "How accurate was the answer?"),
        ("Front-office visit", "Did a person answer?"),
        ("Front-office visit", "Did the staff member give their name?"),
    ]
    assert card.next_steps[0].tip == "Keep a sheet of the answers families ask for most by the phone."
    assert card.next_steps[0].detail == "earned 0% of its points over 1 contact."


def test_a_channel_that_never_reached_a_person_comes_first(session: Session) -> None:
    built = scorecard_world(session)
    c = built.schools[2]
    built.world.contact(
        built.round, c, PHONE, {}, outcome=Outcome.BUSY, unreached=True, started_at=at(date(2026, 10, 9))
    )
    card = gather_round(session, built.round).scorecards[c.id]
    assert card.overall == 0.0
    assert [(step.checked, step.detail) for step in card.next_steps] == [
        ("Reach", "0 of 1 call reached a person.")
    ]
    assert "press 0" in card.next_steps[0].tip


def test_appendix_lists_every_counted_contact(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    assert [(row.day, row.channel, row.outcome) for row in card.appendix] == [
        (date(2026, 10, 6), "Phone call", "Answered by a person"),
        (date(2026, 10, 7), "Phone call", "Answered by a person"),
        (date(2026, 10, 8), "Phone call", "No answer (final attempt)"),
        (date(2026, 10, 9), "Email", "Reply received"),
        (date(2026, 10, 13), "Front-office visit", "Served"),
    ]
    assert card.appendix[2].score == 0.0
    assert card.appendix[4].critical


def _count_queries(session: Session, run: object) -> int:
    statements: list[str] = []

    def before(*args: object) -> None:
        statements.append(str(args[2]))

    engine = session.get_bind()
    event.listen(engine, "before_cursor_execute", before)
    try:
        run()  # type: ignore[operator]
    finally:
        event.remove(engine, "before_cursor_execute", before)
    return len(statements)


def test_a_fixed_number_of_queries_whatever_the_schools(session: Session) -> None:
    small = scorecard_world(session, schools=3)
    session.commit()
    session.expire_all()
    few = _count_queries(session, lambda: gather_round(session, small.round))
    large = scorecard_world(session, schools=12)
    for school in large.schools[2:]:
        large.world.contact(large.round, school, PHONE, GOOD, started_at=at(date(2026, 10, 20)))
    session.commit()
    session.expire_all()
    many = _count_queries(session, lambda: gather_round(session, large.round))
    assert many == few
