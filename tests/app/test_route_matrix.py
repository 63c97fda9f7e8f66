"""Who may see what: every route of the app against every role, from one world built once.

``ROUTES`` has a row for every (endpoint, method) of ``app.url_map`` (a new route without a row,
or a row whose route is gone, fails ``test_every_route_has_a_row``), with the answer each role
should get: anonymous, an administrator, a leader of this district and of another, a reviewer,
the auditor who owns the assignment and another auditor of the district, the principal of the
school and the principal of another school. Web pages go by the session; ``/api/v1`` by bearer
token (anonymous: 401 JSON); Twilio's webhooks by signature only (unsigned: 403 for everyone).
A refused request must change nothing, rows or files; an allowed POST is a valid one and, for the
destructive ones, its effect is checked. Then: principals never see an auditor's identity (pages,
PDFs, emails, the API), nor a leader another district's data, nor an auditor another's work; and
the tokens in evidence and scorecard URLs cannot be guessed.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException
from werkzeug.test import TestResponse

from app.extensions import db
from audits import audit_log
from audits.models import (
    ActionPlan,
    AlertPreference,
    Appeal,
    AppealOutcome,
    Assignment,
    AuditEntry,
    CalibrationExercise,
    Contact,
    ContactStatus,
    DoubleScoring,
    Evidence,
    ExerciseStatus,
    ImportBatch,
    MessageState,
    PlanReason,
    PlanStatus,
    ReceivedMessage,
    Role,
    Round,
    RoundStatus,
    School,
    Scorecard,
    ScorecardAcknowledgement,
    SignIn,
    TwoStepKey,
    User,
)
from audits.passwords import verify_password
from tests.app.api_helpers import REACHED_CALL_BODY
from tests.app.route_world import (
    AUDITOR_EMAIL,
    AUDITOR_NAME,
    ROLES,
    STAFF_FILE,
    RouteWorld,
    build_route_world,
    png_bytes,
    route_world_app,
)
from tests.audits.fieldwork_helpers import REACHED_CALL_FORM
from tests.audits.rubric_samples import EXAMPLE_YAML
from tests.conftest import PASSWORD


@dataclass(frozen=True)
class Go:
    """A redirect (302) to a path starting with ``to``."""

    to: str

    def __str__(self) -> str:
        return f"302 to {self.to}"


@dataclass(frozen=True)
class SignedOut(Go):
    """A sign-out: to the sign-in page like a refusal, but the sign-in has ended on the server."""


Expected = int | Go
OK, CREATED, BAD, UNAUTHORISED, F, N = 200, 201, 400, 401, 403, 404
INVITES = Go("/users/invite")
STAFF = Go("/users/import/")  # an upload kept: on to its preview
L = Go("/login")  # signed out: to the sign-in page (a 401 for the web)
REFUSED = (UNAUTHORISED, F, N, L)
OUT = SignedOut("/login")
NEW_TOKEN = {"name": "matrix", "scope": "read", "days": "30", "password": PASSWORD}
CHOSEN = "quiet harbour lantern 42"
CHOSEN_TWICE = {"password": CHOSEN, "confirm": CHOSEN}
CONFIRMED = {"confirm": "yes"}  # what a confirmation page's form posts
ACKNOWLEDGED = {"discussed_on": "2026-11-02", "note": "Staff meeting"}
NEW_PASSWORD = {"change-current_password": PASSWORD, "change-password": CHOSEN, "change-confirm": CHOSEN}
Effect = Callable[[Session, dict[str, Any]], None]


@dataclass(frozen=True)
class Route:
    """One request and the answer each role in ``ROLES`` order should get."""

    method: str
    path: str
    answers: tuple[Expected, ...]
    form: dict[str, Any] | None = None
    json: Any = None
    files: Callable[[], dict[str, Any]] | None = None
    effect: Effect | None = field(default=None, compare=False)
    writes: bool = True  # an allowed POST changes something (rows or files)

    @property
    def api(self) -> bool:
        """Whether the route is the JSON API's (bearer tokens, not sessions)."""
        return self.path.startswith("/api/")

    def answer(self, role: str) -> Expected:
        """What ``role`` should get."""
        return self.answers[ROLES.index(role)]


def row(method: str, path: str, *answers: Expected, **request: Any) -> Route:
    """A route's row: one answer per role, in ``ROLES`` order."""
    assert len(answers) == len(ROLES), f"{method} {path}: {len(answers)} answers for {len(ROLES)} roles"
    return Route(method, path, answers, **request)


# -- what allowed requests do ---------------------------------------------------------------------


