"""The parts of the contact as a scorecard names them: grouped by channel, no two names a reader could mix up.

A round's rubrics may give sections of different channels the same or nearly the same
title ("Greeting" on the phone rubric, "Greeting and wait" on the visit rubric). The
scorecard prints its section scores under their channel (``audits.results.sections.
section_channels``; sections that rubrics of several channels share come last, under
"Every channel"), and where a section's title could be taken for the title of a section
of another channel, it carries its channel too: "Greeting (phone call)". Two titles are
taken for one another when every significant word of one is in the other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from audits.scoring.engine import CHANNELS
from audits.vocabulary import channel_label, channel_noun

# Words that tell no section from another: "Greeting and wait" and "The greeting" are both about greeting.
MINOR_WORDS = frozenset({"a", "an", "and", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with"})


@dataclass(frozen=True)
class SectionName:
    """A section as the scorecard prints it: its key, its name there, and its channel's label."""

    key: str
    label: str  # the title, with the channel when another channel's section has a title like it
    channel: str  # the channel's label ("Phone call"); "" for a section rubrics of several channels share


def significant_words(title: str) -> frozenset[str]:
    """The words of ``title`` that tell it from another, case and punctuation aside."""
    return frozenset(re.findall(r"\w+", title.casefold())) - MINOR_WORDS


def confusable(first: str, second: str) -> bool:
    """Whether a reader could take one title for the other: every significant word of one is in the other
    ("Greeting" and "Greeting and wait", or the same title twice)."""
    a, b = significant_words(first), significant_words(second)
    return a <= b or b <= a


def section_names(titles: dict[str, str], channels: dict[str, str]) -> dict[str, SectionName]:
    """Each section's name on the scorecard by key, in the order the scorecard prints them.

    ``titles`` holds each section key's title in rubric order (``section_titles``), ``channels`` its
    channel (``section_channels``: ``phone``, ``email``, ``visit``, or ``""`` when rubrics of several
    channels share it). Sections come channel by channel in the usual order, the shared ones last, each
    group in rubric order. A title confusable with the title of a section of another channel gets that
    section's channel: "Greeting (phone call)"; a name that is still not unique (one channel with two
    sections of one title) is numbered: "Greeting (2)".
    """
    order = {channel: index for index, channel in enumerate(CHANNELS)}
    keys = sorted(titles, key=lambda key: order.get(channels.get(key, ""), len(order)))
    labels: dict[str, str] = {}
    for key in keys:
        title, channel = titles[key], channels.get(key, "")
        clash = channel and any(
            channels.get(other, "") != channel and confusable(title, titles[other])
            for other in keys
            if other != key
        )
        labels[key] = f"{title} ({channel_noun(channel)})" if clash else title
    seen: dict[str, int] = {}
    for key in keys:
        label = labels[key].casefold()
        seen[label] = seen.get(label, 0) + 1
        if seen[label] > 1:
            labels[key] = f"{labels[key]} ({seen[label]})"
    return {
        key: SectionName(key, labels[key], channel_label(channels[key]) if channels.get(key) else "")
        for key in keys
    }
