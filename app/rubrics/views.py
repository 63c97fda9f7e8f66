"""The rubric editor: every version of every rubric, editing drafts, YAML in and out, a preview.

Leaders and reviewers read; administrators change. Only drafts change: the
domain refuses to touch a published version, and these views turn that refusal
into a message and a redirect. Publishing, retiring and discarding a version are asked
first on a page that says what they change (``app.confirmation``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import groupby
from operator import attrgetter
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.confirmation import ask_first, confirmed
from app.extensions import db
from app.forms import apply_errors, suggest_key_from, summary_line
from app.permissions import permission_required
from app.rubrics.forms import (
    KIND_LABELS,
    POLICY_LABELS,
    UNIT_LABELS,
    DetailsForm,
    ImportForm,
    ItemForm,
    RubricForm,
    SectionForm,
    item_form_data,
)
from audits.access import Action
from audits.errors import DomainError, ErrorKind, ValidationError
from audits.formatting import percent
from audits.keys import KeySeparator, suggest_key
from audits.models import ItemKind, Rubric, RubricItem, RubricSection, RubricStatus
from audits.rubrics.editing import (
    add_item,
    add_section,
    delete_item,
    delete_section,
    move_item,
    move_section,
    update_details,
    update_item,
    update_section,
)
from audits.rubrics.impact import version_impact
from audits.rubrics.spec import parse_rubric
from audits.rubrics.versions import (
    all_versions,
    create_draft,
    discard_draft,
    latest,
    latest_published,
    new_version,
    publish,
    retire,
    spec_from_rubric,
)
from audits.rubrics.yamlio import rubric_from_yaml, rubric_to_yaml
from audits.vocabulary import count_of

blueprint = Blueprint("rubrics", __name__, url_prefix="/rubrics")

FROZEN = "Published versions never change; create a new version to edit."
DIRECTIONS = {"up": -1, "down": 1}
_INDEXED = re.compile(r"^(sections|items)\[(\d+)\]$")


# -- display helpers -------------------------------------------------------------------------


def _unit(unit: Any, amount: float) -> str:
    words = UNIT_LABELS.get(unit, str(unit or ""))
    return words[:-1] if amount == 1 and words.endswith("s") else words


def item_settings(item: RubricItem) -> str:
    """How an item's answers score, in one readable line."""
    if item.kind is ItemKind.YES_NO:
        return "Yes: 100%, No: 0%"
    if item.kind is ItemKind.SCALE:
        return f"0 to {item.scale_max}; the answer ÷ {item.scale_max}"
    if item.kind is ItemKind.CHOICE:
        return ", ".join(f"{option['label']}: {percent(option['fraction'])}" for option in item.options or [])
    if item.kind is ItemKind.TIMING:
        bands = [
            f"≤{bound:g} {_unit(item.unit, bound)}: {percent(fraction)}"
            if index == 0
            else f"≤{bound:g}: {percent(fraction)}"
            for index, (bound, fraction) in enumerate(item.bands or [])
        ]
        return ", ".join([*bands, "more: 0%"])
    return "Notes, not scored"


def anchor_of(rubric: Rubric, path: str | None) -> str | None:
    """The id of the section or item card a format path points at (``item-12``), for a summary's link."""
    anchor = None
    section: RubricSection | None = None
    for piece in (path or "").split("."):
        match = _INDEXED.match(piece)
        index = int(match.group(2)) if match else -1
        if match and match.group(1) == "sections" and index < len(rubric.sections):
            section = rubric.sections[index]
            anchor = f"section-{section.id}"
        elif match and section is not None and index < len(section.items):
            anchor = f"item-{section.items[index].id}"
    return anchor


def describe_path(rubric: Rubric, path: str | None) -> str:
    """Name the part of ``rubric`` a format path points at: ``sections[0].items[1]`` as words."""
    if not path:
        return ""
    words: list[str] = []
    section: RubricSection | None = None
    for piece in path.split("."):
        match = _INDEXED.match(piece)
        index = int(match.group(2)) if match else -1
        if match and match.group(1) == "sections" and index < len(rubric.sections):
            section = rubric.sections[index]
            words.append(f"section “{section.title}”")
        elif match and section is not None and index < len(section.items):
            words.append(f"item “{section.items[index].key}”")
        else:
            words.append(piece)
    return ", ".join(words)


@blueprint.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "item_settings": item_settings,
        "describe_path": describe_path,
        "kind_labels": KIND_LABELS,
        "policy_labels": POLICY_LABELS,
        "unit_labels": UNIT_LABELS,
    }


