"""One school's scorecard figures, gathered for a whole round in a fixed number of queries.

Every score is the scoring engine's (``audits.scoring``), copied as computed:
templates format numbers, never compute them. ``gather_round`` runs the engine
once for the round (and once per earlier round for the trend), then a handful of
grouped queries (``reports.queries``) for contacts, critical failures, comments
and item scores; the number of queries does not grow with schools or contacts.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.formatting import percent
from audits.models import Channel, ItemKind, Round, School
from audits.planning.rounds import schools_in_round
from audits.results.sections import section_titles
from audits.scoring.engine import CHANNELS, RoundScores, SchoolScore, round_scores
from audits.vocabulary import channel_count, channel_label, language_name
from reports import comments, queries, wording
from reports.comments import Quote

TREND_ROUNDS = 6  # this round and up to five before it
NEXT_STEPS = 3


@dataclass(frozen=True)
class Comparison:
    """A school's score on one channel or section, beside the district median."""

    key: str
    label: str
    school: float | None
    district: float | None


@dataclass(frozen=True)
class CriticalFailure:
    """A critical item failed on one contact."""

    channel: str  # its label: "Phone call"
    day: date | None
    prompt: str


@dataclass(frozen=True)
class Timing:
    """One measure against its standard and the district, already in words."""

    measure: str
    school: str
    district: str
    standard: str
    source: str
    meets: bool | None


@dataclass(frozen=True)
class NextStep:
    """Something to do next: the coaching tip, and the item (or reach) it comes from."""

    tip: str
    checked: str
    channel: str
    detail: str


@dataclass(frozen=True)
class TrendPoint:
    """The school's overall and the district median in one round."""

    round_name: str
    first_day: date
    school: float | None
    district: float | None
    current: bool


@dataclass(frozen=True)
class ContactRow:
    """One counted contact, for the appendix."""

    day: date | None
    channel: str
    scenario: str
    outcome: str
    score: float | None
    critical: bool


@dataclass
class ScorecardData:
    """Everything one school's scorecard prints, in the order it prints it."""

    school_id: int
    nces_id: str
    school_name: str
    school_level: str
    grade_span: str
    district_name: str
    round_id: int
    round_name: str
    first_day: date
    last_day: date
    contacts: int = 0
    contacts_by_channel: list[str] = field(default_factory=list)  # "3 phone calls", "1 email"
    overall: float | None = None
    district_median: float | None = None
    previous: float | None = None
    change: float | None = None
    previous_round: str = ""
    rank: int | None = None
    ranked: int = 0
    standing: str = ""
    channels: list[Comparison] = field(default_factory=list)
    sections: list[Comparison] = field(default_factory=list)
    critical_failures: list[CriticalFailure] = field(default_factory=list)
    timings: list[Timing] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    appendix: list[ContactRow] = field(default_factory=list)

    @property
    def has_contacts(self) -> bool:
        """Whether any contact with the school counted this round."""
        return self.contacts > 0


@dataclass
class RoundFigures:
    """A round's scores and every requested school's scorecard figures."""

    round: Round
    scores: RoundScores
    schools: list[School]
    scorecards: dict[int, ScorecardData]
    failures: dict[int, str] = field(default_factory=dict)


@dataclass
class _RoundRows:
    """The grouped query results of a round, by school."""

    contacts: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    critical: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    comments: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    items: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    item_texts: dict[int, tuple[str, str]] = field(default_factory=dict)


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def _load_rows(session: Session, round_id: int) -> _RoundRows:
    rows = _RoundRows()
    for row in session.execute(queries.contact_rows(round_id)):
        rows.contacts[row.school_id].append(row)
    for row in session.execute(queries.critical_failure_rows(round_id)):
        rows.critical[row.school_id].append(row)
    for row in session.execute(queries.comment_rows(round_id)):
        rows.comments[row.school_id].append(row)
    for row in session.execute(queries.item_score_rows(round_id)):
        rows.items[row.school_id].append(row)
    return rows


def _trend(session: Session, round_: Round, scores: RoundScores) -> list[tuple[Round, RoundScores]]:
    """This round and up to five earlier ones of the district, oldest first, each scored by the engine."""
    earlier = session.scalars(
        select(Round)
        .where(Round.district_id == round_.district_id, Round.first_day < round_.first_day)
        .order_by(Round.first_day.desc(), Round.id.desc())
        .limit(TREND_ROUNDS - 1)
    ).all()
    return [(r, round_scores(session, r)) for r in reversed(earlier)] + [(round_, scores)]


def _school_list(
    session: Session, round_: Round, scores: RoundScores, wanted: set[int] | None
) -> list[School]:
    """The round's schools plus any school with counted contacts, by name (only ``wanted`` ones if given)."""
    schools = {school.id: school for school in schools_in_round(session, round_)}
    missing = {score.school_id for score in scores.schools} - set(schools)
    if missing:
        schools.update({s.id: s for s in session.scalars(select(School).where(School.id.in_(missing)))})
    chosen = [s for s in schools.values() if wanted is None or s.id in wanted]
    return sorted(chosen, key=lambda school: (school.name.casefold(), school.nces_id))


