"""One world for the route matrix: an object for every URL parameter, one user per role, built once.

It renders real scorecard PDFs, so it is built once per test module, on a database of its own: a
copy of the migrated SQLite template, or the PostgreSQL test database (emptied before and after).
Each request runs on a fresh client signed in through its session (no password hashing); after
it, :meth:`RouteWorld.changes` says which tables and stored files differ from the world as built
and :meth:`RouteWorld.reset` puts them back (``tests.app.world_snapshot``), so every (route, role)
case starts from the same world.
"""

from __future__ import annotations

import io
import json
import logging
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.http import HttpClient
from twilio.http.response import Response as TwilioResponse

from app import create_app
from app.auth.session import SIGN_IN_KEY
from app.extensions import db
from app.mailboxes.credentials import vault
from app.rounds.feed import feed_token
from audits import two_step
from audits.account_links import issue_link
from audits.accounts import NewUser
from audits.calendar import add_closures
from audits.calibration import (
    add_contact_reference,
    add_material_reference,
    create_exercise,
    open_exercise,
    record_sheet,
    set_auditors,
)
from audits.fieldwork.contacts import approve, start_contact, submit
from audits.fieldwork.drafts import save_draft
from audits.fieldwork.entry import AnswerEntry
from audits.fieldwork.evidence import attach_evidence, store_evidence
from audits.holds import place_hold
from audits.importers import uploads
from audits.importers.staff import check_staff, importable_roles, read_staff_file
from audits.importers.uploads import keep_upload
from audits.invitations import invite
from audits.mail.mailboxes import MailboxSettings, save_mailbox
from audits.models import (
    ActionPlan,
    Appeal,
    Assignment,
    AuditorProfile,
    BatchKind,
    Call,
    Channel,
    District,
    DoubleScoring,
    Evidence,
    EvidenceKind,
    ImportBatch,
    Level,
    LinkPurpose,
    MailSecurity,
    MessageState,
    PersonaMailbox,
    PlanEventKind,
    PlanReason,
    ReceivedMessage,
    ReviewAction,
    ReviewEvent,
    Role,
    Round,
    RoundStatus,
    School,
    SchoolChange,
    Scorecard,
    Slot,
    User,
)
from audits.plans.actions import ActionEntry, add_action, approve_plan, submit_plan
from audits.plans.closing import ActionClosing, Upload, close_action, plan_evidence_folder
from audits.plans.weak import weaknesses
from audits.plans.workflow import record
from audits.rubrics.versions import create_draft, latest_published
from audits.rubrics.yamlio import rubric_from_yaml
from audits.scorecards import publish
from audits.sign_ins import start_sign_in
from audits.tokens import create_token
from reports.batch import build_scorecards
from tests.app.world_snapshot import Snapshot, Watch
from tests.audits.fieldwork_helpers import REACHED_CALL, attempt, build_fieldwork
from tests.audits.round_helpers import make_scenario
from tests.audits.round_samples import make_round, set_profile
from tests.audits.rubric_samples import EXAMPLE_YAML
from tests.audits.scoring_helpers import ScoringWorld
from tests.audits.telephony_helpers import ACCOUNT_SID
from tests.conftest import PASSWORD_HASH, TEST_DATABASE_URL, TEST_NOW
from tests.database import empty_postgres
from tests.reports.scorecard_helpers import GOOD, POOR, at, say, tipped_rubric

