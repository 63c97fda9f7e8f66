"""The role-and-schools form of a person's page. Real validation happens in ``audits.people``."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import SelectField
from wtforms.fields.choices import SelectChoice

from app.rounds.forms import CheckboxListField
from audits.errors import ValidationError
from audits.ids import is_storable_id
from audits.models import Role, School


class RoleForm(FlaskForm):
    """A person's role and, for a principal, their schools."""

    role = SelectField("Role", validate_choice=False)
    schools = CheckboxListField(
        "Schools",
        description="A principal's schools (at least one); other roles have none.",
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
