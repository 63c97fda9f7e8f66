"""Planning a follow-up round from a published round: the schools whose approved plans it checks again.

The page lists every school with a plan answering the round: what a follow-up would contact it on
again and from which day, or why it is left out. The leader picks the schools and the window; the
follow-up is saved as a draft round, whose page shows the plan it would get (``rounds.show``).
"""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from werkzeug.wrappers import Response
from wtforms import DateField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Optional

from app.clock import today_in
from app.errors import status_for
from app.extensions import db
from app.forms import SiteForm, apply_errors
from app.permissions import permission_required, require
from app.rounds.forms import CheckboxListField, new_seed
from audits.access import Action
from audits.businesshours import BusinessCalendar
from audits.errors import DomainError
from audits.models import Round, RoundStatus
from audits.plans.follow_up import (
    FollowUpSchool,
    FollowUpSpec,
    follow_up_schools,
    follow_ups_of,
    plan_follow_up,
    suggested_window,
)

blueprint = Blueprint("follow_ups", __name__, url_prefix="/rounds")


class FollowUpForm(SiteForm):
    """A follow-up round: its name, window and the schools it checks again."""

    name = StringField("Name")
    first_day = DateField("First day", validators=[Optional()])
    last_day = DateField(
        "Last day",
        validators=[Optional()],
        description="End it after the plans' last due dates: no school is contacted before its own.",
    )
    school_ids = CheckboxListField("Schools to check again", coerce=int, validate_choice=False)

    def spec(self, seed: int, attempt_limit: int) -> FollowUpSpec:
        """The follow-up as the domain takes it."""
        return FollowUpSpec(
            name=self.name.data or "",
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            school_ids=list(self.school_ids.data or []),
            seed=seed,
            attempt_limit=attempt_limit,
        )


def _page(round_: Round, form: FollowUpForm, schools: list[FollowUpSchool], status: int) -> tuple[str, int]:
    return (
        render_template(
            "rounds/follow_up.html",
            round=round_,
            form=form,
            schools=schools,
            eligible=[entry for entry in schools if entry.eligible],
            left_out=[entry for entry in schools if not entry.eligible],
            follow_ups=follow_ups_of(db.session, round_),
        ),
        status,
    )


@blueprint.route("/<int:round_id>/follow-up", methods=["GET", "POST"])
@permission_required(Action.MANAGE_ROUNDS)
def new(round_id: int) -> Response | tuple[str, int]:
    """Plan a follow-up of a published round for the schools whose approved plans it checks again."""
    round_ = db.get_or_404(Round, round_id)
    require(Action.MANAGE_ROUNDS, round_)
    schools = follow_up_schools(db.session, round_)
    form = FollowUpForm()
    form.school_ids.choices = [SelectChoice(entry.school.id, entry.school.name) for entry in schools]
    if round_.status is not RoundStatus.PUBLISHED:
        form.form_errors.append("only a published round can be followed up: publish its scorecards first")
        return _page(round_, form, schools, 409)
    if not form.is_submitted():
        form.name.data = f"Follow-up: {round_.name}"
        form.school_ids.data = [entry.school.id for entry in schools if entry.eligible]
        window = suggested_window(schools, BusinessCalendar.of(round_.district), today_in(round_.district))
        if window is not None:
            form.first_day.data, form.last_day.data = window
        return _page(round_, form, schools, 200)
    form.validate()
    follow_up = None
    try:
        spec = form.spec(seed=new_seed(), attempt_limit=round_.attempt_limit)
        follow_up = plan_follow_up(db.session, round_, spec, today_in(round_.district))
    except DomainError as error:
        db.session.rollback()
        apply_errors(form, error)
        return _page(round_, form, follow_up_schools(db.session, round_), status_for(error))
    db.session.commit()
    flash(f"Saved {follow_up.name}. Check the plan below, then commit it.", "success")
    return redirect(url_for("rounds.show", round_id=follow_up.id))
