"""The forms of invitations and password resets. Real validation happens in ``audits.account_links``.

The new password itself is ``app.forms.SetPasswordForm``, shared with the account page.
"""

from __future__ import annotations

from wtforms import EmailField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import InputRequired, Length

from app.forms import SiteForm


class ChooseMany(SelectMultipleField):
    """Checkboxes, one per choice (rendered with ``choice_list``)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class ForgotPasswordForm(SiteForm):
    """The address a reset link should go to."""

    email = EmailField(
        "Email",
        validators=[InputRequired("enter the email address you sign in with"), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class InviteForm(SiteForm):
    """Who to invite, as what, and (for a principal) to which schools; the choices are the inviter's."""

    email = EmailField("Email", validators=[InputRequired("enter their email address"), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200)], render_kw={"autocomplete": "off"})
    # A select always holds a choice: no `required` (HTML wants an empty first option beside it).
    role = SelectField(
        "Role",
        validators=[InputRequired("choose a role")],
        render_kw={"data-role-select": "", "required": False},
    )
    district = SelectField("District", coerce=int, default=0)
    school = ChooseMany("Schools", description="A principal's schools (only for a principal).", coerce=int)


class InvitationActionForm(SiteForm):
    """Resend or revoke an invitation (the form carries only the CSRF token)."""