# -- lookups and shared steps ------------------------------------------------------------------


def _section_or_404(rubric: Rubric, section_id: int) -> RubricSection:
    section = db.get_or_404(RubricSection, section_id)
    if section.rubric_id != rubric.id:
        abort(404)
    return section


def _item_or_404(rubric: Rubric, item_id: int) -> RubricItem:
    item = db.get_or_404(RubricItem, item_id)
    if item.section.rubric_id != rubric.id:
        abort(404)
    return item


def _version_url(rubric: Rubric, anchor: str | None = None) -> str:
    return url_for("rubrics.show", rubric_id=rubric.id, _anchor=anchor)


def _frozen(error: DomainError) -> bool:
    """Whether the domain refused because the version is no longer a draft."""
    return error.kind is ErrorKind.CONFLICT


def _refuse_frozen(rubric: Rubric) -> Response:
    flash(FROZEN, "error")
    return redirect(_version_url(rubric))


def _flash_problems(rubric: Rubric, error: DomainError) -> None:
    for field, reason in error.problems:
        where = "" if field in (None, "status") else describe_path(rubric, field)
        flash(f"{where}: {reason}" if where else reason, "error")


def _change(
    rubric: Rubric, change: Callable[[], object], done: str | None, anchor: str | None = None
) -> Response:
    """Make one domain change and commit it, or roll back and say why not; back to the version page."""
    try:
        change()
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _flash_problems(rubric, error)
    else:
        if done:
            flash(done, "success")
    return redirect(_version_url(rubric, anchor))


def _offset() -> int:
    direction = request.form.get("direction", "")
    if direction not in DIRECTIONS:
        abort(400)
    return DIRECTIONS[direction]


def _kind_arg(default: ItemKind) -> ItemKind:
    return request.args.get("kind", default, type=ItemKind)


def _version_page(
    rubric: Rubric,
    section_form: SectionForm | None = None,
    publish_problems: list[tuple[str | None, str]] | None = None,
    status: int = 200,
) -> tuple[str, int]:
    versions = list(
        db.session.scalars(select(Rubric).where(Rubric.key == rubric.key).order_by(Rubric.version))
    )
    section_form = section_form or SectionForm(prefix="section", formdata=None)
    suggest_key_from(
        section_form.key, section_form.title, KeySeparator.PART, (s.key for s in rubric.sections)
    )
    page = render_template(
        "rubrics/show.html",
        rubric=rubric,
        versions=versions,
        current=latest_published(db.session, rubric.key),
        section_form=section_form,
        publish_problems=publish_problems or [],
    )
    return page, status


# -- reading -------------------------------------------------------------------------------------


@blueprint.route("/")
@permission_required(Action.VIEW_RUBRICS)
def index() -> str:
    """List every rubric key with its versions; the one in use is highlighted."""
    rubrics = [
        (key, list(versions)) for key, versions in groupby(all_versions(db.session), attrgetter("key"))
    ]
    return render_template("rubrics/index.html", rubrics=rubrics)


@blueprint.route("/<int:rubric_id>")
@permission_required(Action.VIEW_RUBRICS)
def show(rubric_id: int) -> tuple[str, int]:
    """Show one version: details, sections and items; a draft with its editing controls."""
    return _version_page(db.get_or_404(Rubric, rubric_id))


@blueprint.route("/<int:rubric_id>/preview")
@permission_required(Action.VIEW_RUBRICS)
def preview(rubric_id: int) -> str:
    """Show the version as an auditor fills it in, without saving anything."""
    return render_template("rubrics/preview.html", rubric=db.get_or_404(Rubric, rubric_id))


@blueprint.route("/<int:rubric_id>/export.yaml")
@permission_required(Action.VIEW_RUBRICS)
def export(rubric_id: int) -> Response:
    """Download the version as a YAML file in the rubric format."""
    rubric = db.get_or_404(Rubric, rubric_id)
    text = rubric_to_yaml(spec_from_rubric(rubric), rubric.version, rubric.status.value)
    response = Response(text, mimetype="text/yaml")
    response.headers.set("Content-Disposition", "attachment", filename=f"{rubric.key}-v{rubric.version}.yaml")
    return response


# -- versions ------------------------------------------------------------------------------------


