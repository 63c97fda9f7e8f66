"""The click-to-call form. The number is checked by ``audits.phones.normalise_phone``."""

from __future__ import annotations

from wtforms import StringField
from wtforms.validators import Length

from app.forms import SiteForm


class CallForm(SiteForm):
    """The auditor confirms the phone Twilio should ring first (kept on their profile)."""

    phone = StringField(
        "Your phone number",
        description="Twilio rings this phone first; when you answer, it dials the school.",
        validators=[Length(max=40)],
        render_kw={"type": "tel", "maxlength": 40, "inputmode": "tel"},
    )
