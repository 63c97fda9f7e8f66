"""The words of a scorecard: outcomes, reach, the standards and the headline sentence.

The standards are those the default rubrics cite in their guidance (see
``audits/library/rubrics/`` and the rubric sources): each is printed with its
source, so a principal can see where a number comes from. Channel labels come from
``audits.vocabulary``, like everywhere else.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from audits.formatting import ordinal
from audits.models import Outcome
from audits.scoring.precision import RankStanding
from audits.vocabulary import count_of, plural
from reports.follow_up import FollowUpSection

__all__ = ["ordinal"]  # kept here too: the scorecard's words have always offered it

# "2 of 3 calls reached a person": the noun (singular, plural) and what reaching means, per channel.
REACH_WORDS = {
    "phone": ("call", "calls", "reached a person"),
    "email": ("email", "emails", "got a personal reply"),
    "visit": ("visit", "visits", "were served"),
}
REACHED_LABELS = {"phone": "Answered by a person", "email": "Reply received", "visit": "Served"}


@dataclass(frozen=True)
class Standard:
    """A published service standard: what it asks, the limit, and where it comes from."""

    text: str
    limit: float
    source: str


RINGS = Standard(
    "Answered within 3 rings",
    3,
    "City of Lawrence, KS customer service matrix (public-sector benchmark)",
)
HOLD = Standard(
    "On hold, someone checks back within 60 seconds",
    60,
    "City of Lawrence, KS customer service matrix (public-sector benchmark)",
)
EMAIL = Standard(
    "A reply within 2 business days (16 business hours)",
    16,
    "South Orange-Maplewood, NJ response standard",
)
REACH = Standard(
    "Every contact reaches a person during the school day",
    1.0,
    "Wauwatosa School District, WI, policy 9111; Washington State School for the Blind",
)
# When a channel's contacts did not all reach the school, the step to take (adapted from the rubric tips).
REACH_TIPS = {
    "phone": "Make sure a person answers the main line all school day, including lunch and the first and "
    "last hour, and that any phone menu offers “press 0” for the office.",
    "email": "Give the office mailbox an owner and a back-up, and answer every family email personally, "
    "even if the first reply only says who will answer and by when.",
    "visit": "Keep the front office staffed whenever the doors are open, and post clear signs to it from "
    "every entrance.",
}


def reach_phrase(channel: str, reached: int, contacts: int) -> str:
    """``2 of 3 calls reached a person``."""
    singular, plural_form, verb = REACH_WORDS.get(channel, ("contact", "contacts", "reached the school"))
    if channel == "visit" and contacts == 1:
        verb = "was served"
    return f"{reached} of {count_of(contacts, singular, plural_form)} {verb}"


def outcome_label(channel: str, outcome: Outcome | None, unreached: bool) -> str:
    """How a counted contact ended, in the channel's words."""
    if outcome is None:
        return "—"
    if outcome is Outcome.REACHED:
        return REACHED_LABELS.get(channel, outcome.label)
    return f"{outcome.label} (final attempt)" if unreached else outcome.label


def points(value: float) -> str:
    """``1 point``, ``4.2 points``."""
    text = f"{abs(value):.1f}"
    return f"{text} {plural(float(text), 'point')}"


def standing_sentence(
    name: str,
    overall: float | None,
    median: float | None,
    standing: RankStanding | None,
    change: float | None,
) -> str:
    """One plain sentence that says where the school stands in the district.

    The rank is the engine's standing: exact (``4th of 12 schools``) only when no other
    school's interval overlaps this one's, else its band (``ranked among the top quarter
    (1st–3rd of 12)``), as rule 14 of ``docs/scoring.md`` says.
    """
    if overall is None or standing is None:
        return f"None of the contacts with {name} could be scored this round."
    rank, ranked = standing.rank, standing.of
    quarter = math.ceil(ranked / 4)
    gap = None if median is None or round(overall - median, 1) == 0 else overall - median
    side = "above" if gap is not None and gap > 0 else "below"
    if standing.exact:
        parts = [f"{ordinal(rank)} of {count_of(ranked, 'school')}"]
    else:
        parts = [f"ranked {standing.text}"]
    if standing.exact and ranked >= 4 and (rank <= quarter or rank > ranked - quarter):
        place = f"is in the {'top' if rank <= quarter else 'bottom'} quarter of the district"
        if gap is not None:
            parts.append(f"{points(gap)} {side} the median")
    elif gap is not None:
        place = f"is {points(gap)} {side} the district median"
    else:
        place = "is at the district median" if median is not None else "has no district median to compare"
    if change is not None:
        if round(change, 1) == 0:
            parts.append("unchanged since the last round")
        else:
            parts.append(f"{'up' if change > 0 else 'down'} {points(change)} since the last round")
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{name} {place}: {listed}."


def follow_up_sentence(school: str, section: FollowUpSection) -> str:
    """The headline of a follow-up round's scorecard: what checking the plan again found."""
    return f"{school} was contacted again on what failed in {section.original_round}: {section.summary}."
