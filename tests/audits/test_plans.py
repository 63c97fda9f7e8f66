"""Action plans in the domain: opened on publication exactly for the schools that qualify, written,
decided, closed with evidence, listed and reminded; every change in the history."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.access import Action, allowed
from audits.calendar import add_closures
from audits.errors import ConflictError, ValidationError
from audits.models import (
    ActionPlan,
    PlanAction,
    PlanEvent,
    PlanEventKind,
    PlanReason,
    PlanStatus,
    Role,
    RoundStatus,
    User,
)
from audits.plans.actions import (
    ActionEntry,
    add_action,
    approve_plan,
    change_action,
    remove_action,
    send_back_plan,
    submit_plan,
)
from audits.plans.closing import ActionClosing, Upload, close_action
from audits.plans.listing import open_items_for_school, overdue_actions
from audits.plans.opening import request_plan
from audits.plans.reminders import due_plan_reminders, record_sent
from audits.plans.weak import weaknesses
from audits.scorecards import publish, unpublish
from tests.audits.plan_helpers import PlanWorld, build_plan_world
from tests.conftest import PASSWORD_HASH

TODAY = date(2027, 1, 4)  # a Monday
NOW = datetime(2027, 1, 4, 15, tzinfo=UTC)
MAX_BYTES = 1024 * 1024


@pytest.fixture
def world(session: Session) -> PlanWorld:
    return build_plan_world(session)


def _plans(session: Session) -> dict[str, ActionPlan]:
    return {plan.school.name: plan for plan in session.scalars(select(ActionPlan))}


def _entry(**changes: object) -> ActionEntry:
    values: dict[str, object] = {
        "change": "Answer the main line within three rings; the office manager covers lunch.",
        "responsible": "office_manager",
        "due_on": TODAY + timedelta(days=30),
    }
    values.update(changes)
    return ActionEntry(**values)  # type: ignore[arg-type]


def _published(session: Session, world: PlanWorld) -> dict[str, ActionPlan]:
    if world.round.status is not RoundStatus.PUBLISHED:
        publish(session, world.round, world.leader, now=NOW)
        session.commit()
    return _plans(session)


def test_publishing_opens_a_plan_exactly_for_the_schools_that_qualify(
    session: Session, world: PlanWorld
) -> None:
    plans = _published(session, world)
    assert set(plans) == {world.low.name, world.critical.name}  # not A (good), not D (nothing counted)
    low, critical = plans[world.low.name], plans[world.critical.name]
    assert low.reason is PlanReason.BELOW_THRESHOLD and low.overall is not None and low.overall < 70
    assert low.threshold == 70 and low.status is PlanStatus.DRAFT and low.opened_by_id is None
    assert critical.reason is PlanReason.CRITICAL_FAILURE and critical.critical_failures == 1
    assert critical.overall is not None and critical.overall >= 70
    opened = low.events[0]
    assert opened.kind is PlanEventKind.OPENED and opened.actor_id == world.leader.id
    assert "Fall 2026 round scorecards were published" in opened.detail and "below" in opened.detail
    # Hiding and showing the scorecards again opens no second plan.
    unpublish(session, world.round, world.leader, now=NOW)
    publish(session, world.round, world.leader, now=NOW)
    session.commit()
    assert session.scalar(select(func.count(ActionPlan.id))) == 2


def test_a_higher_threshold_opens_plans_for_more_schools(session: Session, world: PlanWorld) -> None:
    world.scoring.district.alert_threshold = 101
    plans = _published(session, world)
    assert set(plans) == {world.good.name, world.low.name, world.critical.name}
    assert (
        plans[world.critical.name].reason is PlanReason.CRITICAL_FAILURE
    )  # the critical failure comes first


def test_the_weak_items_come_from_the_engine_with_the_library_tips(
    session: Session, world: PlanWorld
) -> None:
    low = weaknesses(session, world.round, world.low)
    keys = [item.key for item in low.items]
    assert keys[:2] == ["channel:phone", "channel:email"]
    assert "section:service" in keys and "section:greeting" not in keys  # 5 of 7 points: 71.4
    assert "item:phone:named" in keys and "item:email:accuracy" in keys
    assert "item:phone:answered" not in keys  # at full marks
    named = low.item("item:phone:named")
    assert named is not None and "earned 0% of its points over 1 contact" in named.detail
    assert low.resources and low.resources[0].tip  # the weak items' tips first
    tips = {resource.tip for resource in low.resources}
    assert "Say your first name in the greeting." in tips
    critical = weaknesses(session, world.round, world.critical)
    first = critical.items[0]
    assert first.key == "item:email:answered" and first.critical and "critical item" in first.detail
    assert weaknesses(session, world.round, world.silent).items == []


def test_the_whole_lifecycle_keeps_every_change_in_the_history(
    session: Session, world: PlanWorld, tmp_path: Path
) -> None:
    plan = _published(session, world)[world.low.name]
    principal = world.principals["B"]
    weak = weaknesses(session, world.round, world.low)
    with pytest.raises(ValidationError) as empty:
        submit_plan(session, plan, principal, TODAY, now=NOW)
    assert empty.value.problems == [("actions", "write at least one action before submitting the plan")]
    first = add_action(session, plan, _entry(target="item:phone:named"), principal, weak, TODAY, now=NOW)
    assert first.target_label == "Did the staff member give their name? (Phone call)"
    tip = weak.resources[0]
    second = add_action(
        session,
        plan,
        _entry(change="Practise the greeting.", resource_item_id=tip.item_id),
        principal,
        weak,
        TODAY,
        now=NOW,
    )
    assert second.resource == tip.tip and second.target_label == "The plan as a whole"
    third = add_action(session, plan, _entry(change="Something to drop."), principal, weak, TODAY, now=NOW)
    remove_action(session, third, principal, now=NOW)
    submit_plan(session, plan, principal, TODAY, now=NOW)
    assert plan.status is PlanStatus.SUBMITTED and plan.submitted_at == NOW
    with pytest.raises(ConflictError):  # a submitted plan's actions wait for the leader
        add_action(session, plan, _entry(), principal, weak, TODAY, now=NOW)
    with pytest.raises(ValidationError) as silent:
        send_back_plan(session, plan, world.leader, "  ", now=NOW)
    assert silent.value.field == "comment"
    send_back_plan(session, plan, world.leader, "Give the greeting a date before the spring round.", now=NOW)
    assert plan.status is PlanStatus.SENT_BACK
    change_action(
        session,
        second,
        _entry(
            change="Practise the greeting.", due_on=TODAY + timedelta(days=10), resource_item_id=tip.item_id
        ),
        principal,
        weak,
        TODAY,
        now=NOW,
    )
    submit_plan(session, plan, principal, TODAY, now=NOW)
    approve_plan(session, plan, world.leader, now=NOW)
    assert plan.status is PlanStatus.APPROVED and plan.approved_at == NOW
    with pytest.raises(ConflictError):
        approve_plan(session, plan, world.leader, now=NOW)
    world.scoring.district.plan_evidence_required = True
    with pytest.raises(ValidationError) as bare:
        close_action(session, second, ActionClosing(), principal, tmp_path, MAX_BYTES, now=NOW)
    assert bare.value.field == "evidence_text" and second.closed_at is None
    close_action(
        session,
        second,
        ActionClosing("Role-played with the office staff on Jan 6."),
        principal,
        tmp_path,
        MAX_BYTES,
        now=NOW,
    )
    assert plan.status is PlanStatus.APPROVED  # one action left
    close_action(
        session,
        first,
        ActionClosing(upload=Upload(_photo(), "desk.jpg")),
        principal,
        tmp_path,
        MAX_BYTES,
        now=NOW,
    )
    assert plan.status is PlanStatus.CLOSED and plan.closed_at == NOW
    session.commit()
    kinds = [
        event.kind
        for event in session.scalars(select(PlanEvent).order_by(PlanEvent.id))
        if event.plan_id == plan.id
    ]
    assert kinds == [
        PlanEventKind.OPENED,
        PlanEventKind.ACTION_ADDED,
        PlanEventKind.ACTION_ADDED,
        PlanEventKind.ACTION_ADDED,
        PlanEventKind.ACTION_REMOVED,
        PlanEventKind.SUBMITTED,
        PlanEventKind.SENT_BACK,
        PlanEventKind.ACTION_CHANGED,
        PlanEventKind.SUBMITTED,
        PlanEventKind.APPROVED,
        PlanEventKind.ACTION_CLOSED,
        PlanEventKind.ACTION_CLOSED,
        PlanEventKind.CLOSED,
    ]
    events = plan.events
    assert events[6].comment == "Give the greeting a date before the spring round."
    assert "Due: Wed, Feb 3, 2027 → Thu, Jan 14, 2027" in events[7].detail
    assert "Something to drop." in events[4].detail
    stored = first.files[0]
    assert stored.content_type == "image/jpeg" and (tmp_path / stored.storage_name).is_file()
    assert "desk.jpg" in events[-2].detail
    with Image.open(tmp_path / stored.storage_name) as image:
        assert not image.getexif()  # the camera's metadata is gone


def _photo() -> bytes:
    image = Image.new("RGB", (8, 8), "green")
    exif = Image.Exif()
    exif[0x010F] = "Phone maker"
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_bad_actions_are_refused_whole_and_nothing_is_saved(session: Session, world: PlanWorld) -> None:
    plan = _published(session, world)[world.low.name]
    principal = world.principals["B"]
    weak = weaknesses(session, world.round, world.low)
    bad = _entry(
        change=" ",
        responsible="Mrs. Jones",
        due_on=TODAY - timedelta(days=1),
        target="item:x",
        resource_item_id=999_999,
    )
    with pytest.raises(ValidationError) as refused:
        add_action(session, plan, bad, principal, weak, TODAY, now=NOW)
    assert dict(refused.value.problems) == {
        "change": "say what will change",
        "responsible": "choose who is responsible, by role",
        "due_on": "the due date is before today (Mon, Jan 4, 2027); choose today or a later day",
        "target": "choose one of the school's weak items, or the plan as a whole",
        "resource_item_id": "choose a coaching tip from the list, or none",
    }
    session.rollback()
    assert session.scalar(select(func.count(PlanAction.id))) == 0
    assert add_action(session, plan, _entry(due_on=TODAY), principal, weak, TODAY, now=NOW).due_on == TODAY
    # A day later, that action is due before today: the plan cannot be submitted until it changes.
    with pytest.raises(ValidationError) as late:
        submit_plan(session, plan, principal, TODAY + timedelta(days=1), now=NOW)
    assert late.value.field == "actions" and "before today" in late.value.reason
    assert plan.status is PlanStatus.DRAFT


def test_a_plan_on_request_answers_the_latest_published_scorecard(session: Session, world: PlanWorld) -> None:
    with pytest.raises(ConflictError) as unpublished:
        request_plan(session, world.good, world.principals["A"], now=NOW)
    assert "no scorecard of School A is published yet" in unpublished.value.reason
    _published(session, world)
    plan = request_plan(session, world.good, world.principals["A"], now=NOW)
    assert plan.reason is PlanReason.REQUESTED and plan.opened_by_id == world.principals["A"].id
    assert plan.overall == 100
    with pytest.raises(ConflictError) as twice:
        request_plan(session, world.good, world.leader, now=NOW)
    assert twice.value.reason == "School A already has a plan for Fall 2026 round"


def _approved_with_actions(session: Session, world: PlanWorld) -> tuple[ActionPlan, PlanAction, PlanAction]:
    plan = _published(session, world)[world.low.name]
    principal = world.principals["B"]
    weak = weaknesses(session, world.round, world.low)
    late = add_action(
        session, plan, _entry(change="Due first", due_on=TODAY), principal, weak, TODAY, now=NOW
    )
    later = add_action(
        session,
        plan,
        _entry(change="Due later", due_on=TODAY + timedelta(days=20)),
        principal,
        weak,
        TODAY,
        now=NOW,
    )
    submit_plan(session, plan, principal, TODAY, now=NOW)
    approve_plan(session, plan, world.leader, now=NOW)
    session.commit()
    return plan, late, later


def test_open_items_and_overdue_actions(session: Session, world: PlanWorld) -> None:
    plans = _published(session, world)
    items = open_items_for_school(session, world.critical, TODAY)
    assert items.to_write == [plans[world.critical.name]] and not items.actions_due
    assert open_items_for_school(session, world.good, TODAY).empty
    plan, late, later = _approved_with_actions(session, world)
    items = open_items_for_school(session, world.low, TODAY + timedelta(days=1))
    assert [due.action.id for due in items.actions_due] == [late.id, later.id]
    assert [due.action.id for due in items.overdue] == [late.id] and items.overdue[0].days_late == 1
    assert not items.to_write and not items.waiting
    assert overdue_actions(session, world.scoring.district, TODAY) == []
    overdue = overdue_actions(session, world.scoring.district, TODAY + timedelta(days=1))
    assert [(due.action.id, due.plan.id) for due in overdue] == [(late.id, plan.id)]


def test_overdue_actions_are_reminded_once_a_school_day(session: Session, world: PlanWorld) -> None:
    _, late, _ = _approved_with_actions(session, world)
    second = User(
        email="co.principal@example.org",
        role=Role.PRINCIPAL,
        name="Co Principal",
        password_hash=PASSWORD_HASH,
        district=world.scoring.district,
        schools=[world.low],
    )
    session.add(second)
    session.commit()
    monday = datetime(2027, 1, 4, 15, tzinfo=UTC)  # its due day: not overdue yet
    assert due_plan_reminders(session, monday) == []
    tuesday = monday + timedelta(days=1)
    reminders = due_plan_reminders(session, tuesday)
    assert [(r.name, [a.action_id for a in r.actions]) for r in reminders] == [
        ("Co Principal", [late.id]),
        ("Principal B", [late.id]),
    ]
    assert reminders[0].actions[0].today == date(2027, 1, 5)
    assert record_sent(session, reminders) == 1  # one action, one day
    session.commit()
    assert due_plan_reminders(session, tuesday + timedelta(hours=3)) == []  # once that day
    assert (
        due_plan_reminders(session, datetime(2027, 1, 6, 13, tzinfo=UTC), not_before_hour=9) == []
    )  # 8 a.m.
    assert len(due_plan_reminders(session, datetime(2027, 1, 6, 15, tzinfo=UTC), not_before_hour=9)) == 2
    saturday = datetime(2027, 1, 9, 15, tzinfo=UTC)
    assert due_plan_reminders(session, saturday) == []  # not on a weekend
    add_closures(session, world.scoring.district, date(2027, 1, 11), None, "Teacher planning day")
    session.commit()
    assert due_plan_reminders(session, datetime(2027, 1, 11, 15, tzinfo=UTC)) == []  # nor on a closure
    close_action(
        session, late, ActionClosing("Done."), world.principals["B"], Path("/nonexistent"), MAX_BYTES, now=NOW
    )
    assert due_plan_reminders(session, datetime(2027, 1, 12, 15, tzinfo=UTC)) == []  # closed: no more


def test_only_the_schools_principal_writes_and_a_leader_of_the_district_decides(
    session: Session, world: PlanWorld, make_user: object
) -> None:
    plan = _published(session, world)[world.low.name]
    other = world.principals["A"]
    reviewer = User(
        email="rev@example.org",
        role=Role.REVIEWER,
        name="R",
        password_hash=PASSWORD_HASH,
        district=world.scoring.district,
    )
    session.add(reviewer)
    session.commit()
    assert allowed(world.principals["B"], Action.WRITE_PLAN, plan)
    assert allowed(world.principals["B"], Action.VIEW_PLANS, plan)
    assert not allowed(other, Action.VIEW_PLANS, plan) and not allowed(other, Action.WRITE_PLAN, plan)
    assert not allowed(world.principals["B"], Action.DECIDE_PLAN, plan)
    assert allowed(world.leader, Action.DECIDE_PLAN, plan) and not allowed(
        world.leader, Action.WRITE_PLAN, plan
    )
    assert not allowed(reviewer, Action.VIEW_PLANS, plan)
