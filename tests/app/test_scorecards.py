"""Scorecard pages: downloads and who may have them, publication with emails, openings, generation."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_mailman import EmailMultiAlternatives
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.models import (
    PublicationAction,
    Role,
    RoundStatus,
    Scorecard,
    ScorecardPublication,
    ScorecardView,
    User,
)
from reports.batch import build_scorecards
from reports.progress import read_progress
from tests.conftest import AuthActions
from tests.reports.scorecard_helpers import ScorecardWorld, scorecard_world

YES = {"confirm": "yes"}  # what a confirmation page posts


@dataclass
class Setting:
    """A district with built scorecards and one person per role."""

    built: ScorecardWorld
    cards: dict[int, Scorecard]
    leader: User
    reviewer: User
    auditor: User
    principal_a: User
    principal_b: User
    outsider: User

    def card(self, index: int) -> Scorecard:
        return self.cards[self.built.schools[index].id]


@pytest.fixture
def setting(
    app: Flask, session: Session, make_user: Callable[..., User], make_district: Callable[..., object]
) -> Setting:
    built = scorecard_world(session)
    district = built.world.district
    a, b, _ = built.schools
    people = {
        "leader": make_user(Role.LEADER, district, email="leader@example.org"),
        "reviewer": make_user(Role.REVIEWER, district, email="reviewer@example.org"),
        "auditor": make_user(Role.AUDITOR, district, email="auditor@example.org"),
        "principal_a": make_user(Role.PRINCIPAL, district, schools=[a], email="pa@example.org", name="Pat A"),
        "principal_b": make_user(Role.PRINCIPAL, district, schools=[b], email="pb@example.org", name="Pat B"),
        "outsider": make_user(Role.LEADER, make_district(), email="outsider@example.org"),
    }
    build_scorecards(session, built.round, Path(app.config["STORAGE_DIR"]))
    session.commit()
    cards = {card.school_id: card for card in session.scalars(select(Scorecard))}
    return Setting(built, cards, **people)


def outbox(app: Flask) -> list[EmailMultiAlternatives]:
    return getattr(app.extensions["mailman"], "outbox", [])


def pdf_url(card: Scorecard) -> str:
    return f"/scorecards/{card.token}.pdf"


def publish(client: FlaskClient, auth: AuthActions, setting: Setting) -> None:
    auth.sign_in(setting.leader.email)
    response = client.post(f"/scorecards/rounds/{setting.built.round.id}/publish", data=YES)
    assert response.status_code == 302
    auth.logout()


def test_leaders_reviewers_and_admins_download_any_time(
    client: FlaskClient, auth: AuthActions, setting: Setting, make_user: Callable[..., User]
) -> None:
    admin = make_user(Role.ADMIN, email="admin@example.org")
    for person in (setting.leader, setting.reviewer, admin):
        auth.sign_in(person.email)
        response = client.get(pdf_url(setting.card(0)))
        assert response.status_code == 200, person.email
        assert response.mimetype == "application/pdf"
        assert response.data.startswith(b"%PDF-1.7")
        assert "private" in response.headers["Cache-Control"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        auth.logout()


def test_unknown_tokens_are_404_and_strangers_403(
    client: FlaskClient, auth: AuthActions, setting: Setting
) -> None:
    auth.sign_in(setting.leader.email)
    assert client.get("/scorecards/not-a-real-token.pdf").status_code == 404
    auth.logout()
    for person in (setting.auditor, setting.outsider):
        auth.sign_in(person.email)
        assert client.get(pdf_url(setting.card(0))).status_code == 403, person.email
        auth.logout()
    assert client.get(pdf_url(setting.card(0))).status_code == 302  # signed out: to the sign-in page


def test_a_principal_sees_only_their_own_published_scorecard(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, setting: Setting
) -> None:
    auth.sign_in(setting.principal_a.email)
    assert client.get(pdf_url(setting.card(0))).status_code == 403  # not published yet
    auth.logout()
    publish(client, auth, setting)
    auth.sign_in(setting.principal_a.email)
    assert client.get(pdf_url(setting.card(1))).status_code == 403  # another school's
    first = client.get(pdf_url(setting.card(0)))
    assert first.status_code == 200 and first.data.startswith(b"%PDF")
    client.get(pdf_url(setting.card(0)))
    views = list(session.scalars(select(ScorecardView)))
    assert [(view.user_id, view.scorecard_id, view.opens) for view in views] == [
        (setting.principal_a.id, setting.card(0).id, 2)
    ]
    assert views[0].last_opened_at >= views[0].first_opened_at
    home = client.get("/").get_data(as_text=True)
    assert pdf_url(setting.card(0)) in home and pdf_url(setting.card(1)) not in home
    assert setting.built.round.name in home


def test_publishing_emails_principals_and_unpublishing_hides_again(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, setting: Setting
) -> None:
    publish(client, auth, setting)
    session.expire_all()
    round_ = setting.built.round
    assert round_.status is RoundStatus.PUBLISHED
    assert all(card.published_at is not None for card in session.scalars(select(Scorecard)))
    messages = {message.to[0]: message for message in outbox(app)}
    assert set(messages) == {"pa@example.org", "pb@example.org"}
    mail_a = messages["pa@example.org"]
    assert round_.name in mail_a.subject
    assert f"http://127.0.0.1:5000{pdf_url(setting.card(0))}" in mail_a.body
    assert pdf_url(setting.card(1)) not in mail_a.body
    assert "Avery" not in mail_a.body
    auth.sign_in(setting.leader.email)
    page = client.get(f"/scorecards/rounds/{round_.id}").get_data(as_text=True)
    assert page.count("<strong>not opened</strong>") == 2
    assert client.post(f"/scorecards/rounds/{round_.id}/unpublish", data=YES).status_code == 302
    auth.logout()
    session.expire_all()
    assert all(card.published_at is None for card in session.scalars(select(Scorecard)))
    history = [
        entry.action
        for entry in session.scalars(select(ScorecardPublication).order_by(ScorecardPublication.id))
    ]
    assert history == [PublicationAction.PUBLISHED, PublicationAction.UNPUBLISHED]
    auth.sign_in(setting.principal_a.email)
    assert client.get(pdf_url(setting.card(0))).status_code == 403
    assert pdf_url(setting.card(0)) not in client.get("/").get_data(as_text=True)


def test_publishing_is_asked_first_naming_every_principal_it_emails(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, setting: Setting
) -> None:
    round_ = setting.built.round
    url = f"/scorecards/rounds/{round_.id}/publish"
    auth.sign_in(setting.leader.email)
    assert f'href="{url}">Publish scorecards…</a>' in client.get(f"/scorecards/rounds/{round_.id}").get_data(
        as_text=True
    )
    page = client.get(url).get_data(as_text=True)
    assert "3 scorecards become visible</strong>" in page and "2 principals will be emailed</strong>" in page
    assert "pa@example.org" in page and "pb@example.org" in page and "Pat A" in page
    school_c = setting.built.schools[2].name
    assert f"1 school has no principal account, so nobody there is emailed or sees it: {school_c}." in page
    assert "The round becomes published: it can no longer be reopened for fieldwork." in page
    assert "Yes, publish 3 scorecards and email 2 principals" in page

    one_click = client.post(url)  # an old page's form: nothing published, nobody emailed
    assert one_click.headers["Location"] == url
    session.expire_all()
    assert all(card.published_at is None for card in session.scalars(select(Scorecard)))
    assert outbox(app) == []
    done = client.post(url, data=YES, follow_redirects=True)
    assert "Published 3 scorecards; 2 principals are emailed a link." in done.get_data(as_text=True)
    assert sorted(message.to[0] for message in outbox(app)) == ["pa@example.org", "pb@example.org"]

    hide = client.get(f"/scorecards/rounds/{round_.id}/unpublish").get_data(as_text=True)
    assert "3 scorecards will be hidden</strong>" in hide and "0 principals have already opened" in hide
    assert "Yes, hide 3 scorecards from principals" in hide
    assert client.post(f"/scorecards/rounds/{round_.id}/unpublish").status_code == 302  # not confirmed
    session.expire_all()
    assert all(card.published_at is not None for card in session.scalars(select(Scorecard)))
    refused = client.get(url).get_data(as_text=True)  # all published: nothing left to publish
    assert "Every scorecard of this round is already published." in refused and "Yes, publish" not in refused


def test_the_leader_sees_who_opened_their_scorecard(
    client: FlaskClient, auth: AuthActions, setting: Setting
) -> None:
    publish(client, auth, setting)
    auth.sign_in(setting.principal_a.email)
    client.get(pdf_url(setting.card(0)))
    auth.logout()
    auth.sign_in(setting.leader.email)
    page = client.get(f"/scorecards/rounds/{setting.built.round.id}").get_data(as_text=True)
    assert "Pat A:" in page and "opened" in page
    assert page.count("<strong>not opened</strong>") == 1  # Pat B has not


def test_only_a_closed_round_can_be_published(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, setting: Setting
) -> None:
    setting.built.round.status = RoundStatus.IN_FIELD
    session.commit()
    auth.sign_in(setting.leader.email)
    url = f"/scorecards/rounds/{setting.built.round.id}/publish"
    response = client.post(url, data=YES, follow_redirects=True)
    assert "before publishing its scorecards" in response.get_data(as_text=True)
    session.expire_all()
    assert all(card.published_at is None for card in session.scalars(select(Scorecard)))
    assert outbox(app) == []
    auth.logout()
    auth.sign_in(setting.reviewer.email)
    assert client.post(f"/scorecards/rounds/{setting.built.round.id}/publish", data=YES).status_code == 403


def test_district_summary_is_for_leaders(client: FlaskClient, auth: AuthActions, setting: Setting) -> None:
    url = f"/scorecards/rounds/{setting.built.round.id}/summary.pdf"
    auth.sign_in(setting.leader.email)
    response = client.get(url)
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert client.get(url).data == response.data  # kept by the hash of its figures
    auth.logout()
    auth.sign_in(setting.reviewer.email)
    assert client.get(url).status_code == 403


def test_generate_runs_in_a_background_process_with_progress(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, setting: Setting
) -> None:
    round_ = setting.built.round
    auth.sign_in(setting.leader.email)
    page = client.get(f"/rounds/{round_.id}").get_data(as_text=True)
    assert "Generate scorecards" in page and "scorecards.js" in page
    response = client.post(f"/scorecards/rounds/{round_.id}/generate", data={"force": "y"})
    assert response.status_code == 302
    deadline = time.monotonic() + 120
    state = {}
    while time.monotonic() < deadline:
        state = client.get(f"/scorecards/rounds/{round_.id}/progress").get_json()
        if state["state"] in ("done", "failed"):
            break
        time.sleep(0.25)
    assert state["state"] == "done", state
    assert (state["total"], state["done"], state["built"]) == (3, 3, 3)
    assert state["failures"] == []
    progress = read_progress(Path(app.config["STORAGE_DIR"]), round_.id)
    assert progress is not None and progress.finished


def test_generate_refuses_while_a_batch_runs_and_reviewers_cannot(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, setting: Setting
) -> None:
    from audits.models import Job, JobKind, JobState
    from audits.timeutil import utcnow

    round_ = setting.built.round
    session.add(
        Job(
            kind=JobKind.SCORECARDS,
            round_id=round_.id,
            state=JobState.RUNNING,
            total=3,
            done=1,
            heartbeat_at=utcnow(),
        )
    )
    session.commit()
    auth.sign_in(setting.leader.email)
    response = client.post(f"/scorecards/rounds/{round_.id}/generate", follow_redirects=True)
    assert "already being generated" in response.get_data(as_text=True)
    state = client.get(f"/scorecards/rounds/{round_.id}/progress").get_json()
    assert (state["state"], state["done"], state["total"], state["active"]) == ("running", 1, 3, True)
    auth.logout()
    auth.sign_in(setting.reviewer.email)
    assert client.post(f"/scorecards/rounds/{round_.id}/generate").status_code == 403
    assert "Generate scorecards" not in client.get(f"/rounds/{round_.id}").get_data(as_text=True)


def test_a_batch_that_cannot_start_says_so(
    app: Flask, client: FlaskClient, auth: AuthActions, setting: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    from app.scorecards import jobs

    def refuse(*args: object) -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(jobs, "_start_local", refuse)
    round_ = setting.built.round
    auth.sign_in(setting.leader.email)
    page = client.post(f"/scorecards/rounds/{round_.id}/generate", follow_redirects=True).get_data(
        as_text=True
    )
    assert "The batch could not start (OSError)" in page
    state = client.get(f"/scorecards/rounds/{round_.id}/progress").get_json()
    assert (state["state"], state["active"]) == ("failed", False)
    assert "no more processes" in state["message"]


def test_two_leaders_generating_at_once_start_one_batch(
    app: Flask, session: Session, setting: Setting, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both requests read the latest job at the same moment; only one may start a batch."""
    import contextlib
    import threading

    from app.extensions import db
    from app.scorecards import jobs
    from audits import jobs as job_rules
    from audits.models import Job, Round

    started: list[int] = []
    meet = threading.Barrier(2)
    read = job_rules.latest_job

    def read_together(session: Session, round_id: int) -> object:
        current = read(session, round_id)
        with contextlib.suppress(threading.BrokenBarrierError):  # unlocked, both have read "no batch"
            meet.wait(timeout=0.5)
        return current

    monkeypatch.setattr(job_rules, "latest_job", read_together)
    monkeypatch.setattr(jobs, "_start_local", lambda _app, job_id: started.append(job_id))
    round_id = setting.built.round.id
    session.commit()
    outcomes: list[str] = []

    def press() -> None:
        with app.app_context():
            try:
                jobs.start_build(db.session.get(Round, round_id))
                outcomes.append("started")
            except jobs.BatchRunningError:
                outcomes.append("already running")
            finally:
                db.session.remove()

    presses = [threading.Thread(target=press) for _ in range(2)]
    for thread in presses:
        thread.start()
    for thread in presses:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["already running", "started"]
    assert started == [job.id for job in session.query(Job)]
