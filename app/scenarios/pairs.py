"""Scenario pair pages: a district's pairs for paired testing, and writing a new one.

Who sees what: leaders and reviewers their district's pairs and the library's; an administrator
the library's (or a district's with ``?district=<id>``). Who writes one: a leader into their
district, from its own scenarios; an administrator into the library, from the library's. The
domain (``audits.pairs.create_pair``) refuses two scenarios that are not matched.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice

from app.extensions import db
from app.forms import SiteForm, apply_errors, id_arg
from app.permissions import can, permission_required
from audits.access import Action
from audits.errors import DomainError
from audits.models import District, PairTrait, Role, ScenarioPair
from audits.pairs import TRAIT_VALUES, PairSpec, create_pair, member_label, pairs_of, value_words
from audits.scenarios import scenarios_for
from audits.vocabulary import channel_label, language_name

blueprint = Blueprint("pairs", __name__, url_prefix="/scenarios/pairs")


class PairForm(SiteForm):
    """A new pair: two of the district's scenarios that differ in one trait."""

    title = StringField(
        "Title", description="What the pair tests, e.g. “Enrolling by phone: English and Spanish”."
    )
    key = StringField("Key", description="2–64 lower-case letters, digits and hyphens, e.g. enrol-phone-es.")
    trait = SelectField(
        "The one trait they differ in",
        choices=[SelectChoice(trait.value, trait.label) for trait in PairTrait],
        validate_choice=False,
    )
    a = SelectField("Reference member (a)", validate_choice=False)
    a_value = SelectField("Its value", validate_choice=False)
    b = SelectField("Member tested (b)", validate_choice=False)
    b_value = SelectField("Its value", validate_choice=False)

    def set_choices(self, scenario_choices: list[SelectChoice]) -> None:
        """Offer the owner's active scenarios as members and every trait's values."""
        blank = [SelectChoice("", "Choose a scenario")]
        self.a.choices = blank + scenario_choices
        self.b.choices = blank + scenario_choices
        values = [
            SelectChoice(value, f"{trait.label}: {value_words(trait, value)}")
            for trait in PairTrait
            for value in TRAIT_VALUES[trait]
        ]
        self.a_value.choices = [SelectChoice("", "Choose a value"), *values]
        self.b_value.choices = [SelectChoice("", "Choose a value"), *values]

    def spec(self) -> PairSpec:
        """The pair as the domain takes it."""
        try:
            trait = PairTrait(self.trait.data or "")
        except ValueError:
            trait = PairTrait.LANGUAGE
        return PairSpec(
            key=(self.key.data or "").strip(),
            title=(self.title.data or "").strip(),
            trait=trait,
            a_scenario=self.a.data or "",
            a_value=self.a_value.data or "",
            b_scenario=self.b.data or "",
            b_value=self.b_value.data or "",
        )


def _owner() -> int | None:
    """Whose pairs a new one joins: the leader's district, or the library for an administrator."""
    if current_user.role is Role.ADMIN:
        return None
    if current_user.district_id is None:
        abort(403)
    return int(current_user.district_id)


def _library_pairs() -> list[ScenarioPair]:
    return list(
        db.session.scalars(
            db.select(ScenarioPair).where(ScenarioPair.district_id.is_(None)).order_by(ScenarioPair.title)
        )
    )


@blueprint.route("/")
@permission_required(Action.VIEW_SCENARIOS)
def index() -> str:
    """The district's pairs (an administrator: the library's, or a chosen district's)."""
    district: District | None
    if current_user.role is Role.ADMIN:
        district_id = id_arg("district")
        district = db.get_or_404(District, district_id) if district_id else None
    else:
        district = current_user.district
        if district is None:
            abort(403)
    pairs = pairs_of(db.session, district.id) if district is not None else _library_pairs()
    return render_template(
        "pairs/index.html",
        pairs=pairs,
        district=district,
        may_write=can(Action.MANAGE_SCENARIOS),
        member_label=member_label,
        channel_label=channel_label,
        language_name=language_name,
    )


@blueprint.route("/new", methods=["GET", "POST"])
@permission_required(Action.MANAGE_SCENARIOS)
def new() -> Response | tuple[str, int]:
    """Write a pair from two of the owner's scenarios; nothing is saved unless they are matched."""
    owner = _owner()
    scenarios = [scenario for scenario in scenarios_for(db.session, owner) if scenario.active]
    form = PairForm()
    form.set_choices(
        [
            SelectChoice(
                scenario.key,
                f"{scenario.title} ({channel_label(scenario.channel)}, {language_name(scenario.language)})",
            )
            for scenario in scenarios
        ]
    )
    if request.method == "POST":
        form.validate()
        try:
            pair = create_pair(db.session, owner, form.spec())
        except DomainError as error:
            db.session.rollback()
            apply_errors(form, error)
        else:
            db.session.commit()
            flash(f"Created the pair “{pair.title}”.", "success")
            return redirect(url_for("pairs.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("pairs/new.html", form=form, owner=owner), status
