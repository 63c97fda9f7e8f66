"""What in a contact does not add up: answers that contradict its outcome or its own recorded facts.

The contact form refuses what it can (a reached call without rings, a reply before the email was
sent). What it cannot refuse, or what older code stored, the reviewer sees before approving: a
reached call scored "no" on "answered by a person", a greeting after 5 seconds answered as
40 minutes, a hold longer than the whole call. Each flag says what disagrees with what, in the
words of the contact page, and which rubric answer it concerns.

Flags are not refusals: the reviewer decides (approve, correct the entry, or return it). Times
that look unlikely are ``audits.fieldwork.time_flags``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from audits.businesshours import BusinessCalendar
from audits.fieldwork.entry import Timings, measured_timings, timing_names
from audits.formatting import percent
from audits.models import Channel, Contact, ItemKind, Outcome, Response, RubricItem
from audits.rubrics.scoring import item_fraction
from audits.rubrics.versions import spec_from_item
from audits.vocabulary import count_of, plural

NOUNS = {Channel.PHONE: "call", Channel.EMAIL: "email", Channel.VISIT: "visit"}
UNIT_WORDS = {
    "rings": "rings",
    "seconds": "seconds",
    "minutes": "minutes",
    "business_hours": "business hours",
}
# Rubric items that say whether a person answered: "no" contradicts a reached contact.
PERSON_ITEMS = {"answered_by_person", "reply_received"}
# A call's "did the staff member give their name?", recorded by the auditor as a fact of the call too.
NAME_ITEMS = {"own_name_given"}
# How a call was routed (a choice whose options count transfers), beside the recorded transfers.
ROUTING_ITEMS = {"transfers"}
# Whether a voicemail was returned, beside the recorded call back.
CALLBACK_ITEMS = {"voicemail_returned"}
# A timing answer and the value measured from the facts agree when they round to the same tenth.
DECIMALS = 1
SHOWN_PROMPTS = 3


@dataclass(frozen=True)
class ReviewFlag:
    """One thing in a contact that does not add up, said so that a reviewer can check it.

    ``item_key``: the rubric item whose answer it concerns, if any (the page links to it).
    """

    text: str
    item_key: str | None = None


def review_flags(contact: Contact, calendar: BusinessCalendar) -> list[ReviewFlag]:
    """Every contradiction in ``contact``, in words (empty when everything agrees).

    Its outcome against its answers, its recorded facts against each other (a reply before the
    email, a hold longer than the call, a greeting later than the whole wait), and each answer
    that is scored from a fact against that fact (rings, hold, reply time, the staff member's
    name, transfers, a call back).
    """
    outcome = contact.outcome
    if outcome is None:
        return []
    answers = {response.item.key: response for response in contact.responses}
    return [
        *_outcome_flags(contact, outcome, answers),
        *_fact_flags(contact, calendar.timezone),
        *_timing_flags(contact, answers, calendar),
        *_phone_answer_flags(contact, answers, calendar.timezone),
    ]


def _noun(contact: Contact) -> str:
    return NOUNS[contact.assignment.channel]


def _scored(response: Response) -> bool:
    """Whether an answer adds to the contact's points (answered, not N/A, not text)."""
    return not response.na and response.item.kind is not ItemKind.TEXT and response.fraction is not None


def _quoted(prompts: list[str]) -> str:
    shown = ", ".join(f"“{prompt}”" for prompt in prompts[:SHOWN_PROMPTS])
    more = len(prompts) - SHOWN_PROMPTS
    return shown + (f" and {more} more" if more > 0 else "")


