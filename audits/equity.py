"""Equal service: how the two members of each scenario pair were served over a round.

Paired testing (Urban Institute) sends two requests that differ in one trait only to the same
school (``audits.models.pair``). For each pair and each measure this module gives both members'
values, their difference (member ``b`` minus member ``a``: Spanish minus English, with an IEP
minus without) with a 95 % confidence interval and a p-value over the schools where both
members were counted (the pairs), and how many pairs would be needed to detect a given gap.

The measures, per counted contact (approved, and reached or finally unreached):

- **reach** (a rate): the contact reached a person (an unreached contact did not);
- **within standard** (a rate): it reached a person within the standard: a call answered within
  3 rings, an email reply within 16 business hours, a visitor greeted within 2 minutes (the
  standards the library rubrics cite, ``reports.wording``); unreached counts as not;
- **accuracy** (a score, 0–100): the answer's accuracy item (``answer_accuracy``) on reached contacts;
- **score** (a score, 0–100): the contact's overall score as the engine counts it (unreached is 0).

Rates: McNemar's exact test on the discordant pairs (statsmodels) and, for the paired
difference, the exact conditional interval that inverts it: given the d discordant pairs, the
pairs where only ``b`` succeeded are binomial (d, π), π's Clopper–Pearson interval comes from
scipy's ``binomtest``, and the difference (n01 - n10) / N = (d / N)(2π - 1) maps it onto the
difference's scale. The interval excludes zero exactly when the exact test's p-value is under 5 %.
Scores: the paired t-test and its interval (scipy's ``ttest_rel``). Pairs needed: statsmodels'
``TTestPower`` for a paired test of the gap at 5 % and 80 % power, the spread of the differences
taken from the round (a planning spread when it shows none).

No claim of a gap is made when the interval includes zero: the words say "no difference shown
with N pairs" and how many pairs would be needed (``EquityFigure.finding``).
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from statistics import stdev
from zoneinfo import ZoneInfo

from scipy import stats
from sqlalchemy import select
from sqlalchemy.orm import Session
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.power import TTestPower

from audits.formatting import day_words, percent
from audits.models import (
    Assignment,
    Channel,
    Contact,
    PairTrait,
    Response,
    Round,
    RubricItem,
    ScenarioPair,
)
from audits.pairs import member_label, requests_words, value_words
from audits.scoring.queries import contact_scores, grouped_rows
from audits.vocabulary import channel_noun, count_of, language_name

CONFIDENCE = 0.95
POWER = 0.8
# The standards "within standard" holds each channel to (those of ``reports.wording``).
RINGS_LIMIT = 3
EMAIL_HOURS_LIMIT = 16.0
GREETED_SECONDS_LIMIT = 120
ACCURACY_ITEM = "answer_accuracy"


class Measure(StrEnum):
    """What is compared between a pair's two members."""

    REACH = "reach"
    WITHIN_STANDARD = "within_standard"
    ACCURACY = "accuracy"
    SCORE = "score"

    @property
    def is_rate(self) -> bool:
        """Whether the measure is a share of contacts (else a score out of 100)."""
        return self in {Measure.REACH, Measure.WITHIN_STANDARD}

    @property
    def label(self) -> str:
        """The measure as a table heads it."""
        return MEASURE_LABELS[self]

    @property
    def gap(self) -> float:
        """The gap the "pairs needed" figure is for: 10 percentage points, or 10 points of 100."""
        return 0.10 if self.is_rate else 10.0

    @property
    def planning_spread(self) -> float:
        """The spread of paired differences assumed when the round shows none."""
        return 0.5 if self.is_rate else 20.0


MEASURE_LABELS = {
    Measure.REACH: "Reach rate",
    Measure.WITHIN_STANDARD: "Reply within the standard",
    Measure.ACCURACY: "Answer accuracy",
    Measure.SCORE: "Overall contact score",
}


@dataclass(frozen=True)
class MemberValue:
    """One member's figure over the round: the rate (0–1) or mean score (0–100) and its contacts."""

    value: float | None
    n: int


@dataclass(frozen=True)
class PairedTest:
    """A paired comparison: b - a, its interval and p-value, the pairs, the pairs needed for a gap."""

    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    pairs: int
    pairs_needed: int | None


