"""The forms of invitations and password resets. Real validation happens in ``audits.account_links``."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import InputRequired, Length

from audits.passwords import MAX_LENGTH, MIN_LENGTH


class ChooseMany(SelectMultipleField):
    """Checkboxes, one per choice (rendered with ``choice_list``)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class SetPasswordForm(FlaskForm):
    """A new password, twice."""

    password = PasswordField(
        "New password",
        description=f"At least {MIN_LENGTH} characters; not a common password. A passphrase of a few "
        "unrelated words is easy to remember.",
        validators=[InputRequired("enter a new password"), Length(max=MAX_LENGTH)],
        render_kw={"autocomplete": "new-password", "minlength": MIN_LENGTH},
    )
    confirm = PasswordField(
        "New password again",
        validators=[InputRequired("enter the new password again")],
        render_kw={"autocomplete": "new-password"},
    )

    def passwords_agree(self) -> bool:
        """Validate, and put "they differ" next to the second field when the two differ."""
        if self.validate() and self.password.data != self.confirm.data:
            self.confirm.errors = ["the two new passwords differ"]
        return not self.errors


class ForgotPasswordForm(FlaskForm):
    """The address a reset link should go to."""

    email = EmailField(
        "Email",
        validators=[InputRequired("enter the email address you sign in with"), Length(max=254)],
        render_kw={"autocomplete": "username"},
    )


class InviteForm(FlaskForm):
    """Who to invite, as what, and (for a principal) to which schools; the choices are the inviter's."""

    email = EmailField("Email", validators=[InputRequired("enter their email address"), Length(max=254)])
    name = StringField("Name", validators=[Length(max=200)], render_kw={"autocomplete": "off"})
    role = SelectField("Role", validators=[InputRequired("choose a role")])
    district = SelectField("District", coerce=int, default=0)
    school = ChooseMany("Schools", description="A principal's schools (only for a principal).", coerce=int)


class InvitationActionForm(FlaskForm):
    """Resend or revoke an invitation (the form carries only the CSRF token)."""
