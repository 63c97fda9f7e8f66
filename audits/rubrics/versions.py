"""Rubric versions: create a draft from a spec, publish, draft the next version, retire.

Every function takes plain values and a session, adds or changes objects and
flushes; the caller commits once.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from audits.errors import ConflictError, ValidationError
from audits.models import ItemKind, Rubric, RubricItem, RubricSection, RubricStatus, TimingUnit
from audits.rubrics.spec import (
    ItemSpec,
    OptionSpec,
    RubricSpec,
    SectionSpec,
    parse_rubric,
    rubric_to_dict,
)
from audits.timeutil import utcnow


def spec_from_item(item: RubricItem) -> ItemSpec:
    """The format-level description of a stored item."""
    return ItemSpec(
        key=item.key,
        prompt=item.prompt,
        kind=ItemKind(item.kind),
        guidance=item.guidance,
        tip=item.tip,
        points=item.points,
        critical=item.critical,
        allow_na=item.allow_na,
        max=item.scale_max,
        labels={point: text for point, text in enumerate(item.scale_labels or []) if text},
        options=[OptionSpec(o["label"], float(o["fraction"])) for o in item.options or []],
        unit=TimingUnit(item.unit) if item.unit else None,
        bands=[(bound, fraction) for bound, fraction in item.bands or []],
        fact=item.fact,
    )


def spec_from_rubric(rubric: Rubric) -> RubricSpec:
    """The format-level description of a stored rubric version."""
    return RubricSpec(
        key=rubric.key,
        name=rubric.name,
        channel=rubric.channel,
        critical_policy=rubric.critical_policy,
        description=rubric.description,
        sections=[
            SectionSpec(section.key, section.title, [spec_from_item(item) for item in section.items])
            for section in rubric.sections
        ],
    )


def write_item(item: RubricItem, spec: ItemSpec) -> None:
    """Copy every field of ``spec`` onto ``item``."""
    item.key = spec.key
    item.prompt = spec.prompt
    item.kind = spec.kind
    item.guidance = spec.guidance
    item.tip = spec.tip
    item.points = float(spec.points) if spec.kind is not ItemKind.TEXT else 0.0
    item.critical = spec.critical
    item.allow_na = spec.allow_na
    item.scale_max = spec.max if spec.kind is ItemKind.SCALE else None
    item.scale_labels = (
        [spec.labels.get(point, "") for point in range((spec.max or 0) + 1)]
        if spec.kind is ItemKind.SCALE and spec.labels
        else None
    )
    item.options = (
        [{"label": o.label, "fraction": o.fraction} for o in spec.options]
        if spec.kind is ItemKind.CHOICE
        else None
    )
    item.unit = spec.unit if spec.kind is ItemKind.TIMING else None
    item.bands = (
        [[bound, fraction] for bound, fraction in spec.bands] if spec.kind is ItemKind.TIMING else None
    )
    item.fact = spec.fact


def _build_sections(spec: RubricSpec) -> list[RubricSection]:
    sections = []
    for s_position, section_spec in enumerate(spec.sections):
        section = RubricSection(position=s_position, key=section_spec.key, title=section_spec.title)
        for i_position, item_spec in enumerate(section_spec.items):
            item = RubricItem(position=i_position)
            write_item(item, item_spec)
            section.items.append(item)
        sections.append(section)
    return sections


def next_version_number(session: Session, key: str) -> int:
    """The version number the next draft of ``key`` gets."""
    return (session.scalar(select(func.max(Rubric.version)).where(Rubric.key == key)) or 0) + 1


def draft_of(session: Session, key: str) -> Rubric | None:
    """The open draft of ``key``, if there is one (there is at most one)."""
    return session.scalar(select(Rubric).where(Rubric.key == key, Rubric.status == RubricStatus.DRAFT))


def create_draft(session: Session, spec: RubricSpec) -> Rubric:
    """Add ``spec`` as the next draft version of its key.

    Refused when the key already has an open draft: edit or discard that one first.
    Channel changes between versions are refused too, so results stay comparable.
    """
    parse_rubric(rubric_to_dict(spec), require_content=False)  # the same rules as the YAML format
    existing = draft_of(session, spec.key)
    if existing is not None:
        raise ConflictError(
            "key", f"{spec.key} already has a draft (version {existing.version}); edit or discard it first"
        )
    previous = latest(session, spec.key)
    if previous is not None and previous.channel is not spec.channel:
        raise ValidationError(
            "channel",
            f"{spec.key} is a {previous.channel.value} rubric; a new version cannot change the channel",
        )
    rubric = Rubric(
        key=spec.key,
        version=next_version_number(session, spec.key),
        status=RubricStatus.DRAFT,
        name=spec.name,
        channel=spec.channel,
        critical_policy=spec.critical_policy,
        description=spec.description,
        sections=_build_sections(spec),
    )
    session.add(rubric)
    session.flush()
    return rubric


def ensure_draft(rubric: Rubric) -> None:
    """Raise unless ``rubric`` is a draft that may still change."""
    if not rubric.is_draft:
        raise ConflictError(
            "status",
            f"{rubric.key} version {rubric.version} is {rubric.status.value} and cannot change; "
            "create a new version to edit it",
        )


def publish(session: Session, rubric: Rubric) -> None:
    """Freeze a complete draft; the version it supersedes is retired."""
    ensure_draft(rubric)
    parse_rubric(rubric_to_dict(spec_from_rubric(rubric)))  # a published rubric must be complete
    now = utcnow()
    for older in session.scalars(
        select(Rubric).where(Rubric.key == rubric.key, Rubric.status == RubricStatus.PUBLISHED)
    ):
        older.status = RubricStatus.RETIRED
        older.retired_at = now
    rubric.status = RubricStatus.PUBLISHED
    rubric.published_at = now
    session.flush()


def new_version(session: Session, rubric: Rubric) -> Rubric:
    """Draft the next version of ``rubric``'s key as a full copy of ``rubric``."""
    return create_draft(session, spec_from_rubric(rubric))


