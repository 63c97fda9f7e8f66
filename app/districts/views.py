"""District settings: name, timezone, school-day hours and closure dates.

The routes spell out their paths instead of using a ``url_prefix``: ``/district``
(the signed-in leader's own district) sits beside ``/districts/…``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import NamedTuple

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.districts.forms import ClosureForm, DistrictForm, SignInForm
from app.extensions import db
from app.forms import apply_errors
from app.permissions import permission_required, require
from app.plans.forms import PlanSettingsForm
from audits.access import Action
from audits.calendar import DistrictSettings, add_closures, closure_ranges, remove_closure, update_district
from audits.errors import DomainError
from audits.models import Closure, District, Role
from audits.sign_in_policy import SignInPolicy, parse_domains, update_sign_in_policy
from audits.vocabulary import count_of
from config import single_sign_on_configured

blueprint = Blueprint("districts", __name__)


class ClosureRow(NamedTuple):
    """One line of the closure table: a range of closed days with one reason."""

    first_day: date
    last_day: date
    reason: str
    closures: list[Closure]


def _closure_rows(district: District) -> list[ClosureRow]:
    return [
        ClosureRow(first, last, reason, [c for c in district.closures if first <= c.day <= last])
        for first, last, reason in closure_ranges(district)
    ]


def _sign_in_form(district: District) -> SignInForm:
    policy = SignInPolicy.of(district)
    return SignInForm(
        formdata=None,
        domains="\n".join(policy.domains),
        password_sign_in=policy.password_sign_in,
        two_step_required=policy.two_step_required,
    )


def _settings_page(
    district: District,
    form: DistrictForm,
    closure_form: ClosureForm,
    status: int = 200,
    sign_in_form: SignInForm | None = None,
) -> tuple[str, int]:
    page = render_template(
        "districts/settings.html",
        district=district,
        form=form,
        closure_form=closure_form,
        sign_in_form=sign_in_form or _sign_in_form(district),
        single_sign_on=single_sign_on_configured(current_app.config),
        provider_name=current_app.config["OIDC_PROVIDER_NAME"],
        rows=_closure_rows(district),
        plan_form=PlanSettingsForm(formdata=None, plan_evidence_required=district.plan_evidence_required),
    )
    return page, status


def _settings_url(district: District, anchor: str | None = None) -> str:
    return url_for("districts.settings", district_id=district.id, _anchor=anchor)


@blueprint.route("/district")
@permission_required(Action.MANAGE_DISTRICT)
def mine() -> Response:
    """Send a leader to their district's settings, an administrator to the district list."""
    if current_user.role is Role.ADMIN:
        return redirect(url_for("districts.index"))
    if current_user.district is None:
        abort(404)
    return redirect(_settings_url(current_user.district))


@blueprint.route("/districts/")
@permission_required(Action.MANAGE_DISTRICT)
def index() -> str:
    """List the districts the signed-in person manages (an administrator: all of them)."""
    stmt = select(District).order_by(District.name, District.id)
    if current_user.role is not Role.ADMIN:
        stmt = stmt.where(District.id == current_user.district_id)
    return render_template("districts/index.html", districts=list(db.session.scalars(stmt)))


@blueprint.route("/districts/<int:district_id>/settings", methods=["GET", "POST"])
@login_required
def settings(district_id: int) -> Response | tuple[str, int]:
    """Show and save a district's name, timezone and school-day hours, with its closures."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    if request.method == "GET":
        return _settings_page(
            district, DistrictForm(data=asdict(DistrictSettings.of(district))), ClosureForm()
        )
    form = DistrictForm()
    form.validate()
    settings = DistrictSettings(
        **{name: form[name].data or "" for name in DistrictSettings.__dataclass_fields__}
    )
    try:
        update_district(db.session, district, settings)
    except DomainError as error:
        apply_errors(form, error)
    if form.errors:
        db.session.rollback()
        return _settings_page(district, form, ClosureForm(formdata=None), 400)
    db.session.commit()
    flash(f"Saved the settings of {district.name}.", "success")
    return redirect(_settings_url(district))


@blueprint.route("/districts/<int:district_id>/closures", methods=["POST"])
@login_required
def add_closure(district_id: int) -> Response | tuple[str, int]:
    """Close the district's schools on a day or a range of days."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    closure_form = ClosureForm()
    closure_form.validate()
    added: list[Closure] = []
    try:
        added = add_closures(
            db.session,
            district,
            closure_form.first_day.data,
            closure_form.last_day.data,
            closure_form.reason.data or "",
        )
    except DomainError as error:
        apply_errors(closure_form, error)
    if closure_form.errors:
        db.session.rollback()
        form = DistrictForm(formdata=None, data=asdict(DistrictSettings.of(district)))
        return _settings_page(district, form, closure_form, 400)
    if added:
        days = len(added)
        flash(f"Closed {count_of(days, 'school day')}: {added[0].reason}.", "success")
    else:
        flash("Nothing to add: those days are weekends or already closed.", "info")
    db.session.commit()
    return redirect(_settings_url(district, "closures"))


@blueprint.route("/districts/<int:district_id>/closures/<int:closure_id>/delete", methods=["POST"])
@login_required
def delete_closure(district_id: int, closure_id: int) -> Response:
    """Reopen one closed day, or with ``range=1`` the whole range of closed days it belongs to."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    removed = remove_closure(district, closure_id, whole_range=request.form.get("range") == "1")
    if not removed:
        abort(404)
    days = len(removed)
    flash(f"Reopened {count_of(days, 'day')}: {removed[0].reason}.", "success")
    db.session.commit()
    return redirect(_settings_url(district, "closures"))


@blueprint.route("/districts/<int:district_id>/sign-in", methods=["POST"])
@login_required
def sign_in_settings(district_id: int) -> Response | tuple[str, int]:
    """Save how the district's people sign in: domains of its accounts, passwords, two-step sign-in."""
    district = db.get_or_404(District, district_id)
    require(Action.MANAGE_DISTRICT, district)
    sign_in_form = SignInForm()
    sign_in_form.validate()
    try:
        policy = SignInPolicy(
            password_sign_in=bool(sign_in_form.password_sign_in.data),
            domains=parse_domains(sign_in_form.domains.data or ""),
            two_step_required=bool(sign_in_form.two_step_required.data),
        )
        changed = update_sign_in_policy(
            db.session, current_user, district, policy, single_sign_on_configured(current_app.config)
        )
    except DomainError as error:
        apply_errors(sign_in_form, error)
    if sign_in_form.errors or sign_in_form.form_errors:
        db.session.rollback()
        form = DistrictForm(formdata=None, data=asdict(DistrictSettings.of(district)))
        return _settings_page(district, form, ClosureForm(formdata=None), 400, sign_in_form)
    db.session.commit()
    flash("Saved how people sign in." if changed else "Nothing changed in how people sign in.", "success")
    return redirect(_settings_url(district, "sign-in"))