def gather_round(session: Session, round_: Round, school_ids: set[int] | None = None) -> RoundFigures:
    """Score ``round_`` once and gather the scorecard figures of its schools (or of ``school_ids``)."""
    scores = round_scores(session, round_)
    schools = _school_list(session, round_, scores, school_ids)
    rows = _load_rows(session, round_.id)
    steps = {school.id: _item_candidates(rows.items.get(school.id, [])) for school in schools}
    wanted_items = {c[4] for candidates in steps.values() for c in candidates[:NEXT_STEPS]}
    if wanted_items:
        rows.item_texts = {
            row.id: (row.prompt, row.tip) for row in session.execute(queries.item_texts(wanted_items))
        }
    titles = section_titles(session, scores.district.sections)
    trend = _trend(session, round_, scores)
    round_channels = [rc.channel.value for rc in round_.channels] or list(CHANNELS)
    context = _Context(round_, scores, titles, trend, round_channels, ZoneInfo(round_.district.timezone))
    figures = RoundFigures(round_, scores, schools, {})
    for school in schools:
        try:
            figures.scorecards[school.id] = _scorecard(
                context, school, scores.school(school.id), rows, steps[school.id]
            )
        except Exception as error:  # one school's bad data must not stop the others' scorecards
            figures.failures[school.id] = f"figures: {type(error).__name__}: {error}"
    return figures


@dataclass(frozen=True)
class _Context:
    round: Round
    scores: RoundScores
    titles: dict[str, str]
    trend: list[tuple[Round, RoundScores]]
    channels: list[str]
    zone: ZoneInfo


def _scorecard(
    context: _Context,
    school: School,
    score: SchoolScore | None,
    rows: _RoundRows,
    item_candidates: list[tuple[float, float, str, str, int, int]],
) -> ScorecardData:
    round_ = context.round
    data = ScorecardData(
        school_id=school.id,
        nces_id=school.nces_id,
        school_name=school.name,
        school_level=school.level.value,
        grade_span=school.grade_span,
        district_name=round_.district.name,
        round_id=round_.id,
        round_name=round_.name,
        first_day=round_.first_day,
        last_day=round_.last_day,
    )
    channels = list(dict.fromkeys([*context.channels, *(score.channels if score else [])]))
    data.contacts_by_channel = [
        channel_count(ch, score.channels[ch].contacts if score and ch in score.channels else 0)
        for ch in channels
    ]
    if score is None or score.contacts == 0:
        return data
    district = context.scores.district
    data.contacts = score.contacts
    data.overall = score.overall
    data.district_median = district.overall.median
    data.previous = score.previous
    data.change = score.change
    data.rank = score.rank
    data.ranked = district.overall.count
    data.standing = wording.standing_sentence(
        school.name, score.overall, district.overall.median, score.rank, district.overall.count, score.change
    )
    data.channels = [
        Comparison(ch, channel_label(ch), score.channels[ch].score, district.channels[ch].median)
        for ch in CHANNELS
        if ch in score.channels
    ]
    data.sections = [
        Comparison(key, title, score.sections[key], district.sections[key].median)
        for key, title in context.titles.items()
        if key in score.sections
    ]
    data.critical_failures = [
        CriticalFailure(channel_label(row.channel), _local_day(row.started_at, context.zone), row.prompt)
        for row in rows.critical.get(school.id, [])
    ]
    data.timings = _timings(score, context.scores)
    contact_scores = {row.contact_id: row.score for row in rows.contacts.get(school.id, [])}
    data.quotes = _quotes(school, rows.comments.get(school.id, []), contact_scores, context.zone)
    data.next_steps = _next_steps(score, item_candidates, rows.item_texts)
    data.trend, data.previous_round = _trend_points(context.trend, school.id)
    data.appendix = [_contact_row(row, context.zone) for row in rows.contacts.get(school.id, [])]
    return data


def _contact_row(row: Any, zone: ZoneInfo) -> ContactRow:
    channel = Channel(row.channel).value
    scenario = row.scenario
    if row.language and row.language != "en":
        scenario = f"{scenario} ({language_name(row.language)})"
    return ContactRow(
        day=_local_day(row.started_at, zone),
        channel=channel_label(channel),
        scenario=scenario,
        outcome=wording.outcome_label(channel, row.outcome, bool(row.unreached)),
        score=float(row.score) if row.score is not None else None,
        critical=bool(row.critical_failure),
    )


def _number(value: float | None, unit: str, digits: int = 1) -> str:
    return "not recorded" if value is None else f"{value:.{digits}f} {unit}"