@blueprint.route("/new", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def new() -> Response | tuple[str, int]:
    """Start a rubric: its first version is an empty draft to fill in."""
    form = RubricForm()
    taken = set(db.session.scalars(select(Rubric.key).distinct()))
    suggest_key_from(form.key, form.name, KeySeparator.RUBRIC, taken)
    if request.method == "POST":
        form.validate()
        fields = ("key", "name", "channel", "critical_policy", "description")
        data = {name: (form[name].data or "").strip() for name in fields}
        data["key"] = data["key"] or suggest_key(data["name"], KeySeparator.RUBRIC, taken)
        try:
            spec = parse_rubric(data, require_content=False)
            if latest(db.session, spec.key) is not None:
                raise ValidationError("key", f"{spec.key} already exists; open it and create a new version")
            rubric = create_draft(db.session, spec)
        except DomainError as error:
            apply_errors(form, error)
        if form.errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash(f"Created {rubric.key} as a draft. Add its sections and items, then publish it.", "success")
            return redirect(_version_url(rubric))
    status = 400 if request.method == "POST" else 200
    return render_template("rubrics/new.html", form=form), status


@blueprint.route("/import", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def import_yaml() -> Response | tuple[str, int]:
    """Upload a rubric file as the next version of its key; nothing is saved if it has a problem."""
    form = ImportForm()
    problems: list[tuple[str | None, str]] = []
    if form.validate_on_submit():
        try:
            spec = rubric_from_yaml(form.file.data.read())
            rubric = create_draft(db.session, spec)
            if form.publish.data:
                publish(db.session, rubric)
        except DomainError as error:
            db.session.rollback()
            problems = error.problems
            count = len(problems)
            form.file.errors = [f"The file has {count_of(count, 'problem')}; nothing was saved."]
        else:
            db.session.commit()
            flash(f"Imported {rubric.key} as version {rubric.version} ({rubric.status.value}).", "success")
            return redirect(_version_url(rubric))
    status = 400 if form.errors else 200
    return render_template("rubrics/import.html", form=form, problems=problems), status


def _confirmation(rubric: Rubric, step: str) -> str:
    """The page that says what publishing, retiring or discarding ``rubric`` would change."""
    impact = version_impact(db.session, rubric)
    return render_template(f"rubrics/confirm_{step}.html", rubric=rubric, impact=impact)


@blueprint.route("/<int:rubric_id>/publish", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def publish_version(rubric_id: int) -> Response | str | tuple[str, int]:
    """Ask (GET), then freeze a complete draft (POST, confirmed); the version it replaces is retired."""
    rubric = db.get_or_404(Rubric, rubric_id)
    if not confirmed():
        if request.method == "POST":
            return ask_first(url_for("rubrics.publish_version", rubric_id=rubric.id))
        return _refuse_frozen(rubric) if not rubric.is_draft else _confirmation(rubric, "publish")
    try:
        publish(db.session, rubric)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        if _frozen(error):
            return _refuse_frozen(rubric)
        problems = [
            (anchor_of(rubric, field), summary_line(describe_path(rubric, field), reason))
            for field, reason in error.problems
        ]
        return _version_page(rubric, publish_problems=problems, status=400)
    flash(f"Published {rubric.key} version {rubric.version}. New contacts are scored on it.", "success")
    return redirect(_version_url(rubric))


@blueprint.route("/<int:rubric_id>/new-version", methods=["POST"])
@permission_required(Action.MANAGE_RUBRICS)
def draft_next(rubric_id: int) -> Response:
    """Draft the next version as a full copy of this one."""
    rubric = db.get_or_404(Rubric, rubric_id)
    try:
        draft = new_version(db.session, rubric)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _flash_problems(rubric, error)
        return redirect(_version_url(rubric))
    flash(f"Drafted version {draft.version} as a copy of version {rubric.version}.", "success")
    return redirect(_version_url(draft))


@blueprint.route("/<int:rubric_id>/retire", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def retire_version(rubric_id: int) -> Response | str:
    """Ask (GET), then withdraw a published version (POST, confirmed); it stays readable."""
    rubric = db.get_or_404(Rubric, rubric_id)
    if not confirmed():
        if request.method == "POST":
            return ask_first(url_for("rubrics.retire_version", rubric_id=rubric.id))
        if rubric.status is not RubricStatus.PUBLISHED:
            flash("Only a published version can be retired.", "error")
            return redirect(_version_url(rubric))
        return _confirmation(rubric, "retire")
    done = f"Retired {rubric.key} version {rubric.version}; new contacts cannot use it."
    return _change(rubric, lambda: retire(db.session, rubric), done)


@blueprint.route("/<int:rubric_id>/discard", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def discard(rubric_id: int) -> Response | str:
    """Ask (GET), then delete a draft that was never published (POST, confirmed)."""
    rubric = db.get_or_404(Rubric, rubric_id)
    if not confirmed():
        if request.method == "POST":
            return ask_first(url_for("rubrics.discard", rubric_id=rubric.id))
        return _refuse_frozen(rubric) if not rubric.is_draft else _confirmation(rubric, "discard")
    key, version = rubric.key, rubric.version
    try:
        discard_draft(db.session, rubric)
        db.session.commit()
    except DomainError as error:
        db.session.rollback()
        _flash_problems(rubric, error)
        return redirect(_version_url(rubric))
    flash(f"Discarded the draft version {version} of {key}.", "success")
    return redirect(url_for("rubrics.index"))


@blueprint.route("/<int:rubric_id>/details", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def details(rubric_id: int) -> Response | tuple[str, int]:
    """Change a draft's name, critical policy and description."""
    rubric = db.get_or_404(Rubric, rubric_id)
    if request.method == "GET" and not rubric.is_draft:
        return _refuse_frozen(rubric)
    form = DetailsForm(obj=rubric)
    if request.method == "POST":
        form.validate()
        try:
            update_details(
                rubric, form.name.data or "", form.critical_policy.data or "", form.description.data or ""
            )
        except DomainError as error:
            if _frozen(error):
                db.session.rollback()
                return _refuse_frozen(rubric)
            apply_errors(form, error)
        if form.errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash("Saved the details.", "success")
            return redirect(_version_url(rubric))
    status = 400 if request.method == "POST" else 200
    return render_template("rubrics/details.html", form=form, rubric=rubric), status


# -- sections ------------------------------------------------------------------------------------


@blueprint.route("/<int:rubric_id>/sections", methods=["POST"])
@permission_required(Action.MANAGE_RUBRICS)
def new_section(rubric_id: int) -> Response | tuple[str, int]:
    """Append a section to a draft."""
    rubric = db.get_or_404(Rubric, rubric_id)
    form = SectionForm(prefix="section")
    form.validate()
    try:
        section = add_section(db.session, rubric, form.key.data or "", form.title.data or "")
    except DomainError as error:
        db.session.rollback()
        if _frozen(error):
            return _refuse_frozen(rubric)
        apply_errors(form, error)
    if form.errors:
        db.session.rollback()
        return _version_page(rubric, section_form=form, status=400)
    db.session.commit()
    flash(f"Added the section “{section.title}”.", "success")
    return redirect(_version_url(rubric, f"section-{section.id}"))


@blueprint.route("/<int:rubric_id>/sections/<int:section_id>/edit", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def edit_section(rubric_id: int, section_id: int) -> Response | tuple[str, int]:
    """Change a section's key and title."""
    rubric = db.get_or_404(Rubric, rubric_id)
    section = _section_or_404(rubric, section_id)
    if request.method == "GET" and not rubric.is_draft:
        return _refuse_frozen(rubric)
    form = SectionForm(obj=section)
    others = (other.key for other in rubric.sections if other is not section)
    suggest_key_from(form.key, form.title, KeySeparator.PART, others)
    if request.method == "POST":
        form.validate()
        try:
            update_section(section, form.key.data or "", form.title.data or "")
        except DomainError as error:
            if _frozen(error):
                db.session.rollback()
                return _refuse_frozen(rubric)
            apply_errors(form, error)
        if form.errors:
            db.session.rollback()
        else:
            db.session.commit()
            flash(f"Saved the section “{section.title}”.", "success")
            return redirect(_version_url(rubric, f"section-{section.id}"))
    status = 400 if request.method == "POST" else 200
    return render_template("rubrics/section.html", form=form, rubric=rubric, section=section), status


@blueprint.route("/<int:rubric_id>/sections/<int:section_id>/delete", methods=["POST"])
@permission_required(Action.MANAGE_RUBRICS)
def remove_section(rubric_id: int, section_id: int) -> Response:
    """Delete a section and its items from a draft."""
    rubric = db.get_or_404(Rubric, rubric_id)
    section = _section_or_404(rubric, section_id)
    done = f"Deleted the section “{section.title}” and its {count_of(len(section.items), 'item')}."
    return _change(rubric, lambda: delete_section(db.session, section), done)


@blueprint.route("/<int:rubric_id>/sections/<int:section_id>/move", methods=["POST"])
@permission_required(Action.MANAGE_RUBRICS)
def shift_section(rubric_id: int, section_id: int) -> Response:
    """Move a section up or down (``direction`` = ``up`` or ``down``)."""
    rubric = db.get_or_404(Rubric, rubric_id)
    section = _section_or_404(rubric, section_id)
    offset = _offset()
    return _change(rubric, lambda: move_section(section, offset), None, f"section-{section.id}")


# -- items -----------------------------------------------------------------------------------------


def _item_page(
    form: ItemForm,
    rubric: Rubric,
    section: RubricSection,
    kind: ItemKind,
    item: RubricItem | None,
    status: int,
) -> tuple[str, int]:
    offer_facts = form.offer_facts(rubric.channel, kind)
    others = (other.key for other in rubric.items if item is None or other is not item)
    suggest_key_from(form.key, form.prompt, KeySeparator.PART, others)
    page = render_template(
        "rubrics/item.html",
        form=form,
        rubric=rubric,
        section=section,
        kind=kind,
        item=item,
        offer_facts=offer_facts,
    )
    return page, status


@blueprint.route("/<int:rubric_id>/sections/<int:section_id>/items/new", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def new_item(rubric_id: int, section_id: int) -> Response | tuple[str, int]:
    """Add an item of the kind chosen in ``?kind=`` to a draft's section."""
    rubric = db.get_or_404(Rubric, rubric_id)
    section = _section_or_404(rubric, section_id)
    kind = _kind_arg(ItemKind.YES_NO)
    if request.method == "GET":
        if not rubric.is_draft:
            return _refuse_frozen(rubric)
        form = ItemForm()
        form.add_blank_rows()
        return _item_page(form, rubric, section, kind, None, 200)
    form = ItemForm()
    failed = not form.validate()
    try:
        item = add_item(db.session, section, form.item_data(kind))
    except DomainError as error:
        db.session.rollback()
        if _frozen(error):
            return _refuse_frozen(rubric)
        form.apply_item_errors(error)
        failed = True
    if failed:
        db.session.rollback()
        return _item_page(form, rubric, section, kind, None, 400)
    db.session.commit()
    flash(f"Added the item {item.key}.", "success")
    return redirect(_version_url(rubric, f"item-{item.id}"))


@blueprint.route("/<int:rubric_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@permission_required(Action.MANAGE_RUBRICS)
def edit_item(rubric_id: int, item_id: int) -> Response | tuple[str, int]:
    """Change a draft's item; ``?kind=`` changes its kind, the other fields stay."""
    rubric = db.get_or_404(Rubric, rubric_id)
    item = _item_or_404(rubric, item_id)
    kind = _kind_arg(item.kind)
    if request.method == "GET":
        if not rubric.is_draft:
            return _refuse_frozen(rubric)
        form = ItemForm(data=item_form_data(item))
        form.section.choices = [SelectChoice(str(s.id), s.title) for s in rubric.sections]
        form.add_blank_rows()
        return _item_page(form, rubric, item.section, kind, item, 200)
    form = ItemForm()
    form.section.choices = [SelectChoice(str(s.id), s.title) for s in rubric.sections]
    target = next((s for s in rubric.sections if str(s.id) == form.section.data), None)
    failed = not form.validate()
    try:
        update_item(item, form.item_data(kind), section=target)
    except DomainError as error:
        db.session.rollback()
        if _frozen(error):
            return _refuse_frozen(rubric)
        form.apply_item_errors(error)
        failed = True
    if failed:
        db.session.rollback()
        return _item_page(form, rubric, item.section, kind, item, 400)
    db.session.commit()
    flash(f"Saved the item {item.key}.", "success")
    return redirect(_version_url(rubric, f"item-{item.id}"))


@blueprint.route("/<int:rubric_id>/items/<int:item_id>/delete", methods=["POST"])
@permission_required(Action.MANAGE_RUBRICS)
def remove_item(rubric_id: int, item_id: int) -> Response:
    """Delete an item from a draft."""
    rubric = db.get_or_404(Rubric, rubric_id)
    item = _item_or_404(rubric, item_id)
    return _change(rubric, lambda: delete_item(db.session, item), f"Deleted the item {item.key}.")


@blueprint.route("/<int:rubric_id>/items/<int:item_id>/move", methods=["POST"])
@permission_required(Action.MANAGE_RUBRICS)
def shift_item(rubric_id: int, item_id: int) -> Response:
    """Move an item up or down within its section (``direction`` = ``up`` or ``down``)."""
    rubric = db.get_or_404(Rubric, rubric_id)
    item = _item_or_404(rubric, item_id)
    offset = _offset()
    return _change(rubric, lambda: move_item(item, offset), None, f"item-{item.id}")
