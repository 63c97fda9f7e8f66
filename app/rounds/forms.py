"""Forms of the round pages. Real validation happens in ``audits.planning``."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from wtforms import (
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget, NumberInput

from app.forms import SiteForm
from audits.models import (
    AuditorProfile,
    Channel,
    District,
    Level,
    Round,
    Scenario,
    School,
    SchoolSelection,
    Slot,
    User,
)
from audits.planning.rounds import MAX_CALIBRATION_DAYS, MAX_PER_SCHOOL, ChannelPlan, RoundSpec
from audits.planning.slots import SLOT_WINDOWS, slot_window, usable_slots
from audits.vocabulary import channel_label, channel_noun, language_name, language_names

CHANNELS = (Channel.PHONE, Channel.EMAIL, Channel.VISIT)
SELECTION_CHOICES = [
    SelectChoice(SchoolSelection.ALL.value, "Every active school"),
    SelectChoice(SchoolSelection.LEVELS.value, "Active schools of some levels"),
    SelectChoice(SchoolSelection.LIST.value, "Schools I pick"),
]
LEVEL_CHOICES = [SelectChoice(level.value, level.value.capitalize()) for level in Level]


class CheckboxListField(SelectMultipleField):
    """A multiple choice shown as a list of checkboxes."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _number(label: str, low: int, high: int | None = None, **kwargs: object) -> IntegerField:
    attrs = {"min": low} if high is None else {"min": low, "max": high}
    return IntegerField(label, widget=NumberInput(), validators=[Optional()], render_kw=attrs, **kwargs)


def _per_school(channel: Channel) -> IntegerField:
    """``Phone calls per school``: how many contacts of ``channel`` each school gets."""
    return _number(f"{channel_noun(channel, 2).capitalize()} per school", 0, MAX_PER_SCHOOL, default=0)


def _scenarios(channel: Channel) -> CheckboxListField:
    """``Phone call scenarios``: the scenarios of ``channel`` to rotate."""
    return CheckboxListField(f"{channel_label(channel)} scenarios", coerce=int, validate_choice=False)


def new_seed() -> int:
    """A fresh seed for a new round's plan; shown on the form so the plan can be reproduced."""
    return secrets.randbelow(999_999) + 1


def scenario_label(scenario: Scenario) -> str:
    """A scenario as a checkbox shows it: title and language."""
    return f"{scenario.title} ({language_name(scenario.language)})"