def retire(session: Session, rubric: Rubric) -> None:
    """Withdraw a published version: it stays readable but new contacts cannot use it."""
    if rubric.status is not RubricStatus.PUBLISHED:
        raise ConflictError("status", "only a published version can be retired")
    rubric.status = RubricStatus.RETIRED
    rubric.retired_at = utcnow()
    session.flush()


def discard_draft(session: Session, rubric: Rubric) -> None:
    """Delete a draft version that was never published."""
    ensure_draft(rubric)
    session.delete(rubric)
    session.flush()


def latest(session: Session, key: str) -> Rubric | None:
    """The highest version of ``key``, whatever its status."""
    return session.scalar(select(Rubric).where(Rubric.key == key).order_by(Rubric.version.desc()).limit(1))


def latest_published(session: Session, key: str) -> Rubric | None:
    """The version of ``key`` new contacts are scored on, if one is published."""
    return session.scalar(
        select(Rubric)
        .where(Rubric.key == key, Rubric.status == RubricStatus.PUBLISHED)
        .order_by(Rubric.version.desc())
        .limit(1)
    )


def get_version(session: Session, key: str, version: int | None = None) -> Rubric:
    """Version ``version`` of ``key``, or its latest published version; raise when missing."""
    if version is None:
        rubric = latest_published(session, key)
        if rubric is None:
            raise ValidationError("key", f"{key} has no published version")
        return rubric
    rubric = session.scalar(select(Rubric).where(Rubric.key == key, Rubric.version == version))
    if rubric is None:
        raise ValidationError("version", f"{key} has no version {version}")
    return rubric


def all_versions(session: Session) -> list[Rubric]:
    """Every rubric version, by key then version, with sections and items loaded."""
    return list(
        session.scalars(
            select(Rubric)
            .options(selectinload(Rubric.sections).selectinload(RubricSection.items))
            .order_by(Rubric.key, Rubric.version)
        )
    )
