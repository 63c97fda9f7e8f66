"""Timings and reach against the standard: rings, hold, email reply and reach, each with what it rests on.

Every number is the engine's (``audits.scoring.engine``); this module only puts it
beside its published standard (``reports.wording``) and the district's figure, and
says how many contacts it rests on, marking an early reading (rule 12 of
``docs/scoring.md``).
"""

from __future__ import annotations

from dataclasses import dataclass

from audits.formatting import percent
from audits.scoring.engine import CHANNELS, RoundScores, SchoolScore
from audits.scoring.precision import is_early
from audits.vocabulary import count_of
from reports import wording


@dataclass(frozen=True)
class Timing:
    """One measure against its standard and the district, already in words, and what it rests on."""

    measure: str
    school: str
    district: str
    standard: str
    source: str
    meets: bool | None
    basis: str = ""  # "mean of 2 calls", "1 reply · early reading"


def _number(value: float | None, unit: str, digits: int = 1) -> str:
    return "not recorded" if value is None else f"{value:.{digits}f} {unit}"


def _meets(value: float | None, limit: float) -> bool | None:
    return None if value is None else value <= limit


def _basis(kind: str, count: int, noun: tuple[str, str], early_reading: int) -> str:
    """``mean of 2 calls``; ``median of 1 reply · early reading``."""
    text = f"{kind} of {count_of(count, *noun)}"
    return f"{text} · early reading" if is_early(count, early_reading) else text


def timings(score: SchoolScore, scores: RoundScores) -> list[Timing]:
    """Rings, hold and email response against their standards; then reach per channel."""
    totals = scores.district.channel_totals
    early = scores.early_reading
    rows = []
    phone = score.channels.get("phone")
    calls = ("call", "calls")
    if phone and phone.reached:
        district = totals.get("phone")
        rings = wording.RINGS
        rows.append(
            Timing(
                "Rings before a person answered (phone, mean)",
                _number(phone.mean_rings, "rings"),
                _number(district.mean_rings if district else None, "rings"),
                rings.text,
                rings.source,
                _meets(phone.mean_rings, rings.limit),
                _basis("mean", phone.rings_contacts, calls, early),
            )
        )
        hold = wording.HOLD
        rows.append(
            Timing(
                "Time on hold (phone, mean)",
                _number(phone.mean_hold_seconds, "seconds", 0),
                _number(district.mean_hold_seconds if district else None, "seconds", 0),
                hold.text,
                hold.source,
                _meets(phone.mean_hold_seconds, hold.limit),
                _basis("mean", phone.hold_contacts, calls, early),
            )
        )
    if "email" in score.channels:
        email = wording.EMAIL
        rows.append(
            Timing(
                "Business hours to a personal reply (email, median)",
                _number(score.median_email_hours, "business hours"),
                _number(scores.district.median_email_hours, "business hours"),
                email.text,
                email.source,
                _meets(score.median_email_hours, email.limit),
                _basis("median", score.email_replies, ("reply", "replies"), early),
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
        early_channels = any(f.early for _, f in reach)
        rows.append(
            Timing(
                "Reach: contacts that reached a person",
                "\n".join(wording.reach_phrase(ch, f.reached, f.contacts) for ch, f in reach),
                "\n".join(district_lines),
                wording.REACH.text,
                wording.REACH.source,
                all(f.reached == f.contacts for _, f in reach),
                f"early reading: under {count_of(early, 'contact')} of a channel" if early_channels else "",
            )
        )
    return rows
