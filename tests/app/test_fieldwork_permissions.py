"""Who may open which fieldwork route: every route against every role, one world per role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from audits.fieldwork.evidence import store_evidence
from audits.models import District, User
from tests.app.fieldwork_world import World, build_world, login, submitted_call
from tests.audits.test_evidence import jpeg_with_gps
from tests.conftest import AuthActions


@dataclass
class Targets:
    """The ids the matrix fills its paths with: a submitted phone contact with a photo."""

    assignment: int
    contact: int
    token: str


@pytest.fixture
def world(session: Session, make_district: Callable[..., District], make_user: Callable[..., User]) -> World:
    return build_world(session, make_district, make_user)


@pytest.fixture
def targets(app: Flask, session: Session, world: World) -> Targets:
    contact = submitted_call(session, world)
    folder = Path(app.config["EVIDENCE_DIR"])
    evidence = store_evidence(
        session, contact, jpeg_with_gps(), "door.jpg", "entrance", world.fieldwork.auditor, folder, 10_000_000
    )
    session.commit()
    return Targets(world.phone.id, contact.id, evidence.token)


ROLES = (
    "anonymous",
    "admin",
    "leader",
    "foreign_leader",
    "reviewer",
    "auditor",
    "other_auditor",
    "principal",
)


def _row(method: str, path: str, *answers: int) -> list[tuple[str, str, str, int]]:
    """One route against every role in ``ROLES`` order."""
    return [(who, method, path, answer) for who, answer in zip(ROLES, answers, strict=True)]


# The auditor is the owner of the assignment and the contact, which is submitted (so theirs to read,
# no longer theirs to change: a draft, a submission or an evidence removal is refused, not forbidden).
# Approving changes the contact, so it comes last.
MATRIX = [
    #                                                       anon admin lead away  rev  aud other princ
    *_row("GET", "/assignments/{assignment}/contact", 302, 403, 403, 403, 403, 200, 403, 403),
    *_row("POST", "/assignments/{assignment}/retry", 302, 403, 403, 403, 403, 302, 403, 403),
    *_row("POST", "/contacts/{contact}/draft", 302, 403, 403, 403, 403, 302, 403, 403),
    *_row("POST", "/contacts/{contact}/submit", 302, 403, 403, 403, 403, 409, 403, 403),
    *_row("POST", "/contacts/{contact}/evidence", 302, 403, 403, 403, 403, 400, 403, 403),
    *_row("GET", "/evidence/{token}", 302, 200, 200, 403, 200, 200, 403, 403),
    *_row("POST", "/evidence/{token}/delete", 302, 403, 403, 403, 403, 302, 403, 403),
    *_row("GET", "/review/", 302, 200, 200, 200, 200, 403, 403, 403),
    *_row("GET", "/contacts/{contact}", 302, 200, 200, 403, 200, 200, 403, 403),
    *_row("GET", "/contacts/{contact}/review-edit", 302, 200, 200, 403, 200, 403, 403, 403),
    *_row("POST", "/contacts/{contact}/review-edit", 302, 400, 400, 403, 400, 403, 403, 403),
    *_row("POST", "/contacts/{contact}/return", 302, 400, 400, 403, 400, 403, 403, 403),
    *_row("POST", "/contacts/{contact}/reopen", 302, 400, 400, 403, 400, 403, 403, 403),
    *_row("GET", "/contacts/999999", 302, 404, 404, 404, 404, 404, 404, 404),
    *_row("GET", "/assignments/999999/contact", 302, 404, 404, 404, 404, 404, 404, 404),
    *_row("GET", "/evidence/no-such-token", 302, 404, 404, 404, 404, 404, 404, 404),
    *_row("POST", "/contacts/{contact}/approve", 302, 302, 302, 403, 302, 403, 403, 403),
]


@pytest.mark.parametrize("who", ROLES)
def test_fieldwork_routes_answer_each_role_as_expected(
    client: FlaskClient, auth: AuthActions, world: World, targets: Targets, who: str
) -> None:
    """Every fieldwork route for one role; every mismatch is listed."""
    if who != "anonymous":
        login(auth, world.users[who])
    wrong = []
    for _, method, path, expected in (row for row in MATRIX if row[0] == who):
        response = client.open(path.format(**vars(targets)), method=method)
        response.close()
        redirected_to_login = "/login" in response.headers.get("Location", "")
        if response.status_code != expected or (
            expected == 302 and (who == "anonymous") != redirected_to_login
        ):
            wrong.append(f"{method} {path}: {response.status_code}, expected {expected}")
    assert not wrong, "\n".join(wrong)


def test_the_nav_offers_review_to_reviewers_only(
    client: FlaskClient, auth: AuthActions, world: World
) -> None:
    for who, shown in (("reviewer", True), ("leader", True), ("auditor", False), ("principal", False)):
        login(auth, world.users[who])
        nav = client.get("/").get_data(as_text=True).split("</nav>")[0]
        assert ('href="/review/"' in nav) is shown, who
        auth.logout()
