"""Forms of the calibration pages. The rules live in ``audits.calibration``."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf.file import FileField
from wtforms import SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from app.forms import SiteForm
from app.rounds.forms import CheckboxListField
from audits.models import Contact, Rubric, User
from audits.vocabulary import channel_label


class ExerciseForm(SiteForm):
    """A new exercise: its name and the rubric version it is scored on."""

    name = StringField("Name", description="For example: Spring 2027 phone calibration.")
    rubric_id = SelectField(
        "Rubric version",
        coerce=int,
        validate_choice=False,
        description="Every auditor scores every reference contact on this version.",
    )

    def set_rubrics(self, rubrics: Iterable[Rubric]) -> None:
        """Offer the published rubric versions."""
        self.rubric_id.choices = [
            SelectChoice(
                rubric.id, f"{rubric.name}, version {rubric.version} ({channel_label(rubric.channel)})"
            )
            for rubric in rubrics
        ]


class ContactReferenceForm(SiteForm):
    """An approved contact to add as a reference."""

    contact_id = SelectField("Approved contact", coerce=int, validate_choice=False)
    title = StringField(
        "Title (optional)",
        description="What the auditors see it as; by default “Reference 1”, “Reference 2”…",
    )

    def set_contacts(self, contacts: Iterable[Contact]) -> None:
        """Offer the district's approved contacts on the exercise's rubric (never the auditor's name)."""
        self.contact_id.choices = [
            SelectChoice(
                contact.id,
                f"{contact.assignment.school.name} · {contact.assignment.round.name} · "
                f"{contact.assignment.scenario.title} (contact {contact.id})",
            )
            for contact in contacts
        ]


class MaterialForm(SiteForm):
    """Uploaded material as a reference: a file, a narrative, or both."""

    title = StringField("Title", description="What the auditors see it as, e.g. “Visit to the front office”.")
    narrative = TextAreaField(
        "Narrative",
        description="A written account of a visit, say. Leave it blank for an email: "
        "its text is read from the file.",
        render_kw={"rows": 5},
    )
    file = FileField("File (optional)", description="An audio recording, an email saved as .eml, or a photo.")


class AuditorsForm(SiteForm):
    """The auditors taking part."""

    auditor_ids = CheckboxListField("Auditors taking part", coerce=int, validate_choice=False)

    def set_auditors(self, auditors: Iterable[User]) -> None:
        """Offer the district's active auditors."""
        self.auditor_ids.choices = [SelectChoice(user.id, user.display_name) for user in auditors]


class ButtonForm(SiteForm):
    """A step confirmed by a button: open, finish, submit all, remove a reference."""
