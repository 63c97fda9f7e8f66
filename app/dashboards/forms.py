"""The results settings form. The real checks are ``audits.results.thresholds.parse_threshold`` and
``parse_early_reading``."""

from __future__ import annotations

from wtforms import HiddenField, StringField

from app.forms import SiteForm


class ThresholdForm(SiteForm):
    """The score below which a school is flagged, and the round page to return to."""

    alert_threshold = StringField(
        "Alert threshold",
        description="Schools whose overall score is below this (0 to 100) head the round overview.",
        render_kw={"inputmode": "decimal", "size": 6},
    )
    early_reading_contacts = StringField(
        "Early reading under",
        description="A school figure resting on fewer contacts of a channel (1 to 50) is marked as an early "
        "reading. Left blank, it stays as it is.",
        render_kw={"inputmode": "numeric", "size": 4},
    )
    round_id = HiddenField()
