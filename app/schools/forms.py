"""Forms of the school pages."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, EmailField, HiddenField, SelectField, StringField, TelField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from app.forms import SiteForm
from audits.models import Level

LEVEL_CHOICES = [SelectChoice(level.value, level.value.capitalize()) for level in Level]


class SchoolForm(SiteForm):
    """A school's editable details. Real validation happens in ``audits.directory``."""

    name = StringField("Name", validators=[DataRequired(), Length(max=200)])
    level = SelectField("Level", choices=LEVEL_CHOICES)
    phone = TelField("Main office phone", validators=[Optional(), Length(max=40)])
    email = EmailField("Main office email", validators=[Optional(), Length(max=254)])
    street = StringField("Street address", validators=[Length(max=200)])
    city = StringField("City", validators=[Length(max=100)])
    state = StringField("State", validators=[Length(max=20)])
    zip = StringField("ZIP code", validators=[Length(max=10)])
    principal_name = StringField("Principal", validators=[Length(max=200)])
    languages = StringField(
        "Languages served",
        description="Language codes separated by commas, e.g. en, es, vi.",
        validators=[Length(max=200)],
    )
    active = BooleanField("Active (included in audit rounds)")
    code = StringField(
        "District's code", description="Your district's own code for the school, if it has one.",
        validators=[Length(max=40)],
    )  # fmt: skip
    website = StringField("Website", validators=[Length(max=300)])
    office_hours = StringField(
        "Office hours",
        description="As families should read them, e.g. 7:30–16:00.",
        validators=[Length(max=100)],
    )


class ImportForm(SiteForm):
    """Upload of an NCES school directory file."""

    file = FileField(
        "NCES directory file (CSV)",
        description="An NCES school search export or a CCD flat file, as downloaded.",
        validators=[FileRequired("Choose a CSV file to import.")],
    )


class ConfirmImportForm(SiteForm):
    """Saving (or previewing again) a file previewed earlier: its token, name and the person's choices."""

    token = HiddenField(validators=[DataRequired()])
    file_name = HiddenField(validators=[Length(max=255)])
    allow_other_lea = BooleanField("These schools belong to my district: import them anyway")
    valid_only = BooleanField("Import the valid rows, leave the refused ones out")
    step = HiddenField(default="save")


class DirectoryForm(SiteForm):
    """Upload of the district's own school directory."""

    district = SelectField("District", coerce=int, validate_choice=False)
    file = FileField(
        "Directory file (CSV or Excel .xlsx)",
        description=(
            "Columns: nces_id or school_code, then any of email, phone, principal_name, website, "
            "languages (e.g. en;es) and hours."
        ),
        validators=[FileRequired("Choose a CSV or .xlsx file to import.")],
    )


class UndoForm(SiteForm):
    """Undoing an import: the button alone (and its CSRF token)."""
