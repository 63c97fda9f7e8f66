"""The period of the state-wide view: a GET form, so a chosen period is a link to share."""

from __future__ import annotations

from wtforms import DateField
from wtforms.validators import Optional

from app.forms import SiteForm


class PeriodForm(SiteForm):
    """Compare each district's latest published round starting within these days (either may be blank)."""

    class Meta(SiteForm.Meta):
        """A GET form: no CSRF token (it changes nothing)."""

        csrf = False

    since = DateField("Rounds starting on or after", validators=[Optional()])
    until = DateField("Rounds starting on or before", validators=[Optional()])