ROLES = (
    "anonymous",
    "admin",
    "leader",
    "foreign_leader",
    "reviewer",
    "auditor",
    "other_auditor",
    "principal",
    "other_principal",
)
# The auditor's persona mailbox: port 1 of this machine, where nothing listens.
UNREACHABLE_MAILBOX = MailboxSettings(
    address="maria.family@example.net", smtp_host="127.0.0.1", smtp_port=1, smtp_security=MailSecurity.NONE,
    smtp_password="persona-secret", imap_host="127.0.0.1", imap_port=1, imap_security=MailSecurity.NONE,
)  # fmt: skip
# The auditor whose identity must never reach a principal: distinctive, so a leak cannot hide.
AUDITOR_NAME = "Zebulon Quartermaine"
AUDITOR_EMAIL = "zq.undercover@shoppers.example"
FALL_PUBLISHED = datetime(2026, 10, 30, 15, tzinfo=UTC)
# The world's today: after the fall round's publication and its acknowledgement (Nov 2), inside its window
# of 10 school days for appeals (to Nov 13), whatever day the suite runs.
ROUTE_TODAY = date(2026, 11, 4)
RECORDING = b"ID3\x04\x00\x00\x00\x00\x00\x00\xff\xfb\x90\x00" + bytes(range(64))
TWILIO_SETTINGS = {
    "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
    "TWILIO_AUTH_TOKEN": "0123456789abcdef0123456789abcdef",
    "TWILIO_CALLER_ID": "+19045550000",
    "PUBLIC_BASE_URL": "https://touchpoint.example.org",
    "RECORDING_POLICY": "off",
}


class FakeTwilio(HttpClient):
    """Accepts every call Touchpoint asks Twilio to place; nothing leaves the process."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("fake-twilio"), is_async=False)

    def request(self, method: str, uri: str, *args: Any, **kwargs: Any) -> TwilioResponse:
        """Answer a call creation with a queued call; anything else is not found."""
        if method == "POST" and uri.endswith("/Calls.json"):
            body = {"sid": "CA" + "9" * 32, "account_sid": ACCOUNT_SID, "status": "queued"}
            return TwilioResponse(201, json.dumps(body))
        return TwilioResponse(404, json.dumps({"code": 20404, "message": "not found", "status": 404}))


def png_bytes(colour: str = "red") -> bytes:
    """A small PNG photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


# A calibration answer to the scorecard test rubric (every item answered; "named" N/A).
CALIBRATION_ANSWERS = {
    "answered": AnswerEntry(True),
    "named": AnswerEntry(na=True),
    "courtesy": AnswerEntry(3),
    "accuracy": AnswerEntry("Partly"),
    "note": AnswerEntry("Polite."),
}

# The staff file of the leader's waiting upload, and of the matrix's uploads: one new reviewer.
STAFF_FILE = b"email,name,role\nnew.reviewer@example.org,New Reviewer,reviewer\n"


@dataclass
class RouteWorld:
    """The app, the ids every URL template needs, a user and an API token per role, and its ``Watch``."""

    app: Flask
    values: dict[str, Any]
    users: dict[str, int]
    tokens: dict[str, str]
    pseudonym: str
    watch: Watch
    sign_ins: dict[str, str]  # role -> the secret of a live sign-in, for the session cookie

    @property
    def baseline(self) -> Snapshot:
        """Every row and file of the world as built."""
        return self.watch.baseline

    def url(self, template: str) -> str:
        """``template`` with its ``{placeholders}`` filled from the world."""
        return template.format(**self.values)

    def client(self, role: str) -> FlaskClient:
        """A fresh test client, signed in as ``role`` (no one for ``anonymous``)."""
        client = self.app.test_client()
        if role != "anonymous":
            with client.session_transaction() as web_session:
                web_session["_user_id"] = str(self.users[role])
                web_session["_fresh"] = True
                web_session[SIGN_IN_KEY] = self.sign_ins[role]
        return client

    def bearer(self, role: str) -> dict[str, str]:
        """The Authorization header of ``role``'s API token (none for ``anonymous``)."""
        return {} if role == "anonymous" else {"Authorization": f"Bearer {self.tokens[role]}"}

    def mark(self) -> None:
        """Remember the database's write mark before a test's requests."""
        self.watch.mark()

    def changes(self) -> list[str]:
        """The tables and stored files that differ from the world as built."""
        return self.watch.changes()

    def reset(self) -> None:
        """Put back every row and file a request changed; empty the mail outbox."""
        outbox = getattr(self.app.extensions["mailman"], "outbox", None)
        if outbox:
            outbox.clear()
        self.watch.reset()


