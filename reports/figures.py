"""One school's scorecard figures, gathered for a whole round in a fixed number of queries.

Every figure is the scoring engine's (``audits.scoring``), copied as computed:
templates format numbers, never compute them, and every count means what it means
on the results page, in the exports and in the API (critical failures count contacts,
reach counts contacts that reached the school, the rank is the engine's with its
band). ``gather_round`` runs the engine once for the round (and once per earlier
round for the trend), then a handful of grouped queries (``reports.queries``) for
contacts, critical failures, attempts, comments and item scores; the number of
queries does not grow with schools or contacts. Each claim names its contact by its
number in the appendix. Timings live in ``reports.timings``, attempts in
``reports.attempts``, the biggest problem in ``reports.problems``, the next steps
in ``reports.next_steps``, the sections' names and channels in ``reports.sections``.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from audits.appeals.queries import upheld_contacts
from audits.businesshours import BusinessCalendar
from audits.double_scoring.agreement import auditors_line
from audits.models import Channel, ItemKind, Round, School
from audits.planning.rounds import schools_in_round
from audits.results.sections import section_channels, section_titles
from audits.scoring.engine import CHANNELS, RoundScores, SchoolScore, round_scores
from audits.scoring.precision import CONFIDENCE, Interval, is_early, method
from audits.scoring.queries import earlier_rounds
from audits.vocabulary import channel_count, channel_label, count_of, language_name
from reports import comments, queries, wording
from reports.attempts import AttemptRecord, attempt_records
from reports.comments import Quote
from reports.equity import SchoolPairFacts, scorecard_pair_facts
from reports.follow_up import FollowUpSection, follow_up_sections
from reports.next_steps import NextStep, item_candidates, next_steps
from reports.problems import BiggestProblem, ItemScore, biggest_problem
from reports.sections import SectionName, section_names
from reports.timings import Timing, timings

TREND_ROUNDS = 6  # this round and up to five before it


def rests_on(contacts: int, early: bool, noun: tuple[str, str] = ("contact", "contacts")) -> str:
    """``3 contacts``; ``1 contact · early reading``: what a figure rests on, in words."""
    text = count_of(contacts, *noun)
    return f"{text} · early reading" if early else text


@dataclass(frozen=True)
class Comparison:
    """A school's score on one channel or section, beside the district median, and what it rests on."""

    key: str
    label: str
    school: float | None
    district: float | None
    contacts: int = 0
    early: bool = False
    channel: str = ""  # the channel's label ("Phone call"); "" for a section several channels share

    @property
    def basis(self) -> str:
        """``3 contacts``; ``1 contact · early reading``."""
        return rests_on(self.contacts, self.early)


