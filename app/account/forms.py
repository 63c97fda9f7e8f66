"""The account page's forms. Real validation happens in ``audits.tokens`` and ``audits.accounts``."""

from __future__ import annotations

from wtforms import BooleanField, PasswordField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from app.forms import SetPasswordForm, SiteForm
from audits.models import TokenScope
from audits.tokens import DEFAULT_DAYS, MAX_NAME

LIFETIMES = [(30, "30 days"), (90, "90 days"), (180, "180 days"), (365, "A year")]


class NewTokenForm(SiteForm):
    """A new API token: its name, what it may do, how long it lasts, and the person's password."""

    name = StringField(
        "Token name",
        description="What the token is for, so you can tell your tokens apart, e.g. “nightly export”.",
        validators=[Length(max=MAX_NAME)],
        render_kw={"maxlength": MAX_NAME},
    )
    scope = RadioField(
        "What it may do",
        choices=[
            SelectChoice(scope.value, scope.label) for scope in (TokenScope.READ, TokenScope.READ_WRITE)
        ],
        default=TokenScope.READ.value,
        validators=[InputRequired("choose what the token may do")],
    )
    days = SelectField(
        "It stops working after",
        choices=[SelectChoice(str(days), label) for days, label in LIFETIMES],
        default=str(DEFAULT_DAYS),
        coerce=int,
    )
    password = PasswordField(
        "Your password",
        description="A token acts as you: confirm it is you.",
        validators=[InputRequired("enter your password")],
        render_kw={"autocomplete": "current-password"},
    )


# The password form shares its page with the token form, which asks for the password too:
# its fields are named ``change-…`` so that every id on the page is unique.
PASSWORD_PREFIX = "change"


class PasswordForm(SetPasswordForm):
    """A new password, with the current one (used with ``prefix=PASSWORD_PREFIX``)."""

    current_password = PasswordField(
        "Current password",
        validators=[InputRequired("enter your current password")],
        render_kw={"autocomplete": "current-password"},
    )


class RevokeTokenForm(SiteForm):
    """Revoke one token (the form carries only the CSRF token)."""


class SignOutEverywhereForm(SiteForm):
    """End every sign-in of the person (the form carries only the CSRF token)."""


# The two two-step forms ask for the same proof: prefixed, so every id on the page is unique.
RENEW_PREFIX = "renew"
OFF_PREFIX = "off"


class ProofForm(SiteForm):
    """Your password, or a code from your app: proof that it is you (used with a prefix)."""

    proof = PasswordField(
        "Your password, or a code from your app",
        validators=[InputRequired("enter your password or a code from your app"), Length(max=1024)],
        render_kw={"autocomplete": "current-password"},
    )


class AlertsForm(SiteForm):
    """Which email digests a leader receives."""

    critical_failures = BooleanField(
        "Critical failures, once a day",
        description="The contacts approved since your last digest that failed a critical item: school, "
        "channel, the item and the day, each with a link. Sent only on days with something to report.",
    )
    weekly_fieldwork = BooleanField(
        "Fieldwork, once a week",
        description="On Monday morning, for each round in the field: how much is done, what is overdue and "
        "what was returned to its auditor.",
    )
