"""A small district with two rounds of approved contacts, comments and tips: enough for a real scorecard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count

from sqlalchemy.orm import Session

from audits.models import Channel, Contact, ItemKind, Outcome, Round, Rubric, School
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish
from reports.batch import inputs_hash
from reports.figures import ScorecardData
from reports.render import identifier_for, shared_renderer
from tests.audits.scoring_helpers import ScoringWorld, build_world

PHONE, EMAIL, VISIT = Channel.PHONE, Channel.EMAIL, Channel.VISIT
GOOD = {"answered": 1.0, "named": 1.0, "courtesy": 1.0, "accuracy": 1.0, "note": None}
POOR = {"answered": 1.0, "named": 0.0, "courtesy": 0.25, "accuracy": 0.5, "note": None}
FAILED = {"answered": 0.0, "named": 0.0, "courtesy": 0.5, "accuracy": 0.0, "note": None}
_keys = count(1)


def tipped_rubric(
    session: Session, channel: Channel, greeting: tuple[str, str] = ("greeting", "Greeting")
) -> Rubric:
    """The scoring test rubric with coaching tips and a "what families heard" text item; ``greeting``
    is the key and title of its first section (every channel shares "greeting" unless told)."""
    spec = RubricSpec(
        key=f"card-{channel.value}-{next(_keys)}",
        name="Scorecard test",
        channel=channel,
        sections=[
            SectionSpec(
                greeting[0],
                greeting[1],
                [
                    ItemSpec(
                        "answered", "Did a person answer?", ItemKind.YES_NO, points=5, critical=True,
                        tip="Answer the main line within three rings.",
                    ),
                    ItemSpec(
                        "named", "Did the staff member give their name?", ItemKind.YES_NO, points=2,
                        allow_na=True, tip="Say your first name in the greeting.",
                    ),
                ],
            ),
            SectionSpec(
                "service",
                "Service",
                [
                    ItemSpec(
                        "courtesy", "How courteous was the staff member?", ItemKind.SCALE, points=4, max=4,
                        allow_na=True, tip="Let the family finish before answering.",
                    ),
                    ItemSpec(
                        "accuracy",
                        "How accurate was the answer?",
                        ItemKind.CHOICE,
                        points=6,
                        options=[
                            OptionSpec("Right", 1.0), OptionSpec("Partly", 0.5), OptionSpec("Wrong", 0.0)
                        ],
                        tip="Keep a sheet of the answers families ask for most by the phone.",
                    ),
                    ItemSpec("note", "What families heard", ItemKind.TEXT),
                ],
            ),
        ],
    )  # fmt: skip
    rubric = create_draft(session, spec)
    publish(session, rubric)
    return rubric


def say(contact: Contact, key: str, text: str) -> None:
    """Write ``text`` as the comment on item ``key`` (or as the answer of a text item)."""
    for response in contact.responses:
        if response.item.key == key:
            if response.item.kind is ItemKind.TEXT:
                response.value = text
            else:
                response.comment = text
            return
    raise KeyError(key)


def at(day: date, hour: int = 15) -> datetime:
    """A UTC moment on ``day`` (15:00 UTC is late morning in New York)."""
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


@dataclass
class ScorecardWorld:
    """Three schools, an earlier round and the round whose scorecards the tests build."""

    world: ScoringWorld
    earlier: Round
    round: Round

    @property
    def schools(self) -> list[School]:
        """School A (good, with every kind of evidence), B (poor), C (no counted contact)."""
        return self.world.schools


def scorecard_world(session: Session, schools: int = 3) -> ScorecardWorld:
    """Build the district: School A does well with one unreached call, B poorly, C has no counted contact."""
    world = build_world(session, schools=schools)
    world.auditor.name = "Avery Quinn"
    for channel in Channel:
        world.rubrics[channel] = tipped_rubric(session, channel)
    a, b = world.schools[0], world.schools[1]
    a.principal_name = "Pat Morgan"
    earlier = world.round("Spring 2026 round", date(2026, 3, 2))
    world.contact(earlier, a, PHONE, POOR, started_at=at(date(2026, 3, 3)), rings=5, hold_seconds=90)
    world.contact(earlier, b, PHONE, GOOD, started_at=at(date(2026, 3, 4)), rings=2, hold_seconds=10)
    round_ = world.round("Fall 2026 round", date(2026, 10, 5))
    round_.last_day = date(2026, 10, 30)
    call = world.contact(round_, a, PHONE, GOOD, started_at=at(date(2026, 10, 6)), rings=2, hold_seconds=30)
    say(call, "note", "Ms. Rivera greeted me warmly and Avery was told every document needed.")
    say(call, "courtesy", "Very patient with my questions.")
    world.contact(
        round_, a, PHONE, {**GOOD, "named": 0.0}, started_at=at(date(2026, 10, 7)), rings=4, hold_seconds=50
    )
    world.contact(
        round_, a, PHONE, {}, outcome=Outcome.NO_ANSWER, unreached=True, started_at=at(date(2026, 10, 8))
    )
    email = world.contact(
        round_,
        a,
        EMAIL,
        {**GOOD, "courtesy": 0.5},
        started_at=at(date(2026, 10, 9)),
        response_business_hours=6.5,
    )
    say(email, "note", "The reply came the same day but Pat Morgan never answered the question about buses.")
    visit = world.contact(round_, a, VISIT, FAILED, started_at=at(date(2026, 10, 13)))
    say(visit, "note", "Nobody looked up for ten minutes; then I was told to come back another day.")
    say(visit, "accuracy", "Mr. O'Neil said enrolment was closed, which is wrong.")
    world.contact(round_, b, PHONE, POOR, started_at=at(date(2026, 10, 14)), rings=7, hold_seconds=150)
    world.contact(round_, b, EMAIL, POOR, started_at=at(date(2026, 10, 15)), response_business_hours=30.0)
    session.flush()
    return ScorecardWorld(world, earlier, round_)


class RenderedScorecards:
    """Scorecard PDFs, each rendered once by this process's renderer however often it is asked for.

    A PDF is a pure function of its inputs hash (the figures and the rendering version;
    ``test_render`` checks that the same figures give the same bytes).
    """

    def __init__(self) -> None:
        self._pdfs: dict[str, bytes] = {}

    def scorecard(self, card: ScorecardData) -> bytes:
        """The PDF of ``card``, rendered the first time these figures are asked for."""
        digest = inputs_hash(card)
        if digest not in self._pdfs:
            self._pdfs[digest] = shared_renderer().scorecard(card, identifier_for(digest)).pdf
        return self._pdfs[digest]
