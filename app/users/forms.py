"""The forms of the people pages: a person's role and schools, and the staff import.

Real validation happens in ``audits.people`` and ``audits.importers.staff``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, HiddenField, SelectField
from wtforms.fields.choices import SelectChoice

from app.forms import SiteForm
from app.rounds.forms import CheckboxListField
from audits.errors import ValidationError
from audits.ids import is_storable_id
from audits.models import Role, School


class RoleForm(SiteForm):
    """A person's role and, for a principal, their schools."""

    role = SelectField("Role", validate_choice=False, render_kw={"data-role-select": ""})
    schools = CheckboxListField(
        "Schools",
        description="Only for a principal: their schools (at least one). Other roles have none.",
        coerce=int,
        validate_choice=False,
    )

    def offer(self, roles: Iterable[Role], schools: Iterable[School]) -> None:
        """Offer the roles the signed-in person may give and the person's district's schools."""
        self.role.choices = [SelectChoice(role.value, role.label) for role in roles]
        self.schools.choices = [SelectChoice(school.id, school.name) for school in schools]

    def chosen_role(self) -> Role:
        """The role chosen, or ``ValidationError`` on ``role`` for a value that names none."""
        try:
            return Role(self.role.data)
        except ValueError as error:
            raise ValidationError("role", "choose a role") from error

    def chosen_school_ids(self) -> list[int]:
        """The ids of the schools ticked (a number no row can have is left out)."""
        return [school_id for school_id in self.schools.data or [] if is_storable_id(school_id)]


class StaffUploadForm(SiteForm):
    """A staff file to preview, and (for an administrator) the district it is for."""

    file = FileField(
        "Staff file (CSV or XLSX)",
        description=(
            "Columns email, name and role (leader, reviewer, auditor or principal); nces_id for "
            "principals (several separated by ;), languages for auditors (e.g. en;es). At most 5 MB."
        ),
        validators=[FileRequired("choose a CSV or XLSX file")],
    )
    district = SelectField("District", coerce=int, default=0)


class StaffConfirmForm(SiteForm):
    """Confirm a previewed staff file: what was previewed (its fingerprint) and whether to invite."""

    fingerprint = HiddenField()
    send_invites = BooleanField(
        "Send invitations to the new people",
        description="Each gets an email with a link to choose their password. Without it, send them later "
        "from the invitations page.",
    )
