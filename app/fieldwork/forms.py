"""Forms of the fieldwork pages. Real validation happens in ``audits.fieldwork``.

The contact form keeps what was typed exactly as typed (a draft or a rejected
submission comes back unchanged); ``place_problems`` puts each ``(path, reason)``
of an entry's problems (``timings.rings``, ``responses.courtesy.comment``) next to its
channel field or rubric item.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import Form, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import DateTimeLocalInput, NumberInput

from app.fieldwork.entry_form import in_page_order
from app.forms import SiteForm
from audits.errors import Problem
from audits.fieldwork.entry import OUTCOMES, timing_names
from audits.fieldwork.facts import NEEDS_A_PERSON
from audits.models import Channel, Outcome, Rubric

STARTED_LABELS = {
    Channel.PHONE: "When the call started",
    Channel.EMAIL: "When you sent the email",
    Channel.VISIT: "When you arrived",
}
EVIDENCE_LABELS = {
    Channel.PHONE: [("recording", "Call recording"), ("notes", "Notes"), ("other", "Other")],
    Channel.EMAIL: [
        ("reply", "The school's reply (.eml)"),
        ("sent", "The email you sent"),
        ("other", "Other"),
    ],
    Channel.VISIT: [
        ("entrance", "Entrance"),
        ("signage", "Signage"),
        ("office", "Office"),
        ("other", "Other"),
    ],
}
# What the file picker offers first (the content decides what is accepted); photos may come from the camera.
ACCEPT = {
    Channel.PHONE: "audio/*,.txt,text/plain,image/*",
    Channel.EMAIL: ".eml,message/rfc822,.txt,text/plain,image/*",
    Channel.VISIT: "image/*",
}


def _moment(label: str, **kwargs: object) -> StringField:
    return StringField(label, widget=DateTimeLocalInput(), **kwargs)


def _count(label: str, **kwargs: object) -> StringField:
    attrs = {"min": 0, "step": 1, "inputmode": "numeric"}
    return StringField(label, widget=NumberInput(), render_kw=attrs, **kwargs)


class ContactFields(Form):
    """The timings and outcome of one attempt; which fields show depends on the channel."""

    started_at = _moment("When the call started")
    outcome = SelectField("How the contact ended", validate_choice=False)
    rings = _count(
        "Rings before a person answered",
        description="If nobody answered: the rings until a recording answered or you hung up.",
    )
    hold_seconds = _count(
        "Longest hold in seconds",
        description="The longest stretch on hold before someone came back on the line; 0 if you were not "
        "put on hold.",
    )
    transfers = _count(
        "Number of transfers",
        description="Every hand-off, including being given another number to call; 0 if none.",
    )
    call_seconds = _count("Call length in seconds")
    staff_gave_name = RadioField(
        "Did the staff member give their name?",
        choices=[SelectChoice("yes", "Yes"), SelectChoice("no", "No")],
        validate_choice=False,
    )
    callback_at = _moment(
        "When the school called back",
        description="For a voicemail: leave blank if nobody has called back (yet).",
    )
    sent_text = TextAreaField("The email you sent", render_kw={"rows": 6})
    reply_at = _moment("When the reply arrived", description="Blank if no reply came.")
    reply_text = TextAreaField("The reply", render_kw={"rows": 8})
    greeted_seconds = _count(
        "Seconds until someone greeted you",
        description="From reaching the counter until a staff member spoke to you or acknowledged you.",
    )
    wait_seconds = _count("Total wait in seconds", description="From arriving until you were helped.")

    def __init__(self, channel: Channel, values: Mapping[str, str]) -> None:
        super().__init__(formdata=MultiDict({name: str(value) for name, value in values.items()}))
        self.channel = channel
        self.started_at.label.text = STARTED_LABELS[channel]
        self.outcome.choices = [SelectChoice("", "Choose how it ended")] + [
            SelectChoice(outcome.value, outcome.label) for outcome in OUTCOMES[channel]
        ]
        self.general_errors: list[str] = []

    def channel_fields(self) -> list[str]:
        """The names of the fields this channel records, in the order the form shows them."""
        return ["started_at", "outcome", *timing_names(self.channel)]

    def needs_a_person(self) -> tuple[str, ...]:
        """The fields that stay blank unless the contact reached a person (a hold, a transfer …)."""
        return NEEDS_A_PERSON[self.channel]

    def failed_outcomes(self) -> list[str]:
        """The outcomes of this channel that reached nobody, as the outcome select's values."""
        return [outcome.value for outcome in OUTCOMES[self.channel] if outcome is not Outcome.REACHED]

    def label_of(self, name: str) -> str:
        """A field's label, for error summaries and the edit log."""
        found = self._fields.get(name)
        return found.label.text if found is not None else name.replace("_", " ").capitalize()


@dataclass
class PlacedProblems:
    """A rejected entry's problems, placed on channel fields, on rubric items, or on the whole form.

    ``summary`` lists every problem as ``(anchor, text)`` for the list above the form.
    """

    rubric: dict[str, list[str]] = field(default_factory=dict)
    general: list[str] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)


def place_problems(form: ContactFields, problems: Iterable[Problem], rubric: Rubric) -> PlacedProblems:
    """Put each ``(path, reason)`` next to its channel field or rubric item, in the order of the page."""
    placed = PlacedProblems()
    prompts = {item.key: item.prompt for item in rubric.items}
    for path, reason in in_page_order(list(problems), rubric):
        head, _, rest = (path or "").partition(".")
        name = rest if head == "timings" else path
        key = rest.split(".")[0] if head == "responses" else ""
        if name and name in form.channel_fields():
            form[name].errors = [*form[name].errors, reason]
            placed.summary.append((name, f"{form.label_of(name)}: {reason}"))
        elif key in prompts:
            placed.rubric.setdefault(key, []).append(reason)
            placed.summary.append((f"rubric-item-{key}", f"{prompts[key]}: {reason}"))
        else:
            placed.general.append(reason)
    return placed


class EvidenceForm(SiteForm):
    """One evidence file and what it shows."""

    file = FileField(
        "File", description="A photo, an audio recording, an email saved as .eml, or a .txt file."
    )
    label = SelectField("What it shows", validate_choice=False)

    def set_channel(self, channel: Channel) -> None:
        """Offer the labels that fit the channel."""
        self.label.choices = [SelectChoice(value, text) for value, text in EVIDENCE_LABELS[channel]]
        self.file.render_kw = {"accept": ACCEPT[channel]}


class ReturnForm(SiteForm):
    """Sending a contact back to its auditor."""

    comment = TextAreaField(
        "What should the auditor fix?", description="The auditor sees this comment.", render_kw={"rows": 3}
    )


class ReopenForm(SiteForm):
    """Unlocking an approved contact."""

    reason = TextAreaField("Why reopen it?", description="Kept in the review history.", render_kw={"rows": 3})
