"""The alert-threshold form. The real check is ``audits.results.thresholds.parse_threshold``."""

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
    round_id = HiddenField()