class RoundForm(SiteForm):
    """A round: window, schools, and per channel the contacts per school and scenarios."""

    name = StringField("Name", description="For example: Spring 2027 phone and email round.")
    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField("Last day", validators=[Optional()])
    school_selection = RadioField(
        "Which schools", choices=SELECTION_CHOICES, default=SchoolSelection.ALL.value
    )
    levels = CheckboxListField("Levels", choices=LEVEL_CHOICES, validate_choice=False)
    school_ids = CheckboxListField("Schools to include", coerce=int, validate_choice=False)
    phone_per_school = _per_school(Channel.PHONE)
    phone_scenarios = _scenarios(Channel.PHONE)
    email_per_school = _per_school(Channel.EMAIL)
    email_scenarios = _scenarios(Channel.EMAIL)
    visit_per_school = _per_school(Channel.VISIT)
    visit_scenarios = _scenarios(Channel.VISIT)
    seed = _number(
        "Shuffle number (seed)",
        0,
        description="Touchpoint shares the contacts out among auditors and days in an order drawn from "
        "this number: the same number and settings always give the same plan. Change it to get a "
        "different plan; leave it to keep this one.",
    )
    attempt_limit = _number(
        "Attempts per contact",
        1,
        10,
        default=3,
        description="How many times an auditor tries before a contact counts as unreachable.",
    )
    double_score_percent = _number(
        "Contacts scored twice (%)",
        0,
        100,
        default=10,
        description="This share of the calls with a recording and the emails with their thread is scored "
        "again, blind, by a second auditor. Their answers never count; they show how alike your auditors "
        "judge. 0: none.",
    )
    calibrated_within_days = _number(
        "Only auditors calibrated within (days)",
        1,
        MAX_CALIBRATION_DAYS,
        description="Leave blank to plan with every auditor. With a number, only auditors who submitted a "
        "calibration exercise on each of the round's rubrics within that many days before its first day "
        "get assignments; the plan preview lists who was left out and why.",
    )

    def set_choices(self, schools: Iterable[School], scenarios: Iterable[Scenario]) -> None:
        """Offer the district's active schools and its active scenarios, by channel."""
        self.school_ids.choices = [SelectChoice(school.id, school.name) for school in schools]
        by_channel: dict[Channel, list[SelectChoice]] = {channel: [] for channel in CHANNELS}
        for scenario in scenarios:
            if scenario.active:
                by_channel[scenario.channel].append(SelectChoice(scenario.id, scenario_label(scenario)))
        for channel in CHANNELS:
            self.channel_fields(channel)[1].choices = by_channel[channel]

    def channel_fields(self, channel: Channel) -> tuple[IntegerField, CheckboxListField]:
        """The per-school number and the scenario checkboxes of ``channel``."""
        return self[f"{channel.value}_per_school"], self[f"{channel.value}_scenarios"]  # type: ignore[return-value]

    def fill_from(self, round_: Round) -> None:
        """Show ``round_``'s settings (for editing a draft)."""
        self.name.data = round_.name
        self.first_day.data = round_.first_day
        self.last_day.data = round_.last_day
        self.school_selection.data = round_.school_selection.value
        self.levels.data = list(round_.levels)
        self.school_ids.data = [school.id for school in round_.chosen_schools]
        for row in round_.channels:
            per_school, scenarios = self.channel_fields(row.channel)
            per_school.data = row.contacts_per_school
            scenarios.data = list(row.scenario_ids)
        self.seed.data = round_.seed
        self.attempt_limit.data = round_.attempt_limit
        self.double_score_percent.data = round_.double_score_percent
        self.calibrated_within_days.data = round_.calibrated_within_days

    def spec(self) -> RoundSpec:
        """The round as the domain takes it; a value the form could not read counts as missing."""
        selection = self.school_selection.data
        channels = {}
        for channel in CHANNELS:
            per_school, scenarios = self.channel_fields(channel)
            count = per_school.data or 0
            # A channel that is not used keeps no scenarios, whatever boxes are still ticked.
            channels[channel] = ChannelPlan(count, list(scenarios.data or []) if count else [])
        return RoundSpec(
            name=self.name.data or "",
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            school_selection=SchoolSelection(selection)
            if selection in SchoolSelection._value2member_map_
            else SchoolSelection.ALL,
            levels=list(self.levels.data or []),
            school_ids=list(self.school_ids.data or []),
            channels=channels,
            seed=self.seed.data if self.seed.data is not None else 0,
            attempt_limit=self.attempt_limit.data if self.attempt_limit.data is not None else 3,
            double_score_percent=self.double_score_percent.data
            if self.double_score_percent.data is not None
            else 10,
            calibrated_within_days=self.calibrated_within_days.data,
        )


class CommitForm(SiteForm):
    """Committing a draft's plan: a button."""


class StatusForm(SiteForm):
    """Where an old round page's status form wants the round to go (its confirmation page takes it there)."""

    to = HiddenField()


def slot_label(slot: Slot, district: District) -> str:
    """A slot with its hours in ``district``, e.g. ``Morning (09:00–11:00)``."""
    start, end = slot_window(slot, district.school_day_start, district.school_day_end) or SLOT_WINDOWS[slot]
    return f"{slot.label} ({start:%H:%M}–{end:%H:%M})"


def auditor_label(user: User, profile: AuditorProfile) -> str:
    """An auditor in a select: name and languages."""
    return f"{user.display_name} ({language_names(profile.languages)})"


class ReassignForm(SiteForm):
    """Another auditor, day or slot for one assignment."""

    auditor_id = SelectField(
        "Auditor", coerce=int, validate_choice=False, validators=[InputRequired("Choose an auditor.")]
    )
    due_day = DateField("Due day", validators=[InputRequired("Choose a day.")])
    slot = SelectField(
        "Time slot", coerce=Slot, validate_choice=False, validators=[InputRequired("Choose a time slot.")]
    )

    def set_choices(self, auditors: Iterable[tuple[User, AuditorProfile]], district: District) -> None:
        """Offer the district's active auditors and the time slots of its school day."""
        self.auditor_id.choices = [
            SelectChoice(user.id, auditor_label(user, profile)) for user, profile in auditors
        ]
        self.slot.choices = [
            SelectChoice(slot.value, slot_label(slot, district))
            for slot in usable_slots(district.school_day_start, district.school_day_end)
        ]