def route_world_app(database_template: str, folder: Path) -> Iterator[Flask]:
    """An app on a database of its own, with Twilio configured (fake client) and files under ``folder``."""
    if TEST_DATABASE_URL:
        url = TEST_DATABASE_URL
        empty_postgres(url)
    else:
        path = folder / "routes.sqlite"
        shutil.copyfile(database_template, path)
        url = f"sqlite:///{path}"
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "EVIDENCE_DIR": str(folder / "evidence"),
            "STORAGE_DIR": str(folder / "storage"),
            "NOW": TEST_NOW,
            "TODAY": ROUTE_TODAY,
            **TWILIO_SETTINGS,
        },
    )
    app.extensions["twilio_http_client"] = FakeTwilio()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        if TEST_DATABASE_URL:
            empty_postgres(url)


def build_route_world(app: Flask) -> RouteWorld:
    """Create the world (committed) on ``app``'s database and return its ids, users and tokens."""
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    storage = Path(app.config["STORAGE_DIR"])
    evidence_dir.mkdir(parents=True, exist_ok=True)
    storage.mkdir(parents=True, exist_ok=True)
    with app.app_context():
        values, users, tokens, pseudonym = _populate(db.session, evidence_dir, storage)  # type: ignore[arg-type]
        values["feed"] = feed_token(db.session.get(User, users["auditor"]))  # type: ignore[arg-type]
        sign_ins = {
            role: start_sign_in(db.session, db.session.get(User, user_id)) for role, user_id in users.items()
        }  # type: ignore[arg-type]
        db.session.commit()
        db.session.remove()
    return RouteWorld(app, values, users, tokens, pseudonym, Watch(app, (evidence_dir, storage)), sign_ins)


def _plans(
    session: Session, school: School, people: dict[str, User], rounds: tuple[Round, ...], evidence_dir: Path
) -> dict[str, ActionPlan]:
    """The school's plans: a draft, a submitted one and an approved one with one action closed."""
    principal, leader = people["principal"], people["leader"]
    today = date(2027, 1, 4)
    plans = {}
    for state, round_ in zip(("draft", "submitted", "approved"), rounds, strict=True):
        plan = ActionPlan(
            school_id=school.id, round_id=round_.id, reason=PlanReason.REQUESTED, threshold=70.0
        )
        session.add(plan)
        record(plan, PlanEventKind.OPENED, leader, detail="Opened on request.")
        weak = weaknesses(session, round_, school)
        entry = ActionEntry(f"Greet callers by name ({state}).", "front_office", date(2027, 2, 1))
        add_action(session, plan, entry, principal, weak, today)
        plans[state] = plan
    approved = plans["approved"]
    entry = ActionEntry("Post the office hours at the door.", "office_manager", date(2027, 1, 20))
    posted = add_action(session, approved, entry, principal, weak, today)
    for state in ("submitted", "approved"):
        submit_plan(session, plans[state], principal, today)
    approve_plan(session, approved, leader)
    closing = ActionClosing("Posted.", Upload(png_bytes("green"), "door.png"))
    close_action(session, posted, closing, principal, plan_evidence_folder(evidence_dir), 1024 * 1024)
    return plans


def _user(session: Session, role: Role, email: str, name: str, **fields: Any) -> User:
    user = User(email=email, role=role, name=name, password_hash=PASSWORD_HASH, **fields)
    session.add(user)
    return user


