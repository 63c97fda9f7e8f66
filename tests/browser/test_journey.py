"""One audit round from start to finish, through the browser only.

A district leader imports the district's NCES file, adopts three library scenarios,
plans and commits a round; three auditors record a phone call (its draft surviving a
reload), an email and a visit with a photo; the reviewer returns one, its auditor fixes
and resubmits it, the reviewer approves everything; the leader closes the round,
generates and publishes the scorecards; the principal opens and downloads the PDF,
which names the school and gives its score. The principal never sees who audited.

Only the starting accounts and district are written to the database directly (and the
principal's account, with the ``flask users create`` command, once their school exists).
Each step's screenshot goes to ``artifacts/browser/journey/``.
"""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from app import create_app
from app.extensions import db
from audits.models import District, Role, User
from tests.browser.conftest import ARTIFACTS, LiveServer, Pages, run_cli, sign_in
from tests.browser.ui import fill_rubric, go_to
from tests.conftest import PASSWORD, PASSWORD_HASH

pytestmark = pytest.mark.browser

DISTRICT = "Duval County Public Schools"
TIMEZONE = "America/New_York"
SCHOOL = "ABESS PARK ELEMENTARY SCHOOL"
SCHOOL_NCES_ID = "120048003173"
# Three real Duval schools of different levels, from the NCES search export.
SUBSET = {"120048000773", SCHOOL_NCES_ID, "120048000663"}
ROUND = "Winter front-office round"
SCENARIOS = {
    "Phone call": "Enrolling a new student",
    "Email": "Applying for free or reduced-price meals",
    "Front-office visit": "Walk-in visitor asking how to enrol",
}
LEADER = ("leader@example.org", "Lee Leader")
REVIEWER = ("reviewer@example.org", "Rae Reviewer")
AUDITORS = {
    "auditor1@example.org": "Avery Auditor",
    "auditor2@example.org": "Sam Auditor",
    "auditor3@example.org": "Jo Auditor",
}
PRINCIPAL = ("principal@example.org", "Pat Principal")
SHOTS = ARTIFACTS / "journey"
RETURN_NOTE = "Please paste the whole reply, signature included."


def seed_accounts(database_url: str) -> None:
    """The starting point: one district, its leader, reviewer and auditors, and an administrator."""
    app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": database_url})
    with app.app_context():
        district = District(name=DISTRICT, timezone=TIMEZONE)
        db.session.add(district)
        people = [("admin@example.org", "Ada Admin", Role.ADMIN), (*LEADER, Role.LEADER)]
        people += [(*REVIEWER, Role.REVIEWER)]
        people += [(email, name, Role.AUDITOR) for email, name in AUDITORS.items()]
        for email, name, role in people:
            db.session.add(
                User(
                    email=email,
                    name=name,
                    role=role,
                    password_hash=PASSWORD_HASH,
                    district=None if role is Role.ADMIN else district,
                )
            )
        db.session.commit()
        db.session.remove()
        db.engine.dispose()


def district_file(shared_schools_dir: Path, target: Path) -> Path:
    """A small NCES search export: the real file's header and three of its schools."""
    lines = (shared_schools_dir / "duval_fl_nces_export.csv").read_text(encoding="utf-8").splitlines()
    rows = [line for line in lines[1:] if line.split(",", 1)[0] in SUBSET]
    assert len(rows) == len(SUBSET)
    target.write_text("\n".join([lines[0], *rows]) + "\n", encoding="utf-8")
    return target


