"""Equal service in the district summary: the same figures as the leaders' page, in words."""

from __future__ import annotations

from sqlalchemy.orm import Session

from reports.summary import gather_summary
from tests.audits.equity_helpers import LANGUAGE_GAP, build_equity_world


def test_the_summary_carries_each_pair_and_measure_with_the_gap_in_reach(session: Session) -> None:
    world = build_equity_world(session)
    world.pairs(LANGUAGE_GAP)
    summary = gather_summary(session, world.round)
    assert summary.pair_spacing == 2
    (pair,) = summary.equity
    assert (pair.title, pair.a_label, pair.b_label) == (
        "Enrolling by phone: English and Spanish",
        "In English",
        "In Spanish",
    )
    reach = pair.rows[0]
    assert (reach.measure, reach.a, reach.b) == ("Reach rate", "100% (16)", "56% (16)")
    assert (reach.difference, reach.p_value, reach.pairs, reach.shown) == ("\u221244", "0.016", 16, True)
    assert reach.interval == "\u221244 to \u22128 percentage points"
    accuracy = pair.rows[2]
    assert not accuracy.shown and accuracy.finding.startswith("No difference shown with 9 pairs.")


def test_a_round_without_paired_testing_has_no_section(session: Session) -> None:
    world = build_equity_world(session, schools=2)
    world.round.pair_ids = []
    assert gather_summary(session, world.round).equity == []


def test_a_scorecard_prints_only_its_own_schools_pair_facts(session: Session) -> None:
    from reports.figures import gather_round
    from reports.render import shared_renderer

    world = build_equity_world(session)
    world.pairs(LANGUAGE_GAP)
    figures = gather_round(session, world.round)
    unanswered, answered = world.schools[15], world.schools[0]
    card = figures.scorecards[unanswered.id]
    assert [fact.sentences for fact in card.pair_facts] == [
        [
            "The English-language phone call, Oct 5, 2026, reached a person (scored 100 of 100).",
            "The Spanish-language phone call, Oct 7, 2026, two days later, was not answered.",
        ]
    ]
    assert "was not answered" not in " ".join(figures.scorecards[answered.id].pair_facts[0].sentences)
    html = shared_renderer().html("scorecard.html", card=card)
    assert "Equal service: your school's paired contacts" in html
    assert "two days later, was not answered." in html
    # Facts only: none of the round's figures over schools, nor another school's contacts.
    for claim in ("confidence interval", "percentage points", "No difference shown", "16 pairs", "p-value"):
        assert claim not in html
    assert html.count("reached a person (scored 100 of 100)") == 1


def test_within_the_standard_uses_the_scorecards_standards() -> None:
    from audits import equity
    from audits.models import Assignment, Channel, Contact
    from reports import wording

    assert wording.RINGS.limit == equity.RINGS_LIMIT
    assert wording.EMAIL.limit == equity.EMAIL_HOURS_LIMIT

    def contact(channel: Channel, **fields: object) -> Contact:
        return Contact(assignment=Assignment(channel=channel), unreached=False, **fields)

    assert equity._within_standard(contact(Channel.PHONE, rings=3)) == 1.0
    assert equity._within_standard(contact(Channel.PHONE, rings=4)) == 0.0
    assert equity._within_standard(contact(Channel.EMAIL, response_business_hours=16.0)) == 1.0
    assert equity._within_standard(contact(Channel.EMAIL, response_business_hours=16.5)) == 0.0
    assert equity._within_standard(contact(Channel.VISIT, greeted_seconds=150)) == 0.0
    assert equity._within_standard(contact(Channel.EMAIL)) is None  # not recorded: left out
    unreached = Contact(assignment=Assignment(channel=Channel.PHONE), unreached=True)
    assert equity._within_standard(unreached) == 0.0
