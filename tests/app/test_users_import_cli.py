"""``flask users import``: a staff file saved whole, refused whole, checked dry, or its valid rows only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.invitations.mail import INVITATION_SUBJECT as INVITED
from audits.models import AuditEntry, District, School, User
from tests.conftest import AuthActions

STAFF_CSV = Path(__file__).resolve().parents[1] / "fixtures" / "staff.csv"
DUVAL = "Duval County Public Schools"


@pytest.fixture
def duval(make_district: Callable[..., District], make_school: Callable[..., School]) -> District:
    district = make_district(DUVAL)
    for nces_id in ("120048003173", "120048002742", "120048000766"):
        make_school(district, nces_id=nces_id)
    return district


def user_count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(User)) or 0


def test_import_creates_the_staff_once_and_they_cannot_sign_in_yet(
    runner: FlaskCliRunner, session: Session, duval: District, auth: AuthActions
) -> None:
    dry = runner.invoke(args=["users", "import", str(STAFF_CSV), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "line 7: create maria.delgado@example.org (principal)" in dry.output
    assert "dry run, nothing saved: would be 6 created, 0 changed, 0 left alone, 0 refused" in dry.output
    assert user_count(session) == 0

    result = runner.invoke(args=["users", "import", str(STAFF_CSV), "--district", DUVAL])
    assert result.exit_code == 0, result.output
    assert "6 created (invited, no email yet: add --send-invites, or resend from the web)" in result.output
    assert user_count(session) == 6
    assert auth.login("pat.principal@example.org", "demo-password").status_code != 302  # no password yet

    again = runner.invoke(args=["users", "import", str(STAFF_CSV)])
    assert again.exit_code == 0, again.output
    assert again.output.splitlines()[-3:] == [
        "0 created (invited, no email yet: add --send-invites, or resend from the web)",
        "0 changed",
        "6 left alone",
    ]


def test_a_file_with_a_refused_row_saves_nothing_unless_valid_only(
    runner: FlaskCliRunner, session: Session, duval: District, tmp_path: Path
) -> None:
    broken = tmp_path / "staff.csv"
    broken.write_text(
        "email,name,role,nces_id\n"
        "ok@example.org,Okay,reviewer,\n"
        "ok2@example.org,Okay Two,leader,\n"
        "p@example.org,Pat,principal,120048000999\n"
    )
    result = runner.invoke(args=["users", "import", str(broken)])
    assert result.exit_code == 1
    assert f"line 4: nces_id 120048000999 is not a school of {DUVAL}" in result.output
    assert "nothing saved: 1 row refused" in result.output
    assert user_count(session) == 0

    valid = runner.invoke(args=["users", "import", str(broken), "--valid-only"])
    assert valid.exit_code == 0, valid.output
    assert "2 created" in valid.output and "1 refused, not imported" in valid.output
    assert user_count(session) == 2


def test_the_district_must_be_known(
    runner: FlaskCliRunner, duval: District, make_district: Callable[..., District]
) -> None:
    unknown = runner.invoke(args=["users", "import", str(STAFF_CSV), "--district", "Nowhere"])
    assert unknown.exit_code == 1 and "no district named 'Nowhere'" in unknown.output
    make_district("Clay County")
    ambiguous = runner.invoke(args=["users", "import", str(STAFF_CSV)])
    assert ambiguous.exit_code == 1 and "choose the district with --district NAME" in ambiguous.output


def test_send_invites_emails_each_new_person_and_the_import_is_logged(
    runner: FlaskCliRunner, app: Flask, session: Session, duval: District
) -> None:
    result = runner.invoke(args=["users", "import", str(STAFF_CSV), "--send-invites"])
    assert result.exit_code == 0, result.output
    assert "6 created and invited by email" in result.output
    sent = [message for message in app.extensions["mailman"].outbox if message.subject == INVITED]
    assert len(sent) == 6 and "maria.delgado@example.org" in {message.to[0] for message in sent}
    assert "/invitations/" in sent[0].body
    actions = list(session.scalars(select(AuditEntry.action)))
    assert actions.count("user.invited") == 6
    entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "district.staff_imported")).one()
    assert entry.actor_id is None and entry.details["file"] == "staff.csv"
    assert entry.details["created"] == 6 and entry.details["invitations_sent"] == 6

    again = runner.invoke(args=["users", "import", str(STAFF_CSV), "--send-invites"])
    assert again.exit_code == 0 and "0 created and" not in again.output
    assert len([m for m in app.extensions["mailman"].outbox if m.subject == INVITED]) == 6
