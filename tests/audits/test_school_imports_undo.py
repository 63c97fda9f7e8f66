"""Undoing an import in the domain: fields restored only when nobody changed them since; the
directory's rows checked without saving; history rows for each change."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.directory import SchoolChanges, missing_contact_data, update_school
from audits.errors import ValidationError
from audits.importers.school_directory import DirectoryRow, check_directory, save_directory
from audits.models import District, School, SchoolChange
from audits.school_history import record_changes, snapshot
from audits.school_imports import undo_import, undo_plan


def directory(*rows: dict[str, str]) -> list[DirectoryRow]:
    return [DirectoryRow(line, values) for line, values in enumerate(rows, start=2)]


def test_undo_restores_a_field_or_refuses_when_it_was_changed_since(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> None:
    district = make_district("Duval County Public Schools")
    school = make_school(district, nces_id="120048003173", email=None, street="")
    check = check_directory(
        session, district, directory({"nces_id": "120048003173", "email": "A@B.example.org"})
    )
    batch = save_directory(session, check, None, file_name="d.csv")
    session.commit()
    assert school.email == "a@b.example.org"

    # Someone corrects the email by hand afterwards: undoing would overwrite it, so it is refused.
    before = snapshot(school)
    update_school(
        school,
        SchoolChanges(
            name=school.name, level="elementary", phone=school.phone or "", email="c@b.example.org",
            street="", city="", state="", zip="", principal_name="", languages="en", active=True,
        ),
    )  # fmt: skip
    record_changes(session, school, before, None)
    session.commit()
    plan = undo_plan(session, batch)
    assert plan.problems == [f"{school.name}: email was changed since this import (now c@b.example.org)"]
    with pytest.raises(ValidationError):
        undo_import(session, batch, None)
    fields = session.scalars(select(SchoolChange.field).where(SchoolChange.school_id == school.id)).all()
    assert sorted(fields) == ["email", "email"]


def test_undo_restores_the_old_value(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> None:
    district = make_district("Duval County Public Schools")
    school = make_school(district, nces_id="120048003173", principal_name="Old Name")
    check = check_directory(
        session, district, directory({"nces_id": "120048003173", "principal_name": "New Name", "phone": ""})
    )
    assert [row.changes for row in check.changed] == [{"principal_name": ("Old Name", "New Name")}]
    batch = save_directory(session, check, None)
    session.commit()
    plan = undo_import(session, batch, None)
    session.commit()
    assert [restore.describe() for restore in plan.restore] == [
        f"{school.name}: Principal New Name → Old Name"
    ]
    assert school.principal_name == "Old Name"
    assert batch.undone_at is not None


def test_codes_are_unique_per_district_and_a_second_row_for_a_school_is_refused(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> None:
    district = make_district("Duval County Public Schools")
    make_school(district, nces_id="120048003173", code="A1")
    make_school(district, nces_id="120048002742")
    check = check_directory(
        session,
        district,
        directory(
            {"nces_id": "120048002742", "school_code": "a1", "email": "x@y.example.org"},
            {"school_code": "A1", "website": "not a site"},
            {"nces_id": "120048003173", "email": "x@y.example.org"},
            {"nces_id": "120048003173", "email": "z@y.example.org"},
        ),
    )
    assert check.errors() == [
        "line 2: school_code a1 is already School 1's",
        "line 3: website: 'not a site' is not a web address",
        "line 5: School 1 is already on line 4",
    ]
    with pytest.raises(ValidationError):
        save_directory(session, check, None)


def test_missing_contact_data_counts_active_schools_only(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> None:
    district = make_district("Duval County Public Schools")
    make_school(district, email="a@b.example.org", principal_name="Pat", office_hours="7:30-16:00")
    make_school(district, phone=None, email=None)
    make_school(district, phone=None, email=None, active=False)
    missing = missing_contact_data(session, district.id)
    assert missing.counts == {
        "email": 1, "phone": 1, "principal": 1, "principal_account": 2, "office_hours": 1
    }  # fmt: skip
    assert missing.school_count == 2