def _outcome_flags(contact: Contact, outcome: Outcome, answers: dict[str, Response]) -> list[ReviewFlag]:
    """Answers that an outcome rules out: rubric answers to an attempt that reached nobody, a
    reached contact answered "no person", a reached contact with nothing answered."""
    noun = _noun(contact)
    scored = [
        answers[item.key]
        for item in contact.rubric.items
        if item.key in answers and _scored(answers[item.key])
    ]
    if outcome is not Outcome.REACHED:
        if not scored:
            return []
        count = len(scored)
        prompts = _quoted([response.item.prompt for response in scored])
        counted = (
            "It counts as unreached and scores 0 whatever the answers say"
            if contact.unreached
            else "An earlier attempt that reached nobody is a record, not a score"
        )
        return [
            ReviewFlag(
                f"The {noun} is recorded as “{outcome.label}”, yet {count} rubric "
                f"{plural(count, 'item is', 'items are')} answered ({prompts}). "
                f"{counted}: if someone did answer, the outcome is wrong.",
                scored[0].item.key,
            )
        ]
    flags = []
    for key in sorted(PERSON_ITEMS & answers.keys()):
        response = answers[key]
        if _scored(response) and response.value is False:
            result = " and makes it a critical failure on the scorecard" if response.item.critical else ""
            flags.append(
                ReviewFlag(
                    f"The {noun} is recorded as “{outcome.label}”, but “{response.item.prompt}” is "
                    f"answered No: that contradicts the outcome{result}. One of the two is wrong.",
                    key,
                )
            )
    if not scored:
        flags.append(
            ReviewFlag(
                f"The {noun} is recorded as “{outcome.label}”, but no rubric item is answered: "
                "it has no score, and the school's figures leave it out."
            )
        )
    return flags


def local_moment(moment: datetime, timezone: str) -> str:
    """A moment in the district's time, as the contact page shows it: ``Tue, Feb 2, 2027, 09:15``."""
    local = moment.astimezone(ZoneInfo(timezone))
    return f"{local:%a, %b} {local.day}, {local.year}, {local:%H:%M}"


def duration(seconds: float) -> str:
    """Seconds as a person says them: ``5 seconds``, ``1 second``, ``9 minutes``, ``2.5 minutes``."""
    if seconds < 120:
        return f"{seconds:g} {plural(seconds, 'second')}"
    minutes = round(seconds / 60, 1)
    return f"{minutes:g} {plural(minutes, 'minute')}"


def _fact_flags(contact: Contact, timezone: str) -> list[ReviewFlag]:
    """Recorded facts that cannot all be true: a reply before its email, a call back before its
    call, a hold longer than the call, a greeting later than the whole wait, a reply to an email
    recorded as unanswered (or none to one recorded as answered)."""
    flags = []
    started, channel = contact.started_at, contact.assignment.channel
    if channel is Channel.EMAIL:
        reply = contact.reply_at
        if reply is not None and started is not None and reply < started:
            flags.append(
                ReviewFlag(
                    f"The reply is recorded at {local_moment(reply, timezone)}, before the email was sent "
                    f"({local_moment(started, timezone)}): the response time cannot be worked out."
                )
            )
        if reply is not None and contact.outcome is Outcome.NO_REPLY:
            flags.append(
                ReviewFlag(
                    f"The email is recorded as “{Outcome.NO_REPLY.label}”, yet a reply is recorded "
                    f"at {local_moment(reply, timezone)}."
                )
            )
        if reply is None and contact.outcome is Outcome.REACHED:
            flags.append(
                ReviewFlag(
                    "The email is recorded as answered, but no reply time is recorded: "
                    "its response time is missing from the school's figures."
                )
            )
    elif channel is Channel.PHONE:
        back = contact.callback_at
        if back is not None and started is not None and back < started:
            flags.append(
                ReviewFlag(
                    f"The call back is recorded at {local_moment(back, timezone)}, before the call itself "
                    f"({local_moment(started, timezone)})."
                )
            )
        hold, length = contact.hold_seconds, contact.call_seconds
        if hold is not None and length is not None and hold > length:
            flags.append(
                ReviewFlag(
                    f"The call records {duration(hold)} on hold, "
                    f"longer than the whole call ({duration(length)})."
                )
            )
    else:
        greeted, wait = contact.greeted_seconds, contact.wait_seconds
        if greeted is not None and wait is not None and greeted > wait:
            flags.append(
                ReviewFlag(
                    f"The visit records a greeting after {duration(greeted)}, later than the whole wait "
                    f"({duration(wait)})."
                )
            )
    return flags


