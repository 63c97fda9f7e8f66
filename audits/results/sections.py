"""Names, order and channels of rubric sections, by key, for column headers and grouped tables."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import Channel, Rubric, RubricSection
from audits.vocabulary import SHARED_SECTIONS, channel_label

# The key of the group of sections that rubrics of several channels share ("The answer").
SHARED = "shared"


def section_titles(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """Title of each section key, in the order sections usually come in a rubric (one query).

    Sections with one key share a meaning across rubrics; the title shown is the
    one of the newest section with that key.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    newest = (
        select(
            RubricSection.key, func.max(RubricSection.id).label("newest"), func.min(RubricSection.position)
        )
        .where(RubricSection.key.in_(wanted))
        .group_by(RubricSection.key)
        .subquery()
    )
    query = (
        select(newest.c.key, RubricSection.title)
        .join(RubricSection, RubricSection.id == newest.c.newest)
        .order_by(newest.c[2], newest.c.key)
    )
    titles: dict[str, str] = dict(session.execute(query).tuples().all())
    return {key: titles.get(key, key) for key in [*titles, *sorted(wanted - set(titles))]}


def section_channels(session: Session, keys: Iterable[str]) -> dict[str, str]:
    """The channel (``phone``, ``email``, ``visit``) of each section key whose rubrics all belong to one
    channel, or ``""`` for a key that rubrics of several channels share ("The answer"); one query.

    A scorecard groups its section scores under their channel with this, the shared ones apart.
    """
    wanted = set(keys)
    if not wanted:
        return {}
    rows = session.execute(
        select(RubricSection.key, Rubric.channel)
        .join(Rubric, Rubric.id == RubricSection.rubric_id)
        .where(RubricSection.key.in_(wanted))
        .distinct()
    ).all()
    channels: dict[str, set[str]] = {key: set() for key in wanted}
    for key, channel in rows:
        channels[key].add(channel.value)
    return {key: next(iter(found)) if len(found) == 1 else "" for key, found in channels.items()}


@dataclass(frozen=True)
class SectionGroup:
    """The sections of one channel (``key`` ``phone``, ``email``, ``visit``) or those every channel
    shares (``key`` ``shared``), in the order of ``section_titles``."""

    key: str
    label: str
    sections: dict[str, str]  # section key: title

    @property
    def channel(self) -> str | None:
        """The channel the sections belong to; ``None`` for the shared ones."""
        return None if self.key == SHARED else self.key


def section_groups(session: Session, titles: dict[str, str]) -> list[SectionGroup]:
    """The sections of ``titles`` grouped by channel (phone, email, visit), the shared ones last;
    groups without a section are left out (one query)."""
    channels = section_channels(session, titles)
    groups = []
    for key in [channel.value for channel in Channel] + [SHARED]:
        wanted = "" if key == SHARED else key
        sections = {section: title for section, title in titles.items() if channels[section] == wanted}
        if sections:
            label = SHARED_SECTIONS if key == SHARED else channel_label(key)
            groups.append(SectionGroup(key, label, sections))
    return groups