def _contact_is(status: ContactStatus, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        contact = session.get(Contact, values[key])
        assert contact is not None and contact.status is status

    return check


def _suggestion_is(state: MessageState) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        message = session.get(ReceivedMessage, values["suggestion"])
        assert message is not None and message.state is state

    return check


def _signed_out(session: Session, values: dict[str, Any]) -> None:
    assert session.scalar(select(SignIn).where(SignIn.ended_at.is_not(None))) is not None


def _invitee_signed_up(session: Session, values: dict[str, Any]) -> None:
    invitee = session.get(User, values["invitee"])
    assert invitee is not None and invitee.active and verify_password(invitee.password_hash, CHOSEN)


def _reviewer_password_reset(session: Session, values: dict[str, Any]) -> None:
    reviewer = session.scalars(select(User).filter_by(name="Rita Reviewer")).one()
    assert verify_password(reviewer.password_hash, CHOSEN)


def _evidence_gone(session: Session, values: dict[str, Any]) -> None:
    assert session.scalar(select(Evidence).where(Evidence.token == values["evidence"])) is None


def _winter_published(session: Session, values: dict[str, Any]) -> None:
    cards = list(session.scalars(select(Scorecard).where(Scorecard.round_id == values["closed_round"])))
    assert cards and all(card.published_at is not None for card in cards)
    round_ = session.get(Round, values["closed_round"])
    assert round_ is not None and round_.status is RoundStatus.PUBLISHED


def _fall_unpublished(session: Session, values: dict[str, Any]) -> None:
    cards = session.scalars(select(Scorecard).where(Scorecard.round_id == values["published_round"]))
    assert all(card.published_at is None for card in cards)


def _hold_is(placed: bool, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        round_ = session.get(Round, values[key])
        assert round_ is not None and round_.on_hold is placed

    return check


def _user_is(active: bool, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        person = session.get(User, values[key])
        assert person is not None and person.active is active
        assert session.scalar(select(AuditEntry).where(AuditEntry.subject_user_id == person.id)) is not None

    return check


def _two_step_reset(key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        assert session.scalar(select(TwoStepKey).where(TwoStepKey.user_id == values[key])) is None
        entry = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
        assert entry is not None and entry.action == audit_log.USER_TWO_STEP_RESET

    return check


def _role_is(role: Role, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        person = session.get(User, values[key])
        assert person is not None and person.role is role

    return check


def _acknowledged(card_key: str, email: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        done = session.scalars(select(ScorecardAcknowledgement)).one()
        assert done.scorecard_id == values[card_key] and done.discussed_on == date(2026, 11, 2)
        assert done.user.email == email

    return check


def _digests_chosen(session: Session, values: dict[str, Any]) -> None:
    choice = session.scalars(select(AlertPreference)).one()
    assert (choice.critical_failures, choice.weekly_fieldwork) == (False, True)


def _round_is(status: RoundStatus, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        round_ = session.get(Round, values[key])
        assert round_ is not None and round_.status is status

    return check


def _draft_committed(session: Session, values: dict[str, Any]) -> None:
    round_ = session.get(Round, values["draft_round"])
    assert round_ is not None and round_.status is RoundStatus.SCHEDULED
    assert session.scalars(select(Assignment).where(Assignment.round_id == round_.id)).first() is not None


def _plan_is(status: PlanStatus, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        plan = session.get(ActionPlan, values[key])
        assert plan is not None and plan.status is status

    return check


def _actions_in(key: str, count: int) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        plan = session.get(ActionPlan, values[key])
        assert plan is not None and len(plan.actions) == count

    return check


def _plan_opened_on_request(session: Session, values: dict[str, Any]) -> None:
    plan = session.scalars(
        select(ActionPlan).where(
            ActionPlan.school_id == values["school"], ActionPlan.round_id == values["published_round"]
        )
    ).one()
    assert plan.reason is PlanReason.REQUESTED and plan.status is PlanStatus.DRAFT


SECOND_SCORING = {
    "item-answered_by_person": "yes",
    "item-rings": "4",
    "item-courtesy": "2",
    "item-accuracy": "Partly correct",
}


def _scored_again(session: Session, values: dict[str, Any]) -> None:
    scoring = session.get(DoubleScoring, values["double_scoring"])
    assert scoring is not None and scoring.done and len(scoring.answers) == 4


def _appeal_filed(session: Session, values: dict[str, Any]) -> None:
    appeal = session.scalars(select(Appeal).where(Appeal.item_key == "accuracy")).one()
    assert appeal.contact_id == values["fall_contact"] and appeal.outcome is AppealOutcome.PENDING


def _appeal_decided(session: Session, values: dict[str, Any]) -> None:
    appeal = session.get(Appeal, values["appeal"])
    assert appeal is not None and appeal.outcome is AppealOutcome.NOT_UPHELD


def _exercise_started(session: Session, values: dict[str, Any]) -> None:
    assert session.scalar(select(CalibrationExercise).where(CalibrationExercise.name == "Matrix calibration"))


def _references_in(key: str, count: int) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        exercise = session.get(CalibrationExercise, values[key])
        assert exercise is not None and len(exercise.references) == count

    return check


def _exercise_is(status: ExerciseStatus, key: str) -> Effect:
    def check(session: Session, values: dict[str, Any]) -> None:
        exercise = session.get(CalibrationExercise, values[key])
        assert exercise is not None and exercise.status is status

    return check


def _calibration_submitted(session: Session, values: dict[str, Any]) -> None:
    exercise = session.get(CalibrationExercise, values["exercise"])
    assert exercise is not None
    assert [taking.submitted_at is not None for taking in exercise.participants] == [True, False]


# -- request bodies ---------------------------------------------------------------------------------

CALIBRATION_FORM = {"name": "Matrix calibration", "rubric_id": "{rubric}"}
CALIBRATION_ANSWERS_FORM = {
    "item-answered": "yes", "na-named": "1", "item-courtesy": "2", "item-accuracy": "Right",
    "item-note": "Kind.",
}  # fmt: skip
APPEAL = {"item": "accuracy", "reason": "The secretary named every document on the list."}
NOT_UPHELD = {"outcome": "not_upheld", "reason": "The recording shows the answer as scored."}

ROUND_FORM = {
    "first_day": "2027-04-05",
    "last_day": "2027-04-16",
    "school_selection": "all",
    "phone_per_school": "1",
    "phone_scenarios": ["{scenario}"],
    "email_per_school": "0",
    "visit_per_school": "0",
    "seed": "7",
    "attempt_limit": "3",
}
SCENARIO_FORM = {
    "title": "Enrolling by phone",
    "channel": "phone",
    "language": "en",
    "rubric": "{rubric_key}",
    "persona": "A parent of a third-grader.",
    "script": "1. Ask the question.\n2. Thank them.",
    "questions": "What do I need?",
    "answer_key": "- proof of residence",
}
SCHOOLS_CSV = (
    b"NCES School ID,State School ID,NCES District ID,State District ID,Low Grade*,High Grade*,School Name,"
    b"District,County Name*,Street Address,City,State,ZIP,ZIP 4-digit,Phone,Locale Code*,Locale*,Charter,"
    b"Students*,Teachers*,Student Teacher Ratio*,Free Lunch*,Reduced Lunch*,Directly Certified*,Type,Status\n"
    b"990000000773,FL-16-2851,9900000,FL-16,08,12,A. PHILIP RANDOLPH ACADEMIES,DUVAL,Duval County,"
    b"1157 GOLFAIR BLVD,JACKSONVILLE,FL,32209,,(904)924-3011,11,City: Large,No,389.00000,24.00000,"
    b"16.2100000,285.00000,0.00000,285.00000,Regular,Open\n"
)
PLAN_ACTION = {
    "target": "",
    "change": "Greet every caller with the school's name.",
    "responsible": "front_office",
    "due_on": "2027-03-01",
    "resource_item_id": "",
}
TWILIO_STATUS = {"AccountSid": "AC" + "a" * 32, "CallSid": "CA" + "5" * 32, "CallStatus": "completed"}


def _photo() -> dict[str, Any]:
    return {"file": (io.BytesIO(png_bytes("green")), "desk.png"), "label": ""}


def _schools_file() -> dict[str, Any]:
    return {"file": (io.BytesIO(SCHOOLS_CSV), "schools.csv")}


def _staff_file() -> dict[str, Any]:
    return {"file": (io.BytesIO(STAFF_FILE), "staff.csv")}


def _staff_imported(session: Session, values: dict[str, Any]) -> None:
    invited = session.scalars(select(User).where(User.email == "new.reviewer@example.org")).one()
    assert invited.invitation_pending and invited.role is Role.REVIEWER


def _directory_file() -> dict[str, Any]:
    return {"file": (io.BytesIO(b"nces_id,email\n990000000001,office@abess.example.org\n"), "directory.csv")}


def _batch_undone(session: Session, values: dict[str, Any]) -> None:
    batch = session.get(ImportBatch, values["import_batch"])
    assert batch is not None and batch.undone_at is not None
    school = session.scalars(select(School).filter_by(name="Beauclerc Elementary")).one()
    assert school.email is None


def _rubric_file() -> dict[str, Any]:
    text = EXAMPLE_YAML.replace("key: phone-standard", "key: imported-matrix").encode()
    return {"file": (io.BytesIO(text), "rubric.yaml")}


# -- the matrix -------------------------------------------------------------------------------------
# Columns: anonymous, admin, leader, leader of another district, reviewer, the assignment's auditor,
# another auditor of the district, the school's principal, the principal of another school.

ROUTES: list[Route] = [
    # Home, account and sign-in.
    row("GET", "/", L, OK, OK, OK, OK, OK, OK, OK, OK),
    row("GET", "/account", L, OK, OK, OK, OK, OK, OK, OK, OK),
    # Leaders choose their email digests; nobody else receives them.
    row(
        "POST", "/account/alerts", L, F, Go("/account"), Go("/account"), F, F, F, F, F,
        form={"weekly_fieldwork": "y"}, effect=_digests_chosen,
    ),
    row("POST", "/account/tokens", L, *[CREATED] * 8, form=NEW_TOKEN),
    row("POST", "/account/password", L, *[Go("/account")] * 8, form=NEW_PASSWORD),
    row("POST", "/account/sign-out-everywhere", L, *[OUT] * 8, form={}, effect=_signed_out),
    row("POST", "/account/tokens/{api_token}/revoke", L, N, N, N, N, Go("/account"), N, N, N),
    row("GET", "/login", OK, *[Go("/")] * 8),
    row("POST", "/login", BAD, *[Go("/")] * 8, form={}, writes=False),
    row("POST", "/logout", L, *[OUT] * 8, effect=_signed_out),
    # Sign-in with district accounts: not set up in this world, which has no network (a real provider
    # runs in tests/app/test_single_sign_on.py); an answer without state is refused all the same.
    row("GET", "/login/district-account", *[N] * 9),
    row("GET", "/login/district-account/callback", *[BAD] * 9),
    # Two-step sign-in. Its sign-in steps need a first step passed in this browser (none here):
    # to the sign-in page, or home when signed in. On the account page, only the auditor has it on.
    *(
        row(method, path, L, *[Go("/")] * 8, form={"code": "123456"}, writes=False)
        for method, path in (
            ("GET", "/login/two-step"),
            ("POST", "/login/two-step"),
            ("GET", "/login/two-step/set-up"),
            ("POST", "/login/two-step/set-up"),
            ("POST", "/login/two-step/done"),
        )
    ),
    row("GET", "/account/two-step", L, OK, OK, OK, OK, Go("/account"), OK, OK, OK),
    # Nothing pending to confirm (the auditor's is on): back to the account page, nothing changed.
    row("POST", "/account/two-step", L, *[Go("/account")] * 8, form={"code": "123456"}, writes=False),
    row(
        "POST", "/account/two-step/recovery-codes", L, *[Go("/account")] * 4, OK, *[Go("/account")] * 3,
        form={"renew-proof": PASSWORD}, writes=False,
    ),
    row(
        "POST", "/account/two-step/off", L, *[Go("/account")] * 8,
        form={"off-proof": PASSWORD}, writes=False,
    ),
    # Invitations and password resets: the link is the key, whoever's browser follows it.
    row("GET", "/invitations/{invitation}", *[OK] * 9),
    row("POST", "/invitations/{invitation}", *[Go("/")] * 9, form=CHOSEN_TWICE, effect=_invitee_signed_up),
    row("GET", "/invitations/no-such-link", *[N] * 9),
    row("GET", "/users/invite", L, OK, OK, OK, F, F, F, F, F),
    row(
        "POST", "/users/invite", L, INVITES, INVITES, BAD, F, F, F, F, F,
        form={"email": "nina.new@example.org", "role": "reviewer", "district": "{district}"},
    ),
    row("POST", "/users/{invitee}/invitation/resend", L, INVITES, INVITES, N, F, F, F, F, F),
    row("POST", "/users/{invitee}/invitation/revoke", L, INVITES, INVITES, N, F, F, F, F, F),
    row("GET", "/password/forgot", *[OK] * 9),
    row("POST", "/password/forgot", *[OK] * 9, form={"email": "no.one@example.org"}, writes=False),
    row("GET", "/password/reset/{reset}", *[OK] * 9),
    row(
        "POST", "/password/reset/{reset}", *[Go("/")] * 9, form=CHOSEN_TWICE, effect=_reviewer_password_reset
    ),
    row("GET", "/static/style.css", *[OK] * 9),
    row("GET", "/favicon.ico", *[OK] * 9),
    # Health checks for load balancers: public, whoever asks.
    row("GET", "/healthz", *[OK] * 9),
    row("GET", "/readyz", *[OK] * 9),
    # Schools.
    row("GET", "/schools/", L, OK, OK, OK, OK, F, F, OK, OK),
    row("GET", "/schools/{school}", L, OK, OK, F, OK, F, F, OK, F),
    row("GET", "/schools/{other_school}", L, OK, OK, F, OK, F, F, F, OK),
    row("GET", "/schools/{foreign_school}", L, OK, F, OK, F, F, F, F, F),
    row("GET", "/schools/{school}/edit", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/schools/{school}/edit", L, Go("/schools/"), Go("/schools/"), F, F, F, F, F, F,
        form={
            "name": "Abess Park Elementary", "level": "elementary", "phone": "+19045551234",
            "languages": "en, es", "active": "y",
        },
    ),
    row("GET", "/schools/import", L, OK, OK, OK, F, F, F, F, F),
    # An upload is previewed (nothing saved); confirming needs the upload's token, which this one lacks.
    row("POST", "/schools/import", L, OK, OK, OK, F, F, F, F, F, files=_schools_file, writes=False),
    row("POST", "/schools/import/confirm", L, BAD, BAD, BAD, F, F, F, F, F, form={"token": "x" * 24}),
    row("GET", "/schools/imports/{import_batch}/undo", L, OK, OK, N, F, F, F, F, F),
    row(
        "POST", "/schools/imports/{import_batch}/undo", L, Go("/schools/import"), Go("/schools/import"), N,
        F, F, F, F, F, form=CONFIRMED, effect=_batch_undone,
    ),
    # Without the confirmation page's field (an old form): back to that page, nothing undone.
    row(
        "POST", "/schools/imports/{import_batch}/undo", L, Go("/schools/imports/"), Go("/schools/imports/"),
        N, F, F, F, F, F, form={}, writes=False,
    ),
    row("GET", "/schools/directory", L, OK, OK, OK, F, F, F, F, F),
    # An administrator must choose the district; a leader's file goes to their own (another's school:
    # refused rows).
    row("POST", "/schools/directory", L, BAD, OK, OK, F, F, F, F, F, files=_directory_file, writes=False),
    row("POST", "/schools/directory/confirm", L, BAD, BAD, BAD, F, F, F, F, F, form={"token": "x" * 24}),
    row("GET", "/schools/{school}/results", L, OK, OK, F, OK, F, F, F, F),
    # The principal's portal: a school's published scorecards as pages, for its principal and the district's
    # staff (as the principal sees them); only a published round's, and only the principal acknowledges one
    # (a day from its publication, Oct 30, 2026, to today).
    row("GET", "/schools/{school}/portal", L, OK, OK, F, OK, F, F, OK, F),
    row("GET", "/schools/{other_school}/portal", L, OK, OK, F, OK, F, F, F, OK),
    row("GET", "/schools/{school}/portal?round={published_round}", L, OK, OK, F, OK, F, F, OK, F),
    row("GET", "/schools/{school}/portal?round={closed_round}", L, N, N, F, N, F, F, N, F),
    row(
        "POST", "/portal/scorecards/{scorecard_id}/acknowledge", L, F, F, F, F, F, F, Go("/schools/"), F,
        form=ACKNOWLEDGED, effect=_acknowledged("scorecard_id", "principal@example.org"),
    ),
    row(
        "POST", "/portal/scorecards/{scorecard_id}/acknowledge", L, F, F, F, F, F, F, BAD, F,
        form={"discussed_on": "2999-01-01"},
    ),
    row(
        "POST", "/portal/scorecards/{other_scorecard_id}/acknowledge", L, *[F] * 7, Go("/schools/"),
        form=ACKNOWLEDGED, effect=_acknowledged("other_scorecard_id", "other-principal@example.org"),
    ),
    row("POST", "/portal/scorecards/{winter_scorecard_id}/acknowledge", L, *[F] * 8, form=ACKNOWLEDGED),
    # Appeals on the web: the same rules as in the API.
    row("GET", "/appeals/", L, OK, OK, OK, OK, F, F, OK, OK),
    row("GET", "/appeals/scorecards/{scorecard_id}", L, OK, OK, F, OK, F, F, OK, F),
    row("GET", "/appeals/contacts/{fall_contact}/accuracy", L, F, F, F, F, F, F, OK, F),
    row(
        "POST", "/appeals/contacts/{fall_contact}/accuracy", L, F, F, F, F, F, F, Go("/appeals/"), F,
        form=APPEAL, effect=_appeal_filed,
    ),
    row("GET", "/appeals/{appeal}", L, OK, OK, F, OK, OK, F, OK, F),
    row(
        "POST", "/appeals/{appeal}", L, Go("/appeals/"), Go("/appeals/"), F, F, F, F, F, F,
        form=NOT_UPHELD, effect=_appeal_decided,
    ),
    # Calibration: leaders build exercises, reviewers read them and key them, auditors taking part score
    # them blind (the auditor has scored everything but not submitted: no figures yet; the other auditor
    # has scored nothing: submitting is refused).
    row("GET", "/calibration/", L, OK, OK, OK, OK, OK, OK, F, F),
    row("GET", "/calibration/new?district={district}", L, OK, OK, OK, F, F, F, F, F),
    row(
        "POST", "/calibration/new?district={district}", L, *[Go("/calibration/")] * 3, F, F, F, F, F,
        form=CALIBRATION_FORM, effect=_exercise_started,
    ),
    row("GET", "/calibration/{exercise}", L, OK, OK, F, OK, OK, OK, F, F),
    row(
        "POST", "/calibration/{draft_exercise}/references", L, *[Go("/calibration/")] * 2, F, F, F, F, F, F,
        form={"contact_id": "{poor_contact}"}, effect=_references_in("draft_exercise", 2),
    ),
    row(
        "POST", "/calibration/{draft_exercise}/material", L, *[Go("/calibration/")] * 2, F, F, F, F, F, F,
        form={"title": "Visit", "narrative": "The door was locked at 2 pm."},
        effect=_references_in("draft_exercise", 2),
    ),
    row(
        "POST", "/calibration/{draft_exercise}/references/{draft_reference}/remove", L,
        *[Go("/calibration/")] * 2, F, F, F, F, F, F, effect=_references_in("draft_exercise", 0),
    ),
    row(
        "POST", "/calibration/{draft_exercise}/auditors", L, *[Go("/calibration/")] * 2, F, F, F, F, F, F,
        form={"auditor_ids": ["{auditor}"]},
    ),
    row(
        "POST", "/calibration/{draft_exercise}/open", L, *[Go("/calibration/")] * 2, F, F, F, F, F, F,
        effect=_exercise_is(ExerciseStatus.OPEN, "draft_exercise"),
    ),
    row(
        "POST", "/calibration/{exercise}/close", L, *[Go("/calibration/")] * 2, F, F, F, F, F, F,
        effect=_exercise_is(ExerciseStatus.CLOSED, "exercise"),
    ),
    row("GET", "/calibration/{exercise}/references/{exercise_reference}/score", L, F, F, F, F, OK, OK, F, F),
    row(
        "POST", "/calibration/{exercise}/references/{exercise_reference}/score", L, F, F, F, F,
        *[Go("/calibration/")] * 2, F, F, form=CALIBRATION_ANSWERS_FORM,
    ),
    row("GET", "/calibration/{exercise}/references/{exercise_reference}/key", L, OK, OK, F, OK, F, F, F, F),
    row(
        "POST", "/calibration/{exercise}/references/{exercise_reference}/key", L, *[Go("/calibration/")] * 2,
        F, Go("/calibration/"), F, F, F, F, form=CALIBRATION_ANSWERS_FORM,
    ),
    row(
        "POST", "/calibration/{exercise}/submit", L, F, F, F, F, Go("/calibration/"), BAD, F, F,
        effect=_calibration_submitted,
    ),
    row("GET", "/calibration/{exercise}/agreement", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/calibration/{exercise}/references/{exercise_material}/file", L, OK, OK, F, OK, OK, OK, F, F),
    row(
        "GET", "/calibration/{exercise}/references/{exercise_reference}/evidence/{reference_evidence}", L,
        OK, OK, F, OK, OK, OK, F, F,
    ),
    # The call has no recording: not found for everyone who may read the exercise.
    row(
        "GET", "/calibration/{exercise}/references/{exercise_reference}/recording", L, N, N, F, N, N, N, F, F
    ),
    # Districts.
    row("GET", "/district", L, Go("/districts/"), Go("/districts/"), Go("/districts/"), F, F, F, F, F),
    row("GET", "/districts/", L, OK, OK, OK, F, F, F, F, F),
    # The state-wide view: every district side by side, the administrators' alone.
    row("GET", "/districts/compare", L, OK, F, F, F, F, F, F, F),
    row("GET", "/districts/{district}/settings", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/districts/{district}/settings", L, Go("/districts/"), Go("/districts/"), F, F, F, F, F, F,
        form={
            "name": "Fieldwork County ISD", "timezone": "America/New_York",
            "school_day_start": "07:30", "school_day_end": "16:00", "appeal_window_days": "10",
        },
    ),
    row(
        "POST", "/districts/{district}/closures", L, Go("/districts/"), Go("/districts/"), F, F, F, F, F, F,
        form={"first_day": "2027-03-22", "reason": "Teacher planning day"},
    ),
    row(
        "POST", "/districts/{district}/closures/{closure}/delete",
        L, Go("/districts/"), Go("/districts/"), F, F, F, F, F, F,
    ),
    row("GET", "/districts/{district}/answer-key", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/districts/{district}/answer-key", L, Go("/districts/"), Go("/districts/"), F, F, F, F, F, F,
        form={"bell_times": "8:30 a.m."},
    ),
    row("GET", "/schools/{school}/answer-key", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/schools/{school}/answer-key", L, Go("/schools/"), Go("/schools/"), F, F, F, F, F, F,
        form={"bell_times": "9:00 a.m. at this school"},
    ),
    row(
        "POST", "/districts/{district}/sign-in", L, Go("/districts/"), Go("/districts/"), F, F, F, F, F, F,
        form={"domains": "fieldwork.k12.example.org", "password_sign_in": "y", "two_step_required": "y"},
    ),
    row(
        "POST", "/districts/{district}/alert-threshold", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={"alert_threshold": "65", "round_id": "{published_round}"},
    ),
    # Auditors.
    row("GET", "/auditors/", L, OK, OK, OK, F, F, F, F, F),
    row("GET", "/auditors/{auditor}", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/auditors/{auditor}", L, Go("/auditors/"), Go("/auditors/"), F, F, F, F, F, F,
        form={"languages": ["en"], "max_per_day": "3", "weekdays": ["0", "1", "2"]},
    ),
    # Persona mailboxes: a district's leaders (and administrators) keep them, as they keep its auditors. The
    # world's mailbox listens nowhere: its check shows both servers' refusals and changes nothing.
    row("GET", "/mailboxes/", L, OK, OK, OK, F, F, F, F, F),
    row("GET", "/districts/{district}/mailboxes/new", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/districts/{district}/mailboxes/new",
        L, Go("/mailboxes/"), Go("/mailboxes/"), F, F, F, F, F, F,
        form={"address": "chris.family@example.net", "smtp_host": "smtp.example.net",
              "smtp_security": "starttls", "smtp_password": "pw", "imap_host": "imap.example.net",
              "imap_security": "ssl"},
    ),
    row("GET", "/mailboxes/{mailbox}", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/mailboxes/{mailbox}", L, Go("/mailboxes/"), Go("/mailboxes/"), F, F, F, F, F, F,
        form={"address": "maria.family@example.net", "display_name": "Maria F.", "smtp_host": "127.0.0.1",
              "smtp_port": "1", "smtp_security": "none", "imap_host": "127.0.0.1", "imap_port": "1",
              "imap_security": "none"},
    ),
    row("POST", "/mailboxes/{mailbox}/check", L, OK, OK, F, F, F, F, F, F, form={}, writes=False),
    # People: administrators manage everyone, leaders their district's reviewers, auditors, principals.
    row("GET", "/users/", L, OK, OK, OK, F, F, F, F, F),
    row("GET", "/users/?q=smith&role=auditor&status=active&school={school}", L, OK, OK, OK, F, F, F, F, F),
    row("GET", "/users/audit-log", L, OK, OK, OK, F, F, F, F, F),
    row("GET", "/users/{auditor}", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/users/{auditor}/role", L, Go("/users/"), Go("/users/"), F, F, F, F, F, F,
        form={"role": "reviewer"}, effect=_role_is(Role.REVIEWER, "auditor"),
    ),
    row("GET", "/users/{auditor}/deactivate", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/users/{auditor}/deactivate", L, Go("/users/"), Go("/users/"), F, F, F, F, F, F,
        form=CONFIRMED, effect=_user_is(False, "auditor"),
    ),
    row("POST", "/users/{auditor}/deactivate", L, Go("/users/"), Go("/users/"), *[F] * 6, writes=False),
    row(
        "POST", "/users/{retired}/reactivate", L, Go("/users/"), Go("/users/"), F, F, F, F, F, F,
        effect=_user_is(True, "retired"),
    ),
    row("POST", "/users/{auditor}/sign-in-again", L, Go("/users/"), Go("/users/"), F, F, F, F, F, F),
    row(
        "POST", "/users/{auditor}/two-step/reset", L, Go("/users/"), Go("/users/"), F, F, F, F, F, F,
        effect=_two_step_reset("auditor"),
    ),
    # The staff import: an administrator must choose the district; a leader's file is for their own.
    # A waiting upload (the leader's) is its uploader's alone: anyone else gets a 404.
    row("GET", "/users/import/", L, OK, OK, OK, F, F, F, F, F),
    row("POST", "/users/import/", L, BAD, STAFF, STAFF, F, F, F, F, F, files=_staff_file),
    row("GET", "/users/import/template.csv", L, OK, OK, OK, F, F, F, F, F),
    row("GET", "/users/import/{staff_upload}", L, N, OK, N, F, F, F, F, F),
    row(
        "POST", "/users/import/{staff_upload}", L, N, Go("/users/"), N, F, F, F, F, F,
        form={"fingerprint": "{staff_fingerprint}", "rows": "all"}, effect=_staff_imported,
    ),
    # Rounds.
    row("GET", "/rounds/", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/rounds/new?district={district}", L, OK, OK, OK, F, F, F, F, F),
    row(
        "POST", "/rounds/new?district={district}", L, Go("/rounds/"), Go("/rounds/"), BAD, F, F, F, F, F,
        form={**ROUND_FORM, "name": "Autumn 2027 round"},
    ),
    row("GET", "/rounds/{round}", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/rounds/{foreign_round}", L, OK, F, OK, F, F, F, F, F),
    row("GET", "/rounds/{draft_round}/edit", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/rounds/{draft_round}/edit", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={**ROUND_FORM, "name": "Summer 2027 round, renamed"},
    ),
    row(
        "POST", "/rounds/{draft_round}/commit", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        effect=_draft_committed,
    ),
    # An old page's status form leads to the move's confirmation page; it moves nothing.
    row(
        "POST", "/rounds/{round}/status", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={"to": "closed"}, writes=False,
    ),
    # Each move of a round is asked on its page first; a leader of the district (or an administrator)
    # starts, closes and takes back to draft, only an administrator reopens. A round not in the
    # state a move needs (the spring round is in the field): back to its page, nothing changed.
    row("GET", "/rounds/{round}/start", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F),
    row(
        "POST", "/rounds/{round}/start", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form=CONFIRMED, writes=False,
    ),
    row("GET", "/rounds/{round}/back-to-draft", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F),
    row(
        "POST", "/rounds/{round}/back-to-draft", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form=CONFIRMED, writes=False,
    ),
    row("GET", "/rounds/{round}/close", L, OK, OK, F, F, F, F, F, F),
    row("POST", "/rounds/{round}/close", L, Go("/rounds/"), Go("/rounds/"), *[F] * 6, form={}, writes=False),
    row(
        "POST", "/rounds/{round}/close", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form=CONFIRMED, effect=_round_is(RoundStatus.CLOSED, "round"),
    ),
    row("GET", "/rounds/{closed_round}/reopen", L, OK, F, F, F, F, F, F, F),
    row(
        "POST", "/rounds/{closed_round}/reopen", L, Go("/rounds/"), F, F, F, F, F, F, F,
        form={**CONFIRMED, "reason": "Closed the wrong round"},
        effect=_round_is(RoundStatus.IN_FIELD, "closed_round"),
    ),
    row(
        "POST", "/rounds/{closed_round}/reopen", L, BAD, F, F, F, F, F, F, F,
        form={**CONFIRMED, "reason": ""},
    ),
    # Equal service (paired testing): leaders of the district and administrators; a principal never.
    row("GET", "/rounds/{round}/equity", L, OK, OK, F, F, F, F, F, F),
    row("GET", "/rounds/{foreign_round}/equity", L, OK, F, OK, F, F, F, F, F),
    row("GET", "/rounds/{published_round}/follow-up", L, OK, OK, F, F, F, F, F, F),
    row("GET", "/rounds/{closed_round}/follow-up", L, 409, 409, F, F, F, F, F, F),
    row(  # the fall round's only plan is a draft: nothing can be checked again yet, nothing saved
        "POST", "/rounds/{published_round}/follow-up", L, BAD, BAD, F, F, F, F, F, F,
        form={"name": "Follow-up", "first_day": "2026-11-16", "last_day": "2026-12-18",
              "school_ids": "{other_school}"},
    ),
    row("GET", "/rounds/{round}/assignments/{unstarted_assignment}/reassign", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/rounds/{round}/assignments/{unstarted_assignment}/reassign",
        L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={"auditor_id": "{other_auditor}", "due_day": "2027-02-04", "slot": "afternoon"},
    ),
    row("GET", "/rounds/{round}/progress", L, OK, OK, F, OK, F, F, F, F),
    # Legal holds: leaders of the round's district and administrators place and lift them.
    row(
        "POST", "/rounds/{round}/hold", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={"reason": "Complaint 12 from a parent"}, effect=_hold_is(True, "round"),
    ),
    row("GET", "/rounds/{published_round}/hold/lift", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/rounds/{published_round}/hold/lift", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={**CONFIRMED, "reason": "The request is answered"}, effect=_hold_is(False, "published_round"),
    ),
    row(
        "POST", "/rounds/{published_round}/hold/lift", L, Go("/rounds/"), Go("/rounds/"), F, F, F, F, F, F,
        form={"reason": "One click"}, writes=False,
    ),
    row(
        "POST", "/rounds/{foreign_round}/hold", L, Go("/rounds/"), F, Go("/rounds/"), F, F, F, F, F,
        form={"reason": "Complaint 13"}, effect=_hold_is(True, "foreign_round"),
    ),
    row("GET", "/rounds/{published_round}/dashboard", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/rounds/{published_round}/heatmap", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/rounds/{published_round}/export.csv", L, OK, OK, F, F, F, F, F, F),
    # An auditor's own assignments and calendar feed (the feed's secret address is its only key).
    row("GET", "/assignments/", L, F, F, F, F, OK, OK, F, F),
    row("GET", "/assignments/feed/{auditor}/{feed}.ics", *[OK] * 9),
    row("GET", "/assignments/feed/{auditor}/0123456789abcdef0123456789abcdef.ics", *[N] * 9),
    # Fieldwork: the auditor's contact form, drafts, submitting, retrying, evidence.
    row("GET", "/assignments/{assignment}/contact", L, F, F, F, F, OK, F, F, F),
    row(
        "POST", "/assignments/{failed_assignment}/retry", L, F, F, F, F, Go("/assignments/"), F, F, F,
    ),
    row("POST", "/contacts/{draft}/draft", L, F, F, F, F, OK, F, F, F, json={"sent_text": "Hello again"}),
    row(
        "POST", "/contacts/{draft}/submit", L, F, F, F, F, Go("/assignments/"), F, F, F,
        form={"outcome": "no_reply", "started_at": "2027-02-02T10:00", "sent_text": "Hi"},
        effect=_contact_is(ContactStatus.SUBMITTED, "draft"),
    ),
    row("POST", "/contacts/{draft}/evidence", L, F, F, F, F, Go("/assignments/"), F, F, F, files=_photo),
    # Sending the email: its auditor only; the persona's mailbox listens nowhere: the server is unreachable.
    row(
        "POST", "/contacts/{draft}/send", L, F, F, F, F, 502, F, F, F,
        form={"subject": "Free meals", "body": "Hello"}, writes=False,
    ),
    row("GET", "/evidence/{evidence}", L, OK, OK, F, OK, OK, F, F, F),
    row("GET", "/evidence/{others_evidence}", L, OK, OK, F, OK, F, OK, F, F),
    row("GET", "/evidence/{evidence_id}", L, N, N, N, N, N, N, N, N),
    row(
        "POST", "/evidence/{evidence}/delete", L, F, F, F, F, Go("/assignments/"), F, F, F,
        effect=_evidence_gone,
    ),
    # Review.
    row("GET", "/review/", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/contacts/{submitted}", L, OK, OK, F, OK, OK, F, F, F),
    row("GET", "/contacts/{others_contact}", L, OK, OK, F, OK, F, OK, F, F),
    row("GET", "/contacts/{draft}", L, OK, OK, F, OK, OK, F, F, F),
    # Approving or returning leads to the next contact waiting (the failed call), with the same filters;
    # when the filters leave none, back to the queue.
    row("GET", "/contacts/{submitted}?channel=phone&round={round}", L, OK, OK, F, OK, OK, F, F, F),
    row(
        "POST", "/contacts/{submitted}/approve", L, Go("/contacts/"), Go("/contacts/"), F, Go("/contacts/"),
        F, F, F, F,
        effect=_contact_is(ContactStatus.APPROVED, "submitted"),
    ),
    row(
        "POST", "/contacts/{submitted}/approve?school={other_school}", L, Go("/review/"), Go("/review/"), F,
        Go("/review/"), F, F, F, F,
        effect=_contact_is(ContactStatus.APPROVED, "submitted"),
    ),
    row(
        "POST", "/contacts/{submitted}/return", L, Go("/contacts/"), Go("/contacts/"), F, Go("/contacts/"),
        F, F, F, F,
        form={"comment": "Please add the hold time."},
        effect=_contact_is(ContactStatus.RETURNED, "submitted"),
    ),
    row(
        "POST", "/contacts/{approved}/reopen", L, Go("/contacts/"), Go("/contacts/"), F, Go("/contacts/"),
        F, F, F, F,
        form={"reason": "The visit time looks wrong."},
        effect=_contact_is(ContactStatus.REOPENED, "approved"),
    ),
    row("GET", "/contacts/{submitted}/review-edit", L, OK, OK, F, OK, F, F, F, F),
    row(
        "POST", "/contacts/{submitted}/review-edit", L, Go("/contacts/"), Go("/contacts/"), F,
        Go("/contacts/"), F, F, F, F,
        form={**REACHED_CALL_FORM, "comment-accuracy": "Corrected in review."},
    ),
    # Click-to-call (Twilio configured with a fake client) and recordings.
    row("GET", "/contacts/{call}/call", L, F, F, F, F, OK, F, F, F),
    row(
        "POST", "/contacts/{call}/call", L, F, F, F, F, Go("/contacts/"), F, F, F,
        form={"phone": "+19045550199"},
    ),
    row("GET", "/contacts/{call}/call/status", L, F, F, F, F, OK, F, F, F),
    row("GET", "/contacts/{submitted}/recording", L, OK, OK, F, OK, OK, F, F, F),
    # Blind double-scoring: the other auditor scores the auditor's recorded call again, from its
    # recording and audio file only (never the contact, nor another contact's files).
    row("GET", "/double-scoring/", L, F, F, F, F, OK, OK, F, F),
    row("GET", "/double-scoring/{double_scoring}", L, F, F, F, F, F, OK, F, F),
    row(
        "POST", "/double-scoring/{double_scoring}", L, F, F, F, F, F, Go("/double-scoring/"), F, F,
        form=SECOND_SCORING, effect=_scored_again,
    ),
    row("GET", "/double-scoring/{double_scoring}/recording", L, F, F, F, F, F, OK, F, F),
    row("GET", "/double-scoring/{double_scoring}/evidence/{double_evidence}", L, F, F, F, F, F, OK, F, F),
    row("GET", "/double-scoring/{double_scoring}/evidence/{evidence}", L, F, F, F, F, F, N, F, F),
    row("GET", "/settings/telephony", L, OK, F, F, F, F, F, F, F),
    # Twilio's webhooks: only a valid signature gets in, whoever is signed in.
    row("POST", "/telephony/bridge/{call}", *[F] * 9, form=TWILIO_STATUS),
    row("POST", "/telephony/whisper", *[F] * 9, form=TWILIO_STATUS),
    row("POST", "/telephony/status", *[F] * 9, form=TWILIO_STATUS),
    row("POST", "/telephony/recording", *[F] * 9, form=TWILIO_STATUS),
    # A school calling or texting a persona number back: Twilio's signature only.
    row("POST", "/telephony/inbound/voice", *[F] * 9, form=TWILIO_STATUS),
    row("POST", "/telephony/inbound/sms", *[F] * 9, form=TWILIO_STATUS),
    # Replies the mailbox poll matched by sender and subject: the contact's auditor confirms or declines.
    row("GET", "/mail/suggestions", L, F, F, F, F, OK, OK, F, F),
    row(
        "POST", "/mail/suggestions/{suggestion}/confirm", L, F, F, F, F, Go("/mail/suggestions"), F, F, F,
        form={}, effect=_suggestion_is(MessageState.COUNTED),
    ),
    row(
        "POST", "/mail/suggestions/{suggestion}/decline", L, F, F, F, F, Go("/mail/suggestions"), F, F, F,
        form={}, effect=_suggestion_is(MessageState.DECLINED),
    ),
    # Scorecards.
    row("GET", "/scorecards/{scorecard}.pdf", L, OK, OK, F, OK, F, F, OK, F),
    row("GET", "/scorecards/{other_scorecard}.pdf", L, OK, OK, F, OK, F, F, F, OK),
    row("GET", "/scorecards/{scorecard_id}.pdf", L, N, N, N, N, N, N, N, N),
    row("GET", "/scorecards/rounds/{published_round}", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/scorecards/rounds/{published_round}/progress", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/scorecards/rounds/{published_round}/summary.pdf", L, OK, OK, F, F, F, F, F, F),
    row("GET", "/scorecards/{winter_scorecard}.pdf", L, OK, OK, F, OK, F, F, F, F),  # not published yet
    row(
        "POST", "/scorecards/rounds/{closed_round}/generate", L, Go("/rounds/"), Go("/rounds/"),
        F, F, F, F, F, F,
    ),
    # Publishing and unpublishing are asked first: the scorecards and the principals emailed, listed.
    row("GET", "/scorecards/rounds/{closed_round}/publish", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/scorecards/rounds/{closed_round}/publish", L, Go("/scorecards/"), Go("/scorecards/"),
        F, F, F, F, F, F,
        form=CONFIRMED, effect=_winter_published,
    ),
    row(
        "POST", "/scorecards/rounds/{closed_round}/publish", L, Go("/scorecards/"), Go("/scorecards/"),
        F, F, F, F, F, F, form={}, writes=False,
    ),
    row("GET", "/scorecards/rounds/{published_round}/unpublish", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/scorecards/rounds/{published_round}/unpublish", L, Go("/scorecards/"), Go("/scorecards/"),
        F, F, F, F, F, F,
        form=CONFIRMED, effect=_fall_unpublished,
    ),
    # Action plans: the school's principal writes, submits and closes actions; the district's leaders
    # (and administrators) decide; reviewers and auditors have no part; another school's principal
    # sees nothing of it. Publishing opened the other school's plan.
    row("GET", "/plans/", L, OK, OK, OK, F, F, F, OK, OK),
    row("GET", "/plans/{plan}", L, OK, OK, F, F, F, F, OK, F),
    row("GET", "/plans/{other_plan}", L, OK, OK, F, F, F, F, F, OK),
    row("GET", "/plans/{approved_plan}", L, OK, OK, F, F, F, F, OK, F),
    row(
        "POST", "/plans/{plan}/actions", L, F, F, F, F, F, F, Go("/plans/"), F,
        form=PLAN_ACTION, effect=_actions_in("plan", 2),
    ),
    row("GET", "/plans/{plan}/actions/{plan_action}/edit", L, F, F, F, F, F, F, OK, F),
    row(
        "POST", "/plans/{plan}/actions/{plan_action}/edit", L, F, F, F, F, F, F, Go("/plans/"), F,
        form=PLAN_ACTION,
    ),
    row(
        "POST", "/plans/{plan}/actions/{plan_action}/remove", L, F, F, F, F, F, F, Go("/plans/"), F,
        effect=_actions_in("plan", 0),
    ),
    row(
        "POST", "/plans/{plan}/submit", L, F, F, F, F, F, F, Go("/plans/"), F,
        effect=_plan_is(PlanStatus.SUBMITTED, "plan"),
    ),
    row(
        "POST", "/plans/{submitted_plan}/approve", L, Go("/plans/"), Go("/plans/"), F, F, F, F, F, F,
        effect=_plan_is(PlanStatus.APPROVED, "submitted_plan"),
    ),
    row(
        "POST", "/plans/{submitted_plan}/send-back", L, Go("/plans/"), Go("/plans/"), F, F, F, F, F, F,
        form={"comment": "Add a date for the greeting training."},
        effect=_plan_is(PlanStatus.SENT_BACK, "submitted_plan"),
    ),
    row(
        "POST", "/plans/{approved_plan}/actions/{approved_action}/close", L, F, F, F, F, F, F, Go("/plans/"),
        F, form={"close-{approved_action}-evidence_text": "Done on Jan 12."},
        effect=_plan_is(PlanStatus.CLOSED, "approved_plan"),
    ),
    row("GET", "/plans/evidence/{plan_evidence}", L, OK, OK, F, F, F, F, OK, F),
    row(
        "POST", "/schools/{school}/plans", L, Go("/plans/"), Go("/plans/"), F, F, F, F, Go("/plans/"), F,
        effect=_plan_opened_on_request,
    ),
    row(
        "POST", "/districts/{district}/plan-settings", L, Go("/districts/"), Go("/districts/"),
        F, F, F, F, F, F, form={"plan_evidence_required": "y"},
    ),
    # Rubrics: leaders and reviewers read, administrators change (drafts only).
    row("GET", "/rubrics/", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/rubrics/{rubric}", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/rubrics/{rubric}/preview", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/rubrics/{rubric}/export.yaml", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/rubrics/new", L, OK, F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/new", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"key": "new-matrix", "name": "New matrix", "channel": "phone", "critical_policy": "flag"},
    ),
    row("GET", "/rubrics/import", L, OK, F, F, F, F, F, F, F),
    row("POST", "/rubrics/import", L, Go("/rubrics/"), F, F, F, F, F, F, F, files=_rubric_file),
    # Publishing, retiring and discarding a version are asked first, on a page saying what they change.
    row("GET", "/rubrics/{draft_rubric}/publish", L, OK, F, F, F, F, F, F, F),
    row("POST", "/rubrics/{draft_rubric}/publish", L, Go("/rubrics/"), F, F, F, F, F, F, F, form=CONFIRMED),
    row("POST", "/rubrics/{draft_rubric}/publish", L, Go("/rubrics/"), *[F] * 7, form={}, writes=False),
    row("POST", "/rubrics/{rubric}/new-version", L, Go("/rubrics/"), F, F, F, F, F, F, F),
    row("GET", "/rubrics/{rubric}/retire", L, OK, F, F, F, F, F, F, F),
    row("POST", "/rubrics/{rubric}/retire", L, Go("/rubrics/"), F, F, F, F, F, F, F, form=CONFIRMED),
    row("GET", "/rubrics/{draft_rubric}/discard", L, OK, F, F, F, F, F, F, F),
    row("POST", "/rubrics/{draft_rubric}/discard", L, Go("/rubrics/"), F, F, F, F, F, F, F, form=CONFIRMED),
    row("GET", "/rubrics/{draft_rubric}/details", L, OK, F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/{draft_rubric}/details", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"name": "Draft matrix", "critical_policy": "flag", "description": "Edited."},
    ),
    row(
        "POST", "/rubrics/{draft_rubric}/sections", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"section-key": "closing", "section-title": "Closing"},
    ),
    row("GET", "/rubrics/{draft_rubric}/sections/{section}/edit", L, OK, F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/{draft_rubric}/sections/{section}/edit", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"key": "greeting", "title": "Hello"},
    ),
    row("POST", "/rubrics/{draft_rubric}/sections/{section}/delete", L, Go("/rubrics/"), F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/{draft_rubric}/sections/{section}/move", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"direction": "down"},
    ),
    row("GET", "/rubrics/{draft_rubric}/sections/{section}/items/new", L, OK, F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/{draft_rubric}/sections/{section}/items/new", L, Go("/rubrics/"),
        F, F, F, F, F, F, F,
        form={"key": "thanked", "prompt": "Did they thank you?", "points": "1"},
    ),
    row("GET", "/rubrics/{draft_rubric}/items/{item}/edit", L, OK, F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/{draft_rubric}/items/{item}/edit", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"section": "{section}", "key": "answered_by_person", "prompt": "A person?", "points": "5"},
    ),
    row("POST", "/rubrics/{draft_rubric}/items/{item}/delete", L, Go("/rubrics/"), F, F, F, F, F, F, F),
    row(
        "POST", "/rubrics/{draft_rubric}/items/{item}/move", L, Go("/rubrics/"), F, F, F, F, F, F, F,
        form={"direction": "down"},
    ),
    # Scenarios: the library and each district's own.
    row("GET", "/scenarios/", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/scenarios/{scenario}", L, OK, OK, F, OK, F, F, F, F),
    row("GET", "/scenarios/{library_scenario}", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/scenarios/new", L, OK, OK, OK, F, F, F, F, F),
    row(
        "POST", "/scenarios/new", L, Go("/scenarios/"), Go("/scenarios/"), Go("/scenarios/"),
        F, F, F, F, F,
        form={**SCENARIO_FORM, "key": "new-matrix-call"},
    ),
    row("GET", "/scenarios/{scenario}/edit", L, OK, OK, F, F, F, F, F, F),
    row(
        "POST", "/scenarios/{scenario}/edit", L, Go("/scenarios/"), Go("/scenarios/"), F, F, F, F, F, F,
        form={**SCENARIO_FORM, "key": "phone-scenario"},
    ),
    row("POST", "/scenarios/{scenario}/deactivate", L, Go("/scenarios/"), Go("/scenarios/"), *[F] * 6),
    row("POST", "/scenarios/{inactive_scenario}/activate", L, Go("/scenarios/"), Go("/scenarios/"), *[F] * 6),
    row(
        "POST", "/scenarios/{library_scenario}/adopt", L, F, Go("/scenarios/"), Go("/scenarios/"),
        F, F, F, F, F,
    ),
    # Scenario pairs for paired testing: read like scenarios, written by leaders (their district's) and
    # administrators (the library's); an empty form is refused with every problem, nothing saved.
    row("GET", "/scenarios/pairs/", L, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/scenarios/pairs/new", L, OK, OK, OK, F, F, F, F, F),
    row("POST", "/scenarios/pairs/new", L, BAD, BAD, BAD, F, F, F, F, F, form={}, writes=False),
    # The JSON API: bearer tokens only; auditors appear as pseudonyms.
    row("GET", "/api/v1/openapi.json", *[OK] * 9),
    row("GET", "/api/v1/districts", UNAUTHORISED, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/api/v1/districts/compare", UNAUTHORISED, OK, F, F, F, F, F, F, F),
    row("GET", "/api/v1/districts/{district}/schools", UNAUTHORISED, OK, OK, F, OK, F, F, OK, OK),
    row("GET", "/api/v1/districts/{foreign_district}/schools", UNAUTHORISED, OK, F, OK, F, F, F, F, F),
    row("GET", "/api/v1/rounds", UNAUTHORISED, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/api/v1/rounds/{round}", UNAUTHORISED, OK, OK, F, OK, F, F, F, F),
    row("GET", "/api/v1/rounds/{round}/assignments", UNAUTHORISED, OK, OK, F, OK, OK, OK, F, F),
    row("GET", "/api/v1/assignments/{assignment}", UNAUTHORISED, OK, OK, F, OK, OK, F, F, F),
    row("GET", "/api/v1/scenarios", UNAUTHORISED, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/api/v1/rounds/{foreign_round}/assignments", UNAUTHORISED, OK, F, OK, F, F, F, F, F),
    row("GET", "/api/v1/rounds/{round}/contacts", UNAUTHORISED, OK, OK, F, OK, F, F, F, F),
    row("GET", "/api/v1/rounds/{round}/scores", UNAUTHORISED, OK, OK, F, OK, F, F, F, F),
    row("GET", "/api/v1/rounds/{round}/equity", UNAUTHORISED, OK, OK, F, F, F, F, F, F),
    row("GET", "/api/v1/schools/{school}/plans", UNAUTHORISED, OK, OK, F, F, F, F, OK, F),
    row("GET", "/api/v1/schools/{other_school}/plans", UNAUTHORISED, OK, OK, F, F, F, F, F, OK),
    row("GET", "/api/v1/plans/{plan}", UNAUTHORISED, OK, OK, F, F, F, F, OK, F),
    row(
        "GET", "/api/v1/rubrics/{rubric_key}/versions/{rubric_version}",
        UNAUTHORISED, OK, OK, OK, OK, OK, OK, F, F,
    ),
    row(
        "POST", "/api/v1/assignments/{call_assignment}/contacts", UNAUTHORISED, F, F, F, F, CREATED, F, F, F,
        json=REACHED_CALL_BODY,
        effect=_contact_is(ContactStatus.SUBMITTED, "call"),
    ),
    row(
        "POST", "/api/v1/contacts/{submitted}/review", UNAUTHORISED, OK, OK, F, OK, F, F, F, F,
        json={"action": "approve"},
        effect=_contact_is(ContactStatus.APPROVED, "submitted"),
    ),
    # Appeals: the principal of the school queries an answer of its published scorecard; the contact's
    # auditor and the district's reviewers see them; a reviewer decides, never the one who approved the
    # contact (the world's reviewer approved the fall call: 403).
    row("GET", "/api/v1/contacts/{fall_contact}/appeals", UNAUTHORISED, OK, OK, F, OK, OK, F, OK, F),
    row(
        "POST", "/api/v1/contacts/{fall_contact}/appeals", UNAUTHORISED, F, F, F, F, F, F, CREATED, F,
        json=APPEAL, effect=_appeal_filed,
    ),
    row(
        "POST", "/api/v1/appeals/{appeal}", UNAUTHORISED, OK, OK, F, F, F, F, F, F,
        json=NOT_UPHELD, effect=_appeal_decided,
    ),
    # Calibration: every answer and the agreement, for the district's leaders and reviewers only.
    row("GET", "/api/v1/calibrations", UNAUTHORISED, OK, OK, OK, OK, F, F, F, F),
    row("GET", "/api/v1/calibrations/{exercise}", UNAUTHORISED, OK, OK, F, OK, F, F, F, F),
]  # fmt: skip

CASES = [
    pytest.param(route, role, id=f"{route.method} {route.path} as {role}")
    for route in ROUTES
    for role in ROLES
]


# -- running one request ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def world(database_template: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RouteWorld]:
    """The world, built once for the module; scorecard batches are not started in a real process."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("app.scorecards.jobs._start_local", lambda *args: None)
        patch.setattr("requests.sessions.Session.send", _no_network)
        for app in route_world_app(database_template, tmp_path_factory.mktemp("routes")):
            world = build_route_world(app)
            yield world
            world.watch.close()


def _no_network(*args: Any, **kwargs: Any) -> None:
    raise AssertionError("a test tried to reach the network")


@pytest.fixture
def clean(world: RouteWorld) -> Iterator[RouteWorld]:
    """The world, put back as built after the test."""
    world.mark()
    yield world
    world.reset()


def _fill(value: Any, values: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(**values)
    if isinstance(value, list):
        return [_fill(item, values) for item in value]
    if isinstance(value, dict):
        return {_fill(key, values): _fill(item, values) for key, item in value.items()}
    return value


def send(world: RouteWorld, route: Route, role: str) -> TestResponse:
    """Make ``route``'s request as ``role``: the API with a bearer token, everything else with a session."""
    client = world.client("anonymous" if route.api else role)
    headers = world.bearer(role) if route.api else {}
    kwargs: dict[str, Any] = {"headers": headers}
    if route.json is not None:
        kwargs["json"] = _fill(route.json, world.values)
    elif route.files is not None:
        kwargs["data"] = route.files()
        kwargs["content_type"] = "multipart/form-data"
    elif route.form is not None:
        kwargs["data"] = _fill(route.form, world.values)
    response = client.open(world.url(route.path), method=route.method, **kwargs)
    response.get_data()  # read a streamed file whole, then let it go
    response.close()
    return response


def outcome(response: TestResponse) -> str:
    """The answer as the matrix writes it: a status, or "302 to <path>"."""
    if response.status_code == 302:
        return f"302 to {urlsplit(response.headers['Location']).path}"
    return str(response.status_code)


def matches(response: TestResponse, expected: Expected) -> bool:
    """Whether ``response`` is the ``expected`` answer."""
    if isinstance(expected, Go):
        location = urlsplit(response.headers.get("Location", "")).path
        return response.status_code == 302 and location.startswith(expected.to)
    return response.status_code == expected


@pytest.mark.parametrize(("route", "role"), CASES)
def test_route_answers_the_role_as_expected(clean: RouteWorld, route: Route, role: str) -> None:
    """One (route, role): the expected answer; refused, nothing changed; allowed POST, its effect is there."""
    expected = route.answer(role)
    response = send(clean, route, role)
    body = response.get_data()[:300].decode(errors="replace")
    assert matches(response, expected), f"got {outcome(response)}, expected {expected}: {body}"
    if expected in REFUSED:
        assert clean.changes() == [], "a refused request changed something"
        if route.api:
            assert response.is_json and "errors" in response.get_json()
    elif route.method == "POST" and route.writes and expected != BAD:
        assert clean.changes(), "an allowed POST changed nothing"
        if route.effect is not None:
            with clean.app.app_context():
                route.effect(db.session, clean.values)  # type: ignore[arg-type]


def test_the_world_sees_and_undoes_what_a_request_changed(clean: RouteWorld) -> None:
    """The "nothing changed" checks can fail: a change to rows or files shows, and ``reset`` undoes it."""
    assert clean.client("reviewer").post(clean.url("/contacts/{submitted}/approve")).status_code == 302
    assert "contacts" in clean.changes()
    clean.reset()
    clean.mark()
    assert clean.changes() == []
    assert clean.client("auditor").post(clean.url("/evidence/{evidence}/delete")).status_code == 302
    changed = clean.changes()
    assert "evidence" in changed and any("/evidence/" in name for name in changed)  # the row and the file
    clean.reset()
    clean.mark()
    assert clean.changes() == []


def test_every_route_has_a_row(world: RouteWorld) -> None:
    """Each (endpoint, method) of the url_map has a row, and every row still reaches a route."""
    adapter = world.app.url_map.bind("localhost")
    wanted = {
        (rule.endpoint, method)
        for rule in world.app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    covered, stale = set(), []
    for route in ROUTES:
        path = re.sub(r"\{\w+\}", "1", route.path.split("?")[0])
        try:
            endpoint, _ = adapter.match(path, method=route.method)
        except HTTPException:
            stale.append(f"{route.method} {route.path}")
            continue
        covered.add((endpoint, route.method))
    missing = sorted(f"{endpoint} {method}" for endpoint, method in wanted - covered)
    problems = [f"no row for {name}" for name in missing] + [f"no route for {name}" for name in stale]
    assert not problems, "ROUTES is out of date:\n" + "\n".join(problems)
    assert len(wanted) >= 110  # the app's routes, not an empty map


# -- principals never see an auditor ----------------------------------------------------------------


def _secrets(world: RouteWorld) -> list[str]:
    """Every form of the auditor's identity that must not reach a principal."""
    local = AUDITOR_EMAIL.split("@")[0]
    return [AUDITOR_NAME, *AUDITOR_NAME.split(), AUDITOR_EMAIL, local, world.pseudonym]


def _pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def _links(html: str, base: str) -> set[str]:
    found = set()
    for href in re.findall(r'(?:href|src|action)="([^"#]+)', html):
        url = urlsplit(urljoin(f"http://localhost{base}", unescape(href)))
        if url.netloc == "localhost" and not url.path.startswith(("/static/", "/logout")):
            found.add(url.path + (f"?{url.query}" if url.query else ""))
    return found


def crawl(world: RouteWorld, role: str) -> dict[str, str]:
    """The text of every page ``role`` may open (the matrix's 200s, then links found on them, PDFs as
    text) and of every API read with ``role``'s token, by path."""
    client = world.client(role)
    # The auditor's calendar feed, an invitation and a reset link are secret addresses of one person
    # each (sent to them alone), not pages of anyone else's.
    personal = ("{feed}", "{invitation}", "{reset}")
    start = {
        world.url(route.path)
        for route in ROUTES
        if route.method == "GET"
        and not route.api
        and not any(secret in route.path for secret in personal)
        and route.answer(role) == OK
    }
    texts: dict[str, str] = {}
    queue, seen = sorted(start), set(start)
    while queue:
        path = queue.pop()
        response = client.get(path)
        data = response.get_data()
        response.close()
        if response.status_code != 200:
            continue
        if response.mimetype == "application/pdf":
            texts[path] = _pdf_text(data)
            continue
        texts[path] = data.decode(errors="replace")
        if response.mimetype == "text/html":
            for link in sorted(_links(texts[path], path) - seen):
                seen.add(link)
                queue.append(link)
    api = world.app.test_client()
    for route in ROUTES:
        if route.api and route.method == "GET":
            answer = api.get(world.url(route.path), headers=world.bearer(role))
            texts[f"{route.path} (API)"] = answer.get_data(as_text=True)
    return texts


def found(texts: dict[str, str], secrets: list[str]) -> list[str]:
    """Each secret found in a text, with where (case-insensitive)."""
    return [
        f"{secret!r} on {path}"
        for path, text in texts.items()
        for secret in secrets
        if secret.casefold() in text.casefold()
    ]


def test_principals_never_see_an_auditors_identity(clean: RouteWorld) -> None:
    """Every page a principal may open, every page linked from them, their scorecards, emails and the API."""
    publish = clean.url("/scorecards/rounds/{closed_round}/publish")
    published = clean.client("leader").post(publish, data=CONFIRMED)
    assert published.status_code == 302  # the principal is emailed, and now has two scorecards
    texts = {
        f"email {message.subject}": message.body + "".join(str(part) for part, _ in message.alternatives)
        for message in clean.app.extensions["mailman"].outbox
        if "principal@example.org" in message.to
    }
    assert texts, "the principal got no email"
    texts.update(crawl(clean, "principal"))
    pdfs = [clean.url("/scorecards/{scorecard}.pdf"), clean.url("/scorecards/{winter_scorecard}.pdf")]
    assert set(pdfs) | {"/", "/schools/", "/account"} <= set(texts)
    assert "Abess Park Elementary" in texts[pdfs[0]]  # the PDF's text was read
    written = [f"{row['value']} {row['comment']}" for row in clean.baseline.rows["responses"]]
    assert any(AUDITOR_NAME in text and AUDITOR_EMAIL in text for text in written)  # the secret is there
    leaks = found(texts, _secrets(clean))
    assert not leaks, "\n".join(leaks)


# Werkzeug's own words for an error, which a person must never read.
STOCK_ERROR_TEXTS = ("read-protected", "You don't have the permission", "The requested URL was not found")


@pytest.mark.parametrize("role", ["principal", "other_principal"])
def test_principals_get_the_sites_own_error_pages(clean: RouteWorld, role: str) -> None:
    """Every page refused to a principal (403 or 404) is the site's own: in its layout, saying what happened
    and leading home, never the framework's stock text ("read-protected")."""
    client = clean.client(role)
    refused = 0
    for route in ROUTES:
        expected = route.answer(role)
        if route.api or route.method != "GET" or expected not in (F, N):
            continue
        response = client.get(clean.url(route.path))
        page = response.get_data(as_text=True)
        assert response.status_code == expected, route.path
        assert 'class="site-header"' in page and '<a class="brand" href="/">' in page, route.path
        assert not any(stock in page for stock in STOCK_ERROR_TEXTS), route.path
        if expected == F:
            assert "This page is not open to you" in page and "Back to the home page" in page, route.path
        refused += 1
    assert refused >= 60  # the matrix's pages refused to a principal, portals of other schools among them


def test_a_leader_of_another_district_sees_nothing_of_this_one(clean: RouteWorld) -> None:
    """Every page and API read open to the other district's leader is free of this district's names."""
    texts = crawl(clean, "foreign_leader")
    assert {"/", "/rounds/", "/schools/", "/review/", "/auditors/"} <= set(texts)
    assert "Foreign High" in texts["/schools/"]
    home = ["Fieldwork ISD", "Abess Park", "Beauclerc", "Olive Otherauditor", "Rita Reviewer", "Lee Leader"]
    leaks = found(texts, [*home, *_secrets(clean)])
    assert not leaks, "\n".join(leaks)


@pytest.mark.parametrize("role", ["auditor", "other_auditor"])
def test_an_auditor_sees_nothing_of_another_auditors_work(clean: RouteWorld, role: str) -> None:
    """Each auditor of the district: their own school on their pages, never the other's work or name."""
    owner = role == "auditor"
    mine, theirs = ("Abess Park", "Beauclerc") if owner else ("Beauclerc", "Abess Park")
    texts = crawl(clean, role)
    assert mine in texts["/assignments/"]
    other = ["Olive Otherauditor"] if owner else _secrets(clean)
    leaks = found(texts, [theirs, *other])
    assert not leaks, "\n".join(leaks)


# -- file addresses cannot be guessed ---------------------------------------------------------------

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def _tokens(world: RouteWorld) -> dict[str, list[str]]:
    rows = world.baseline.rows
    return {
        "evidence": [row["token"] for row in rows["evidence"]],
        "scorecards": [row["token"] for row in rows["scorecards"]],
    }


def test_file_tokens_are_long_random_and_unrelated(world: RouteWorld) -> None:
    """At least 128 random bits (22 URL-safe characters), distinct, sharing no prefix or pattern."""
    for kind, tokens in _tokens(world).items():
        assert len(tokens) >= 2, kind
        assert len(set(tokens)) == len(tokens), kind
        for token in tokens:
            assert URL_SAFE.match(token) and len(token) * 6 >= 128 + 6, (kind, token)
            assert not token.isdigit() and len(set(token)) >= 12, (kind, token)
        for first, second in itertools.pairwise(tokens):
            shared = next((i for i, (a, b) in enumerate(zip(first, second, strict=False)) if a != b), 0)
            assert shared < 4, (kind, first, second)
            same_place = sum(a == b for a, b in zip(first, second, strict=False))
            assert same_place < len(first) // 4, (kind, first, second)


def test_database_ids_do_not_open_files(clean: RouteWorld) -> None:
    """The sequential id of an evidence file or scorecard in place of its token is not found."""
    for role in ("admin", "leader", "reviewer", "auditor", "principal"):
        client = clean.client(role)
        for kind, ident in (("evidence", "evidence_id"), ("scorecards", "scorecard_id")):
            url = f"/{kind}/{clean.values[ident]}" + (".pdf" if kind == "scorecards" else "")
            assert client.get(url).status_code == 404, (role, url)


def test_another_schools_file_is_refused_to_a_principal(clean: RouteWorld) -> None:
    """A valid token of another school's scorecard or evidence does not open it for a principal."""
    for role, mine, theirs in (
        ("principal", "scorecard", "other_scorecard"),
        ("other_principal", "other_scorecard", "scorecard"),
    ):
        client = clean.client(role)
        assert client.get(clean.url(f"/scorecards/{{{mine}}}.pdf")).status_code == 200, role
        assert client.get(clean.url(f"/scorecards/{{{theirs}}}.pdf")).status_code in (403, 404), role
        for evidence in ("evidence", "other_evidence", "others_evidence"):
            assert client.get(clean.url(f"/evidence/{{{evidence}}}")).status_code in (403, 404), role
