"""The sign-in form."""

from wtforms import EmailField, HiddenField, PasswordField
from wtforms.validators import DataRequired, Length

from app.forms import SiteForm


class LoginForm(SiteForm):
    """Email and password, plus where to go afterwards."""

    email = EmailField("Email", validators=[DataRequired(), Length(max=254)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)])
    next = HiddenField()
