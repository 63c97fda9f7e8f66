"""The acknowledgement form: the day the scorecard was discussed with staff, and a note.

The form only reads what was typed; ``audits.acknowledgements.acknowledge`` decides what is valid.
"""

from __future__ import annotations

from wtforms import DateField, TextAreaField
from wtforms.validators import InputRequired

from app.forms import SiteForm
from audits.acknowledgements import MAX_NOTE


class AcknowledgeForm(SiteForm):
    """ "Read and discussed with staff on …", with an optional note."""

    discussed_on = DateField(
        "Day you discussed it with your staff",
        description="The day you went through this scorecard with your front-office staff.",
        validators=[InputRequired("enter the day you discussed the scorecard with your staff")],
        invalid_value_message="enter the day as a date, for example 2027-01-15",
    )
    note = TextAreaField(
        "Note (optional)",
        description="For example who took part, or what you agreed to change first.",
        render_kw={"rows": 3, "maxlength": MAX_NOTE},
    )