@dataclass(frozen=True)
class EquityFigure:
    """One pair and measure over a round."""

    pair_id: int
    pair_title: str
    trait: PairTrait
    a_label: str
    b_label: str
    a_words: str
    b_words: str
    measure: Measure
    a: MemberValue
    b: MemberValue
    test: PairedTest

    @property
    def shown(self) -> bool:
        """Whether the interval excludes zero: only then is a difference claimed."""
        low, high = self.test.ci_low, self.test.ci_high
        return low is not None and high is not None and (low > 0 or high < 0)

    def value_words(self, member: MemberValue) -> str:
        """``81%`` or ``72.5``; a dash when nothing was counted."""
        if member.value is None:
            return "—"
        return percent(member.value, 0) if self.measure.is_rate else f"{member.value:.1f}"

    def amount(self, value: float | None, signed: bool = True) -> str:
        """A difference on the measure's scale: ``-44 points`` (percentage points for rates)."""
        if value is None:
            return "—"
        number = 100 * value if self.measure.is_rate else value
        text = f"{abs(number):.0f}" if self.measure.is_rate else f"{abs(number):.1f}"
        sign = "\u2212" if number < 0 else "+" if number > 0 and signed else ""
        return f"{sign}{text}"

    @property
    def unit(self) -> str:
        """What a difference is counted in."""
        return "percentage points" if self.measure.is_rate else "points of 100"

    @property
    def gap_words(self) -> str:
        """The gap "pairs needed" is for: ``10 percentage points``, ``10 points of 100``."""
        gap = 100 * self.measure.gap if self.measure.is_rate else self.measure.gap
        return f"{gap:g} {self.unit}"

    @property
    def interval_words(self) -> str:
        """``-69 to -8 percentage points`` (printed with minus signs)."""
        if self.test.ci_low is None or self.test.ci_high is None:
            return "—"
        return f"{self.amount(self.test.ci_low)} to {self.amount(self.test.ci_high)} {self.unit}"

    @property
    def finding(self) -> str:
        """The sentence a reader takes away: a gap only when the interval excludes zero."""
        pairs = self.test.pairs
        if pairs == 0:
            return "No school has both members counted yet: nothing to compare."
        if not self.shown:
            text = f"No difference shown with {count_of(pairs, 'pair')}."
            if self.test.pairs_needed is not None:
                text += (
                    f" About {count_of(self.test.pairs_needed, 'pair')} would be needed to detect a gap of "
                    f"{self.gap_words}."
                )
            return text
        direction = "lower" if (self.test.difference or 0) < 0 else "higher"
        return (
            f"{self.measure.label} was {direction} for {self.b_words} than for {self.a_words}: "
            f"{self.amount(self.test.difference)} {self.unit} "
            f"(95% confidence interval {self.interval_words}), over {count_of(pairs, 'pair')}."
        )


@dataclass
class MemberContact:
    """One member's counted contact at one school: its values and when it happened."""

    school_id: int
    pair_id: int
    member: str  # "a" or "b"
    position: int | None
    channel: Channel
    contact_id: int
    unreached: bool
    day: date
    values: dict[Measure, float | None] = field(default_factory=dict)


def paired_rate_test(a: list[int], b: list[int], gap: float = 0.10) -> PairedTest:
    """McNemar's exact test and the exact conditional interval of b - a for paired 0/1 outcomes."""
    pairs = len(a)
    if pairs == 0:
        return PairedTest(None, None, None, None, 0, None)
    n11 = sum(1 for x, y in zip(a, b, strict=True) if x and y)
    n10 = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    n01 = sum(1 for x, y in zip(a, b, strict=True) if y and not x)
    n00 = pairs - n11 - n10 - n01
    discordant = n10 + n01
    difference = (n01 - n10) / pairs
    if discordant == 0:
        low = high = 0.0
        p_value = 1.0
    else:
        p_value = float(mcnemar([[n11, n10], [n01, n00]], exact=True).pvalue)
        interval = stats.binomtest(n01, discordant).proportion_ci(CONFIDENCE, method="exact")
        share = discordant / pairs
        low, high = share * (2 * interval.low - 1), share * (2 * interval.high - 1)
    spread = _spread([y - x for x, y in zip(a, b, strict=True)], Measure.REACH.planning_spread)
    return PairedTest(difference, low, high, p_value, pairs, pairs_needed(gap, spread))


def paired_score_test(a: list[float], b: list[float], gap: float = 10.0) -> PairedTest:
    """The paired t-test of b - a and its 95 % interval (scipy), for scores."""
    pairs = len(a)
    if pairs == 0:
        return PairedTest(None, None, None, None, 0, None)
    differences = [y - x for x, y in zip(a, b, strict=True)]
    difference = sum(differences) / pairs
    needed = pairs_needed(gap, _spread(differences, Measure.SCORE.planning_spread))
    if pairs < 2:
        return PairedTest(difference, None, None, None, pairs, needed)
    if len(set(differences)) == 1:  # no spread: the t statistic and its interval are undefined
        return PairedTest(difference, None, None, None, pairs, needed)
    result = stats.ttest_rel(b, a)
    interval = result.confidence_interval(CONFIDENCE)
    return PairedTest(
        difference, float(interval.low), float(interval.high), float(result.pvalue), pairs, needed
    )


