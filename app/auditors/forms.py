"""The auditor settings form. Real validation happens in ``audits.auditors``."""

from __future__ import annotations

from collections.abc import Iterable

from wtforms import EmailField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import NumberInput

from app.forms import SiteForm
from app.rounds.forms import CheckboxListField
from audits.auditors import MAX_PER_DAY, AuditorSettings
from audits.models import PersonaMailbox, School
from audits.vocabulary import OFFERED_LANGUAGES

WEEKDAY_CHOICES = [
    SelectChoice(number, name)
    for number, name in enumerate(("Monday", "Tuesday", "Wednesday", "Thursday", "Friday"))
]


class AuditorForm(SiteForm):
    """What the planner respects about one auditor."""

    languages = CheckboxListField(
        "Languages",
        description="The auditor gets scenarios only in these languages.",
        choices=[SelectChoice(code, name) for code, name in OFFERED_LANGUAGES.items()],
        validate_choice=False,
    )
    max_per_day = IntegerField(
        "Contacts per day at most",
        widget=NumberInput(),
        validators=[Optional()],
        render_kw={"min": 1, "max": MAX_PER_DAY},
    )
    weekdays = CheckboxListField("Working days", coerce=int, choices=WEEKDAY_CHOICES, validate_choice=False)
    conflict_school_ids = CheckboxListField(
        "Conflicts",
        description="Schools the auditor must never contact: where they work, study or have children.",
        coerce=int,
        validate_choice=False,
    )

    persona_name = StringField(
        "First name",
        description="The first name the auditor gives when they call, write or visit; never their own.",
    )
    persona_phone = StringField(
        "Callback number",
        description="The persona line schools call back (a Twilio number, say); never the auditor's own.",
        render_kw={"inputmode": "tel"},
    )
    persona_email = EmailField(
        "Email address",
        description="The address email scenarios are sent from and replies come to.",
    )
    mailbox_id = SelectField(
        "Mailbox",
        description="The persona mailbox Touchpoint sends this persona's emails from and reads replies in. "
        "Without one, the auditor sends from elsewhere and uploads each reply.",
        coerce=lambda value: int(value) if str(value or "").isdigit() else None,
        validate_choice=False,
    )

    def set_mailboxes(self, mailboxes: Iterable[PersonaMailbox]) -> None:
        """Offer the district's persona mailboxes (and none)."""
        self.mailbox_id.choices = [SelectChoice("", "None: send from elsewhere and upload replies")] + [
            SelectChoice(mailbox.id, mailbox.address) for mailbox in mailboxes
        ]

    def set_schools(self, schools: Iterable[School]) -> None:
        """Offer the district's schools as possible conflicts."""
        self.conflict_school_ids.choices = [SelectChoice(school.id, school.name) for school in schools]

    def settings(self) -> AuditorSettings:
        """The settings as the domain takes them; a number the form could not read counts as 0."""
        return AuditorSettings(
            languages=list(self.languages.data or []),
            max_per_day=self.max_per_day.data or 0,
            weekdays=list(self.weekdays.data or []),
            conflict_school_ids=list(self.conflict_school_ids.data or []),
            persona_name=self.persona_name.data or "",
            persona_phone=self.persona_phone.data or "",
            persona_email=self.persona_email.data or "",
            mailbox_id=self.mailbox_id.data,
        )
