"""The school list, school page, editing and the upload page."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import District, Level, Role, School, User
from tests.conftest import AuthActions


@pytest.fixture
def district(make_district: Callable[..., District]) -> District:
    return make_district("Duval County Public Schools")


@pytest.fixture
def leader(make_user: Callable[..., User], district: District, auth: AuthActions) -> User:
    user = make_user(Role.LEADER, district=district)
    auth.sign_in(user.email)
    return user


def test_search_and_level_filter(
    client: FlaskClient, leader: User, district: District, make_school: Callable[..., School]
) -> None:
    make_school(district, name="ABESS PARK ELEMENTARY SCHOOL", level=Level.ELEMENTARY)
    make_school(district, name="ALFRED I. DUPONT MIDDLE SCHOOL", level=Level.MIDDLE)
    make_school(district, name="PARKER HIGH", level=Level.HIGH)
    make_school(district, name="CLOSED PARK ACADEMY", level=Level.OTHER, active=False)

    html = client.get("/schools/?q=park").get_data(as_text=True)
    assert "ABESS PARK ELEMENTARY SCHOOL" in html and "PARKER HIGH" in html
    assert "DUPONT" not in html
    assert "CLOSED PARK ACADEMY" not in html
    assert "2 schools" in html

    html = client.get("/schools/?q=park&level=high").get_data(as_text=True)
    assert "PARKER HIGH" in html and "ABESS" not in html

    html = client.get("/schools/?q=park&inactive=1").get_data(as_text=True)
    assert "CLOSED PARK ACADEMY" in html


def test_search_treats_wildcards_and_markup_as_text(
    client: FlaskClient, leader: User, district: District, make_school: Callable[..., School]
) -> None:
    make_school(district, name="100% <Academy>")
    make_school(district, name="Zebra Magnet")
    html = client.get("/schools/?q=100%25").get_data(as_text=True)
    assert "100% &lt;Academy&gt;" in html
    assert "Zebra Magnet" not in html
    only_percent = client.get("/schools/?q=%25").get_data(as_text=True)  # a literal %, not a wildcard
    assert "1 school." in only_percent and "Zebra Magnet" not in only_percent
    assert "0 schools" in client.get("/schools/?q=_").get_data(as_text=True)


def test_bad_filter_values_do_not_fail(client: FlaskClient, leader: User) -> None:
    assert client.get("/schools/?level=bogus&page=abc").status_code == 200
    assert client.get("/schools/?page=-4").status_code == 200


def test_list_is_paginated(
    client: FlaskClient, leader: User, district: District, make_school: Callable[..., School]
) -> None:
    for number in range(55):
        make_school(district, name=f"School {number:02d}")
    first = client.get("/schools/").get_data(as_text=True)
    assert "page 1 of 2" in first and "School 49" in first and "School 50" not in first
    second = client.get("/schools/?page=2").get_data(as_text=True)
    assert "School 54" in second and "School 00" not in second


def test_school_page_shows_contact_details(
    client: FlaskClient, leader: User, district: District, make_school: Callable[..., School]
) -> None:
    school = make_school(district, name="ABESS PARK", phone="+19042201260", city="JACKSONVILLE")
    html = client.get(f"/schools/{school.id}").get_data(as_text=True)
    assert "(904) 220-1260" in html
    assert 'href="tel:+19042201260"' in html


def test_edit_saves_normalised_values(
    client: FlaskClient,
    leader: User,
    district: District,
    make_school: Callable[..., School],
    session: Session,
) -> None:
    school = make_school(district, name="ABESS PARK")
    response = client.post(
        f"/schools/{school.id}/edit",
        data={
            "name": "Abess Park Elementary",
            "level": "elementary",
            "phone": "(904) 220-1260",
            "email": "AbessPark@duvalschools.org",
            "street": "12731 Abess Blvd",
            "city": "Jacksonville",
            "state": "fl",
            "zip": "32225",
            "principal_name": "Dr. Rivera",
            "languages": "en, ES, es",
            "active": "y",
        },
    )
    assert response.status_code == 302
    session.refresh(school)
    assert school.phone == "+19042201260"
    assert school.state == "FL"
    assert school.languages == ["en", "es"]
    assert school.email == "AbessPark@duvalschools.org"


def test_edit_shows_every_error_next_to_its_field_and_keeps_input(
    client: FlaskClient,
    leader: User,
    district: District,
    make_school: Callable[..., School],
    session: Session,
) -> None:
    school = make_school(district, name="ABESS PARK", phone="+19042201260")
    response = client.post(
        f"/schools/{school.id}/edit",
        data={
            "name": "Renamed",
            "level": "elementary",
            "phone": "12",
            "email": "not-an-email",
            "state": "Florida",
            "zip": "3222",
            "languages": "english!",
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    for field in ("phone", "email", "state", "zip", "languages"):
        assert f'id="{field}-error"' in html, field
    assert 'value="Renamed"' in html  # what was typed is kept
    session.refresh(school)
    assert school.name == "ABESS PARK"  # nothing half-saved
    assert school.phone == "+19042201260"


def test_upload_imports_into_the_leaders_district(
    client: FlaskClient, leader: User, district: District, shared_schools_dir: Path, session: Session
) -> None:
    data = (shared_schools_dir / "austin_isd_ccd_2013.csv").read_bytes()
    response = client.post(
        "/schools/import",
        data={"file": (io.BytesIO(data), "austin.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "128 to create, 0 to change, 0 unchanged, 5 skipped" in html
    assert "closed" in html
    assert session.scalar(select(func.count()).select_from(School)) == 0  # a preview saves nothing
    token = re.search(r'name="token" type="hidden" value="([^"]+)"', html)
    assert token is not None
    saved = client.post(
        "/schools/import/confirm",
        data={"token": token.group(1), "file_name": "austin.csv", "step": "save"},
    )
    assert saved.status_code == 302
    flashed = client.get(saved.location).get_data(as_text=True)
    assert "imported 128, updated 0, unchanged 0, skipped 5" in flashed
    districts = session.scalar(select(func.count()).select_from(District))
    assert districts == 1  # all into the leader's district, none created from the file
    count = session.scalar(select(func.count()).select_from(School).where(School.district_id == district.id))
    assert count == 128


def test_upload_of_a_bad_file_shows_the_error_by_the_field_and_saves_nothing(
    client: FlaskClient, leader: User, session: Session
) -> None:
    response = client.post(
        "/schools/import",
        data={"file": (io.BytesIO(b"\x89PNG\r\n\x1a\n\x00\x00binary"), "photo.png")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert 'id="file-error"' in response.get_data(as_text=True)
    assert session.scalar(select(func.count()).select_from(School)) == 0


def test_upload_without_a_file_asks_for_one(client: FlaskClient, leader: User) -> None:
    response = client.post("/schools/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 400
    assert "Choose a CSV file to import." in response.get_data(as_text=True)