@dataclass(frozen=True)
class CriticalFailure:
    """A counted contact that failed one or more critical items: the engine counts it once."""

    ref: int  # the contact's number in the appendix
    channel: str  # its label: "Phone call"
    day: date | None
    prompts: list[str]


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
    """One counted contact, for the appendix; ``ref`` is the number every claim about it cites."""

    ref: int
    day: date | None
    channel: str
    scenario: str
    outcome: str
    score: float | None
    critical: bool
    changed_on_appeal: bool = False  # an answer of it was corrected on an upheld appeal


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
    interval: Interval | None = None  # the engine's interval around ``overall`` (rule 13)
    early: bool = False  # the overall rests on a channel with fewer than ``early_reading`` contacts
    early_reading: int = 3  # the district's number of contacts per channel under which a figure is early
    confidence: float = CONFIDENCE
    method: str = ""  # how sure the figures are, in one paragraph (audits.scoring.precision.method)
    district_median: float | None = None
    previous: float | None = None
    change: float | None = None
    previous_round: str = ""
    rank: int | None = None
    ranked: int = 0
    rank_text: str = ""  # "4th of 12", or a band: "among the top quarter (1st–3rd of 12)"
    rank_places: str = ""  # "4th", or the ranks the school could take: "1st–3rd"
    rank_band: str = ""  # "among the top quarter"; empty when the rank is exact
    rank_exact: bool = False
    standing: str = ""
    standard: float = 70.0  # the district's standard (its alert threshold)
    critical_failure_count: int = 0  # the engine's count: contacts with a critical failure
    channels: list[Comparison] = field(default_factory=list)
    sections: list[Comparison] = field(default_factory=list)
    critical_failures: list[CriticalFailure] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    biggest_problem: BiggestProblem | None = None
    timings: list[Timing] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    next_steps: list[NextStep] = field(default_factory=list)
    trend: list[TrendPoint] = field(default_factory=list)
    appendix: list[ContactRow] = field(default_factory=list)
    appeal_changes: int = 0  # answers corrected on upheld appeals since publication
    follow_up: FollowUpSection | None = None  # a follow-up round's: the plan's weak items checked
    auditors: str = ""  # how alike the round's auditors judged (blind double-scoring); never a name
    # Paired testing: this school's own two contacts of each pair, as facts (``reports.equity``).
    pair_facts: list[SchoolPairFacts] = field(default_factory=list)

    @property
    def has_contacts(self) -> bool:
        """Whether any contact with the school counted this round."""
        return self.contacts > 0

    @property
    def basis(self) -> str:
        """What the overall rests on: ``3 contacts · early reading``."""
        return rests_on(self.contacts, self.early)

    @property
    def other_attempts(self) -> list[AttemptRecord]:
        """The attempt records not already printed under "Your biggest problem"."""
        shown = {record.ref for record in self.biggest_problem.records} if self.biggest_problem else set()
        return [record for record in self.attempts if record.ref not in shown]


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
    attempts: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    comments: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    items: dict[int, list[Any]] = field(default_factory=lambda: defaultdict(list))
    item_texts: dict[int, tuple[str, str]] = field(default_factory=dict)


def _local_day(moment: datetime | None, zone: ZoneInfo) -> date | None:
    return moment.astimezone(zone).date() if moment is not None else None


def _load_rows(session: Session, round_id: int, school_ids: set[int] | None = None) -> _RoundRows:
    """The round's rows by school (only ``school_ids``' when given: a chunk of a batch reads its own)."""

    def only_wanted(query: Select) -> Select:
        if school_ids is None:
            return query
        return query.where(query.selected_columns.school_id.in_(sorted(school_ids)))

    rows = _RoundRows()
    for row in session.execute(only_wanted(queries.contact_rows(round_id))):
        rows.contacts[row.school_id].append(row)
    for row in session.execute(only_wanted(queries.critical_failure_rows(round_id))):
        rows.critical[row.school_id].append(row)
    for row in session.execute(only_wanted(queries.attempt_rows(round_id))):
        rows.attempts[row.school_id].append(row)
    for row in session.execute(only_wanted(queries.comment_rows(round_id))):
        rows.comments[row.school_id].append(row)
    for row in session.execute(only_wanted(queries.item_score_rows(round_id))):
        rows.items[row.school_id].append(row)
    return rows


def _trend(session: Session, round_: Round, scores: RoundScores) -> list[tuple[Round, RoundScores]]:
    """This round and up to five earlier ones of the district (follow-ups left out: ``earlier_rounds``),
    oldest first, each scored by the engine."""
    earlier = session.scalars(
        select(Round)
        .where(Round.id.in_(earlier_rounds(round_)))
        .order_by(Round.first_day.desc(), Round.id.desc())
        .limit(TREND_ROUNDS - 1)
    ).all()
    earlier_scores = [
        (r, round_scores(session, r, sections=False, precision=False)) for r in reversed(earlier)
    ]
    return [*earlier_scores, (round_, scores)]


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


def round_school_ids(session: Session, round_: Round) -> list[int]:
    """The ids of the schools ``gather_round`` would give scorecards, in the same order (by name)."""
    return [school.id for school in _school_list(session, round_, round_scores(session, round_), None)]


