"""Importing a district's staff from CSV or XLSX: typed rows, refusals by line, idempotent re-imports."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.errors import NotAllowedError, ValidationError
from audits.importers.staff import (
    IMPORTABLE_ROLES,
    Change,
    ImportFileError,
    Outcome,
    StaffCheck,
    check_staff,
    import_staff,
    importable_roles,
    read_staff_file,
    save_staff,
    template_csv,
)
from audits.models import AuditorProfile, District, Role, School, User
from audits.passwords import verify_password

STAFF_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "staff.csv"
DUVAL = "Duval County Public Schools"
ABESS, ALIMACANI, ANCHOR = "120048003173", "120048002742", "120048000766"
HEADER = "email,name,role,nces_id,languages\n"


@pytest.fixture
def duval(
    session: Session, make_district: Callable[..., District], make_school: Callable[..., School]
) -> District:
    district = make_district(DUVAL)
    for nces_id, name in ((ABESS, "ABESS PARK"), (ALIMACANI, "ALIMACANI"), (ANCHOR, "ANCHOR ACADEMY")):
        make_school(district, nces_id=nces_id, name=name)
    return district


def check(session: Session, district: District, data: bytes) -> StaffCheck:
    return check_staff(session, district, read_staff_file(data))


def people(session: Session) -> dict[str, User]:
    return {user.email: user for user in session.scalars(select(User))}


def test_the_sample_file_creates_every_person_then_changes_nothing(session: Session, duval: District) -> None:
    first = check(session, duval, STAFF_CSV.read_bytes())
    assert first.refused == [] and first.summary() == "6 created, 0 changed, 0 left alone, 0 refused"
    created = save_staff(session, first)
    session.commit()
    assert len(created) == 6
    found = people(session)
    maria = found["maria.delgado@example.org"]
    assert maria.role is Role.PRINCIPAL and maria.name == "Maria Delgado" and maria.district_id == duval.id
    assert sorted(school.nces_id for school in maria.schools) == sorted([ALIMACANI, ANCHOR])
    assert session.get(AuditorProfile, found["avery.auditor@example.org"].id).languages == ["en", "es"]
    assert session.get(AuditorProfile, found["sam.auditor@example.org"].id).languages == ["en"]
    # Nobody can sign in yet: they are invited, switched off until they choose a password.
    assert all(user.invitation_pending and not user.active for user in found.values())
    assert not any(verify_password(user.password_hash, "") for user in found.values())

    again = check(session, duval, STAFF_CSV.read_bytes())
    assert again.summary() == "0 created, 0 changed, 6 left alone, 0 refused"
    assert save_staff(session, again) == []
    assert session.scalar(select(func.count()).select_from(User)) == 6


def test_a_re_import_updates_name_role_schools_and_languages(session: Session, duval: District) -> None:
    save_staff(session, check(session, duval, STAFF_CSV.read_bytes()))
    session.commit()
    hash_before = people(session)["pat.principal@example.org"].password_hash
    edited = (
        HEADER
        + "pat.principal@example.org,Patricia Principal,principal,120048003173;120048002742,\n"
        + "SAM.AUDITOR@example.org,Sam Auditor,auditor,,en;vi\n"
        + "rae.reviewer@example.org,Rae Reviewer,auditor,,\n"
        + "lee.leader@example.org,Lee Leader,District leader,,\n"
    ).encode()
    result = check(session, duval, edited)
    assert [(plan.row.line, plan.outcome, plan.changes) for plan in result.planned] == [
        (
            2,
            Outcome.CHANGE,
            (
                Change("name", "Pat Principal", "Patricia Principal"),
                Change("schools", "ABESS PARK", "ABESS PARK; ALIMACANI"),
            ),
        ),
        (3, Outcome.CHANGE, (Change("languages", "en", "en;vi"),)),
        (4, Outcome.CHANGE, (Change("role", "reviewer", "auditor"),)),
        (5, Outcome.UNCHANGED, ()),
    ]
    assert result.planned[0].describe() == (
        "line 2: change pat.principal@example.org (principal): name Pat Principal → Patricia Principal, "
        "schools ABESS PARK → ABESS PARK; ALIMACANI"
    )
    save_staff(session, result)
    session.commit()
    found = people(session)
    pat = found["pat.principal@example.org"]
    assert pat.name == "Patricia Principal" and len(pat.schools) == 2
    assert pat.password_hash == hash_before, "an update never touches the password"
    assert session.get(AuditorProfile, found["sam.auditor@example.org"].id).languages == ["en", "vi"]
    assert found["rae.reviewer@example.org"].role is Role.AUDITOR


def test_broken_rows_are_refused_by_line_and_nothing_is_saved(
    session: Session, duval: District, make_district: Callable[..., District], make_user: Callable[..., User]
) -> None:
    elsewhere = make_district("Clay County")
    make_user(Role.LEADER, elsewhere, email="taken@example.org")
    make_user(Role.ADMIN, email="admin@example.org")
    data = (
        HEADER
        + "ok@example.org,Okay Person,reviewer,,\n"  # line 2: fine
        + "not-an-email,Bad Email,leader,,\n"
        + "p@example.org,Pat,principal,120048000999,\n"
        + "p2@example.org,Pat Two,principal,,\n"
        + "\n"  # a blank line still counts
        + "a@example.org,,auditor,,xx\n"
        + "ok@example.org,Twice,reviewer,,\n"
        + "r@example.org,Rae,reviewer,120048003173,es\n"
        + "x@example.org,Xi,superhero,,\n"
        + "admin@example.org,Ada,leader,,\n"
        + "taken@example.org,Tak,leader,,\n"
        + "root@example.org,Root,admin,,\n"
        + "q@example.org,Quinn,principal,12345,\n"
    ).encode()
    result = check(session, duval, data)
    assert result.errors() == [
        "line 3: email 'not-an-email' is not a valid email address",
        f"line 4: nces_id 120048000999 is not a school of {DUVAL}",
        "line 5: a principal needs nces_id (one or more, separated by ;)",
        "line 7: name is missing",
        "line 7: unknown language xx (use en, es, vi, zh, ar, ht, pt, ru, ko, so, tl, fr)",
        "line 8: email ok@example.org is already on line 2",
        "line 9: nces_id is only for principals, not a reviewer",
        "line 9: languages are only for auditors, not a reviewer",
        "line 10: role 'superhero' is not one of leader, reviewer, auditor, principal",
        "line 11: email admin@example.org belongs to an administrator; change them with `flask users`",
        "line 12: email taken@example.org belongs to a person of another district",
        "line 13: an admin belongs to no district: create one with `flask users create`",
        "line 14: nces_id: invalid NCES id '12345' (expected 12 digits)",
    ]
    assert [plan.row.line for plan in result.planned] == [2]
    with pytest.raises(ValidationError) as refused:
        save_staff(session, result)
    assert refused.value.problems[1] == ("file", f"line 4: nces_id 120048000999 is not a school of {DUVAL}")
    assert "ok@example.org" not in people(session)

    save_staff(session, result, valid_only=True)
    assert people(session)["ok@example.org"].role is Role.REVIEWER
    assert people(session)["taken@example.org"].name == ""  # another district's person is untouched


def test_an_xlsx_file_is_read_like_the_csv_numbers_and_all(session: Session, duval: District) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Email", "Name", "Role", "NCES ID"])
    sheet.append(
        ["maria.delgado@example.org", "Maria Delgado", "principal", 120048002742]
    )  # typed as a number
    sheet.append([None, None, None, None])
    sheet.append(["kim@example.org", "Kim Lee", "principal", "120048999999"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    result = check(session, duval, buffer.getvalue())
    assert result.errors() == [f"line 4: nces_id 120048999999 is not a school of {DUVAL}"]
    (plan,) = result.planned
    assert plan.row.line == 2 and [school.nces_id for school in plan.row.schools] == [ALIMACANI]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"email,name\nx@example.org,X\n", "the file has no role column"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "old Excel (.xls)"),
        (b"PK\x03\x04broken", "not a readable .xlsx workbook"),
        (b"", "the file is empty"),
    ],
    ids=["no role column", "xls", "broken xlsx", "empty"],
)
def test_unreadable_files_are_refused_whole(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as refused:
        read_staff_file(data)
    assert message in refused.value.reason


def test_a_leader_imports_reviewers_auditors_and_principals_of_their_district_only(
    session: Session, duval: District, make_district: Callable[..., District], make_user: Callable[..., User]
) -> None:
    leader = make_user(Role.LEADER, duval, email="lee@example.org")
    roles = importable_roles(leader)
    assert roles == (Role.REVIEWER, Role.AUDITOR, Role.PRINCIPAL)
    assert importable_roles(None) == importable_roles(make_user(Role.ADMIN)) == IMPORTABLE_ROLES
    assert importable_roles(make_user(Role.REVIEWER, duval)) == ()
    data = (HEADER + "new@example.org,New Leader,leader,,\nlee@example.org,Lee,auditor,,\n").encode()
    result = check_staff(session, duval, read_staff_file(data), roles)
    assert result.errors() == [
        "line 2: you may import reviewers, auditors and principals only; "
        "a district leader is added by an administrator",
        "line 3: email lee@example.org belongs to a district leader: only an administrator changes them",
    ]
    ok = check_staff(session, make_district("Clay County"), read_staff_file(STAFF_CSV.read_bytes()), roles)
    with pytest.raises(NotAllowedError):
        import_staff(session, leader, ok, file_name="staff.csv", valid_only=True)  # another district
    admins = check(session, duval, STAFF_CSV.read_bytes())  # checked for every role
    with pytest.raises(NotAllowedError):
        import_staff(session, leader, admins, file_name="staff.csv")
    assert session.scalar(select(func.count()).select_from(User)) == 3


def test_a_line_with_several_reasons_is_one_refused_row(session: Session, duval: District) -> None:
    result = check(session, duval, (HEADER + "bad,,superhero,,\n").encode())
    assert len(result.refused) == 3 and result.refused_lines() == [2]
    assert result.summary().endswith("1 refused")
    assert result.refusals() == [(2, "bad", [reason for _, reason in result.refused])]


def test_the_fingerprint_changes_with_what_saving_would_do(
    session: Session, duval: District, make_user: Callable[..., User]
) -> None:
    first = check(session, duval, STAFF_CSV.read_bytes())
    assert check(session, duval, STAFF_CSV.read_bytes()).fingerprint() == first.fingerprint()
    make_user(Role.REVIEWER, duval, email="rae.reviewer@example.org", name="Rae")
    assert check(session, duval, STAFF_CSV.read_bytes()).fingerprint() != first.fingerprint()


def test_the_template_is_a_file_the_import_reads(session: Session, duval: District) -> None:
    text = template_csv(IMPORTABLE_ROLES, [ABESS])
    rows = read_staff_file(text.encode())
    assert [row.values["role"] for row in rows] == ["leader", "reviewer", "auditor", "principal"]
    assert check_staff(session, duval, rows).summary() == "4 created, 0 changed, 0 left alone, 0 refused"
