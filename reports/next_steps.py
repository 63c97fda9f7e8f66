"""What to do next: the school's lowest-scoring items with their coaching tips, and any channel
that did not always reach a person, worst first; three at most."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from audits.formatting import percent
from audits.models import Channel
from audits.scoring.engine import CHANNELS, SchoolScore
from audits.vocabulary import channel_label, count_of
from reports import wording

NEXT_STEPS = 3


@dataclass(frozen=True)
class NextStep:
    """Something to do next: the coaching tip, and the item (or reach) it comes from."""

    tip: str
    checked: str
    channel: str
    detail: str


def item_candidates(rows: list[Any]) -> list[tuple[float, float, str, str, int, int]]:
    """Items below full marks, worst first: (share, minus points lost, channel, key, item id, contacts)."""
    candidates = []
    for row in rows:
        share = float(row.earned) / float(row.possible)
        if share < 1:
            lost = float(row.possible) - float(row.earned)
            candidates.append((share, -lost, Channel(row.channel).value, row.key, row.item_id, row.contacts))
    return sorted(candidates)


def next_steps(
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
        detail = f"earned {percent(share, 0)} of its points over {count_of(contacts, 'contact')}."
        ranked.append((share, 1, less, NextStep(tip or prompt, prompt, channel_label(channel), detail)))
    ranked.sort(key=lambda entry: entry[:3])
    return [entry[3] for entry in ranked[:NEXT_STEPS]]