def gather_round(session: Session, round_: Round, school_ids: set[int] | None = None) -> RoundFigures:
    """Score ``round_`` once and gather the scorecard figures of its schools (or of ``school_ids``)."""
    scores = round_scores(session, round_)
    schools = _school_list(session, round_, scores, school_ids)
    rows = _load_rows(session, round_.id, school_ids)
    steps = {school.id: item_candidates(rows.items.get(school.id, [])) for school in schools}
    # Item texts: the next steps' and every item that lost points (the biggest problem's evidence).
    wanted_items = {c[4] for candidates in steps.values() for c in candidates}
    if wanted_items:
        rows.item_texts = {
            row.id: (row.prompt, row.tip) for row in session.execute(queries.item_texts(wanted_items))
        }
    titles = section_titles(session, scores.district.sections)
    names = section_names(titles, section_channels(session, titles))
    trend = _trend(session, round_, scores)
    round_channels = [rc.channel.value for rc in round_.channels] or list(CHANNELS)
    calendar = BusinessCalendar.of(round_.district)
    upheld = upheld_contacts(session, round_.id)
    context = _Context(
        round_, scores, names, trend, round_channels, ZoneInfo(round_.district.timezone), calendar, upheld
    )
    follow_ups = follow_up_sections(session, round_, scores)
    auditors = auditors_line(session, round_)
    pair_facts = scorecard_pair_facts(session, round_, school_ids) if round_.pair_ids else {}
    figures = RoundFigures(round_, scores, schools, {})
    for school in schools:
        try:
            figures.scorecards[school.id] = data = _scorecard(
                context, school, scores.school(school.id), rows, steps[school.id]
            )
            data.follow_up = follow_ups.get(school.id)
            data.auditors = auditors
            data.pair_facts = pair_facts.get(school.id, [])
            if data.follow_up is not None:
                # A follow-up checks a few schools on what failed: no rank among them, the check instead.
                data.rank, data.rank_text, data.rank_places, data.rank_band = None, "", "", ""
                data.standing = wording.follow_up_sentence(school.name, data.follow_up)
        except Exception as error:  # one school's bad data must not stop the others' scorecards
            figures.failures[school.id] = f"figures: {type(error).__name__}: {error}"
    return figures


@dataclass(frozen=True)
class _Context:
    round: Round
    scores: RoundScores
    sections: dict[str, SectionName]  # in the order the scorecard prints them
    trend: list[tuple[Round, RoundScores]]
    channels: list[str]
    zone: ZoneInfo
    calendar: BusinessCalendar
    upheld: dict[int, int]  # contacts with answers corrected on appeal: how many, by contact id

    @property
    def section_labels(self) -> dict[str, str]:
        """Each section's name on the scorecard by key, in the order it prints."""
        return {key: name.label for key, name in self.sections.items()}


