""" "Your biggest problem": the channel or section furthest below the district's standard, with its evidence.

The standard is the district's alert threshold (the score below which a school is
flagged on the dashboards, 70 unless the district changes it). Every channel and
section score of the school below it is a candidate; the one furthest below wins
(a channel before a section at the same distance: it is the broader fix; then channels in
their usual order, sections in the scorecard's). Its
evidence is what a principal can check: for a channel, the attempts behind each
unreached or critical-failure contact of that channel and its weakest items; for a
section, its weakest items and the critical failures among them. A school with
nothing below the standard has no biggest problem.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from audits.formatting import percent
from audits.scoring.engine import CHANNELS, SchoolScore
from audits.scoring.precision import is_early
from audits.vocabulary import channel_label, count_of
from reports import wording
from reports.attempts import AttemptRecord

EVIDENCE_ITEMS = 3


@dataclass(frozen=True)
class FailingItem:
    """A rubric item that lost points: its question, channel, share earned and the contacts it rests on."""

    prompt: str
    channel: str  # its label
    share: float
    contacts: int
    critical: bool = False

    @property
    def detail(self) -> str:
        """``earned 0% of its points over 2 contacts``."""
        return f"earned {percent(self.share, 0)} of its points over {count_of(self.contacts, 'contact')}"


@dataclass(frozen=True)
class ItemScore:
    """One item's pooled result for a school: channel, section, key, share earned, contacts, prompt."""

    channel: str
    section: str
    key: str
    share: float
    contacts: int
    prompt: str


@dataclass(frozen=True)
class BiggestProblem:
    """The school's weakest channel or section against the standard, with the evidence behind it."""

    kind: str  # "channel" or "section"
    key: str
    label: str
    score: float
    standard: float
    contacts: int
    early: bool
    summary: str  # one sentence: what fell short
    records: list[AttemptRecord] = field(default_factory=list)
    items: list[FailingItem] = field(default_factory=list)

    @property
    def gap(self) -> float:
        """Points below the standard."""
        return self.standard - self.score


def biggest_problem(
    score: SchoolScore,
    standard: float,
    section_titles: dict[str, str],
    records: list[AttemptRecord],
    items: list[ItemScore],
    critical_prompts: set[str],
    early_reading: int,
) -> BiggestProblem | None:
    """The channel or section furthest below ``standard`` (None when nothing is below it).

    ``early_reading`` is the district's number of contacts under which a figure is an early reading.
    """
    # (distance below, channels first, their usual order) : the smallest wins.
    candidates: list[tuple[float, int, int, str, str]] = []
    for order, channel in enumerate(CHANNELS):
        figures = score.channels.get(channel)
        if figures is not None and figures.score is not None and figures.score < standard:
            candidates.append((figures.score - standard, 0, order, "channel", channel))
    for order, section in enumerate(section_titles):
        value = score.sections.get(section)
        if value is not None and value < standard:
            candidates.append((value - standard, 1, order, "section", section))
    if not candidates:
        return None
    *_, kind, key = min(candidates)
    if kind == "channel":
        return _channel_problem(score, key, standard, records, items, critical_prompts)
    early = is_early(score.section_contacts.get(key, 0), early_reading)
    return _section_problem(
        score, key, section_titles[key], standard, early, records, items, critical_prompts
    )


def _failing(items: list[ItemScore], critical_prompts: set[str]) -> list[FailingItem]:
    worst = sorted((item for item in items if item.share < 1), key=lambda i: (i.share, -i.contacts, i.prompt))
    return [
        FailingItem(i.prompt, channel_label(i.channel), i.share, i.contacts, i.prompt in critical_prompts)
        for i in worst[:EVIDENCE_ITEMS]
    ]


def _channel_problem(
    score: SchoolScore,
    channel: str,
    standard: float,
    records: list[AttemptRecord],
    items: list[ItemScore],
    critical_prompts: set[str],
) -> BiggestProblem:
    figures = score.channels[channel]
    own = [record for record in records if record.channel_key == channel]
    parts = [wording.reach_phrase(channel, figures.reached, figures.contacts)]
    if figures.critical_failures:
        failures = figures.critical_failures
        parts.append(f"{count_of(failures, 'contact')} with a critical failure")
    return BiggestProblem(
        kind="channel",
        key=channel,
        label=channel_label(channel),
        score=figures.score or 0.0,
        standard=standard,
        contacts=figures.contacts,
        early=figures.early,
        summary="; ".join(parts) + ".",
        records=own,
        items=_failing([item for item in items if item.channel == channel], critical_prompts),
    )


def _section_problem(
    score: SchoolScore,
    section: str,
    title: str,
    standard: float,
    early: bool,
    records: list[AttemptRecord],
    items: list[ItemScore],
    critical_prompts: set[str],
) -> BiggestProblem:
    own = [item for item in items if item.section == section]
    prompts = {item.prompt for item in own}
    failing = _failing(own, critical_prompts)
    contacts = score.section_contacts.get(section, 0)
    return BiggestProblem(
        kind="section",
        key=section,
        label=title,
        score=score.sections[section],
        standard=standard,
        contacts=contacts,
        early=early,
        summary=f"{len([i for i in own if i.share < 1])} of its {count_of(len(own), 'item')} lost points.",
        records=[r for r in records if not r.unreached and prompts.intersection(r.failed_items)],
        items=failing,
    )
