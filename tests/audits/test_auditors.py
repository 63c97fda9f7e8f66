"""Auditor settings: validation, creating the profile, and the defaults of an auditor without one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.auditors import AuditorSettings, auditors_with_profiles, profile_of, update_auditor
from audits.errors import ValidationError
from audits.models import AuditorProfile, District, Role, School, User


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval")


@pytest.fixture
def auditor(make_user: Callable[..., User], district: District) -> User:
    return make_user(Role.AUDITOR, district=district, name="Ana Auditor")


def test_an_auditor_without_a_profile_gets_the_planners_defaults(session: Session, auditor: User) -> None:
    profile = profile_of(session, auditor)
    assert (profile.languages, profile.max_per_day, profile.weekdays) == (["en"], 4, [0, 1, 2, 3, 4])
    assert profile.conflicts == []
    assert AuditorSettings.of(profile) == AuditorSettings(["en"], 4, [0, 1, 2, 3, 4], [])
    session.commit()
    assert session.scalar(select(func.count()).select_from(AuditorProfile)) == 0  # nothing saved


def test_update_creates_the_profile_then_changes_it(
    session: Session, auditor: User, district: District, make_school: Callable[..., School]
) -> None:
    school = make_school(district, name="Abess Park")
    update_auditor(session, auditor, AuditorSettings(["en", "es", "es"], 6, [4, 0, 2], [school.id]))
    session.commit()
    session.expire_all()
    profile = profile_of(session, auditor)
    assert profile.languages == ["en", "es"]
    assert profile.max_per_day == 6
    assert profile.weekdays == [0, 2, 4]
    assert [s.name for s in profile.conflicts] == ["Abess Park"]

    update_auditor(session, auditor, AuditorSettings(["vi"], 2, [1], []))
    session.commit()
    session.expire_all()
    profile = profile_of(session, auditor)
    assert (profile.languages, profile.max_per_day, profile.weekdays, profile.conflicts) == (
        ["vi"],
        2,
        [1],
        [],
    )
    assert session.scalar(select(func.count()).select_from(AuditorProfile)) == 1


def test_every_problem_is_reported_at_once(
    session: Session,
    auditor: User,
    make_district: Callable[..., District],
    make_school: Callable[..., School],
) -> None:
    elsewhere = make_school(make_district("Elsewhere"))
    with pytest.raises(ValidationError) as caught:
        update_auditor(session, auditor, AuditorSettings(["xx"], 21, [5], [elsewhere.id]))
    assert dict(caught.value.problems) == {
        "languages": "choose languages from the list",
        "max_per_day": "must be from 1 to 20",
        "weekdays": "choose weekdays from Monday to Friday",
        "conflict_school_ids": "choose schools of the auditor's district",
    }
    with pytest.raises(ValidationError) as caught:
        update_auditor(session, auditor, AuditorSettings([], 0, [], [999]))
    assert dict(caught.value.problems) == {
        "languages": "choose at least one language",
        "max_per_day": "must be from 1 to 20",
        "weekdays": "choose at least one weekday",
        "conflict_school_ids": "choose schools of the auditor's district",
    }
    assert session.scalar(select(func.count()).select_from(AuditorProfile)) == 0


def test_only_auditors_have_settings(
    session: Session, make_user: Callable[..., User], district: District
) -> None:
    leader = make_user(Role.LEADER, district=district)
    with pytest.raises(ValidationError, match="is not an auditor"):
        update_auditor(session, leader, AuditorSettings(["en"], 4, [0], []))


def test_the_list_pairs_each_districts_auditors_with_their_profile(
    session: Session,
    auditor: User,
    district: District,
    make_user: Callable[..., User],
    make_district: Callable[..., District],
) -> None:
    other = make_user(Role.AUDITOR, district=make_district("Other"), name="Bo Other")
    make_user(Role.LEADER, district=district)
    update_auditor(session, auditor, AuditorSettings(["es"], 3, [0, 1], []))
    session.commit()
    rows = auditors_with_profiles(session, district.id)
    assert [(user.id, profile.languages) for user, profile in rows] == [(auditor.id, ["es"])]
    everyone = auditors_with_profiles(session, None)
    assert {user.id for user, _ in everyone} == {auditor.id, other.id}
    assert {user.id: profile.max_per_day for user, profile in everyone}[other.id] == 4