def _scorecard(
    context: _Context,
    school: School,
    score: SchoolScore | None,
    rows: _RoundRows,
    candidates: list[tuple[float, float, str, str, int, int]],
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
    early_reading = context.scores.early_reading
    data.contacts = score.contacts
    data.overall = score.overall
    data.interval = score.interval
    data.early = score.early
    data.early_reading = early_reading
    data.method = method(early_reading)
    data.district_median = district.overall.median
    data.previous = score.previous
    data.change = score.change
    data.rank = score.rank
    data.ranked = district.overall.count
    if score.standing is not None:
        data.rank_text, data.rank_exact = score.standing.text, score.standing.exact
        data.rank_places, data.rank_band = score.standing.places, score.standing.band_words
    data.standard = round_.district.alert_threshold
    data.critical_failure_count = score.critical_failures
    data.standing = wording.standing_sentence(
        school.name, score.overall, district.overall.median, score.standing, score.change
    )
    data.channels = [
        Comparison(
            ch,
            channel_label(ch),
            score.channels[ch].score,
            district.channels[ch].median,
            score.channels[ch].contacts,
            score.channels[ch].early,
            channel_label(ch),
        )
        for ch in CHANNELS
        if ch in score.channels
    ]
    data.sections = [
        Comparison(
            key,
            name.label,
            score.sections[key],
            district.sections[key].median,
            score.section_contacts.get(key, 0),
            is_early(score.section_contacts.get(key, 0), early_reading),
            name.channel,
        )
        for key, name in context.sections.items()
        if key in score.sections
    ]
    contact_rows = rows.contacts.get(school.id, [])
    refs = {row.contact_id: number for number, row in enumerate(contact_rows, start=1)}
    failed: dict[int, list[str]] = defaultdict(list)
    sections_failed: set[str] = set()
    for row in rows.critical.get(school.id, []):
        failed[row.contact_id].append(row.prompt)
        sections_failed.add(row.section)
    data.critical_failures = [
        CriticalFailure(
            refs[row.contact_id],
            channel_label(Channel(row.channel).value),
            _local_day(row.started_at, context.zone),
            failed.get(row.contact_id, []),
        )
        for row in contact_rows
        if row.critical_failure
    ]
    data.attempts = attempt_records(
        rows.attempts.get(school.id, []), contact_rows, refs, failed, context.calendar
    )
    data.timings = timings(score, context.scores)
    contact_scores = {row.contact_id: row.score for row in contact_rows}
    below = (
        score.overall is not None
        and district.overall.median is not None
        and (score.overall < district.overall.median)
    )
    data.quotes = _quotes(
        school,
        rows.comments.get(school.id, []),
        contact_scores,
        context.zone,
        refs,
        {row.contact_id for row in contact_rows if row.critical_failure},
        problems_first=below or score.critical_failures > 0,
    )
    data.next_steps = next_steps(score, candidates, rows.item_texts)
    critical_prompts = {prompt for prompts in failed.values() for prompt in prompts}
    data.biggest_problem = biggest_problem(
        score,
        data.standard,
        context.section_labels,
        data.attempts,
        _item_scores(rows.items.get(school.id, []), rows.item_texts),
        critical_prompts,
        early_reading,
    )
    data.trend, data.previous_round = _trend_points(context.trend, school.id)
    data.appendix = [
        _contact_row(row, refs[row.contact_id], context.zone, row.contact_id in context.upheld)
        for row in contact_rows
    ]
    data.appeal_changes = sum(context.upheld.get(contact_id, 0) for contact_id in refs)
    return data


def _item_scores(rows: list[Any], texts: dict[int, tuple[str, str]]) -> list[ItemScore]:
    """Each item's pooled share for the school, with its question (items at full marks have none)."""
    scores = []
    for row in rows:
        share = float(row.earned) / float(row.possible)
        prompt = texts.get(row.item_id, ("", ""))[0]
        if prompt:
            channel = Channel(row.channel).value
            scores.append(ItemScore(channel, row.section, row.key, share, row.contacts, prompt))
    return scores


def _contact_row(row: Any, ref: int, zone: ZoneInfo, changed_on_appeal: bool = False) -> ContactRow:
    channel = Channel(row.channel).value
    scenario = row.scenario
    if row.language and row.language != "en":
        scenario = f"{scenario} ({language_name(row.language)})"
    return ContactRow(
        ref=ref,
        day=_local_day(row.started_at, zone),
        channel=channel_label(channel),
        scenario=scenario,
        outcome=wording.outcome_label(channel, row.outcome, bool(row.unreached)),
        score=float(row.score) if row.score is not None else None,
        critical=bool(row.critical_failure),
        changed_on_appeal=changed_on_appeal,
    )


def _quotes(
    school: School,
    rows: list[Any],
    contact_scores: dict[int, float | None],
    zone: ZoneInfo,
    refs: dict[int, int],
    critical: set[int],
    problems_first: bool,
) -> list[Quote]:
    staff = [school.principal_name] if school.principal_name else []
    candidates = []
    for row in rows:
        free_text = row.kind is ItemKind.TEXT or row.kind == ItemKind.TEXT.value
        raw = row.value if free_text and isinstance(row.value, str) and row.value.strip() else row.comment
        if not raw or not raw.strip() or row.contact_id not in refs:
            continue
        text = comments.redact(raw, staff, row.auditor_name or "")
        score = contact_scores.get(row.contact_id)
        candidates.append(
            comments.Candidate(
                contact_id=row.contact_id,
                channel=channel_label(Channel(row.channel).value),
                day=_local_day(row.started_at, zone),
                text=text,
                fraction=row.fraction,
                contact_score=float(score) if score is not None else None,
                free_text=free_text,
                position=row.position,
                ref=refs[row.contact_id],
                critical_failure=row.contact_id in critical,
            )
        )
    return comments.choose(candidates, problems_first)


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