def office_photo(target: Path) -> Path:
    """A small real JPEG: the front office as an auditor might photograph it."""
    image = Image.new("RGB", (320, 240), (214, 228, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((40, 60, 280, 200), fill=(120, 90, 60))
    draw.text((60, 30), "FRONT OFFICE", fill=(20, 20, 20))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=85)
    target.write_bytes(buffer.getvalue())
    return target


@pytest.fixture
def shots() -> Callable[[Page, str], None]:
    """Save a numbered full-page screenshot of each step under ``artifacts/browser/journey/``."""
    shutil.rmtree(SHOTS, ignore_errors=True)
    SHOTS.mkdir(parents=True)
    counter = iter(range(1, 100))

    def shoot(page: Page, step: str) -> None:
        """Save the page as the next numbered step."""
        page.screenshot(path=SHOTS / f"{next(counter):02d}-{step}.png", full_page=True)

    return shoot


@pytest.fixture
def journey(database_url: str, tmp_path: Path) -> str:
    """This test's database with the starting accounts and the shipped library (before the server starts)."""
    seed_accounts(database_url)
    run_cli(database_url, tmp_path / "server", "library", "load")
    return database_url


@pytest.fixture
def server(journey: str, live_server: LiveServer) -> LiveServer:
    """The live server, on the seeded database."""
    return live_server


def synced_on_server(page: Page) -> None:
    """Wait until the server has confirmed the contact form's latest answers (the script marks its copy)."""
    page.wait_for_function(
        """() => {
            const form = document.querySelector("form[data-contact-id]");
            const kept = localStorage.getItem(`touchpoint:contact-draft:${form.dataset.contactId}`);
            return kept !== null && JSON.parse(kept).synced === true;
        }"""
    )


def local_now() -> datetime:
    """The district's local time now, to the minute."""
    return datetime.now(ZoneInfo(TIMEZONE)).replace(second=0, microsecond=0)


def moment(value: datetime) -> str:
    """A value for a ``datetime-local`` input."""
    return value.strftime("%Y-%m-%dT%H:%M")


def test_audit_round_from_import_to_principal_scorecard(
    server: LiveServer,
    pages: Pages,
    shots: Callable[[Page, str], None],
    shared_schools_dir: Path,
    tmp_path: Path,
) -> None:
    """Import, plan, audit, review, publish and read a scorecard, all through the browser."""
    pages.base_url = server.url
    today = local_now().date()

    # --- The leader imports the district file and adopts one scenario per channel. ---------------
    leader = pages.open("leader")
    sign_in(leader, LEADER[0], PASSWORD)
    expect(leader.get_by_role("heading", name=DISTRICT)).to_be_visible()
    shots(leader, "leader-home")
    go_to(leader, "Schools")
    leader.get_by_role("link", name="Import NCES file").click()
    leader.get_by_label("NCES directory file (CSV)").set_input_files(
        district_file(shared_schools_dir, tmp_path / "duval-subset.csv")
    )
    leader.get_by_role("button", name="Preview the import").click()
    expect(leader.get_by_role("status").first).to_contain_text("3 to create, 0 to change")
    leader.get_by_role("button", name="Save this import").click()
    saved = leader.get_by_role("status").first
    expect(saved).to_contain_text("imported 3, updated 0, unchanged 0, skipped 0")
    shots(leader, "schools-imported")
    go_to(leader, "Schools")
    expect(leader.get_by_role("row", name=re.compile(SCHOOL))).to_be_visible()

    for title in SCENARIOS.values():
        go_to(leader, "Scenarios")
        leader.get_by_role("button", name=f"Adopt {title}").click()
        expect(leader.get_by_role("status")).to_contain_text(f"Adopted “{title}”")
    go_to(leader, "Scenarios")
    shots(leader, "scenarios-adopted")

    # --- Before the round: the school's email, the district's answer key, the auditors' personas. ----
    go_to(leader, "Schools")
    leader.get_by_role("link", name=SCHOOL).click()
    leader.get_by_role("link", name="Edit details").click()
    leader.get_by_label("Email").fill("office@abess.example.org")
    leader.get_by_role("button", name="Save").click()
    go_to(leader, "Scenarios")
    leader.get_by_role("link", name="Answer key").first.click()
    facts = leader.locator("form.stacked > .field textarea")
    for index in range(facts.count()):
        facts.nth(index).fill(f"the district's fact number {index + 1}")
    leader.get_by_role("button", name="Save the answer key").click()
    expect(leader.get_by_role("status").first).to_contain_text("Saved the answer key")
    for number, name in enumerate(AUDITORS.values(), start=1):
        go_to(leader, "Auditors")
        leader.get_by_role("link", name=name).click()
        leader.get_by_label("First name").fill(["Maria", "Chris", "Lucía"][number - 1])
        leader.get_by_label("Callback number").fill(f"904-555-015{number}")
        leader.get_by_label("Email address").fill(f"parent{number}@example.net")
        leader.get_by_role("button", name="Save").click()
        expect(leader.get_by_role("status").first).to_contain_text("Saved")

    # --- The leader plans the round, checks the plan and commits it. ------------------------------
    go_to(leader, "Rounds")
    leader.get_by_role("link", name="New round").click()
    leader.get_by_label("Name").fill(ROUND)
    leader.get_by_label("First day").fill((today - timedelta(days=7)).isoformat())
    leader.get_by_label("Last day").fill((today + timedelta(days=14)).isoformat())
    leader.get_by_label("Schools I pick").check()
    leader.get_by_label(SCHOOL).check()
    for channel, label in (
        ("Phone call", "Phone calls"),
        ("Email", "Emails"),
        ("Front-office visit", "Front-office visits"),
    ):
        leader.get_by_label(f"{label} per school").fill("1")
        leader.get_by_label(f"{SCENARIOS[channel]} (English)").check()
    leader.get_by_role("button", name="Save draft").click()
    expect(leader.get_by_role("heading", name="Plan preview")).to_be_visible()
    expect(leader.get_by_text("3 of 3 contacts placed")).to_be_visible()
    shots(leader, "round-plan")
    leader.get_by_role("button", name="Commit plan").click()
    expect(leader.get_by_role("status").first).to_contain_text("Scheduled")
    leader.get_by_role("link", name="Start fieldwork…").click()  # asked first, on a page of its own
    leader.get_by_role("button", name="Yes, start the fieldwork").click()
    expect(leader.get_by_role("status").first).to_contain_text("is in the field")
    shots(leader, "round-in-field")
    # Who does what comes from the plan: read each channel's auditor off the assignments table.
    auditor_of = {}
    for channel in SCENARIOS:
        row = leader.get_by_role("row").filter(has=leader.get_by_role("cell", name=channel, exact=True))
        name = row.get_by_role("cell").nth(4).inner_text().strip()
        auditor_of[channel] = next(email for email, known in AUDITORS.items() if known == name)
    assert len(set(auditor_of.values())) == 3  # the lockout rule: one contact per auditor and school

    # --- The principal's account, now that their school exists. ---------------------------------
    run_cli(
        server.database_url,
        server.workdir,
        *("users", "create", PRINCIPAL[0], "--role", "principal", "--school", SCHOOL_NCES_ID),
        *("--name", PRINCIPAL[1], "--password", PASSWORD),
    )

    auditor_pages = {}

    def open_contact(channel: str) -> Page:
        """Sign in as the channel's auditor (once) and open the contact form from their assignments."""
        email = auditor_of[channel]
        if email not in auditor_pages:
            auditor_pages[email] = pages.open(email)
            sign_in(auditor_pages[email], email, PASSWORD)
        page = auditor_pages[email]
        go_to(page, "My assignments")
        item = page.get_by_role("listitem").filter(has_text=SCENARIOS[channel])
        item.get_by_role("link", name=re.compile(f"contact form for {SCHOOL}")).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text(SCHOOL)
        return page

    # --- The phone call: a draft that survives a reload, then the rest and "Submit". --------------
    phone = open_contact("Phone call")
    shots(phone, "phone-contact-form")
    started = local_now() - timedelta(hours=2)
    phone.get_by_label("When the call started", exact=True).fill(moment(started))
    phone.get_by_label("How the contact ended", exact=True).select_option(label="Reached a person")
    phone.get_by_label("Rings before a person answered", exact=True).fill("3")
    phone.get_by_label("Longest hold in seconds", exact=True).fill("40")
    phone.get_by_label("Number of transfers", exact=True).fill("1")
    phone.get_by_label("Call length in seconds", exact=True).fill("260")
    phone.get_by_role("group", name="Did the staff member give their name?").get_by_label("Yes").check()
    status = phone.locator("#draft-status")
    expect(status).to_contain_text("Saved")
    synced_on_server(phone)
    shots(phone, "phone-draft-saved")
    phone.reload()
    expect(phone.get_by_label("When the call started", exact=True)).to_have_value(moment(started))
    expect(phone.get_by_label("How the contact ended", exact=True)).to_have_value("reached")
    expect(phone.get_by_label("Rings before a person answered", exact=True)).to_have_value("3")
    expect(phone.get_by_label("Call length in seconds", exact=True)).to_have_value("260")
    expect(phone.get_by_label("Yes", exact=True).first).to_be_checked()
    expect(status).to_contain_text("Draft saved")
    shots(phone, "phone-draft-after-reload")
    # The connection drops: the answer typed meanwhile is kept on the device and comes back after a reload.
    phone.route("**/contacts/*/draft", lambda route: route.abort("internetdisconnected"))
    phone.get_by_label("Call length in seconds", exact=True).fill("275")
    phone.get_by_label("Call length in seconds", exact=True).blur()
    expect(status).to_contain_text("Not saved yet: your answers are kept on this device")
    shots(phone, "phone-draft-offline")
    phone.unroute("**/contacts/*/draft")
    phone.reload()
    expect(phone.get_by_label("Call length in seconds", exact=True)).to_have_value("275")
    expect(status).to_contain_text("Saved")
    synced_on_server(phone)
    fill_rubric(phone, {"courtesy": "4"})
    phone.get_by_role("button", name="Submit for review").click()
    expect(phone.get_by_role("status").first).to_contain_text("ubmitted")
    shots(phone, "phone-submitted")

    # --- The email. --------------------------------------------------------------------------------
    mail = open_contact("Email")
    sent = local_now() - timedelta(days=3)
    mail.get_by_label("When you sent the email", exact=True).fill(moment(sent))
    mail.get_by_label("How the contact ended", exact=True).select_option(label="Reached a person")
    mail.get_by_label("The email you sent", exact=True).fill(
        "Hello, how do we apply for free school meals? Thank you."
    )
    mail.get_by_label("When the reply arrived", exact=True).fill(moment(sent + timedelta(hours=20)))
    mail.get_by_label("The reply", exact=True).fill(
        "Dear parent, the application form is on the district site."
    )
    fill_rubric(mail)
    mail.get_by_role("button", name="Submit for review").click()
    expect(mail.get_by_role("status").first).to_contain_text("ubmitted")
    shots(mail, "email-submitted")

    # --- The visit, with a photo of the office. -----------------------------------------------------
    visit = open_contact("Front-office visit")
    visit.get_by_label("When you arrived", exact=True).fill(moment(local_now() - timedelta(days=1)))
    visit.get_by_label("How the contact ended", exact=True).select_option(label="Reached a person")
    visit.get_by_label("Seconds until someone greeted you", exact=True).fill("45")
    visit.get_by_label("Total wait in seconds", exact=True).fill("180")
    visit.get_by_label("File", exact=True).set_input_files(office_photo(tmp_path / "front-office.jpg"))
    visit.get_by_label("What it shows", exact=True).select_option(label="Office")
    visit.get_by_role("button", name="Upload").click()
    photo = visit.get_by_role("img", name=re.compile(r"Photo: office \(front-office\.jpg\)"))
    expect(photo).to_be_visible()
    photo.scroll_into_view_if_needed()  # thumbnails load lazily
    assert photo.evaluate("async (image) => { await image.decode(); return image.naturalWidth; }") == 320
    # The answers typed before the upload were saved first and are still there.
    expect(visit.get_by_label("Seconds until someone greeted you", exact=True)).to_have_value("45")
    shots(visit, "visit-photo-uploaded")
    fill_rubric(visit)
    visit.get_by_role("button", name="Submit for review").click()
    expect(visit.get_by_role("status").first).to_contain_text("ubmitted")
    shots(visit, "visit-submitted")

    # --- The reviewer returns the email, then approves the rest. ----------------------------------
    reviewer = pages.open("reviewer")
    sign_in(reviewer, REVIEWER[0], PASSWORD)
    go_to(reviewer, "Review")
    expect(reviewer.get_by_role("status")).to_contain_text("3 contacts waiting for review")
    shots(reviewer, "review-queue")

    def open_from_queue(channel: str) -> None:
        """Open the channel's contact from the review queue."""
        go_to(reviewer, "Review")
        reviewer.get_by_role("row").filter(has_text=SCENARIOS[channel]).get_by_role("link").click()
        expect(reviewer.get_by_role("heading", level=1)).to_contain_text(SCHOOL)
        expect(reviewer.get_by_text(SCENARIOS[channel], exact=True)).to_be_visible()

    open_from_queue("Email")
    reviewer.get_by_label("What should the auditor fix?").fill(
        "Please paste the whole reply, signature included."
    )
    reviewer.get_by_role("button", name="Return to the auditor").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("eturned")
    shots(reviewer, "review-returned")
    for channel in ("Phone call", "Front-office visit"):
        open_from_queue(channel)
        reviewer.get_by_role("button", name="Approve").click()
        expect(reviewer.get_by_role("status").first).to_contain_text("pproved")

    # --- The auditor fixes the email and resubmits; the reviewer approves it. ----------------------
    mail = open_contact("Email")
    expect(mail.get_by_text(RETURN_NOTE)).to_be_visible()
    shots(mail, "email-returned")
    mail.get_by_label("The reply", exact=True).fill(
        "Dear parent, the application form is on the district site under Food Services.\nMs. Lopez, Office"
    )
    mail.get_by_role("button", name="Submit for review").click()
    expect(mail.get_by_role("status").first).to_contain_text("ubmitted")
    open_from_queue("Email")
    reviewer.get_by_role("button", name="Approve").click()
    expect(reviewer.get_by_role("status").first).to_contain_text("pproved")
    go_to(reviewer, "Review")
    expect(reviewer.get_by_role("status")).to_contain_text("0 contacts waiting for review")
    shots(reviewer, "review-all-approved")

    # --- The leader closes the round, reads the score, generates and publishes scorecards. ---------
    go_to(leader, "Rounds")
    leader.get_by_role("link", name=ROUND).click()
    leader.get_by_role("link", name="Close round…").click()
    leader.get_by_role("button", name="Yes, close the round").click()
    expect(leader.get_by_role("status").first).to_contain_text(f"Closed {ROUND}")
    leader.get_by_role("link", name="Dashboard").click()
    ranking = leader.get_by_role("table", name=re.compile("sortable by column"))
    expect(ranking.get_by_role("row").filter(has_text=SCHOOL)).to_be_visible()
    headers = [text.strip() for text in ranking.get_by_role("columnheader").all_inner_texts()]
    overall = next(index for index, header in enumerate(headers) if header.startswith("Overall"))
    school_row = ranking.get_by_role("row").filter(has_text=SCHOOL)
    score = re.fullmatch(r"\d{1,3}\.\d", school_row.locator("th, td").nth(overall).inner_text().strip())
    assert score, school_row.inner_text()
    shots(leader, "dashboard")
    leader.go_back()
    leader.get_by_role("button", name="Generate scorecards").click()
    expect(leader.get_by_text(re.compile(r"1 scorecard stored"))).to_be_visible(timeout=60_000)
    shots(leader, "scorecards-generated")
    leader.get_by_role("link", name=re.compile("Open each school's scorecard")).click()
    leader.get_by_role("link", name="Publish scorecards…").click()
    expect(leader.get_by_text("1 principal will be emailed")).to_be_visible()
    leader.get_by_role("button", name="Yes, publish 1 scorecard and email 1 principal").click()
    expect(leader.get_by_role("status").first).to_contain_text("Published 1 scorecard")
    shots(leader, "scorecards-published")

    # --- The principal reads and downloads the scorecard; no auditor is named anywhere. ---------
    principal = pages.open("principal")
    sign_in(principal, PRINCIPAL[0], PASSWORD)
    expect(principal.get_by_role("heading", name="Scorecards")).to_be_visible()
    link = principal.get_by_role("link", name=f"{ROUND} scorecard")
    shots(principal, "principal-home")
    never_shown = [*AUDITORS, *AUDITORS.values()]
    for text in never_shown:
        assert text not in principal.content()
    principal.get_by_role("link", name=SCHOOL).click()
    expect(principal.get_by_role("heading", level=1)).to_have_text(SCHOOL)
    shots(principal, "principal-school")
    for text in never_shown:
        assert text not in principal.content()
    principal.go_back()
    # Opening the link shows the PDF in the browser; saving it downloads the same file.
    with principal.expect_response(re.compile(r"/scorecards/[^/]+\.pdf$")) as opened:
        link.click()
    response = opened.value
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert f"{SCHOOL_NCES_ID}-scorecard" in response.headers["content-disposition"]
    download = principal.request.get(response.url)
    assert download.ok
    pdf = download.body()
    assert pdf.startswith(b"%PDF")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert SCHOOL in text
    assert re.search(rf"OVERALL SCORE\s*{re.escape(score.group(0))}\s*out of 100", text), text[:600]
    for name in never_shown:
        assert name not in text
