"""A world full of hostile text for the hostile-input tests, and the helpers they share.

Every piece of text a person can type and another person later reads (a school's name,
a scenario's script, an auditor's comment, a reviewer's note) holds markup, quotes and
right-to-left characters. One object per URL parameter exists, in the state the routes
that take it expect: a draft and a submitted contact, a draft rubric, a draft round …
"""

from __future__ import annotations

import csv
import io
import secrets
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from unittest.mock import patch

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import create_app
from app.auth.session import SIGN_IN_KEY
from app.extensions import db
from audits.accounts import NewUser
from audits.calendar import add_closures
from audits.calibration import (
    add_contact_reference,
    add_material_reference,
    create_exercise,
    open_exercise,
    record_sheet,
    set_auditors,
    submit_sheets,
)
from audits.fieldwork.contacts import approve, return_contact, start_contact, submit
from audits.fieldwork.entry import AnswerEntry, ContactEntry, Timings
from audits.fieldwork.evidence import attach_evidence
from audits.importers import uploads
from audits.importers.uploads import keep_upload
from audits.invitations import invite
from audits.mail.credentials import Vault
from audits.mail.mailboxes import MailboxSettings, save_mailbox
from audits.models import (
    ActionPlan,
    Appeal,
    Assignment,
    AuditorProfile,
    Base,
    BatchKind,
    Channel,
    DoubleScoring,
    ImportBatch,
    MailSecurity,
    MessageState,
    Outcome,
    PlanEventKind,
    PlanReason,
    ReceivedMessage,
    Role,
    Round,
    RoundStatus,
    School,
    SchoolChange,
    Scorecard,
    Slot,
    User,
)
from audits.planning.rounds import ChannelPlan, RoundSpec, save_round
from audits.plans.actions import ActionEntry, add_action, approve_plan, send_back_plan, submit_plan
from audits.plans.weak import weaknesses
from audits.plans.workflow import record
from audits.rubrics.versions import create_draft
from audits.rubrics.yamlio import rubric_from_yaml
from audits.scenarios import ScenarioSpec, save_scenario
from audits.sign_ins import start_sign_in
from audits.timeutil import utcnow
from audits.tokens import create_token
from tests.app.world_snapshot import Watch, restore_rows
from tests.audits.fieldwork_helpers import REACHED_CALL, build_fieldwork, changed, local
from tests.audits.round_helpers import make_scenario, publish_rubric
from tests.audits.rubric_samples import EXAMPLE_YAML
from tests.audits.scoring_helpers import ScoringWorld
from tests.conftest import PASSWORD_HASH, TEST_DATABASE_URL, TEST_NOW
from tests.reports.scorecard_helpers import GOOD, at, say, tipped_rubric

