"""Imports that cannot land in the wrong place, can be undone, and the district's own directory.

Real NCES files: Austin ISD's CCD file refused in a Duval district (nothing saved) unless the
leader confirms or the command line says ``--allow-other-lea``; an import undone, or refused
while one of its schools is in a round; the directory previewed, confirmed, its broken rows
listed by line; the school page's history; the schools missing contact data, counted and filtered.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskClient, FlaskCliRunner
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import AuditEntry, District, ImportBatch, Role, Round, School, SchoolChange, User
from tests.conftest import AuthActions

YES = {"confirm": "yes"}  # what a confirmation page posts

DUVAL = "Duval County Public Schools"
ABESS = "120048003173"  # Abess Park Elementary School in Duval's file


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district(DUVAL)


@pytest.fixture
def leader(make_user: Callable[..., User], district: District, auth: AuthActions) -> User:
    user = make_user(Role.LEADER, district=district)
    auth.sign_in(user.email)
    return user


@pytest.fixture
def duval_file(shared_schools_dir: Path) -> bytes:
    return (shared_schools_dir / "duval_fl_nces_export.csv").read_bytes()


@pytest.fixture
def austin_file(shared_schools_dir: Path) -> bytes:
    return (shared_schools_dir / "austin_isd_ccd_2013.csv").read_bytes()


def school_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(School)) or 0


def upload(client: FlaskClient, path: str, data: bytes, name: str) -> tuple[int, str]:
    response = client.post(path, data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")
    return response.status_code, response.get_data(as_text=True)


def token_of(html: str) -> str:
    found = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert found is not None, "no confirmation form"
    return found.group(1)


def import_duval(client: FlaskClient, duval_file: bytes) -> None:
    status, html = upload(client, "/schools/import", duval_file, "duval.csv")
    assert status == 200
    saved = client.post("/schools/import/confirm", data={"token": token_of(html), "file_name": "duval.csv"})
    assert saved.status_code == 302


def test_austins_file_is_refused_whole_in_duval_then_allowed_when_confirmed(
    client: FlaskClient,
    leader: User,
    session: Session,
    duval_file: bytes,
    austin_file: bytes,
    district: District,
) -> None:
    import_duval(client, duval_file)
    assert school_count(session) == 208
    session.refresh(district)
    assert district.nces_lea_ids == ["1200480"]  # the first import recorded the district's LEA

    status, html = upload(client, "/schools/import", austin_file, "austin.csv")
    assert status == 400
    assert "This file holds 128 schools of AUSTIN ISD (TX, LEA 4808940)" in html
    assert f"the schools of {DUVAL} are in FL, LEA 1200480" in html
    token = token_of(html)
    # Saving without the confirmation is refused too: nothing saved.
    refused = client.post("/schools/import/confirm", data={"token": token, "file_name": "austin.csv"})
    assert refused.status_code == 400 and "LEA 4808940" in refused.get_data(as_text=True)
    assert school_count(session) == 208

    preview = client.post(
        "/schools/import/confirm",
        data={"token": token, "file_name": "austin.csv", "allow_other_lea": "y", "step": "preview"},
    )
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "128 to create" in text and "ALLISON EL" in text
    assert school_count(session) == 208
    saved = client.post(
        "/schools/import/confirm",
        data={"token": token, "file_name": "austin.csv", "allow_other_lea": "y", "step": "save"},
    )
    assert saved.status_code == 302
    assert school_count(session) == 336
    batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch is not None and batch.allowed_other == ["128 schools of AUSTIN ISD (TX, LEA 4808940)"]
    # A second confirmation of the same upload finds nothing waiting.
    again = client.post(
        "/schools/import/confirm", data={"token": token, "step": "save", "allow_other_lea": "y"}
    )
    assert again.status_code == 400 and school_count(session) == 336


def test_the_preview_lists_changes_old_to_new_and_saves_nothing(
    client: FlaskClient, leader: User, session: Session, duval_file: bytes
) -> None:
    import_duval(client, duval_file)
    abess = session.scalars(select(School).where(School.nces_id == ABESS)).one()
    abess.phone = "+19045550000"
    session.commit()

    status, html = upload(client, "/schools/import", duval_file, "duval.csv")
    assert status == 200
    assert "0 to create, 1 to change, 207 unchanged, 2 skipped" in html
    assert "+19045550000" in html and "+19042201260" in html
    session.refresh(abess)
    assert abess.phone == "+19045550000"


def test_undo_removes_the_created_schools_from_the_web_and_says_so_first(
    client: FlaskClient, leader: User, session: Session, duval_file: bytes
) -> None:
    import_duval(client, duval_file)
    batch = session.scalars(select(ImportBatch)).one()
    page = client.get("/schools/import").get_data(as_text=True)
    assert f"/schools/imports/{batch.id}/undo" in page

    confirm = client.get(f"/schools/imports/{batch.id}/undo")
    assert confirm.status_code == 200
    html = confirm.get_data(as_text=True)
    assert "208 schools will be removed" in html and "ABESS PARK ELEMENTARY" in html
    assert school_count(session) == 208

    done = client.post(f"/schools/imports/{batch.id}/undo", data=YES)
    assert done.status_code == 302
    assert school_count(session) == 0
    session.refresh(batch)
    assert batch.undone_at is not None
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "schools.import_undone")).one()
    assert entry.details["removed"] == 208
    assert client.post(f"/schools/imports/{batch.id}/undo", data=YES).status_code == 400  # already undone


def test_undo_is_refused_while_a_school_is_in_a_round(
    client: FlaskClient, leader: User, session: Session, duval_file: bytes, district: District
) -> None:
    import_duval(client, duval_file)
    batch = session.scalars(select(ImportBatch)).one()
    abess = session.scalars(select(School).where(School.nces_id == ABESS)).one()
    round_ = Round(
        district_id=district.id, name="Spring", first_day=date(2027, 2, 1), last_day=date(2027, 2, 12)
    )
    round_.chosen_schools.append(abess)
    session.add(round_)
    session.commit()

    page = client.get(f"/schools/imports/{batch.id}/undo").get_data(as_text=True)
    assert "cannot be undone" in page and "ABESS PARK ELEMENTARY" in page and "is in an audit round" in page
    refused = client.post(f"/schools/imports/{batch.id}/undo", data=YES)
    assert refused.status_code == 400
    assert school_count(session) == 208


def test_another_districts_leader_cannot_see_or_undo_an_import(
    client: FlaskClient,
    leader: User,
    session: Session,
    duval_file: bytes,
    make_user: Callable[..., User],
    make_district: Callable[..., District],
    auth: AuthActions,
) -> None:
    import_duval(client, duval_file)
    batch = session.scalars(select(ImportBatch)).one()
    stranger = make_user(Role.LEADER, district=make_district("Away"))
    auth.sign_in(stranger.email)
    assert client.get(f"/schools/imports/{batch.id}/undo").status_code == 404
    assert client.post(f"/schools/imports/{batch.id}/undo", data=YES).status_code == 404
    assert school_count(session) == 208


def test_the_command_line_refuses_another_lea_then_allows_it_and_undoes(
    runner: FlaskCliRunner, session: Session, shared_schools_dir: Path, district: District
) -> None:
    duval = str(shared_schools_dir / "duval_fl_nces_export.csv")
    austin = str(shared_schools_dir / "austin_isd_ccd_2013.csv")
    assert runner.invoke(args=["schools", "import", duval, "--district", DUVAL]).exit_code == 0
    refused = runner.invoke(args=["schools", "import", austin, "--district", DUVAL])
    assert refused.exit_code == 1
    assert "128 schools of AUSTIN ISD (TX, LEA 4808940)" in refused.output
    assert school_count(session) == 208

    allowed = runner.invoke(args=["schools", "import", austin, "--district", DUVAL, "--allow-other-lea"])
    assert allowed.exit_code == 0, allowed.output
    assert "imported 128" in allowed.output
    batch_id = int(re.search(r"batch (\d+)", allowed.output).group(1))  # type: ignore[union-attr]
    assert school_count(session) == 336

    undone = runner.invoke(args=["schools", "undo-import", str(batch_id)])
    assert undone.exit_code == 0, undone.output
    assert "128 schools removed" in undone.output
    assert school_count(session) == 208
    assert runner.invoke(args=["schools", "undo-import", str(batch_id)]).exit_code == 1
    assert runner.invoke(args=["schools", "undo-import", "999"]).exit_code == 1


DIRECTORY = (
    "nces_id,school_code,email,phone,principal_name,website,languages,hours\n"
    f"{ABESS},AP-101,Office@AbessPark.example.org,(904) 555-0101,Ana Lopez,"
    "abesspark.example.org,en;es,7:30–16:00\n"
    "120048000773,,,,,,,\n"
)
BROKEN = (
    "nces_id,email,phone,languages\n"
    f"{ABESS},front@abess.example.org,,\n"
    "120048099999,a@b.example.org,,\n"
    f"{ABESS},again@abess.example.org,,\n"
    "120048000773,not-an-email,12,en;xx9\n"
)


def test_the_directory_is_previewed_then_saved_with_history(
    client: FlaskClient, leader: User, session: Session, duval_file: bytes
) -> None:
    import_duval(client, duval_file)
    status, html = upload(client, "/schools/directory", DIRECTORY.encode(), "directory.csv")
    assert status == 200, html
    assert "1 school changed, 1 unchanged, 0 rows refused" in html
    assert "office@abesspark.example.org" in html and "Ana Lopez" in html
    abess = session.scalars(select(School).where(School.nces_id == ABESS)).one()
    assert abess.email is None  # nothing saved before the confirmation

    saved = client.post(
        "/schools/directory/confirm", data={"token": token_of(html), "file_name": "directory.csv"}
    )
    assert saved.status_code == 302
    session.refresh(abess)
    assert (abess.email, abess.phone, abess.principal_name) == (
        "office@abesspark.example.org",
        "+19045550101",
        "Ana Lopez",
    )
    assert (abess.code, abess.website, abess.languages, abess.office_hours) == (
        "AP-101",
        "https://abesspark.example.org",
        ["en", "es"],
        "7:30–16:00",
    )
    fields = set(session.scalars(select(SchoolChange.field).where(SchoolChange.school_id == abess.id)))
    assert {"email", "phone", "principal_name", "code", "website", "languages", "office_hours"} <= fields
    page = client.get(f"/schools/{abess.id}").get_data(as_text=True)
    assert "History of these details" in page and "office@abesspark.example.org" in page

    # The school's own edit page adds to the history, and the directory import can be undone.
    batch = session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    assert batch is not None
    undone = client.post(f"/schools/imports/{batch.id}/undo", data=YES)
    assert undone.status_code == 302
    session.refresh(abess)
    assert (abess.email, abess.principal_name, abess.code) == (None, "", None)


def test_directory_with_broken_rows_lists_them_by_line_and_saves_nothing_unless_valid_only(
    client: FlaskClient, leader: User, session: Session, duval_file: bytes
) -> None:
    import_duval(client, duval_file)
    status, html = upload(client, "/schools/directory", BROKEN.encode(), "broken.csv")
    assert status == 200
    assert "Line 3: no school with NCES id 120048099999 in Duval County Public Schools" in html
    assert "Line 4: ABESS PARK ELEMENTARY SCHOOL is already on line 2" in html
    assert "Line 5: email:" in html
    assert "Line 5: phone:" in html
    assert "Line 5: languages: unknown language code xx9" in html
    assert "Import the valid rows" in html
    token = token_of(html)
    refused = client.post("/schools/directory/confirm", data={"token": token, "file_name": "broken.csv"})
    assert refused.status_code == 400
    abess = session.scalars(select(School).where(School.nces_id == ABESS)).one()
    assert abess.email is None
    valid = client.post(
        "/schools/directory/confirm", data={"token": token, "file_name": "broken.csv", "valid_only": "y"}
    )
    assert valid.status_code == 302
    session.refresh(abess)
    assert abess.email == "front@abess.example.org"


def test_directory_reads_xlsx_and_matches_by_the_districts_code(
    runner: FlaskCliRunner,
    session: Session,
    district: District,
    make_school: Callable[..., School],
    tmp_path: Path,
) -> None:
    school = make_school(district, nces_id=ABESS, code="AP-101", email=None)
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["School Code", "Email", "Principal Name"])
    sheet.append(["ap-101", "office@abess.example.org", "Ana Lopez"])
    path = tmp_path / "directory.xlsx"
    book.save(path)
    dry = runner.invoke(args=["schools", "directory", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "dry run, nothing saved: 1 school changed" in dry.output
    session.refresh(school)
    assert school.email is None
    result = runner.invoke(args=["schools", "directory", str(path), "--district", DUVAL])
    assert result.exit_code == 0, result.output
    session.refresh(school)
    assert (school.email, school.principal_name) == ("office@abess.example.org", "Ana Lopez")


def test_missing_contact_data_is_counted_on_the_home_page_and_filters_the_list(
    client: FlaskClient,
    leader: User,
    session: Session,
    district: District,
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> None:
    full = make_school(district, name="Full School", email="a@full.example.org", principal_name="Pat")
    make_user(Role.PRINCIPAL, district=district, schools=[full])
    make_school(district, name="No Email School", principal_name="Lee", email=None)
    make_school(district, name="Bare School", phone=None, email=None)
    make_school(district, name="Closed School", phone=None, email=None, active=False)

    home = client.get("/").get_data(as_text=True)
    assert "2 schools without an email address" in home
    assert "1 school without a phone number" in home
    assert "1 school without a principal&#39;s name" in home
    assert "2 schools without a principal account" in home
    assert "/schools/?missing=email" in home

    listed = client.get("/schools/?missing=email").get_data(as_text=True)
    assert "No Email School" in listed and "Bare School" in listed and "Full School" not in listed
    assert "2 schools without an email address" in listed
    account = client.get("/schools/?missing=principal_account").get_data(as_text=True)
    assert "Full School" not in account and "No Email School" in account
    assert "Closed School" not in client.get("/schools/?missing=phone").get_data(as_text=True)

    form = client.get("/rounds/new").get_data(as_text=True)
    assert "2 of your schools have no email address: they cannot get email contacts" in form
    assert "1 of your schools has no phone number" in form


def test_the_edit_page_sets_code_website_and_hours_and_keeps_history(
    client: FlaskClient,
    leader: User,
    session: Session,
    district: District,
    make_school: Callable[..., School],
) -> None:
    make_school(district, name="Taken", code="T-1")
    school = make_school(district, name="Abess Park", email=None, street="")
    form = {
        "name": "Abess Park", "level": "elementary", "phone": school.phone, "languages": "en", "active": "y",
        "code": "t-1", "website": "javascript:alert(1)", "office_hours": "7:30–16:00",
    }  # fmt: skip
    refused = client.post(f"/schools/{school.id}/edit", data=form)
    assert refused.status_code == 400
    html = refused.get_data(as_text=True)
    assert "Taken already has the code t-1" in html and "is not a web address" in html
    assert session.scalars(select(SchoolChange).where(SchoolChange.school_id == school.id)).all() == []

    saved = client.post(
        f"/schools/{school.id}/edit", data=form | {"code": "AP-1", "website": "abess.example.org"}
    )
    assert saved.status_code == 302
    session.refresh(school)
    assert (school.code, school.website, school.office_hours) == (
        "AP-1",
        "https://abess.example.org",
        "7:30–16:00",
    )
    changes = session.scalars(select(SchoolChange).where(SchoolChange.school_id == school.id)).all()
    assert {change.field for change in changes} == {"code", "website", "office_hours"}
    assert all(change.actor_id == leader.id and change.batch_id is None for change in changes)
