"""The staff import of the people page: upload, preview, confirm; refusals by line, nothing saved early."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask, g
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from audits.importers import uploads
from audits.models import AuditEntry, District, Role, School, User
from tests.app.test_invitations import link_in, sent_mail
from tests.conftest import AuthActions

DUVAL = "Duval County Public Schools"
ABESS, ALIMACANI = "120048003173", "120048002742"
GOOD = (
    "email,name,role,nces_id,languages\n"
    "rae.reviewer@example.org,Rae Reviewer,reviewer,,\n"
    "avery.auditor@example.org,Avery Auditor,auditor,,en;es\n"
    f"pat.principal@example.org,Pat Principal,principal,{ABESS};{ALIMACANI},\n"
)
BROKEN = GOOD + "kim@example.org,Kim Lee,principal,120048000999,\nnot-an-email,Nobody,auditor,,\n"


@pytest.fixture
def duval(make_district: Callable[..., District], make_school: Callable[..., School]) -> District:
    district = make_district(DUVAL)
    make_school(district, nces_id=ABESS, name="Abess Park Elementary")
    make_school(district, nces_id=ALIMACANI, name="Alimacani Elementary")
    return district


@pytest.fixture
def leader(duval: District, make_user: Callable[..., User]) -> User:
    return make_user(Role.LEADER, duval, name="Lee Leader", email="lee@example.org")


def staff(session: Session) -> dict[str, User]:
    return {
        user.email: user
        for user in session.scalars(select(User).where(User.role.not_in((Role.LEADER, Role.ADMIN))))
    }


def upload(client: FlaskClient, content: str | bytes, name: str = "staff.csv", **form: str) -> TestResponse:
    """Post the upload form, the body built in memory (the test client would spool a large one to a
    temporary file it never closes)."""
    data = content.encode() if isinstance(content, str) else content
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name), **form})
    return client.post("/users/import/", data=body, content_type=f"multipart/form-data; boundary={boundary}")


def preview_path(response) -> str:  # type: ignore[no-untyped-def]
    body = response.get_data(as_text=True)
    assert response.status_code == 302, body[body.find("<main") :][:1500]
    path = response.headers["Location"]
    assert re.fullmatch(r"/users/import/[A-Za-z0-9_-]{43}", path)
    return path


def fingerprint(page: str) -> str:
    found = re.search(r'name="fingerprint" type="hidden" value="([0-9a-f]{64})"', page)
    assert found, page
    return found.group(1)


def confirm(client: FlaskClient, path: str, **form: str):  # type: ignore[no-untyped-def]
    page = client.get(path).get_data(as_text=True)
    return client.post(path, data={"fingerprint": fingerprint(page), **form})


def test_a_broken_row_is_listed_by_line_nothing_is_saved_then_the_valid_rows_are(
    client: FlaskClient, session: Session, auth: AuthActions, leader: User
) -> None:
    auth.sign_in(leader)
    path = preview_path(upload(client, BROKEN))
    page = client.get(path).get_data(as_text=True)
    assert f"nces_id 120048000999 is not a school of {DUVAL}" in page
    assert '<td>5</td><td><strong>kim@example.org</strong><ul class="plain"><li>nces_id 120048000999' in page
    assert (
        '<td>6</td><td><strong>not-an-email</strong><ul class="plain">'
        "<li>email &#39;not-an-email&#39; is not a valid email address"
    ) in page
    assert "<strong>3</strong> to create" in page and "<strong>2</strong> refused" in page
    assert "Import the 3 valid rows" in page and 'value="all"' not in page
    assert staff(session) == {}, "the preview saved nothing"

    refused = confirm(client, path, rows="all")  # the whole file: refused, nothing saved
    assert refused.status_code == 400 and "choose to import the valid rows" in refused.get_data(as_text=True)
    assert staff(session) == {}

    done = confirm(client, path, rows="valid")
    assert done.status_code == 302 and done.headers["Location"] == "/users/"
    found = staff(session)
    assert sorted(found) == [
        "avery.auditor@example.org",
        "pat.principal@example.org",
        "rae.reviewer@example.org",
    ]
    assert all(
        person.invitation_pending and person.district_id == leader.district_id for person in found.values()
    )
    g.pop("_login_user", None)
    listing = client.get("/users/").get_data(as_text=True)
    assert f"Imported staff.csv into {DUVAL}: 3 created, 0 changed, 0 left alone, 2 refused." in listing
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "district.staff_imported")).one()
    assert entry.actor_id == leader.id and entry.district_id == leader.district_id
    assert entry.details == {
        "file": "staff.csv",
        "created": 3,
        "changed": 0,
        "left_alone": 0,
        "refused": 2,
        "invitations_sent": 0,
    }
    assert client.get(path).status_code == 404, "a confirmed upload is gone"


def test_principals_are_linked_by_nces_id_and_a_re_upload_leaves_everyone_alone(
    client: FlaskClient, session: Session, auth: AuthActions, leader: User
) -> None:
    auth.sign_in(leader)
    assert confirm(client, preview_path(upload(client, GOOD)), rows="all").status_code == 302
    pat = staff(session)["pat.principal@example.org"]
    assert sorted(school.nces_id for school in pat.schools) == sorted([ABESS, ALIMACANI])

    again = client.get(preview_path(upload(client, GOOD))).get_data(as_text=True)
    assert "<strong>0</strong> to create" in again and "<strong>3</strong> left alone" in again
    assert "Nothing to import: everyone is already as the file says." in again
    assert "<button" not in again.split("Confirm</h2>")[1]

    changed = GOOD.replace("Pat Principal,principal,120048003173;", "Patricia Principal,principal,")
    page = client.get(preview_path(upload(client, changed))).get_data(as_text=True)
    assert "Name: Pat Principal → <strong>Patricia Principal</strong>" in page
    assert (
        "Schools: Abess Park Elementary; Alimacani Elementary → <strong>Alimacani Elementary</strong>" in page
    )


def test_an_xlsx_upload_is_previewed_like_a_csv(
    client: FlaskClient, session: Session, auth: AuthActions, leader: User
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["email", "name", "role", "nces_id"])
    sheet.append(["pat@example.org", "Pat", "principal", int(ABESS)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    auth.sign_in(leader)
    page = client.get(preview_path(upload(client, buffer.getvalue(), "staff.xlsx"))).get_data(as_text=True)
    assert "pat@example.org" in page and "Abess Park Elementary" in page


def test_send_invites_emails_each_new_person_their_link(
    app: Flask, client: FlaskClient, session: Session, auth: AuthActions, leader: User
) -> None:
    auth.sign_in(leader)
    done = confirm(client, preview_path(upload(client, GOOD)), rows="all", send_invites="y")
    assert done.status_code == 302
    invited = [message for message in sent_mail(app) if message.subject == "You are invited to Touchpoint"]
    assert sorted(address for message in invited for address in message.to) == [
        "avery.auditor@example.org",
        "pat.principal@example.org",
        "rae.reviewer@example.org",
    ]
    assert "Lee Leader has invited you" in invited[-1].body
    assert link_in(app, "/invitations/").startswith("/invitations/")
    actions = list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions.count("user.invited") == 3 and actions[-1] == "district.staff_imported"
    g.pop("_login_user", None)
    assert "3 invitations sent" in client.get("/users/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "staff.csv", "the file is empty"),
        (b"email,name\nx@example.org,X\n", "staff.csv", "the file has no role column"),
        (b"%PDF-1.7 \x00\x01", "staff.pdf", "staff.pdf is not a CSV or XLSX file"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "staff.xlsx", "old Excel (.xls)"),
        ("email,name,role\n".encode("utf-16"), "staff.csv", "saved as UTF-16"),
        (b"email,name,role\n" + b"x" * (5 * 1024 * 1024), "staff.csv", "a staff file may be at most 5 MB"),
    ],
    ids=["empty", "missing column", "not csv", "xls", "utf-16", "too big"],
)
def test_a_bad_file_is_refused_next_to_the_field(
    app: Flask, client: FlaskClient, auth: AuthActions, leader: User, content: bytes, name: str, message: str
) -> None:
    auth.sign_in(leader)
    response = upload(client, content, name)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert re.search(rf'<p class="error" id="file-error">[^<]*{re.escape(message)}', page), page
    assert not list((Path(app.config["STORAGE_DIR"]) / uploads.FOLDER).glob("*.upload"))


def test_no_file_chosen_is_refused_next_to_the_field(
    client: FlaskClient, auth: AuthActions, leader: User
) -> None:
    auth.sign_in(leader)
    response = client.post("/users/import/", data={}, content_type="multipart/form-data")
    assert response.status_code == 400 and "choose a CSV or XLSX file" in response.get_data(as_text=True)


def test_a_leader_imports_into_their_own_district_only_and_no_leader_or_administrator(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    leader: User,
    make_district: Callable[..., District],
) -> None:
    elsewhere = make_district("Clay County")
    auth.sign_in(leader)
    page = client.get("/users/import/").get_data(as_text=True)
    assert 'name="district"' not in page  # no choice: their own district
    path = preview_path(upload(client, GOOD, district=str(elsewhere.id)))
    assert f"for {DUVAL}" in client.get(path).get_data(as_text=True)
    lifted = (
        "email,name,role\n"
        "boss@example.org,Boss,leader\n"
        "root@example.org,Root,admin\n"
        "lee@example.org,Lee Leader,reviewer\n"
    )
    page = client.get(preview_path(upload(client, lifted))).get_data(as_text=True)
    only = "you may import reviewers, auditors and principals only"
    assert f"{only}; a district leader is added by an administrator" in page
    assert "an admin belongs to no district" in page
    assert "email lee@example.org belongs to a district leader: only an administrator changes them" in page
    assert "<strong>3</strong> refused" in page and "valid row" not in page
    assert staff(session) == {} and session.get(User, leader.id).role is Role.LEADER


def test_an_administrator_chooses_the_district(
    client: FlaskClient,
    session: Session,
    auth: AuthActions,
    duval: District,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    other = make_district("Clay County")
    auth.sign_in(make_user(Role.ADMIN))
    page = client.get("/users/import/").get_data(as_text=True)
    assert "Clay County" in page and DUVAL in page
    no_choice = upload(client, GOOD, district="0")
    assert no_choice.status_code == 400 and "choose the district" in no_choice.get_data(as_text=True)
    path = preview_path(
        upload(client, "email,name,role\nlee2@example.org,Lee Two,leader\n", district=str(other.id))
    )
    assert confirm(client, path, rows="all").status_code == 302
    assert session.scalars(select(User).filter_by(email="lee2@example.org")).one().district_id == other.id


def test_the_preview_is_its_uploaders_alone(
    client: FlaskClient, session: Session, auth: AuthActions, leader: User, make_user: Callable[..., User]
) -> None:
    auth.sign_in(leader)
    path = preview_path(upload(client, GOOD))
    mark = fingerprint(client.get(path).get_data(as_text=True))
    auth.sign_in(make_user(Role.ADMIN))
    assert client.get(path).status_code == 404
    assert client.post(path, data={"fingerprint": mark, "rows": "all"}).status_code == 404
    other_leader = make_user(Role.LEADER, leader.district)
    auth.sign_in(other_leader)
    assert client.post(path, data={"fingerprint": mark, "rows": "all"}).status_code == 404
    assert staff(session) == {}
    auth.sign_in(leader)
    assert client.post(path, data={"fingerprint": mark, "rows": "all"}).status_code == 302


def test_a_change_since_the_preview_shows_the_fresh_result_instead_of_saving(
    client: FlaskClient, session: Session, auth: AuthActions, leader: User, make_user: Callable[..., User]
) -> None:
    auth.sign_in(leader)
    path = preview_path(upload(client, GOOD))
    stale = fingerprint(client.get(path).get_data(as_text=True))
    make_user(Role.REVIEWER, leader.district, email="rae.reviewer@example.org", name="Rae R.")
    response = client.post(path, data={"fingerprint": stale, "rows": "all"})
    page = response.get_data(as_text=True)
    assert response.status_code == 409 and "The people changed since your preview" in page
    assert "<strong>2</strong> to create" in page and "Name: Rae R. → <strong>Rae Reviewer</strong>" in page
    assert "avery.auditor@example.org" not in staff(session)
    assert client.post(path, data={"fingerprint": fingerprint(page), "rows": "all"}).status_code == 302
    assert staff(session)["rae.reviewer@example.org"].name == "Rae Reviewer"


def test_the_template_has_the_header_and_an_example_per_role(
    client: FlaskClient, auth: AuthActions, leader: User, make_user: Callable[..., User]
) -> None:
    auth.sign_in(leader)
    response = client.get("/users/import/template.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    lines = response.get_data(as_text=True).splitlines()
    assert lines[0] == "email,name,role,nces_id,languages"
    assert [line.split(",")[2] for line in lines[1:]] == [
        "reviewer",
        "auditor",
        "principal",
    ]  # a leader's roles
    assert f"principal,{ABESS};{ALIMACANI}," in lines[3] or f"principal,{ALIMACANI};{ABESS}," in lines[3]
    g.pop("_login_user", None)
    auth.sign_in(make_user(Role.ADMIN))
    lines = client.get("/users/import/template.csv").get_data(as_text=True).splitlines()
    assert [line.split(",")[2] for line in lines[1:]] == ["leader", "reviewer", "auditor", "principal"]


def test_a_stale_upload_is_swept_and_cannot_be_confirmed(
    app: Flask, client: FlaskClient, session: Session, auth: AuthActions, leader: User
) -> None:
    auth.sign_in(leader)
    path = preview_path(upload(client, GOOD))
    folder = Path(app.config["STORAGE_DIR"]) / uploads.FOLDER
    key = path.rsplit("/", 1)[1]
    waiting = uploads.open_upload(folder, key, leader.id)
    assert waiting is not None
    later = waiting.created_at + uploads.MAX_AGE + uploads.MAX_AGE
    assert uploads.open_upload(folder, key, leader.id, now=later) is None
    assert uploads.sweep(folder, now=later) == 1
    assert client.get(path).status_code == 404 and list(folder.iterdir()) == []
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 0