def _meets(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _timings(score: SchoolScore, scores: RoundScores) -> list[Timing]:
    """Rings, hold and email response against their standards; then reach per channel."""
    totals = scores.district.channel_totals
    timings = []
    phone = score.channels.get("phone")
    if phone and phone.reached:
        district = totals.get("phone")
        rings = wording.RINGS
        timings.append(
            Timing(
                "Rings before a person answered (phone, mean)",
                _number(phone.mean_rings, "rings"),
                _number(district.mean_rings if district else None, "rings"),
                rings.text,
                rings.source,
                _meets(phone.mean_rings, rings.limit),
            )
        )
        hold = wording.HOLD
        timings.append(
            Timing(
                "Time on hold (phone, mean)",
                _number(phone.mean_hold_seconds, "seconds", 0),
                _number(district.mean_hold_seconds if district else None, "seconds", 0),
                hold.text,
                hold.source,
                _meets(phone.mean_hold_seconds, hold.limit),
            )
        )
    if "email" in score.channels:
        email = wording.EMAIL
        timings.append(
            Timing(
                "Business hours to a personal reply (email, median)",
                _number(score.median_email_hours, "business hours"),
                _number(scores.district.median_email_hours, "business hours"),
                email.text,
                email.source,
                _meets(score.median_email_hours, email.limit),
            )
        )
    reach = [
        (ch, score.channels[ch]) for ch in CHANNELS if ch in score.channels and score.channels[ch].contacts
    ]
    if reach:
        district_lines = []
        for channel, _ in reach:
            total = totals.get(channel)
            rate = total.reach_rate if total else None
            plural = wording.REACH_WORDS[channel][1]
            district_lines.append("—" if rate is None else f"{percent(rate, 0)} of {plural}")
        timings.append(
            Timing(
                "Reach: contacts that reached a person",
                "\n".join(wording.reach_phrase(ch, f.reached, f.contacts) for ch, f in reach),
                "\n".join(district_lines),
                wording.REACH.text,
                wording.REACH.source,
                all(f.reached == f.contacts for _, f in reach),
            )
        )
    return timings


def _quotes(
    school: School, rows: list[Any], contact_scores: dict[int, float | None], zone: ZoneInfo
) -> list[Quote]:
    staff = [school.principal_name] if school.principal_name else []
    candidates = []
    for row in rows:
        free_text = row.kind is ItemKind.TEXT or row.kind == ItemKind.TEXT.value
        raw = row.value if free_text and isinstance(row.value, str) and row.value.strip() else row.comment
        if not raw or not raw.strip():
            continue
        text = comments.redact(raw, staff, row.auditor_name or "")
        score = contact_scores.get(row.contact_id)
        candidates.append(
            comments.Candidate(
                contact_id=row.contact_id,
                channel=channel_label(row.channel),
                day=_local_day(row.started_at, zone),
                text=text,
                fraction=row.fraction,
                contact_score=float(score) if score is not None else None,
                free_text=free_text,
                position=row.position,
            )
        )
    return comments.choose(candidates)


def _item_candidates(rows: list[Any]) -> list[tuple[float, float, str, str, int, int]]:
    """Items below full marks, worst first: (share, minus points lost, channel, key, item id, contacts)."""
    candidates = []
    for row in rows:
        share = float(row.earned) / float(row.possible)
        if share < 1:
            lost = float(row.possible) - float(row.earned)
            candidates.append((share, -lost, Channel(row.channel).value, row.key, row.item_id, row.contacts))
    return sorted(candidates)


def _next_steps(
    score: SchoolScore,
    items: list[tuple[float, float, str, str, int, int]],
    texts: dict[int, tuple[str, str]],
) -> list[NextStep]:
    """The lowest-scoring items (and any channel that did not always reach a person), with their tips."""
    # Worst share first; at the same share a channel that missed contacts comes before an item.
    ranked: list[tuple[float, int, float, NextStep]] = []
    for channel in CHANNELS:
        figures = score.channels.get(channel)
        if figures and figures.contacts and figures.reached < figures.contacts:
            share = figures.reached / figures.contacts
            step = NextStep(
                wording.REACH_TIPS[channel],
                "Reach",
                channel_label(channel),
                wording.reach_phrase(channel, figures.reached, figures.contacts) + ".",
            )
            ranked.append((share, 0, 0.0, step))
    for share, less, channel, _key, item_id, contacts in items[:NEXT_STEPS]:
        prompt, tip = texts.get(item_id, ("", ""))
        noun = "contact" if contacts == 1 else "contacts"
        detail = f"earned {percent(share, 0)} of its points over {contacts} {noun}."
        ranked.append((share, 1, less, NextStep(tip or prompt, prompt, channel_label(channel), detail)))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked[:NEXT_STEPS]]


def _trend_points(trend: list[tuple[Round, RoundScores]], school_id: int) -> tuple[list[TrendPoint], str]:
    points = []
    for round_, scores in trend:
        school = scores.school(school_id)
        if school is None or school.overall is None:
            continue
        current = round_.id == trend[-1][0].id
        points.append(
            TrendPoint(round_.name, round_.first_day, school.overall, scores.district.overall.median, current)
        )
    earlier = [point for point in points if not point.current]
    return points, earlier[-1].round_name if earlier else ""
