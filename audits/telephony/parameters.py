"""Checking every parameter of a Twilio callback before any of it is used or stored.

Twilio documents the parameters it sends, and adds new ones from time to time.
Each parameter received is checked: the ones Touchpoint reads against their
documented form (SIDs, status enums, whole numbers, RFC 2822 timestamps), every
other one against a generic rule (a plain name, printable text of bounded
length), so a new Twilio parameter is accepted and stored while anything odd is
refused. All problems are reported at once in one ``ValidationError``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from audits.errors import ValidationError
from audits.telephony.timings import ANSWERED_BY, STATUS_RANK

MAX_PARAMS = 80
MAX_VALUE_LENGTH = 1000
NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")
PRINTABLE = re.compile(r"[^\x00-\x1f\x7f]*")
RECORDING_STATUSES = frozenset({"in-progress", "completed", "absent", "failed"})
DIRECTIONS = frozenset(
    {"inbound", "outbound-api", "outbound-dial", "trunking-originating", "trunking-terminating"}
)

Check = Callable[[str], Any]


def _sid(prefix: str) -> Check:
    pattern = re.compile(prefix + r"[0-9a-fA-F]{32}")

    def check(text: str) -> str:
        if not pattern.fullmatch(text):
            raise ValueError(f"must be a Twilio SID starting with {prefix} and 32 hexadecimal digits")
        return text

    return check


def _one_of(values: Iterable[str]) -> Check:
    allowed = frozenset(values)

    def check(text: str) -> str:
        if text not in allowed:
            raise ValueError(f"must be one of {', '.join(sorted(allowed))}")
        return text

    return check


def _count(text: str) -> int:
    if not text.isdigit() or len(text) > 9:
        raise ValueError("must be a whole number of at least 0")
    return int(text)


def _timestamp(text: str) -> str:
    """An RFC 2822 date with a time zone (``Tue, 02 Feb 2027 14:15:03 +0000``), kept as ISO 8601."""
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        raise ValueError("must be an RFC 2822 date, e.g. Tue, 02 Feb 2027 14:15:03 +0000") from None
    if moment.tzinfo is None:  # "-0000": UTC, source unknown
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _https_url(text: str) -> str:
    if not text.startswith("https://"):
        raise ValueError("must be an https URL")
    return text


CHECKS: dict[str, Check] = {
    "AccountSid": _sid("AC"),
    "CallSid": _sid("CA"),
    "ParentCallSid": _sid("CA"),
    "RecordingSid": _sid("RE"),
    "CallStatus": _one_of(STATUS_RANK),
    "RecordingStatus": _one_of(RECORDING_STATUSES),
    "AnsweredBy": _one_of(ANSWERED_BY),
    "Direction": _one_of(DIRECTIONS),
    "SequenceNumber": _count,
    "CallDuration": _count,
    "Duration": _count,
    "RecordingDuration": _count,
    "RecordingChannels": _count,
    "SipResponseCode": _count,
    "MachineDetectionDuration": _count,
    "ErrorCode": _count,
    "Timestamp": _timestamp,
    "RecordingStartTime": _timestamp,
    "RecordingUrl": _https_url,
}


def clean_params(
    params: Mapping[str, str | list[str]], required: Iterable[str], account_sid: str | None = None
) -> dict[str, Any]:
    """Check every parameter of a callback; return them cleaned (numbers as ints, times as ISO).

    ``params`` maps names to text, or to lists of text as a form parses them (a
    name sent twice is refused). ``required`` names the parameters that must be present. With ``account_sid``,
    a callback for another Twilio account is refused. Raises one
    ``ValidationError`` listing every problem, each on the parameter's name.
    """
    problems: list[tuple[str | None, str]] = []
    if len(params) > MAX_PARAMS:
        raise ValidationError(None, f"too many parameters ({len(params)}; at most {MAX_PARAMS})")
    clean: dict[str, Any] = {}
    for name, value in params.items():
        if not isinstance(name, str) or not NAME.fullmatch(name):
            problems.append((str(name)[:64], "is not a parameter name Twilio sends"))
            continue
        if isinstance(value, list | tuple):
            if len(value) != 1:
                problems.append((name, "was sent more than once"))
                continue
            value = value[0]
        if not isinstance(value, str):
            problems.append((name, "must be text"))
            continue
        if len(value) > MAX_VALUE_LENGTH or not PRINTABLE.fullmatch(value):
            problems.append((name, f"must be printable text of at most {MAX_VALUE_LENGTH} characters"))
            continue
        check = CHECKS.get(name)
        if check is None:
            clean[name] = value
            continue
        try:
            clean[name] = check(value)
        except ValueError as error:
            problems.append((name, str(error)))
    for name in required:
        if name not in params:
            problems.append((name, "is missing"))
    if account_sid and "AccountSid" in clean and clean["AccountSid"] != account_sid:
        problems.append(("AccountSid", "belongs to another Twilio account"))
    if problems:
        raise ValidationError.many(problems)
    return clean
