"""The evidence on a scorecard: proof of attempts, truthful quotes, the biggest problem, precision."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import Channel, Contact, ContactStatus, ItemKind, Outcome, Round, School
from audits.rubrics.spec import ItemSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish
from audits.scoring.engine import round_scores
from audits.scoring.tally import tally
from reports.attempts import Attempt
from reports.figures import gather_round
from reports.render import shared_renderer
from tests.reports.scorecard_helpers import PHONE, VISIT, ScorecardWorld, at, say, scorecard_world

EMAIL = Channel.EMAIL
PERFECT = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0, "note": None}


def _tries(
    built: ScorecardWorld,
    round_: Round,
    school: School,
    channel: Channel,
    tries: list[tuple[Outcome, datetime, dict[str, object]]],
) -> Contact:
    """Approved attempts at one assignment, the last one final (unreached unless it reached the school)."""
    world = built.world
    first_outcome, first_at, first_fields = tries[0]
    final = len(tries) == 1
    contact = world.contact(
        round_,
        school,
        channel,
        {},
        outcome=first_outcome,
        unreached=final and first_outcome is not Outcome.REACHED,
        started_at=first_at,
        **first_fields,
    )
    for number, (outcome, when, fields) in enumerate(tries[1:], start=2):
        contact = Contact(
            assignment_id=contact.assignment_id,
            attempt=number,
            auditor_id=world.auditor.id,
            rubric_id=world.rubrics[channel].id,
            status=ContactStatus.APPROVED,
            outcome=outcome,
            unreached=number == len(tries) and outcome is not Outcome.REACHED,
            started_at=when,
            draft={},
            **fields,
        )
        world.session.add(contact)
        world.session.flush()
        tally(world.session, [contact.id])
    return contact


def _utc(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


# --- proof of attempts


def test_attempts_are_listed_for_an_unreached_contact_in_the_districts_time(session: Session) -> None:
    built = scorecard_world(session)
    c = built.schools[2]
    monday, tuesday = date(2026, 10, 19), date(2026, 10, 20)
    _tries(
        built,
        built.round,
        c,
        PHONE,
        [
            (Outcome.NO_ANSWER, _utc(monday, 13, 40), {"rings": 12}),  # 9:40 in New York (EDT, UTC-4)
            (Outcome.BUSY, _utc(monday, 15, 10), {}),
            (Outcome.VOICEMAIL, _utc(tuesday, 18, 5), {}),
        ],
    )
    # After daylight saving time ends, the same district clock reads EST (UTC-5).
    _tries(built, built.round, c, VISIT, [(Outcome.NOT_SERVED, _utc(date(2026, 11, 2), 14, 30), {})])
    card = gather_round(session, built.round).scorecards[c.id]
    assert [(row.ref, row.channel, row.outcome) for row in card.appendix] == [
        (1, "Phone call", "Voicemail (final attempt)"),
        (2, "Front-office visit", "Not served (office closed or turned away) (final attempt)"),
    ]
    call, visit = card.attempts
    assert (call.ref, call.channel, call.unreached, call.summary) == (
        1,
        "Phone call",
        True,
        "Unreached after 3 attempts",
    )
    assert call.attempts == [
        Attempt(1, monday, "9:40 AM EDT", "Monday", "Rang 12 times, no answer"),
        Attempt(2, monday, "11:10 AM EDT", "Monday", "Busy signal"),
        Attempt(3, tuesday, "2:05 PM EDT", "Tuesday", "Voicemail, no call back"),
    ]
    assert visit.attempts == [
        Attempt(
            1, date(2026, 11, 2), "9:30 AM EST", "Monday", "Not served: office closed or visitor turned away"
        )
    ]
    # Both channels scored 0: the first in channel order is the biggest problem, its attempts the evidence.
    problem = card.biggest_problem
    assert problem is not None and (problem.kind, problem.label, problem.score) == (
        "channel",
        "Phone call",
        0.0,
    )
    assert problem.records == [call] and problem.summary == "0 of 1 call reached a person."
    html = shared_renderer().html("scorecard.html", card=card)
    for shown in (
        "Proof of attempts",
        "Your biggest problem",
        "9:40 AM EDT",
        "Rang 12 times, no answer",
        "Tuesday",
    ):
        assert shown in html


def test_an_email_without_a_reply_says_after_how_many_business_days(session: Session) -> None:
    built = scorecard_world(session)
    c = built.schools[2]
    sent = _utc(date(2026, 10, 21), 13, 30)  # Wednesday 9:30 in New York
    recorded = _utc(date(2026, 10, 23), 13, 30)  # Friday 9:30
    _tries(built, built.round, c, EMAIL, [(Outcome.NO_REPLY, sent, {"first_submitted_at": recorded})])
    card = gather_round(session, built.round).scorecards[c.id]
    # School days run 7:30–16:00 (8.5 hours): Wednesday 6.5 + Thursday 8.5 + Friday 2 = 17 hours = 2 days.
    assert card.attempts[0].attempts == [
        Attempt(1, date(2026, 10, 21), "9:30 AM EDT", "Wednesday", "No reply after 2 business days")
    ]


def test_a_critical_failure_lists_its_attempt_and_counts_once(session: Session) -> None:
    built = scorecard_world(session)
    a = built.schools[0]
    card = gather_round(session, built.round).scorecards[a.id]
    engine = round_scores(session, built.round).school(a.id)
    assert engine is not None and card.critical_failure_count == engine.critical_failures == 1
    unreached, failed = card.attempts  # the unreached call (#3) and the failed visit (#5)
    assert (unreached.ref, unreached.summary) == (3, "Unreached after 1 attempt")
    assert unreached.attempts == [Attempt(1, date(2026, 10, 8), "11:00 AM EDT", "Thursday", "No answer")]
    assert (failed.ref, failed.summary, failed.failed_items) == (
        5,
        "Critical failure",
        ["Did a person answer?"],
    )
    assert failed.attempts == [Attempt(1, date(2026, 10, 13), "11:00 AM EDT", "Tuesday", "Served")]


# --- quotes


def test_a_school_below_the_median_shows_at_least_as_many_problems_as_strengths(session: Session) -> None:
    built = scorecard_world(session)
    b = built.schools[1]
    visit = {"answered": 1.0, "named": 0.0, "courtesy": 1.0, "accuracy": 0.0, "note": None}  # 9 of 17
    praised = built.world.contact(built.round, b, VISIT, visit, started_at=at(date(2026, 10, 16)))
    say(praised, "courtesy", "Stood up to help straight away.")
    say(praised, "answered", "Someone came to the counter at once.")
    poor_call = next(
        c
        for c in session.scalars(select(Contact))
        if (c.assignment.round_id, c.assignment.school_id, c.assignment.channel)
        == (built.round.id, b.id, PHONE)
    )
    say(poor_call, "named", "Never said who I was speaking to.")
    session.flush()
    scores = round_scores(session, built.round)
    school = scores.school(b.id)
    assert school is not None and school.overall is not None and scores.district.overall.median is not None
    assert school.overall < scores.district.overall.median
    quotes = gather_round(session, built.round).scorecards[b.id].quotes
    problems = [q for q in quotes if q.tone < 0]
    strengths = [q for q in quotes if q.tone > 0]
    assert len(problems) >= len(strengths) >= 1  # two strengths were on offer, one problem
    assert quotes[0].text == "Never said who I was speaking to." and quotes[0].label == "What needs work"
    assert (quotes[0].ref, quotes[0].channel) == (1, "Phone call")  # its own contact's row and channel


def test_a_school_with_a_critical_failure_never_shows_a_strength_alone(session: Session) -> None:
    built = scorecard_world(session)
    c = built.schools[2]
    call = built.world.contact(
        built.round, c, PHONE, {**PERFECT, "answered": 0.0}, started_at=at(date(2026, 10, 20)), rings=2
    )
    say(call, "courtesy", "Very polite throughout.")  # a strength, on a contact that failed a critical item
    session.flush()
    card = gather_round(session, built.round).scorecards[c.id]
    assert card.critical_failure_count == 1
    assert not any(quote.strength for quote in card.quotes)
    # Once the auditor's impression is there, it is a problem (its contact failed) and leads.
    say(call, "note", "Friendly, but nobody could tell me anything.")
    session.flush()
    quotes = gather_round(session, built.round).scorecards[c.id].quotes
    assert [(q.text, q.tone) for q in quotes] == [
        ("Friendly, but nobody could tell me anything.", -1),
        ("Very polite throughout.", 1),
    ]


def test_critical_failure_problems_come_first(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    problems = [q for q in card.quotes if q.tone < 0]
    assert len(problems) >= len([q for q in card.quotes if q.tone > 0])
    assert card.quotes[0].ref == 5 and card.quotes[0].channel == "Front-office visit"  # the failed visit


# --- the biggest problem


def test_the_biggest_problem_can_be_a_section_with_its_weakest_items(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[1].id]
    # B answered POOR on a call and an email: 9 of 17 each (52.9); greeting 5 of 7 (71.4), service 4 of 10.
    problem = card.biggest_problem
    assert problem is not None
    assert (problem.kind, problem.label, round(problem.score, 1), problem.standard) == (
        "section",
        "Service",
        40.0,
        70.0,
    )
    assert round(problem.gap, 1) == 30.0 and problem.early  # two contacts, under three
    assert [(item.prompt, round(item.share, 2)) for item in problem.items] == [
        ("How courteous was the staff member?", 0.25),
        ("How courteous was the staff member?", 0.25),
        ("How accurate was the answer?", 0.5),
    ]
    assert {item.channel for item in problem.items} == {"Phone call", "Email"}


def test_no_biggest_problem_when_everything_meets_the_standard(session: Session) -> None:
    built = scorecard_world(session, schools=4)
    d = built.schools[3]
    built.world.contact(built.round, d, PHONE, PERFECT, started_at=at(date(2026, 10, 20)), rings=1)
    card = gather_round(session, built.round).scorecards[d.id]
    assert card.biggest_problem is None
    assert "No channel and no part of the contact scored below" in shared_renderer().html(
        "scorecard.html", card=card
    )


# --- honest precision


def test_each_figure_says_what_it_rests_on(session: Session) -> None:
    built = scorecard_world(session)
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    assert card.contacts == 5 and card.early and card.basis == "5 contacts · early reading"
    assert [(row.label, row.basis) for row in card.channels] == [
        ("Phone call", "3 contacts"),
        ("Email", "1 contact · early reading"),
        ("Front-office visit", "1 contact · early reading"),
    ]
    timings = {timing.measure: timing.basis for timing in card.timings}
    assert timings["Rings before a person answered (phone, mean)"] == "mean of 2 calls · early reading"
    assert (
        timings["Business hours to a personal reply (email, median)"] == "median of 1 reply · early reading"
    )
    assert card.interval is not None and card.interval.contacts == 5
    assert "95% t-interval" in card.method and card.rank_text.startswith(("1st", "between", "in the"))
    built.world.district.early_reading_contacts = 1
    session.flush()
    card = gather_round(session, built.round).scorecards[built.schools[0].id]
    assert not card.early and [row.early for row in card.channels] == [False, False, False]


def test_a_contact_that_fails_two_critical_items_is_one_critical_failure(session: Session) -> None:
    built = scorecard_world(session)
    c = built.schools[2]
    spec = RubricSpec(
        key="two-critical",
        name="Two critical items",
        channel=VISIT,
        sections=[
            SectionSpec(
                "arrival",
                "Arrival",
                [
                    ItemSpec(
                        "served", "Did anyone come to the counter?", ItemKind.YES_NO, points=5, critical=True
                    ),
                    ItemSpec(
                        "safe", "Were you treated respectfully?", ItemKind.YES_NO, points=5, critical=True
                    ),
                ],
            )
        ],
    )
    rubric = create_draft(session, spec)
    publish(session, rubric)
    built.world.contact(
        built.round, c, VISIT, {"served": 0.0, "safe": 0.0}, rubric=rubric, started_at=at(date(2026, 10, 20))
    )
    card = gather_round(session, built.round).scorecards[c.id]
    assert [failure.prompts for failure in card.critical_failures] == [
        ["Did anyone come to the counter?", "Were you treated respectfully?"]
    ]
    engine = round_scores(session, built.round).school(c.id)
    assert engine is not None and card.critical_failure_count == engine.critical_failures == 1
    text = shared_renderer().html("scorecard.html", card=card)
    assert "Critical failures: 1 contact" in text and "Were you treated respectfully?" in text