def _spread(differences: list[float] | list[int], planning: float) -> float:
    """The standard deviation of the paired differences, or ``planning`` when they show none."""
    if len(differences) < 2:
        return planning
    spread = stdev(float(d) for d in differences)
    return spread if spread > 0 else planning


def pairs_needed(gap: float, spread: float) -> int:
    """Pairs a paired test needs to detect ``gap`` at the 5 % level with 80 % power (statsmodels)."""
    effect = abs(gap) / spread
    needed = TTestPower().solve_power(effect_size=effect, alpha=1 - CONFIDENCE, power=POWER)
    return max(2, math.ceil(float(needed)))


def _within_standard(contact: Contact) -> float | None:
    """1 when the contact reached a person within the channel's standard, 0 when not; ``None``
    when a reached contact's measurement was not recorded."""
    if contact.unreached:
        return 0.0
    channel = contact.assignment.channel
    if channel is Channel.PHONE:
        measured: float | None = contact.rings
        limit: float = RINGS_LIMIT
    elif channel is Channel.EMAIL:
        measured, limit = contact.response_business_hours, EMAIL_HOURS_LIMIT
    else:
        measured, limit = contact.greeted_seconds, GREETED_SECONDS_LIMIT
    if measured is None:
        return None
    return 1.0 if measured <= limit else 0.0


def member_contacts(session: Session, round_: Round, school_id: int | None = None) -> list[MemberContact]:
    """The counted contact of each pair member at each school of ``round_`` (with ``school_id``:
    that school's only)."""
    pairs = {
        pair.id: pair
        for pair in session.scalars(
            select(ScenarioPair).where(ScenarioPair.id.in_(list(round_.pair_ids or [])))
        )
    }
    if not pairs:
        return []
    scores = {row.contact_id: row for row in grouped_rows(session, contact_scores([round_.id], school_id))}
    if not scores:
        return []
    contacts = session.scalars(
        select(Contact)
        .join(Contact.assignment)
        .where(Contact.id.in_(list(scores)), Assignment.pair_id.is_not(None))
    ).all()
    accuracy = dict(
        session.execute(
            select(Response.contact_id, Response.fraction)
            .join(RubricItem, RubricItem.id == Response.item_id)
            .where(
                Response.contact_id.in_([contact.id for contact in contacts]),
                RubricItem.key == ACCURACY_ITEM,
                Response.na.is_(False),
            )
        )
        .tuples()
        .all()
    )
    zone = ZoneInfo(round_.district.timezone)
    members = []
    for contact in contacts:
        assignment = contact.assignment
        pair = pairs.get(assignment.pair_id or 0)
        member = pair.member(assignment.scenario_id) if pair else None
        if pair is None or member is None:
            continue
        score = scores[contact.id].score
        fraction = accuracy.get(contact.id)
        day = contact.started_at.astimezone(zone).date() if contact.started_at else assignment.due_day
        members.append(
            MemberContact(
                school_id=assignment.school_id,
                pair_id=pair.id,
                member=member,
                position=assignment.pair_position,
                channel=assignment.channel,
                contact_id=contact.id,
                unreached=contact.unreached,
                day=day,
                values={
                    Measure.REACH: 0.0 if contact.unreached else 1.0,
                    Measure.WITHIN_STANDARD: _within_standard(contact),
                    Measure.ACCURACY: None if contact.unreached or fraction is None else 100.0 * fraction,
                    Measure.SCORE: None if score is None else float(score),
                },
            )
        )
    return members


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def equity_figures(session: Session, round_: Round) -> list[EquityFigure]:
    """Every pair of ``round_`` × every measure, in the round's pair order then the measures'."""
    pairs = {
        pair.id: pair
        for pair in session.scalars(
            select(ScenarioPair).where(ScenarioPair.id.in_(list(round_.pair_ids or [])))
        )
    }
    by_school: dict[tuple[int, int], dict[str, MemberContact]] = defaultdict(dict)
    for member in member_contacts(session, round_):
        by_school[(member.pair_id, member.school_id)][member.member] = member
    figures = []
    for pair_id in round_.pair_ids or []:
        pair = pairs.get(pair_id)
        if pair is None:
            continue
        at_schools = [members for (pid, _), members in sorted(by_school.items()) if pid == pair_id]
        for measure in Measure:
            a_values = [m["a"].values[measure] for m in at_schools if "a" in m]
            b_values = [m["b"].values[measure] for m in at_schools if "b" in m]
            a_counted = [v for v in a_values if v is not None]
            b_counted = [v for v in b_values if v is not None]
            both = [
                (m["a"].values[measure], m["b"].values[measure]) for m in at_schools if "a" in m and "b" in m
            ]
            paired = [(x, y) for x, y in both if x is not None and y is not None]
            xs, ys = [x for x, _ in paired], [y for _, y in paired]
            test = (
                paired_rate_test([int(x) for x in xs], [int(y) for y in ys], measure.gap)
                if measure.is_rate
                else paired_score_test(xs, ys, measure.gap)
            )
            figures.append(
                EquityFigure(
                    pair_id=pair.id,
                    pair_title=pair.title,
                    trait=pair.trait,
                    a_label=member_label(pair.trait, pair.a_value),
                    b_label=member_label(pair.trait, pair.b_value),
                    a_words=requests_words(pair.trait, pair.a_value),
                    b_words=requests_words(pair.trait, pair.b_value),
                    measure=measure,
                    a=MemberValue(_mean(a_counted), len(a_counted)),
                    b=MemberValue(_mean(b_counted), len(b_counted)),
                    test=test,
                )
            )
    return figures