def _fact_words(contact: Contact, item: RubricItem, measured: float) -> str:
    """What the contact's facts say a timing item's value is, in words: ``the call records 7 rings``."""
    channel = contact.assignment.channel
    unit = item.unit.value if item.unit else ""
    if channel is Channel.PHONE and unit == "rings":
        return f"the call records {measured:g} {plural(measured, 'ring')}"
    if channel is Channel.PHONE and unit == "seconds":
        return f"the call records {measured:g} {plural(measured, 'second')} on hold"
    hours = f"{round(measured, 1):g} business {plural(round(measured, 1), 'hour')}"
    if channel is Channel.PHONE:
        return f"the recorded call back came {hours} after the call"
    if channel is Channel.EMAIL:
        return f"the recorded reply came {hours} after the email"
    return f"the visit records a greeting after {duration(contact.greeted_seconds or 0)}"


def _value_words(value: float, item: RubricItem) -> str:
    words = UNIT_WORDS.get(item.unit.value if item.unit else "", "")
    if value == 1 and words.endswith("s"):
        words = words[:-1]
    return f"{value:g} {words}".strip()


def _timing_flags(
    contact: Contact, answers: dict[str, Response], calendar: BusinessCalendar
) -> list[ReviewFlag]:
    """Timing answers that disagree with the value the contact's own facts give them.

    The answer is what scores the item; the facts are what the scorecard quotes (mean rings,
    hold, reply time). Each flag says what each earns.
    """
    timings = Timings(**{name: getattr(contact, name) for name in timing_names()})
    measured = measured_timings(
        contact.rubric, contact.started_at, timings, calendar, contact.response_business_hours
    )
    flags = []
    for key, value in measured.items():
        response = answers.get(key)
        if response is None:
            continue
        item = response.item
        facts = _fact_words(contact, item, value)
        if response.na:
            if value > 0:
                flags.append(
                    ReviewFlag(
                        f"“{item.prompt}” is marked N/A, but {facts}: scored from that, it would earn "
                        f"{percent(_fraction(item, value))} of its points.",
                        key,
                    )
                )
            continue
        answer = response.value
        if isinstance(answer, bool) or not isinstance(answer, int | float):
            continue
        if round(float(answer), DECIMALS) == round(value, DECIMALS):
            continue
        earned, would = percent(response.fraction), percent(_fraction(item, value))
        scores = (
            f"both earn {earned}"
            if earned == would
            else f"the answer earns {earned}, the recorded value {would}"
        )
        flags.append(
            ReviewFlag(
                f"“{item.prompt}” is answered {_value_words(float(answer), item)}, but {facts} ({scores}).",
                key,
            )
        )
    return flags


def _fraction(item: RubricItem, value: float) -> float | None:
    return item_fraction(spec_from_item(item), value)


def _phone_answer_flags(contact: Contact, answers: dict[str, Response], timezone: str) -> list[ReviewFlag]:
    """A call's answers against its recorded facts: the staff member's name, transfers, a call back."""
    if contact.assignment.channel is not Channel.PHONE:
        return []
    flags = []
    gave_name = contact.staff_gave_name
    for key in sorted(NAME_ITEMS & answers.keys()):
        response = answers[key]
        answer = response.value
        if (
            gave_name is not None
            and _scored(response)
            and isinstance(answer, bool)
            and answer is not gave_name
        ):
            flags.append(
                ReviewFlag(
                    f"The call records “Staff member gave their name: {'Yes' if gave_name else 'No'}”, "
                    f"but “{response.item.prompt}” is answered {'Yes' if answer else 'No'}.",
                    key,
                )
            )
    transfers = contact.transfers
    for key in sorted(ROUTING_ITEMS & answers.keys()):
        response = answers[key]
        if transfers is None or not _scored(response) or response.fraction is None:
            continue
        if (transfers == 0 and response.fraction < 1) or (transfers >= 2 and response.fraction == 1):
            count = "no transfer" if transfers == 0 else count_of(transfers, "transfer")
            flags.append(
                ReviewFlag(
                    f"The call records {count}, but “{response.item.prompt}” is answered “{response.value}”.",
                    key,
                )
            )
    for key in sorted(CALLBACK_ITEMS & answers.keys()):
        response = answers[key]
        back = contact.callback_at
        if back is not None and _scored(response) and response.value is False:
            flags.append(
                ReviewFlag(
                    f"A call back is recorded ({local_moment(back, timezone)}), but “{response.item.prompt}” "
                    "is answered No.",
                    key,
                )
            )
    return flags