def _populate(
    session: Session, evidence_dir: Path, storage: Path
) -> tuple[dict[str, Any], dict[str, int], dict[str, str], str]:
    """Build every object; return the URL values, the user ids, the API tokens and the auditor's pseudonym."""
    fieldwork = build_fieldwork(session)
    district, school, spring = fieldwork.district, fieldwork.school, fieldwork.round
    auditor, other_auditor, reviewer = fieldwork.auditor, fieldwork.other_auditor, fieldwork.reviewer
    auditor.name, auditor.email = AUDITOR_NAME, AUDITOR_EMAIL
    other_auditor.name, reviewer.name = "Olive Otherauditor", "Rita Reviewer"
    school.phone, school.state, school.principal_name = "+19045551234", "FL", "Pat Principal"
    school.email = "office@abess.example.org"  # where the auditor's email contact is sent
    other_school = School(
        district=district, nces_id="990000000002", name="Beauclerc Elementary", level=Level.ELEMENTARY
    )
    away = District(name="Away ISD", timezone="America/Chicago")
    foreign_school = School(district=away, nces_id="990000000003", name="Foreign High", level=Level.HIGH)
    session.add_all([other_school, away, foreign_school])
    session.flush()
    people = {
        "admin": _user(session, Role.ADMIN, "admin@example.org", "Ada Admin"),
        "leader": _user(session, Role.LEADER, "leader@example.org", "Lee Leader", district=district),
        "foreign_leader": _user(session, Role.LEADER, "away@example.org", "Far Leader", district=away),
        "reviewer": reviewer,
        "auditor": auditor,
        "other_auditor": other_auditor,
        "principal": _user(
            session, Role.PRINCIPAL, "principal@example.org", "Pat Principal", district=district,
            schools=[school],
        ),
        "other_principal": _user(
            session, Role.PRINCIPAL, "other-principal@example.org", "Bea Other", district=district,
            schools=[other_school],
        ),
    }  # fmt: skip
    left = _user(
        session, Role.REVIEWER, "retired@example.org", "Rex Retired", district=district, active=False
    )  # someone who left: the users page switches them back on
    foreign_round = Round(
        district_id=away.id, name="Away spring", first_day=date(2027, 2, 1), last_day=date(2027, 2, 26),
        status=RoundStatus.IN_FIELD,
    )  # fmt: skip
    session.add(foreign_round)
    session.flush()

    # Fieldwork in the spring round: the auditor's contacts in every state, the other auditor's own.
    phone_scenario = fieldwork.phone.scenario
    extra = {
        name: Assignment(
            round_id=spring.id, school_id=school_id, scenario_id=phone_scenario.id, auditor_id=user.id,
            channel=Channel.PHONE, sequence=sequence, due_day=date(2027, 2, 3), slot=Slot.MORNING,
        )
        for name, school_id, user, sequence in (
            ("call", school.id, auditor, 2),
            ("failed", school.id, auditor, 3),
            ("others", other_school.id, other_auditor, 1),
            ("unstarted", school.id, auditor, 4),
        )
    }  # fmt: skip
    session.add_all(extra.values())
    session.flush()
    calendar = fieldwork.calendar
    submitted = start_contact(session, fieldwork.phone, auditor)
    submit(session, submitted, REACHED_CALL, auditor, calendar, now=TEST_NOW)
    recording_dir = evidence_dir / "recordings"
    recording_dir.mkdir(parents=True, exist_ok=True)
    (recording_dir / "call-1.mp3").write_bytes(RECORDING)
    session.add(
        Call(
            contact_id=submitted.id, leg="school", status="completed", call_sid="CA" + "5" * 32,
            recording_policy="one_party", recording_sid="RE" + "5" * 32, recording_path="call-1.mp3",
        )
    )  # fmt: skip
    # Blind double-scoring: the recorded call (and its audio file) is the other auditor's to score again.
    heard = Evidence(
        token=secrets.token_urlsafe(32), contact_id=submitted.id, kind=EvidenceKind.AUDIO,
        original_name="call.mp3", content_type="audio/mpeg", size=len(RECORDING),
        storage_name=f"{secrets.token_hex(16)}.mp3", uploaded_by_id=auditor.id,
    )  # fmt: skip
    (evidence_dir / heard.storage_name).write_bytes(RECORDING)
    double = DoubleScoring(
        round_id=spring.id, contact_id=submitted.id, second_auditor_id=other_auditor.id, draw=0.05,
        percent=10.0, chosen_at=TEST_NOW,
    )  # fmt: skip
    session.add_all([heard, double])
    draft = start_contact(session, fieldwork.email, auditor)
    save_draft(draft, {"sent_text": "Hello, how do we apply for free meals?"}, auditor)
    evidence = [
        attach_evidence(session, draft, data, name, "", auditor, evidence_dir, 1024 * 1024)
        for data, name in ((png_bytes("red"), "front-desk.png"), (b"Notes from the call.\n", "notes.txt"))
    ]
    approved = start_contact(session, fieldwork.visit, auditor)
    submit(session, approved, attempt("not_served", "2027-02-02T13:30"), auditor, calendar, now=TEST_NOW)
    approve(session, approved, reviewer)
    call = start_contact(session, extra["call"], auditor)
    failed = start_contact(session, extra["failed"], auditor)
    submit(session, failed, attempt("no_answer", "2027-02-02T09:40"), auditor, calendar, now=TEST_NOW)
    others = start_contact(session, extra["others"], other_auditor)
    others_evidence = attach_evidence(
        session, others, png_bytes("blue"), "other.png", "", other_auditor, evidence_dir, 1024 * 1024
    )
    # A reply the mailbox poll matched to the auditor's email contact by sender and subject only.
    read_mailbox = PersonaMailbox(
        district_id=district.id, address="persona@touchpoint.test", smtp_host="127.0.0.1",
        imap_host="127.0.0.1",
    )  # fmt: skip
    session.add(read_mailbox)
    session.flush()
    suggestion = ReceivedMessage(
        mailbox_id=read_mailbox.id, uid_validity=1, uid=1, message_id="<s1@school.test>",
        message_id_hash="a" * 64, content_hash="b" * 64, kind="personal", state=MessageState.SUGGESTED,
        rule="sender_subject",
        contact_id=draft.id, sender="office@school.test", subject="Re: Free meals", received_at=TEST_NOW,
        text="Yes: apply online.",
    )  # fmt: skip
    session.add(suggestion)

    # Planning: auditor profiles, a draft round that can be committed, a closure.
    for person in (auditor, other_auditor):
        set_profile(session, person)
    # A persona mailbox for the auditor, on a port nothing listens on: sending and checking are refused.
    mailbox = save_mailbox(session, district, UNREACHABLE_MAILBOX, vault())
    profile = session.get(AuditorProfile, auditor.id)
    assert profile is not None
    profile.mailbox_id = mailbox.id
    draft_round = make_round(
        session, district, {Channel.PHONE: (1, [phone_scenario])}, name="Summer 2027 round",
        first_day=date(2027, 4, 5), last_day=date(2027, 4, 16),
    )  # fmt: skip
    closure = add_closures(session, district, date(2027, 3, 15), None, "Spring break")[0]

    # Schools: a directory import that gave the other school an email, which undoing takes back.
    directory_batch = ImportBatch(
        kind=BatchKind.DIRECTORY, district=district, actor=people["leader"], file_name="directory.csv",
        changed=1,
    )  # fmt: skip
    other_school.email = "office@beauclerc.example.org"
    session.add_all([
        directory_batch,
        SchoolChange(
            school=other_school, field="email", old=None, new=other_school.email, batch=directory_batch,
            actor=people["leader"],
        ),
    ])  # fmt: skip
    session.flush()

    # Results: a published round with real scorecards, and a closed one whose cards are not yet published.
    scoring = ScoringWorld(session, district, auditor, schools=[school, other_school])
    scoring.rubrics[Channel.PHONE] = tipped_rubric(session, Channel.PHONE)
    scoring.scenarios[Channel.PHONE] = phone_scenario
    fall = scoring.round("Fall 2026 round", date(2026, 10, 5))
    good = scoring.contact(fall, school, Channel.PHONE, GOOD, started_at=at(date(2026, 10, 5)), rings=2)
    say(good, "note", f"{AUDITOR_NAME} ({AUDITOR_EMAIL}) was welcomed warmly and told every document needed.")
    say(good, "courtesy", f"Very patient with {AUDITOR_NAME.split()[0]}; the reply went to {AUDITOR_EMAIL}.")
    poor = scoring.contact(fall, other_school, Channel.PHONE, POOR, started_at=at(date(2026, 10, 5)), rings=7)
    say(poor, "note", "Nobody answered the question about buses.")
    session.flush()
    # The reviewer approved the good call: an appeal on it is another reviewer's to decide.
    session.add(
        ReviewEvent(contact_id=good.id, actor_id=reviewer.id, action=ReviewAction.APPROVED, at=TEST_NOW)
    )
    build_scorecards(session, fall, storage)
    # Published on a fixed day, so that a principal's acknowledgement (not before it, not after today) is
    # valid whatever day the suite runs; the world's today (``ROUTE_TODAY``) is inside its appeal window.
    publish(session, fall, people["leader"], now=FALL_PUBLISHED)
    appeal = Appeal(
        contact_id=good.id, item_key="courtesy", reason="The secretary was patient throughout.",
        queried_answer="4 of 4", filed_by_id=people["principal"].id, approver_id=reviewer.id,
    )  # fmt: skip
    session.add(appeal)
    place_hold(session, fall, people["leader"], "Records request 2026-14: keep every call of this round.")
    cards = {card.school_id: card for card in session.scalars(select(Scorecard))}
    winter = scoring.round("Winter 2026 round", date(2026, 12, 1))
    scoring.contact(winter, school, Channel.PHONE, POOR, started_at=at(date(2026, 12, 1)), rings=5)
    session.flush()
    build_scorecards(session, winter, storage)
    winter_card = session.scalars(select(Scorecard).where(Scorecard.round_id == winter.id)).first()
    assert winter_card is not None and winter_card.published_at is None

    # Calibration: a draft exercise to build (the good fall call), and an open one on the same call and
    # a photo of a visit, which the auditor has scored (not submitted: blind) and the other auditor not yet.
    calibration = evidence_dir / "calibration"
    calibration.mkdir(parents=True, exist_ok=True)
    on_good = store_evidence(
        session, good, png_bytes("white"), "desk.png", "", auditor, evidence_dir, 1024 * 1024
    )
    tipped = scoring.rubrics[Channel.PHONE]
    draft_exercise = create_exercise(session, district, people["leader"], "Draft calibration", tipped)
    draft_reference = add_contact_reference(session, draft_exercise, good)
    set_auditors(session, draft_exercise, [auditor, other_auditor])
    exercise = create_exercise(session, district, people["leader"], "Open calibration", tipped)
    exercise_reference = add_contact_reference(session, exercise, good)
    exercise_material = add_material_reference(
        session,
        exercise,
        "Visit",
        "Nobody looked up.",
        (png_bytes("grey"), "door.png"),
        calibration,
        1024 * 1024,
    )
    set_auditors(session, exercise, [auditor, other_auditor])
    open_exercise(session, exercise, TEST_NOW)
    for reference in (exercise_reference, exercise_material):
        record_sheet(session, exercise, reference, auditor, CALIBRATION_ANSWERS, now=TEST_NOW)

    # Action plans: publishing the fall round opened the other school's (a draft); this school's own
    # in each state: a draft to write, one submitted to decide, one approved with an action to close
    # (and one closed with a photo). Its fall scorecard has none, so a plan can be opened on request.
    plans = _plans(session, school, people, (spring, draft_round, winter), evidence_dir)
    other_plan = session.scalars(select(ActionPlan).where(ActionPlan.school_id == other_school.id)).one()

    # Rubrics and scenarios: a complete draft to edit, and a library scenario to adopt.
    draft_rubric = create_draft(
        session, rubric_from_yaml(EXAMPLE_YAML.replace("key: phone-standard", "key: draft-matrix"))
    )
    published = latest_published(session, phone_scenario.rubric_key)
    assert published is not None
    library = make_scenario(session, None, Channel.PHONE, "library-call")
    retired = make_scenario(session, district, Channel.PHONE, "retired-call")
    retired.active = False

    tokens: dict[str, str] = {}
    token_ids: dict[str, int] = {}
    for role, person in people.items():
        token, tokens[role] = create_token(session, person, f"{role} script")
        token_ids[role] = token.id
    invitee, _, invitation = invite(
        session, None, NewUser("ivy.invited@example.org", Role.REVIEWER, None, "Ivy Invited", district.id)
    )
    _, reset = issue_link(session, people["reviewer"], LinkPurpose.PASSWORD_RESET)
    # The auditor has two-step sign-in on (to reset, to renew codes, to turn off); nobody else has.
    key = two_step.pending_key(session, auditor)
    two_step.confirm(session, auditor, pyotp.TOTP(key.secret).now())
    session.commit()
    # A staff file the leader uploaded and has not confirmed yet: theirs alone to preview and confirm.
    staff_upload = keep_upload(
        storage / uploads.FOLDER,
        STAFF_FILE,
        owner_id=people["leader"].id,
        district_id=district.id,
        file_name="staff.csv",
    )
    staff_check = check_staff(
        session, district, read_staff_file(STAFF_FILE), importable_roles(people["leader"])
    )
    session.rollback()
    values: dict[str, Any] = {
        "district": district.id,
        "foreign_district": away.id,
        "school": school.id,
        "other_school": other_school.id,
        "foreign_school": foreign_school.id,
        "round": spring.id,
        "draft_round": draft_round.id,
        "published_round": fall.id,
        "closed_round": winter.id,
        "foreign_round": foreign_round.id,
        "assignment": fieldwork.email.id,
        "call_assignment": extra["call"].id,
        "unstarted_assignment": extra["unstarted"].id,
        "failed_assignment": extra["failed"].id,
        "submitted": submitted.id,
        "draft": draft.id,
        "approved": approved.id,
        "call": call.id,
        "others_contact": others.id,
        "evidence": evidence[0].token,
        "other_evidence": evidence[1].token,
        "others_evidence": others_evidence.token,
        "double_scoring": double.id,
        "double_evidence": heard.token,
        "suggestion": suggestion.id,
        "evidence_id": evidence[0].id,
        "scorecard": cards[school.id].token,
        "other_scorecard": cards[other_school.id].token,
        "scorecard_id": cards[school.id].id,
        "other_scorecard_id": cards[other_school.id].id,
        "fall_contact": good.id,
        "appeal": appeal.id,
        "winter_scorecard": winter_card.token,
        "winter_scorecard_id": winter_card.id,
        "rubric": published.id,
        "rubric_key": published.key,
        "rubric_version": published.version,
        "draft_rubric": draft_rubric.id,
        "section": draft_rubric.sections[0].id,
        "item": draft_rubric.sections[0].items[0].id,
        "scenario": phone_scenario.id,
        "library_scenario": library.id,
        "inactive_scenario": retired.id,
        "closure": closure.id,
        "import_batch": directory_batch.id,
        "auditor": auditor.id,
        "other_auditor": other_auditor.id,
        "mailbox": mailbox.id,
        "retired": left.id,
        "api_token": token_ids["auditor"],
        "invitee": invitee.id,
        "invitation": invitation,
        "reset": reset,
        "staff_upload": staff_upload,
        "staff_fingerprint": staff_check.fingerprint(),
        "plan": plans["draft"].id,
        "plan_action": plans["draft"].actions[0].id,
        "submitted_plan": plans["submitted"].id,
        "approved_plan": plans["approved"].id,
        "approved_action": next(a for a in plans["approved"].actions if not a.closed).id,
        "plan_evidence": next(a for a in plans["approved"].actions if a.closed).files[0].token,
        "other_plan": other_plan.id,
        "poor_contact": poor.id,
        "draft_exercise": draft_exercise.id,
        "draft_reference": draft_reference.id,
        "exercise": exercise.id,
        "exercise_reference": exercise_reference.id,
        "exercise_material": exercise_material.id,
        "reference_evidence": on_good.token,
    }
    users = {role: person.id for role, person in people.items()}
    return values, users, tokens, auditor.pseudonym
