"""Forms of the scenario pages. Real validation happens in ``audits.scenarios``."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.forms import SiteForm
from app.rounds.forms import CheckboxListField
from app.rubrics.forms import choices
from audits.models import Rubric
from audits.scenario_fit import SCENARIO_LEVELS
from audits.vocabulary import CHANNEL_LABELS, OFFERED_LANGUAGES


class ScenarioForm(SiteForm):
    """A scenario: who the auditor plays, what they say, and how the contact is scored."""

    title = StringField("Title")
    key = StringField(
        "Key", description="2–64 lower-case letters, digits and hyphens, e.g. enrol-new-student."
    )
    channel = SelectField("Channel", choices=choices(CHANNEL_LABELS), validate_choice=False)
    language = SelectField(
        "Language", description="The language the auditor uses.", choices=choices(OFFERED_LANGUAGES),
        validate_choice=False, default="en",
    )  # fmt: skip
    rubric = SelectField(
        "Rubric",
        description="Rubrics with a published version, by channel; it must match the scenario's channel.",
        validate_choice=False,
    )
    grades = StringField(
        "Grades",
        description=(
            "The grades the persona's child may be in: any, or a list such as K, 1 or 6, 7, 8. "
            "The planner gives the scenario only to schools serving one of them."
        ),
    )
    levels = CheckboxListField(
        "School levels",
        description="Leave all unticked for any level.",
        choices=[SelectChoice(level, level.capitalize()) for level in SCENARIO_LEVELS],
        validate_choice=False,
    )
    persona = TextAreaField(
        "Persona",
        description=(
            "Who the auditor pretends to be. Write {child_grade} for the child's grade, {persona_name}, "
            "{callback_number}, {school_name}, or a fact of the district's answer key such as {bell_times}."
        ),
        render_kw={"rows": 4},
    )
    script = TextAreaField(
        "Script",
        description="What the auditor says or writes. Plain text; line breaks are kept.",
        render_kw={"rows": 10},
    )
    questions = TextAreaField(
        "Questions", description="The questions the auditor asks, one per line.", render_kw={"rows": 4}
    )
    answer_key = TextAreaField(
        "Answer key",
        description="What a correct answer says in your district, so reviewers can judge it.",
        render_kw={"rows": 6},
    )

    def set_rubric_choices(self, rubrics: Iterable[Rubric], current: str | None = None) -> None:
        """Offer the published rubrics grouped by channel, keeping ``current`` even if unpublished."""
        options: list[SelectChoice] = []
        for rubric in rubrics:
            label = f"{rubric.name} ({rubric.key}, version {rubric.version})"
            options.append(SelectChoice(rubric.key, label, optgroup=CHANNEL_LABELS[rubric.channel]))
        if current and current not in {option.value for option in options}:
            options.append(
                SelectChoice(current, f"{current} (no published version)", optgroup="Not published")
            )
        self.rubric.choices = options or [SelectChoice("", "No rubric is published yet")]
