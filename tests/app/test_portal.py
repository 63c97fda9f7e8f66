"""The principal's portal: the PDF's own figures as a page, the trend, only their schools, acknowledgements.

The district of ``tests.reports.scorecard_helpers`` has two rounds; both rounds' scorecards are stored
and published, so School A's portal has a trend over two rounds. The portal reads its figures from
``reports.figures`` as the PDF build does, never from the stored PDF, so the rows stand for PDFs that
are not rendered here (``tests/app/test_figures_agree.py`` reads real ones beside the portal). Today is
the suite's ``TEST_TODAY`` (Jan 4, 2027); the later round was published on Nov 2, 2026.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask, template_rendered
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import ActionPlan, Role, School, Scorecard, ScorecardAcknowledgement, ScorecardView, User
from audits.plans.opening import request_plan
from audits.scorecards import publish
from reports.figures import gather_round
from tests.audits.test_acknowledgements import stored_card
from tests.conftest import AuthActions
from tests.reports.scorecard_helpers import ScorecardWorld, scorecard_world

EARLIER_PUBLISHED = datetime(2026, 4, 1, 15, tzinfo=UTC)
PUBLISHED = datetime(2026, 11, 2, 15, tzinfo=UTC)
FRIENDLY_403 = "This page is not open to you"
STOCK_TEXTS = ("read-protected", "You don't have the permission", "requested URL was not found")


@dataclass
class Portal:
    """The district with both rounds' scorecards published, and a person per role."""

    built: ScorecardWorld
    cards: dict[tuple[int, int], Scorecard]  # (round id, school id) -> scorecard
    extra: School  # a school of the district with no scorecard at all
    leader: User
    auditor: User
    principal_a: User
    principal_b: User
    principal_many: User  # School A, School C and the extra school
    outsider: User

    def card(self, school: int, earlier: bool = False) -> Scorecard:
        round_ = self.built.earlier if earlier else self.built.round
        return self.cards[(round_.id, self.built.schools[school].id)]

    def url(self, school: int, earlier: bool = False) -> str:
        round_ = self.built.earlier if earlier else self.built.round
        return f"/schools/{self.built.schools[school].id}/portal?round={round_.id}"


@pytest.fixture
def portal(
    app: Flask,
    session: Session,
    make_user: Callable[..., User],
    make_school: Callable[..., School],
    make_district: Callable[..., Any],
) -> Portal:
    built = scorecard_world(session)
    district = built.world.district
    a, b, c = built.schools
    leader = make_user(Role.LEADER, district, email="leader@example.org", name="Lee Leader")
    for round_, moment in ((built.earlier, EARLIER_PUBLISHED), (built.round, PUBLISHED)):
        for school in built.schools:
            stored_card(session, round_, school, None)
        publish(session, round_, leader, now=moment)
    session.commit()
    extra = make_school(district, name="School D")
    cards = {(card.round_id, card.school_id): card for card in session.scalars(select(Scorecard))}
    return Portal(
        built=built,
        cards=cards,
        extra=extra,
        leader=leader,
        auditor=make_user(Role.AUDITOR, district, email="auditor@example.org"),
        principal_a=make_user(Role.PRINCIPAL, district, schools=[a], email="pa@example.org", name="Pat A"),
        principal_b=make_user(Role.PRINCIPAL, district, schools=[b], email="pb@example.org", name="Pat B"),
        principal_many=make_user(
            Role.PRINCIPAL, district, schools=[a, c, extra], email="pm@example.org", name="Max Many"
        ),
        outsider=make_user(Role.LEADER, make_district(), email="outsider@example.org"),
    )


