"""Forms of the district settings page. Real validation happens in ``audits.calendar``."""

from __future__ import annotations

from typing import Any

from wtforms import BooleanField, DateField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional
from wtforms.widgets import NumberInput, TimeInput

from app.forms import SiteForm
from audits.appeals.window import MAX_SCHOOL_DAYS
from audits.calendar import timezone_choices
from audits.mail.deadline import MAX_SCHOOL_DAYS as MAX_REPLY_DAYS

# What the common U.S. zones are called in everyday speech.
US_ZONE_NAMES = {
    "America/New_York": "Eastern",
    "America/Chicago": "Central",
    "America/Denver": "Mountain",
    "America/Phoenix": "Mountain, no daylight saving (Arizona)",
    "America/Los_Angeles": "Pacific",
    "America/Anchorage": "Alaska",
    "Pacific/Honolulu": "Hawaii",
}


def _label(zone: str) -> str:
    plain = zone.replace("_", " ")
    return f"{plain} ({US_ZONE_NAMES[zone]})" if zone in US_ZONE_NAMES else plain


def timezone_select_choices() -> dict[str, list[tuple[str, str]]]:
    """Return the timezone choices grouped for a select: U.S. zones first, then the rest."""
    us, others = timezone_choices()
    return {
        "United States": [(zone, _label(zone)) for zone in us],
        "Other zones": [(zone, _label(zone)) for zone in others],
    }


class DistrictForm(SiteForm):
    """A district's name, timezone and school-day hours."""

    name = StringField("District name")
    # The domain reports an unknown zone in its own words, so the select does not check its choices.
    timezone = SelectField(
        "Timezone",
        description="School-day hours and closure dates are in this timezone.",
        validate_choice=False,
    )
    school_day_start = StringField(
        "School day starts",
        description="Auditors call and visit front offices only between the start and end of the school day.",
        widget=TimeInput(),
    )
    school_day_end = StringField("School day ends", widget=TimeInput())
    appeal_window_days = StringField(
        "School days to query a scorecard",
        description="After a scorecard is published, its principal may query its answers for this many "
        "school days (weekends and closures do not count). 0 turns appeals off.",
        widget=NumberInput(min=0, max=MAX_SCHOOL_DAYS, step=1),
        render_kw={"inputmode": "numeric"},
    )

    reply_deadline_school_days = StringField(
        "School days to answer an email audit",
        description="An email sent through a persona mailbox with no personal reply after this many school "
        "days counts as “no reply”; a later reply is still kept, as late. Empty: 2.",
        widget=NumberInput(min=1, max=MAX_REPLY_DAYS, step=1),
        render_kw={"inputmode": "numeric"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timezone.choices = timezone_select_choices()


class ClosureForm(SiteForm):
    """One closure: a day or a range of days, and why."""

    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField(
        "Last day",
        description="Leave empty to close a single day. Weekends are skipped.",
        validators=[Optional()],
    )
    reason = StringField("Reason", description="For example: Winter break, Teacher planning day.")


class SignInForm(SiteForm):
    """How the district's people sign in (``audits.sign_in_policy``)."""

    domains = TextAreaField(
        "Email domains of the district's accounts",
        description=(
            "One per line, for example schools.k12.fl.us. People whose email is in one of these "
            "domains may sign in with their Google or Microsoft district account."
        ),
        render_kw={"rows": 3, "spellcheck": "false", "autocapitalize": "none"},
    )
    password_sign_in = BooleanField(
        "People may also sign in with a password",
        description="Switch this off once everyone signs in with their district account.",
    )
    two_step_required = BooleanField(
        "Administrators and district leaders must use two-step sign-in",
        description="They enter a code from an authenticator app after signing in.",
    )
