"""What a plan answers: the school's weak items in the plan's round, and the coaching tips it may use.

The figures are the scoring engine's (``audits.scoring.engine.round_scores``), never recounted:
a channel or a section scored below the district's standard (its alert threshold) is weak. Inside
those, the items that lost points are weak too, and so is every critical item a counted contact
failed (the tally's own rule, ``audits.scoring.tally.critical_failed``), worst first. Each rubric
item carries a coaching tip (the rubric library's); the tips of the items the school's counted
contacts were scored on are the training resources an action may point to, the weak items' first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from audits.formatting import percent
from audits.models import (
    Assignment,
    Channel,
    Contact,
    ItemKind,
    Response,
    Round,
    RubricItem,
    RubricSection,
    School,
)
from audits.results.sections import section_titles
from audits.scoring.engine import CHANNELS, RoundScores, SchoolScore, round_scores
from audits.scoring.queries import counted, grouped_rows
from audits.scoring.tally import critical_failed, earned_expr, possible_expr
from audits.vocabulary import channel_label, count_of

WHOLE_PLAN = ""  # an action's target when it answers no one weak item


@dataclass(frozen=True)
class WeakItem:
    """A channel, section or item the school fell short on, as an action's target."""

    key: str  # ``channel:phone``, ``section:greeting``, ``item:phone:answered``
    kind: str  # ``channel``, ``section`` or ``item``
    label: str
    detail: str  # how it fell short, in words
    critical: bool = False
    tip_item_id: int | None = None  # the rubric item whose coaching tip fits it


@dataclass(frozen=True)
class Resource:
    """A coaching tip of the rubric library: its item's question and the tip."""

    item_id: int
    prompt: str
    tip: str


@dataclass
class Weaknesses:
    """The school's weak items in a round and the coaching tips offered to its plan's actions."""

    standard: float
    overall: float | None
    critical_failures: int
    items: list[WeakItem] = field(default_factory=list)
    resources: list[Resource] = field(default_factory=list)

    def item(self, key: str) -> WeakItem | None:
        """The weak item with ``key``, if the school has it."""
        return next((item for item in self.items if item.key == key), None)

    def resource(self, item_id: int) -> Resource | None:
        """The coaching tip of rubric item ``item_id``, if it is offered."""
        return next((resource for resource in self.resources if resource.item_id == item_id), None)


@dataclass(frozen=True)
class ItemRow:
    """One rubric item of a school's counted contacts in a round, pooled over them."""

    channel: str
    section: str
    key: str
    share: float | None
    contacts: int
    critical_fails: int
    item_id: int
    prompt: str
    tip: str
    critical: bool


def item_rows(session: Session, round_: Round, school: School) -> list[ItemRow]:
    """Each item the school's counted contacts were scored on, pooled: share earned, critical failures,
    and the newest item's question and tip (two queries)."""
    possible = possible_expr()
    rows = grouped_rows(
        session,
        select(
            Assignment.channel,
            RubricSection.key.label("section"),
            RubricItem.key,
            earned_expr().label("earned"),
            possible.label("possible"),
            func.count(func.distinct(Contact.id)).label("contacts"),
            func.sum(case((critical_failed(), 1), else_=0)).label("critical_fails"),
            func.max(RubricItem.id).label("item_id"),
        )
        .select_from(Response)
        .join(Contact, Contact.id == Response.contact_id)
        .join(Assignment, Assignment.id == Contact.assignment_id)
        .join(RubricItem, RubricItem.id == Response.item_id)
        .join(RubricSection, RubricSection.id == RubricItem.section_id)
        .where(
            counted(),
            Assignment.round_id == round_.id,
            Assignment.school_id == school.id,
            RubricItem.kind != ItemKind.TEXT,
        )
        .group_by(Assignment.channel, RubricSection.key, RubricItem.key),
    )
    texts = {
        item.id: item
        for item in session.scalars(
            select(RubricItem).where(RubricItem.id.in_({row.item_id for row in rows}))
        )
    }
    found = []
    for row in rows:
        item = texts[row.item_id]
        possible_points = float(row.possible or 0)
        share = float(row.earned or 0) / possible_points if possible_points > 0 else None
        found.append(
            ItemRow(
                channel=Channel(row.channel).value,
                section=row.section,
                key=row.key,
                share=share,
                contacts=int(row.contacts),
                critical_fails=int(row.critical_fails or 0),
                item_id=item.id,
                prompt=item.prompt,
                tip=item.tip.strip(),
                critical=item.critical,
            )
        )
    return found