@contextmanager
def rendered(app: Flask) -> Iterator[list[tuple[str, dict[str, Any]]]]:
    """The templates rendered meanwhile, with their context."""
    seen: list[tuple[str, dict[str, Any]]] = []

    def record(sender: Flask, template: Any, context: dict[str, Any], **extra: Any) -> None:
        seen.append((template.name, context))

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def text_of(html: str) -> str:
    """The page as read: tags out, whitespace squeezed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def test_the_portal_is_the_principals_home_with_the_pdfs_own_figures(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, portal: Portal
) -> None:
    auth.sign_in(portal.principal_a)
    with rendered(app) as seen:
        home = client.get("/")
    assert home.status_code == 200
    [context] = [context for name, context in seen if name == "portal/school.html"]
    school = portal.built.schools[0]
    expected = gather_round(session, portal.built.round, {school.id}).scorecards[school.id]
    page = context["page"]
    assert page.card.id == portal.card(0).id  # the newest published scorecard
    assert page.figures == expected  # the very object the PDF is drawn from, field for field

    text = text_of(home.get_data(as_text=True))
    assert f"Overall score {score(expected.overall)} out of 100" in text
    assert expected.interval is not None
    assert f"95% range {score(expected.interval.low)}–{score(expected.interval.high)}" in text
    assert f"from {expected.basis}" in text
    assert f"District median {score(expected.district_median)}" in text
    assert f"Rank {expected.rank_places} of {expected.ranked}" in text
    assert f"Critical failures {expected.critical_failure_count} contact" in text
    for row in expected.channels:
        assert f"{row.label} {score(row.school)} {score(row.district)}" in text
    for row in expected.sections:
        assert f"{row.label} {score(row.school)} {score(row.district)}" in text
    for step in expected.next_steps:
        assert step.tip in text
    for quote in expected.quotes:
        assert quote.text in home.get_data(as_text=True)
    auditor = portal.built.world.auditor  # Avery Quinn, named in a comment: redacted as in the PDF
    for secret in ("Avery", "Quinn", auditor.email, auditor.pseudonym, "Pat Morgan"):
        assert secret not in home.get_data(as_text=True), secret
    assert "[auditor] was told every document needed" in text

    # The trend over both rounds: each round's overall beside the district median.
    assert [point.round_name for point in expected.trend] == ["Spring 2026 round", "Fall 2026 round"]
    trend = text.split("Trend across rounds", 1)[1].split("Every counted contact", 1)[0]
    for point in expected.trend:
        assert f"{point.round_name}" in trend and f"{score(point.school)} {score(point.district)}" in trend
    assert "this scorecard" in trend
    # Every published round, the PDF of each; the earlier one as a page of its own.
    body = home.get_data(as_text=True)
    for earlier in (True, False):
        assert f"/scorecards/{portal.card(0, earlier).token}.pdf" in body
    assert f'href="{portal.url(0, earlier=True)}"'.replace("&", "&amp;") in body
    earlier_page = client.get(portal.url(0, earlier=True))
    assert earlier_page.status_code == 200
    earlier_text = text_of(earlier_page.get_data(as_text=True))
    assert "Spring 2026 round" in earlier_text and "an earlier round" in earlier_text
    assert "This is the school's first scored round" in earlier_text


def test_opening_the_portal_counts_as_opening_the_scorecard(
    client: FlaskClient, auth: AuthActions, session: Session, portal: Portal
) -> None:
    auth.sign_in(portal.leader)
    assert client.get(portal.url(0)).status_code == 200
    assert session.scalars(select(ScorecardView)).all() == []  # a leader reading it is not the principal
    auth.sign_in(portal.principal_a)
    client.get("/")
    client.get(portal.url(0))
    views = session.scalars(select(ScorecardView)).all()
    assert [(view.scorecard_id, view.user_id, view.opens) for view in views] == [
        (portal.card(0).id, portal.principal_a.id, 2)
    ]


def test_a_principal_sees_only_their_schools_through_friendly_pages(
    client: FlaskClient, auth: AuthActions, session: Session, portal: Portal
) -> None:
    auth.sign_in(portal.principal_a)
    other = client.get(portal.url(1))
    assert other.status_code == 403
    assert FRIENDLY_403 in other.get_data(as_text=True)
    unknown = client.get("/schools/999999/portal")
    assert unknown.status_code == 404 and "Page not found" in unknown.get_data(as_text=True)
    school_a = portal.built.schools[0].id
    for round_id in (999999, 10**30):
        assert client.get(f"/schools/{school_a}/portal?round={round_id}").status_code == 404
    portal.card(0, earlier=True).published_at = None  # unpublished again: no longer the principal's
    session.commit()
    assert client.get(portal.url(0, earlier=True)).status_code == 404
    for refused in (other, unknown, client.get("/rounds/"), client.get(f"/schools/{school_a}/results")):
        page = refused.get_data(as_text=True)
        assert "Back to the home page" in page and not any(stock in page for stock in STOCK_TEXTS)
    for person, answer in ((portal.auditor, 403), (portal.outsider, 403), (portal.principal_b, 403)):
        auth.sign_in(person)
        assert client.get(portal.url(0)).status_code == answer, person.email
    auth.sign_in(portal.leader)
    leader_view = client.get(portal.url(0)).get_data(as_text=True)
    assert "as School A's principal sees it" in leader_view
    assert "What is open for the principal" in leader_view and "acknowledge-form" not in leader_view
    client.post("/logout")
    assert client.get(portal.url(0)).status_code == 302  # signed out: to the sign-in page


def test_a_principal_of_several_schools_chooses_one(
    client: FlaskClient, auth: AuthActions, session: Session, portal: Portal, make_user: Callable[..., User]
) -> None:
    auth.sign_in(portal.principal_many)
    text = text_of(client.get("/").get_data(as_text=True))
    assert "Your schools Choose a school to read its scorecard" in text
    a = portal.built.schools[0]
    expected = gather_round(session, portal.built.round, {a.id})
    overall = expected.scorecards[a.id].overall
    assert f"School A Fall 2026 round {score(overall)} out of 100" in text
    assert "Open for you: Acknowledge this scorecard" in text
    assert "School C Fall 2026 round No counted contacts this round." in text
    assert "School D No scorecard published yet." in text
    empty = client.get(f"/schools/{portal.extra.id}/portal")
    assert empty.status_code == 200 and "No scorecard yet" in empty.get_data(as_text=True)
    counted_none = text_of(client.get(f"/schools/{portal.built.schools[2].id}/portal").get_data(as_text=True))
    assert (
        "No counted contacts this round" in counted_none and "Read and discussed with staff" in counted_none
    )
    nobody = make_user(Role.PRINCIPAL, portal.built.world.district, email="new@example.org")
    auth.sign_in(nobody)
    assert "Your account is not linked to a school yet" in client.get("/").get_data(as_text=True)


ACKNOWLEDGE_ERRORS = [
    ({"discussed_on": ""}, "discussed_on", "enter the day you discussed the scorecard with your staff"),
    ({"discussed_on": "yesterday"}, "discussed_on", "enter the day as a date, for example 2027-01-15"),
    ({"discussed_on": "2027-01-05"}, "discussed_on", "the day cannot be in the future: today is Jan 4, 2027"),
    (
        {"discussed_on": "2026-11-01"},
        "discussed_on",
        "the day cannot be before the scorecard was published, on Nov 2, 2026",
    ),
    ({"discussed_on": "2026-11-05", "note": "x" * 1001}, "note", "keep the note within 1000 characters"),
]  # fmt: skip


def test_acknowledging_refuses_a_wrong_day_with_the_reason_beside_the_field(
    client: FlaskClient, auth: AuthActions, session: Session, portal: Portal
) -> None:
    auth.sign_in(portal.principal_a)
    url = f"/portal/scorecards/{portal.card(0).id}/acknowledge"
    for form, field, message in ACKNOWLEDGE_ERRORS:
        refused = client.post(url, data=form)
        page = refused.get_data(as_text=True)
        assert refused.status_code == 400, form
        assert re.search(rf'<p class="error" id="{field}-error">{re.escape(message)}', page), (
            form,
            page[:300],
        )
        assert 'class="error-summary" role="alert"' in page
        assert f'id="{field}"' in page and 'aria-invalid="true"' in page
        assert session.scalars(select(ScorecardAcknowledgement)).all() == []
    # The date picker offers only the days the rule allows.
    assert 'min="2026-11-02"' in page and 'max="2027-01-04"' in page


def test_a_principal_acknowledges_and_the_leader_sees_it(
    client: FlaskClient, auth: AuthActions, session: Session, portal: Portal
) -> None:
    card = portal.card(0)
    url = f"/portal/scorecards/{card.id}/acknowledge"
    for person in (portal.leader, portal.principal_b, portal.auditor):
        auth.sign_in(person)
        assert client.post(url, data={"discussed_on": "2026-11-05"}).status_code == 403, person.email
    auth.sign_in(portal.principal_a)
    before = text_of(client.get("/").get_data(as_text=True))
    assert "What is open for you Acknowledge this scorecard" in before
    done = client.post(
        url, data={"discussed_on": "2026-11-05", "note": "Whole office, Thursday staff meeting."}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(portal.url(0))
    saved = session.scalars(select(ScorecardAcknowledgement)).one()
    assert (saved.scorecard_id, saved.user_id, saved.discussed_on.isoformat(), saved.note) == (
        card.id, portal.principal_a.id, "2026-11-05", "Whole office, Thursday staff meeting."
    )  # fmt: skip
    after = text_of(client.get(done.headers["Location"]).get_data(as_text=True))
    assert (
        "Recorded: you read the scorecard of Fall 2026 round and discussed it with your staff on Nov 5, 2026"
        in after
    )
    assert "You read this scorecard and discussed it with staff on Nov 5, 2026" in after
    assert "Acknowledge this scorecard" not in after and "Record: read and discussed" not in after
    again = client.post(url, data={"discussed_on": "2026-11-06"})
    assert again.status_code == 409
    assert (
        "you already recorded that you discussed this scorecard with your staff on Nov 5, 2026"
        in again.get_data(as_text=True)
    )
    assert len(session.scalars(select(ScorecardAcknowledgement)).all()) == 1
    # The earlier round's scorecard is still to acknowledge, on its own page.
    assert "Acknowledge this scorecard" in client.get(portal.url(0, earlier=True)).get_data(as_text=True)

    auth.sign_in(portal.leader)
    page = text_of(client.get(f"/scorecards/rounds/{portal.built.round.id}").get_data(as_text=True))
    assert "1 principal has acknowledged theirs" in page
    assert (
        "acknowledged: discussed with staff on Nov 5, 2026 (“Whole office, Thursday staff meeting.”)" in page
    )
    assert "Pat B: not opened not acknowledged yet" in page
    assert "Pat Principal" not in page
    assert "Pat A: opened" in page  # reading the portal counted as opening it


def test_the_plan_to_write_is_open_on_the_portal_and_links_to_the_plan(
    client: FlaskClient, auth: AuthActions, session: Session, portal: Portal
) -> None:
    """A plan in draft for the school is listed among what is open, linked to its page; none for another."""
    school = portal.built.schools[0]
    plan = session.scalars(select(ActionPlan).where(ActionPlan.school_id == school.id)).first()
    if plan is None:
        plan = request_plan(session, school, portal.leader, now=PUBLISHED)
        session.commit()
    auth.sign_in(portal.principal_a)
    page = text_of(client.get(portal.url(0)).get_data(as_text=True))
    assert "Write your action plan" in page
    assert f'href="/plans/{plan.id}"' in client.get(portal.url(0)).get_data(as_text=True)
    other_school = portal.built.schools[1].id
    others = session.scalars(select(ActionPlan).where(ActionPlan.school_id == other_school)).all()
    auth.sign_in(portal.principal_b)
    assert ("Write your action plan" in text_of(client.get(portal.url(1)).get_data(as_text=True))) == bool(
        [other for other in others if other.status.value in ("draft", "sent_back")]
    )
