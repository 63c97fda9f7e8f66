"""Parts of the contact on a scorecard: grouped under their channel, never two names a reader could mix up."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from audits.models import Channel
from reports.figures import gather_round
from reports.render import identifier_for, shared_renderer
from reports.sections import confusable, section_names
from tests.reports.pdf_checks import page_texts
from tests.reports.scorecard_helpers import GOOD, POOR, at, scorecard_world, tipped_rubric


def test_sections_come_channel_by_channel_and_alike_titles_of_two_channels_carry_their_channel() -> None:
    titles = {  # rubric order, as section_titles gives it
        "arrival": "Arrival",
        "phone_greeting": "Greeting",
        "answer": "The answer",
        "visit_greeting": "Greeting and wait",
        "reply": "Reply",
        "hold": "Hold",
        "hold_again": "hold",  # the same channel, the same title under another key
    }
    channels = {
        "arrival": "visit",
        "phone_greeting": "phone",
        "answer": "",
        "visit_greeting": "visit",
        "reply": "email",
        "hold": "phone",
        "hold_again": "phone",
    }
    names = section_names(titles, channels)
    assert [(name.key, name.label, name.channel) for name in names.values()] == [
        ("phone_greeting", "Greeting (phone call)", "Phone call"),
        ("hold", "Hold", "Phone call"),
        ("hold_again", "hold (2)", "Phone call"),
        ("reply", "Reply", "Email"),
        ("arrival", "Arrival", "Front-office visit"),
        ("visit_greeting", "Greeting and wait (front-office visit)", "Front-office visit"),
        ("answer", "The answer", ""),
    ]
    labels = [name.label for name in names.values()]
    assert len({label.casefold() for label in labels}) == len(labels)
    # Titles that only one channel's sections share, or nothing alike, are printed as they are.
    assert confusable("Greeting", "The greeting and wait") and not confusable("Greeting", "Tone and clarity")
    assert section_names({"a": "Courtesy", "b": "Response"}, {"a": "phone", "b": "email"})["a"].label == (
        "Courtesy"
    )
    assert section_names({}, {}) == {}


def test_a_scorecard_groups_its_parts_under_their_channel_with_names_told_apart(session: Session) -> None:
    """Phone "Greeting" and visit "Greeting and wait": each under its channel's heading, each with its
    channel; "Service", which every channel's rubric has, under "Every channel"; the biggest problem
    names the part as the table does."""
    built = scorecard_world(session)
    world = built.world
    rubrics = {
        Channel.PHONE: tipped_rubric(session, Channel.PHONE, ("phone_greeting", "Greeting")),
        Channel.EMAIL: tipped_rubric(session, Channel.EMAIL, ("opening", "Opening")),
        Channel.VISIT: tipped_rubric(session, Channel.VISIT, ("visit_greeting", "Greeting and wait")),
    }
    round_ = world.round("Winter 2027 round", date(2027, 1, 11))
    school = built.schools[0]
    for day, channel in enumerate(Channel, start=12):
        answers = {**GOOD, "answered": 0.0, "named": 0.0} if channel is Channel.PHONE else POOR
        started = at(date(2027, 1, day))
        world.contact(round_, school, channel, answers, rubric=rubrics[channel], started_at=started)
    session.flush()

    card = gather_round(session, round_).scorecards[school.id]
    assert [(row.key, row.label, row.channel) for row in card.sections] == [
        ("phone_greeting", "Greeting (phone call)", "Phone call"),
        ("opening", "Opening", "Email"),
        ("visit_greeting", "Greeting and wait (front-office visit)", "Front-office visit"),
        ("service", "Service", ""),
    ]
    assert card.biggest_problem is not None
    problem = card.biggest_problem
    assert (problem.key, problem.label) == ("phone_greeting", "Greeting (phone call)")

    renderer = shared_renderer()
    html = renderer.html("scorecard.html", card=card)
    groups = [
        f'<th scope="rowgroup" colspan="6">{heading}</th></tr><tr><th scope="row">{first}</th>'
        for heading, first in (
            ("Phone call", "Greeting (phone call)"),
            ("Email", "Opening"),
            ("Front-office visit", "Greeting and wait (front-office visit)"),
            ("Every channel", "Service"),
        )
    ]
    positions = [html.find(group) for group in groups]
    assert -1 not in positions and positions == sorted(positions)

    text = " ".join(page_texts(renderer.scorecard(card, identifier_for("0" * 64)).pdf))
    printed = [
        "PHONE CALL Greeting (phone call)",
        "EMAIL Opening",
        "FRONT-OFFICE VISIT Greeting and wait (front-office visit)",
        "EVERY CHANNEL Service",
    ]
    assert all(line in text for line in printed), text
    assert [text.index(line) for line in printed] == sorted(text.index(line) for line in printed)