def _score_words(score: float, standard: float) -> str:
    return f"scored {score:.1f}, below the district's standard of {standard:g}"


def _channel_item(channel: str, score: SchoolScore, standard: float) -> WeakItem:
    figures = score.channels[channel]
    detail = _score_words(figures.score or 0.0, standard)
    if figures.reached < figures.contacts:
        detail += f"; {figures.reached} of {count_of(figures.contacts, 'contact')} reached a person"
    if figures.critical_failures:
        detail += f"; {count_of(figures.critical_failures, 'contact')} with a critical failure"
    return WeakItem(f"channel:{channel}", "channel", channel_label(channel), detail)


def _rubric_item(row: ItemRow) -> WeakItem:
    parts = []
    if row.critical_fails:
        parts.append(f"a critical item, failed on {count_of(row.critical_fails, 'contact')}")
    if row.share is not None:
        parts.append(f"earned {percent(row.share, 0)} of its points over {count_of(row.contacts, 'contact')}")
    return WeakItem(
        key=f"item:{row.channel}:{row.key}",
        kind="item",
        label=f"{row.prompt} ({channel_label(row.channel)})",
        detail="; ".join(parts),
        critical=row.critical_fails > 0,
        tip_item_id=row.item_id if row.tip else None,
    )


def weaknesses(
    session: Session, round_: Round, school: School, scores: RoundScores | None = None
) -> Weaknesses:
    """The school's weak channels, sections and items in ``round_``, and the coaching tips offered.

    ``scores``: the round's scores when the caller has them (publishing scores the round once for
    every school). A school without counted contacts has no weak item.
    """
    standard = round_.district.alert_threshold
    score = (scores or round_scores(session, round_)).school(school.id)
    if score is None:
        return Weaknesses(standard, None, 0)
    found = Weaknesses(standard, score.overall, score.critical_failures)
    weak_channels = [
        channel
        for channel in CHANNELS
        if (figures := score.channels.get(channel)) is not None
        and figures.score is not None
        and figures.score < standard
    ]
    titles = section_titles(session, [key for key, value in score.sections.items() if value < standard])
    rows = item_rows(session, round_, school)
    weak_rows = sorted(
        (
            row
            for row in rows
            if row.critical_fails
            or (
                row.share is not None
                and row.share < 1
                and (row.section in titles or row.channel in weak_channels)
            )
        ),
        key=lambda row: (row.critical_fails == 0, row.share if row.share is not None else 0.0, row.prompt),
    )
    # The critical failures first (the most urgent), then channels, sections and the other items.
    critical = [row for row in weak_rows if row.critical_fails]
    found.items += [_rubric_item(row) for row in critical]
    found.items += [_channel_item(channel, score, standard) for channel in weak_channels]
    found.items += [
        WeakItem(f"section:{key}", "section", title, _score_words(score.sections[key], standard))
        for key, title in titles.items()
    ]
    found.items += [_rubric_item(row) for row in weak_rows if not row.critical_fails]
    offered: dict[str, Resource] = {}
    for row in [*weak_rows, *sorted(rows, key=lambda row: (row.channel, row.section, row.prompt))]:
        if row.tip and row.tip not in offered:
            offered[row.tip] = Resource(row.item_id, row.prompt, row.tip)
    found.resources = list(offered.values())
    return found