# -- one school's own facts (the scorecard's): never a statistical claim ------------------------------

_REACHED = {
    Channel.PHONE: "reached a person",
    Channel.EMAIL: "got a personal reply",
    Channel.VISIT: "was served",
}
_UNREACHED = {
    Channel.PHONE: "was not answered",
    Channel.EMAIL: "got no reply",
    Channel.VISIT: "was not served",
}


@dataclass(frozen=True)
class PairFact:
    """One pair at one school, in words: what each member met, in the order they were sent."""

    pair_title: str
    sentences: list[str]


def member_words(trait: PairTrait, value: str, channel: Channel) -> str:
    """``the Spanish-language call``, ``the email about a student with an IEP``."""
    noun = channel_noun(channel.value)
    if trait is PairTrait.LANGUAGE:
        return f"the {language_name(value)}-language {noun}"
    if value == "none":
        return f"the {noun} about a student with no disability named"
    return f"the {noun} about a student with {value_words(trait, value)}"


def _days_apart(days: int) -> str:
    words = {1: "one day", 2: "two days", 3: "three days", 4: "four days", 5: "five days"}
    return words.get(days, f"{days} days")


def school_pair_facts(session: Session, round_: Round, school_id: int) -> list[PairFact]:
    """What each pair's two members met at one school, as plain facts (no figure over schools)."""
    return pair_facts_by_school(session, round_, school_id).get(school_id, [])


def pair_facts_by_school(
    session: Session, round_: Round, school_id: int | None = None
) -> dict[int, list[PairFact]]:
    """Every school's own pair facts of ``round_`` (one school's with ``school_id``), by school id."""
    pairs = {
        pair.id: pair
        for pair in session.scalars(
            select(ScenarioPair).where(ScenarioPair.id.in_(list(round_.pair_ids or [])))
        )
    }
    members: dict[int, dict[int, dict[str, MemberContact]]] = defaultdict(lambda: defaultdict(dict))
    for member in member_contacts(session, round_, school_id):
        members[member.school_id][member.pair_id][member.member] = member
    return {
        school: [
            _fact(pairs[pair_id], found[pair_id])
            for pair_id in round_.pair_ids or []
            if pair_id in pairs and found.get(pair_id)
        ]
        for school, found in members.items()
    }


def _fact(pair: ScenarioPair, found: dict[str, MemberContact]) -> PairFact:
    """One pair at one school in sentences, in the order its members happened."""
    values = {"a": pair.a_value, "b": pair.b_value}
    ordered = sorted(found.values(), key=lambda m: (m.day, m.position or 0))
    sentences = []
    for index, member in enumerate(ordered):
        what = member_words(pair.trait, values[member.member], member.channel)
        outcome = (_UNREACHED if member.unreached else _REACHED)[member.channel]
        score = member.values[Measure.SCORE]
        scored = f" (scored {score:.0f} of 100)" if score is not None and not member.unreached else ""
        when = day_words(member.day)
        if index and (gap := (member.day - ordered[0].day).days):
            when += f", {_days_apart(gap)} later"
        sentences.append(f"{what[0].upper()}{what[1:]}, {when}, {outcome}{scored}.")
    for name in ("a", "b"):
        if name not in found:
            what = member_words(pair.trait, values[name], pair.a_scenario.channel)
            sentences.append(f"{what[0].upper()}{what[1:]} is not counted yet (not yet approved).")
    return PairFact(pair.title, sentences)