SCRIPT_TAG = "<script>alert(1)</script>"
ATTRIBUTE_BREAK = '"><img src=x onerror=alert(1)>'
QUOTES = 'O\'Brien said "hi"'
RTL = "\u202eevil.exe\u202c مدرسة الأمل בית ספר"
BOLD = "<b>X</b>"
# Everything at once: what a hostile (or unlucky) person types into any text field.
HOSTILE = f"{SCRIPT_TAG} {QUOTES} {ATTRIBUTE_BREAK} {RTL}"
HOSTILE_SCHOOL = f"{BOLD} {HOSTILE}"[:200]
# What must never reach a page, a PDF's markup or an export unescaped.
RAW_MARKUP = ("<script>alert(1)", "<img src=x", "<b>X</b>")
# Values a spreadsheet would run as a formula.
FORMULAS = ('=HYPERLINK("http://x","y")', "+1+1", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1")


@dataclass
class HostileWorld:
    """The ids every URL needs and the user id of each role."""

    users: dict[str, int]
    values: dict[str, Any]
    sign_ins: dict[int, str]  # user id -> the secret of a live sign-in, for the session cookie


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A small, real PNG photo."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), "red").save(buffer, "PNG")
    return buffer.getvalue()


def _user(session: Session, role: Role, email: str, **fields: Any) -> User:
    user = User(email=email, role=role, password_hash=PASSWORD_HASH, **fields)
    session.add(user)
    session.flush()
    return user


def _hostile_plans(
    session: Session, school: School, users: dict[str, User], rounds: tuple[Round, ...]
) -> list[ActionPlan]:
    """The school's action plans, with hostile actions: a draft, a submitted one, an approved one."""
    principal, leader = users["principal"], users["leader"]
    today = date(2027, 1, 4)
    plans = []
    for round_ in rounds:
        plan = ActionPlan(
            school_id=school.id, round_id=round_.id, reason=PlanReason.REQUESTED, threshold=70.0
        )
        session.add(plan)
        record(plan, PlanEventKind.OPENED, leader)
        weak = weaknesses(session, round_, school)
        add_action(
            session, plan, ActionEntry(HOSTILE, "front_office", date(2027, 2, 1)), principal, weak, today
        )
        plans.append(plan)
    submit_plan(session, plans[1], principal, today)
    submit_plan(session, plans[2], principal, today)
    send_back_plan(session, plans[2], leader, f"Please fix: {HOSTILE}")
    submit_plan(session, plans[2], principal, today)
    approve_plan(session, plans[2], leader)
    return plans


def build_hostile_world(session: Session, app: Flask) -> HostileWorld:
    """Create (and commit) the fieldwork district with hostile text everywhere a person types."""
    fieldwork = build_fieldwork(session)
    district, school, auditor, reviewer = (
        fieldwork.district,
        fieldwork.school,
        fieldwork.auditor,
        fieldwork.reviewer,
    )
    school.name = HOSTILE_SCHOOL
    school.principal_name = "Dana O'Neil"
    school.street, school.city = ATTRIBUTE_BREAK, SCRIPT_TAG
    for assignment in (fieldwork.phone, fieldwork.email, fieldwork.visit):
        scenario = assignment.scenario
        scenario.title = f"{SCRIPT_TAG} {RTL}"[:200]
        scenario.persona = HOSTILE
        scenario.script = f"{HOSTILE}\n{BOLD}"
        scenario.questions = [HOSTILE]
        scenario.answer_key = HOSTILE
    users = {
        "admin": _user(session, Role.ADMIN, "admin@example.org", name=SCRIPT_TAG),
        "leader": _user(session, Role.LEADER, "leader@example.org", district=district, name=QUOTES),
        "principal": _user(
            session, Role.PRINCIPAL, "principal@example.org", district=district, schools=[school]
        ),
        "auditor": auditor,
        "reviewer": reviewer,
        "second_auditor": fieldwork.other_auditor,
    }
    closure = add_closures(session, district, date(2027, 2, 15), None, HOSTILE[:200])[0]
    # The auditor's persona mailbox, with quotes in its name, on a port nothing listens on.
    mailbox = save_mailbox(
        session, district,
        MailboxSettings(
            address="o.brien+family@example.net", display_name=QUOTES, smtp_host="127.0.0.1", smtp_port=1,
            smtp_security=MailSecurity.NONE, smtp_password=HOSTILE, imap_host="127.0.0.1", imap_port=1,
            imap_security=MailSecurity.NONE,
        ),
        Vault.of(app.config["MAIL_CREDENTIALS_KEY"], app.config["SECRET_KEY"]),
    )  # fmt: skip
    session.merge(AuditorProfile(user_id=auditor.id, persona_name="Dana", mailbox_id=mailbox.id))

    # The phone call: submitted, waiting for review, with hostile comments and text answers.
    hostile_call = changed(
        REACHED_CALL,
        responses={
            "impression": AnswerEntry(HOSTILE),
            "accuracy": AnswerEntry("Partly correct", comment=f"{HOSTILE} {BOLD}"),
            "courtesy": AnswerEntry(3, comment=FORMULAS[0]),
        },
    )
    submitted = start_contact(session, fieldwork.phone, auditor)
    submit(session, submitted, hostile_call, auditor, fieldwork.calendar, now=TEST_NOW)
    # The email: submitted, returned with a hostile note, submitted again and approved.
    approved = start_contact(session, fieldwork.email, auditor)
    email_entry = ContactEntry(
        Outcome.REACHED,
        local("2027-02-02T09:00"),
        Timings(sent_text=HOSTILE, reply_at=local("2027-02-02T13:00"), reply_text=f"{HOSTILE} {FORMULAS[1]}"),
        {
            "answered_by_person": AnswerEntry(True),
            "rings": AnswerEntry(2.0),
            "courtesy": AnswerEntry(4, comment=f"The staff said {BOLD} and {SCRIPT_TAG}, {QUOTES}."),
            "accuracy": AnswerEntry("Complete and correct", comment=FORMULAS[3]),
            "impression": AnswerEntry(FORMULAS[2]),
        },
    )
    submit(session, approved, email_entry, auditor, fieldwork.calendar, now=TEST_NOW)
    return_contact(session, approved, reviewer, f"Please fix: {HOSTILE}")
    submit(session, approved, email_entry, auditor, fieldwork.calendar, now=TEST_NOW)
    approve(session, approved, reviewer)
    # The hostile email thread, to be scored again, blind, by the district's other auditor.
    double = session.scalar(select(DoubleScoring).where(DoubleScoring.contact_id == approved.id))
    if double is None:
        double = DoubleScoring(
            round_id=fieldwork.round.id, contact_id=approved.id, second_auditor_id=fieldwork.other_auditor.id,
            draw=0.05, percent=10.0, chosen_at=TEST_NOW,
        )  # fmt: skip
        session.add(double)
        session.flush()
    # The visit: a draft the auditor is still filling in, with a photo attached.
    draft = start_contact(session, fieldwork.visit, auditor)
    # A second email and a second call to the school, both drafts: an attached .eml fills in the
    # email's reply, and the call can be placed through Twilio.
    second_email = Assignment(
        round_id=fieldwork.round.id,
        school_id=school.id,
        scenario_id=fieldwork.email.scenario_id,
        auditor_id=auditor.id,
        channel=Channel.EMAIL,
        sequence=2,
        due_day=date(2027, 2, 3),
        slot=Slot.MORNING,
    )
    second_call = Assignment(
        round_id=fieldwork.round.id,
        school_id=school.id,
        scenario_id=fieldwork.phone.scenario_id,
        auditor_id=auditor.id,
        channel=Channel.PHONE,
        sequence=2,
        due_day=date(2027, 2, 3),
        slot=Slot.AFTERNOON,
    )
    session.add_all([second_email, second_call])
    session.flush()
    email_draft = start_contact(session, second_email, auditor)
    phone_draft = start_contact(session, second_call, auditor)
    session.flush()
    evidence = attach_evidence(
        session,
        draft,
        png_bytes(),
        f"{SCRIPT_TAG}.png",
        "entrance",
        auditor,
        Path(app.config["EVIDENCE_DIR"]),
        10 * 1024 * 1024,
    )

    rubric = create_draft(
        session,
        rubric_from_yaml(EXAMPLE_YAML.replace("key: phone-standard", "key: hostile-draft")),
    )
    section = rubric.sections[0]
    item = section.items[0]
    draft_round = save_round(
        session,
        district,
        RoundSpec(
            name=f"{SCRIPT_TAG} round",
            first_day=date(2027, 3, 1),
            last_day=date(2027, 3, 12),
            channels={Channel.PHONE: ChannelPlan(1, [fieldwork.phone.scenario_id])},
        ),
    )
    closed_round = Round(
        district_id=district.id,
        name="Closed round",
        first_day=date(2026, 10, 1),
        last_day=date(2026, 10, 30),
        status=RoundStatus.CLOSED,
    )
    session.add(closed_round)
    publish_rubric(session, Channel.PHONE)
    # A published round: its call's scorecard is published today, and the principal queried an answer
    # with a hostile reason and evidence; the call's answers carry hostile comments.
    scoring = ScoringWorld(session, district, auditor, schools=[school])
    scoring.rubrics[Channel.PHONE] = tipped_rubric(session, Channel.PHONE)
    scoring.scenarios[Channel.PHONE] = fieldwork.phone.scenario
    published_round = scoring.round(f"{SCRIPT_TAG} published round", date(2026, 9, 14))
    published_round.status = RoundStatus.PUBLISHED
    published_call = scoring.contact(
        published_round, school, Channel.PHONE, GOOD, started_at=at(date(2026, 9, 14)), rings=2
    )
    say(published_call, "courtesy", HOSTILE)
    published_card = Scorecard(
        token=secrets.token_urlsafe(32), round_id=published_round.id, school_id=school.id,
        inputs_hash="0" * 64, content_hash="0" * 64, path="scorecards/none.pdf", size=1,
        published_at=utcnow(),
    )  # fmt: skip
    appeal = Appeal(
        contact_id=published_call.id, item_key="courtesy", reason=HOSTILE, evidence=f"{BOLD} {HOSTILE}",
        queried_answer=HOSTILE[:100], filed_by_id=users["principal"].id,
    )  # fmt: skip
    session.add_all([published_card, appeal])
    # Calibration: a draft exercise of hostile material to build, and an open one on the published call
    # and a hostile narrative, keyed by the reviewer, submitted by the other auditor with hostile notes;
    # the auditor has scored nothing yet.
    folder = Path(app.config["EVIDENCE_DIR"]) / "calibration"
    folder.mkdir(parents=True, exist_ok=True)
    tipped = scoring.rubrics[Channel.PHONE]
    draft_exercise = create_exercise(session, district, users["leader"], HOSTILE[:200], tipped)
    draft_reference = add_material_reference(session, draft_exercise, HOSTILE[:200], HOSTILE, None, folder, 1)
    set_auditors(session, draft_exercise, [auditor, fieldwork.other_auditor])
    exercise = create_exercise(session, district, users["leader"], f"{SCRIPT_TAG} calibration", tipped)
    reference = add_contact_reference(session, exercise, published_call, HOSTILE[:200])
    add_material_reference(session, exercise, BOLD, f"{HOSTILE}\n{FORMULAS[0]}", None, folder, 1)
    set_auditors(session, exercise, [auditor, fieldwork.other_auditor])
    open_exercise(session, exercise, TEST_NOW)
    sheet = {
        "answered": AnswerEntry(True, comment=HOSTILE),
        "named": AnswerEntry(na=True),
        "courtesy": AnswerEntry(3, comment=BOLD),
        "accuracy": AnswerEntry("Partly"),
        "note": AnswerEntry(HOSTILE),
    }
    for each in exercise.references:
        record_sheet(session, exercise, each, reviewer, sheet, key=True, now=TEST_NOW)
        record_sheet(session, exercise, each, fieldwork.other_auditor, sheet, now=TEST_NOW)
    submit_sheets(session, exercise, fieldwork.other_auditor, TEST_NOW)
    library = make_scenario(session, None, Channel.PHONE, "library-phone")
    district_scenario = save_scenario(
        session,
        district.id,
        ScenarioSpec(
            key="hostile-scenario",
            title=HOSTILE[:200],
            channel=Channel.PHONE,
            language="en",
            rubric="phone-test",
            persona=HOSTILE,
            script=HOSTILE,
            questions=[HOSTILE],
            answer_key=HOSTILE,
        ),
    )
    # The closed round's scorecard of the school, published: the principal's portal reads its figures
    # (never the PDF, which is not built here) and offers the acknowledgement form.
    scorecard = Scorecard(
        token=secrets.token_urlsafe(24), round_id=closed_round.id, school_id=school.id, inputs_hash="0" * 64,
        content_hash="0" * 64, path="hostile.pdf", size=1, published_at=datetime(2026, 11, 2, 15, tzinfo=UTC),
    )  # fmt: skip
    session.add(scorecard)
    # A reply the mailbox poll suggests for the auditor's email draft, every word of it hostile.
    suggestion = ReceivedMessage(
        mailbox_id=mailbox.id, uid_validity=1, uid=1, message_id="<hostile@school.test>",
        message_id_hash="c" * 64, content_hash="d" * 64, kind="personal", state=MessageState.SUGGESTED,
        rule="sender_subject", contact_id=email_draft.id, sender=HOSTILE[:254], subject=HOSTILE[:500],
        received_at=datetime(2026, 11, 3, 15, tzinfo=UTC), notes=HOSTILE, text=HOSTILE,
    )  # fmt: skip
    session.add(suggestion)
    plans = _hostile_plans(session, school, users, (fieldwork.round, draft_round, closed_round))
    token, plaintext = create_token(session, users["admin"], SCRIPT_TAG)
    # An import of a hostile file name that set a hostile email and principal: the import page,
    # its undo page and the school's history show them.
    batch = ImportBatch(kind=BatchKind.DIRECTORY, district=district, file_name=HOSTILE[:255], changed=1)
    session.add(batch)
    session.add(SchoolChange(school=school, field="website", old=None, new=HOSTILE, batch=batch))
    school.website = HOSTILE[:300]
    api_tokens = {role: create_token(session, users[role], role)[1] for role in ("auditor", "reviewer")}
    session.commit()
    # An invited person whose name is hostile: the invitation page shows it (``token``).
    _, _, invitation = invite(
        session, None, NewUser("invited@example.org", Role.REVIEWER, None, HOSTILE[:200], district.id)
    )
    # A staff file with a hostile name and a hostile person, waiting for the administrator's
    # confirmation (``key``): its preview shows both.
    rows = io.StringIO()
    csv.writer(rows).writerows(
        [["email", "name", "role"], ["new.staff@example.org", HOSTILE[:200], "reviewer"]]
    )
    staff_upload = keep_upload(
        Path(app.config["STORAGE_DIR"]) / uploads.FOLDER,
        rows.getvalue().encode(),
        owner_id=users["admin"].id,
        district_id=district.id,
        file_name=f"{HOSTILE[:100]}.csv",
    )
    values = {
        "district_id": district.id,
        "token": invitation,
        "key": staff_upload,
        "closure_id": closure.id,
        "round_id": fieldwork.round.id,
        "draft_round_id": draft_round.id,
        "closed_round_id": closed_round.id,
        "assignment_id": fieldwork.visit.id,
        "phone_assignment_id": fieldwork.phone.id,
        "draft_contact_id": draft.id,
        "email_draft_contact_id": email_draft.id,
        "suggested_message_id": suggestion.id,
        "phone_draft_contact_id": phone_draft.id,
        "email_draft_assignment_id": second_email.id,
        "phone_draft_assignment_id": second_call.id,
        "submitted_contact_id": submitted.id,
        "approved_contact_id": approved.id,
        "evidence_token": evidence.token,
        "rubric_id": rubric.id,
        "section_id": section.id,
        "item_id": item.id,
        "scenario_id": district_scenario.id,
        "library_scenario_id": library.id,
        "school_id": school.id,
        "scorecard_id": scorecard.id,
        "batch_id": batch.id,
        "user_id": auditor.id,
        "token_id": token.id,
        "api_token": plaintext,
        "auditor_api_token": api_tokens["auditor"],
        "reviewer_api_token": api_tokens["reviewer"],
        "plan_id": plans[0].id,
        "action_id": plans[0].actions[0].id,
        "submitted_plan_id": plans[1].id,
        "approved_plan_id": plans[2].id,
        "approved_action_id": plans[2].actions[0].id,
        "published_contact_id": published_call.id,
        "appeal_id": appeal.id,
        "scoring_id": double.id,
        "item_key": "accuracy",
        "exercise_id": exercise.id,
        "reference_id": reference.id,
        "draft_exercise_id": draft_exercise.id,
        "draft_reference_id": draft_reference.id,
        "mailbox_id": mailbox.id,
    }
    sign_ins = {user.id: start_sign_in(session, user) for user in users.values()}
    session.commit()
    return HostileWorld({role: user.id for role, user in users.items()}, values, sign_ins)


# The sign-ins of the hostile world built last (each module builds one), by user id.
_SIGN_INS: dict[int, str] = {}


def sign_in(client: FlaskClient, user_id: int | None, base_url: str = "http://localhost") -> None:
    """Put the user's sign-in in the client's session (no password hashing); ``None`` signs out."""
    with client.session_transaction(base_url=base_url) as web_session:
        web_session.clear()
        if user_id is not None:
            web_session["_user_id"] = str(user_id)
            web_session["_fresh"] = True
            web_session[SIGN_IN_KEY] = _SIGN_INS[user_id]


@dataclass
class Hostile:
    """The app on a database of its own, the world in it, and a watch on the baseline tests start from."""

    app: Flask
    world: HostileWorld
    watch: Watch

    def reset(self) -> None:
        """Put back the rows and stored files a test changed, and start watching again."""
        self.watch.reset()
        self.watch.mark()

    def unchanged(self) -> list[str]:
        """What differs from the baseline: table names, and ``files`` when stored files do."""
        return self.watch.changed_tables() + (["files"] if self.watch.changed_files() else [])


def start_hostile(database_template: str, folder: Path, **settings: Any) -> Iterator[Hostile]:
    """Build the app and the world once (for a module); empties the database afterwards."""
    url = TEST_DATABASE_URL or f"sqlite:///{folder / 'hostile.sqlite'}"
    if not TEST_DATABASE_URL:
        shutil.copyfile(database_template, folder / "hostile.sqlite")
    folders = (folder / "evidence", folder / "storage")
    app = create_app(
        "testing",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "WTF_CSRF_ENABLED": False,
            "EVIDENCE_DIR": str(folders[0]),
            "STORAGE_DIR": str(folders[1]),
            "NOW": TEST_NOW,
            **settings,
        },
    )
    with app.app_context():
        if TEST_DATABASE_URL:
            restore_rows(db.engine, {table.name: [] for table in Base.metadata.sorted_tables})
        with patch("tests.audits.fieldwork_helpers.hash_password", lambda _: PASSWORD_HASH):
            world = build_hostile_world(db.session, app)  # type: ignore[arg-type]
        db.session.remove()
    _SIGN_INS.clear()
    _SIGN_INS.update(world.sign_ins)
    hostile = Hostile(app, world, Watch(app, folders))
    yield hostile
    hostile.watch.close()
    with app.app_context():
        if TEST_DATABASE_URL:
            restore_rows(db.engine, {table.name: [] for table in Base.metadata.sorted_tables})
        db.engine.dispose()


def fresh(hostile: Hostile) -> Iterator[FlaskClient]:
    """For one test: the world as built and a new client.

    No application context stays pushed: each request gets its own, as in production, so
    nothing (a signed-in user cached on ``g``, the session's identity map) outlives a request.
    """
    hostile.reset()
    yield hostile.app.test_client()


def assert_no_raw_markup(text: str, where: str) -> None:
    """``text`` (a page, a PDF's HTML) holds none of the hostile markup unescaped."""
    for raw in RAW_MARKUP:
        assert raw not in text, f"{raw!r} appears unescaped in {where}"
