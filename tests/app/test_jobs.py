"""Scorecard batches as job rows: a dead worker's batch shows interrupted; resuming rebuilds nothing built."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

import pytest
from celery.canvas import Signature
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.scorecards import jobs
from audits.jobs import MAX_ATTEMPTS, Counts, JobLostError, beat, claim_job, interrupt_stale
from audits.models import Job, JobKind, JobState, Role, Scorecard, User
from audits.timeutil import utcnow
from reports.batch import build_scorecards
from tests.conftest import AuthActions
from tests.reports.scorecard_helpers import ScorecardWorld, scorecard_world

MINUTE = timedelta(minutes=1)


@pytest.fixture
def cards(
    session: Session, make_user: Callable[..., User], monkeypatch: pytest.MonkeyPatch
) -> ScorecardWorld:
    """A round ready for scorecards, a leader, and batches that run in this process."""
    built = scorecard_world(session)
    make_user(Role.LEADER, built.world.district, email="leader@example.org")
    session.commit()
    monkeypatch.setattr(jobs, "_start_local", lambda _app, job_id: jobs.run_job(job_id))
    return built


def dead_job(session: Session, cards: ScorecardWorld, silent_for: timedelta, **values: object) -> Job:
    """A forced batch whose worker stopped answering ``silent_for`` ago, after one school."""
    began = utcnow() - silent_for - MINUTE
    job = Job(
        kind=JobKind.SCORECARDS,
        round_id=cards.round.id,
        state=JobState.RUNNING,
        force=True,
        claimed_by="worker-1:4242:dead",
        total=3,
        done=1,
        created_at=began,
        resume_from=began,
        started_at=began,
        heartbeat_at=utcnow() - silent_for,
        **{"attempts": 1, **values},
    )
    session.add(job)
    session.commit()
    return job


def test_a_batch_whose_worker_died_shows_interrupted_and_a_restart_keeps_what_it_built(
    app: Flask, client: FlaskClient, auth: AuthActions, session: Session, cards: ScorecardWorld
) -> None:
    dead = dead_job(session, cards, silent_for=2 * MINUTE)
    first = cards.schools[0]
    build_scorecards(session, cards.round, Path(app.config["STORAGE_DIR"]), school_ids={first.id})
    session.commit()  # the school the dead worker built (and committed) before it died
    (kept,) = session.scalars(select(Scorecard))
    kept_at, kept_path = kept.built_at, kept.path
    auth.sign_in("leader@example.org")
    state = client.get(f"/scorecards/rounds/{cards.round.id}/progress").get_json()
    assert (state["state"], state["stale"], state["active"], state["done"]) == ("interrupted", True, False, 1)
    page = client.get(f"/rounds/{cards.round.id}").get_data(as_text=True)
    assert "The batch stopped at 1 of 3" in page and "the scorecards already built are kept" in page
    response = client.post(f"/scorecards/rounds/{cards.round.id}/generate", data={"force": "y"})
    assert response.status_code == 302
    session.expire_all()
    resumed = session.scalars(select(Job).order_by(Job.id.desc())).first()
    assert resumed is not None and resumed.id != dead.id
    assert (resumed.state, resumed.built, resumed.unchanged, resumed.resume_from) == (
        JobState.DONE,
        2,
        1,
        dead.resume_from,
    )
    assert session.get(Job, dead.id).state is JobState.INTERRUPTED  # type: ignore[union-attr]
    session.refresh(kept)
    assert (kept.built_at, kept.path) == (kept_at, kept_path)  # not rebuilt
    assert len(list(session.scalars(select(Scorecard)))) == 3


def test_a_live_batch_is_left_to_its_worker_and_a_taken_over_worker_stops(
    app: Flask, session: Session, cards: ScorecardWorld
) -> None:
    alive = dead_job(session, cards, silent_for=timedelta(seconds=5))
    with pytest.raises(jobs.BatchRunningError, match="already being generated"):
        jobs.start_build(cards.round)
    with pytest.raises(jobs.BatchBusyError):
        jobs.run_job(alive.id)  # a redelivered task while the first worker still beats
    assert not claim_job(session, alive, "worker-2", MINUTE)
    assert claim_job(session, alive, "worker-2", timedelta(seconds=1))  # silent too long: taken over
    session.commit()
    with pytest.raises(JobLostError):
        beat(session, alive, "worker-1:4242:dead", Counts(3, 2))
    beat(session, alive, "worker-2", Counts(3, 2))
    assert (alive.attempts, alive.claimed_by) == (2, "worker-2")


def test_recovery_interrupts_silent_batches_and_fails_those_whose_worker_keeps_dying(
    app: Flask, session: Session, cards: ScorecardWorld
) -> None:
    dead = dead_job(session, cards, silent_for=2 * MINUTE)
    assert jobs.recover_jobs() == 1  # no broker here: marked, and resumed by the next press
    session.refresh(dead)
    assert dead.state is JobState.INTERRUPTED and "stopped answering at 1 of 3" in dead.message
    assert jobs.run_job(dead.id) == "built 3, unchanged 0, failed 0"
    hopeless = dead_job(session, cards, silent_for=2 * MINUTE, attempts=MAX_ATTEMPTS)
    assert interrupt_stale(session, MINUTE) == []
    session.commit()
    session.refresh(hopeless)
    assert hopeless.state is JobState.FAILED and f"stopped {MAX_ATTEMPTS} times" in hopeless.message


class QueuedGroup:
    """Stands in for a Celery group: notes each chunk task's arguments instead of sending them."""

    def __init__(self, queued: list[tuple[int, str, int]], signatures: Iterable[Signature]) -> None:
        self.queued, self.signatures = queued, list(signatures)

    def apply_async(self) -> None:
        """Note the chunks, as a broker would keep them for the workers."""
        self.queued.extend(tuple(signature.args) for signature in self.signatures)  # type: ignore[misc]


def test_a_chunked_batch_whose_workers_died_is_resumed_with_only_its_unfinished_chunks(
    app: Flask, session: Session, cards: ScorecardWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    app.config["SCORECARD_CHUNK_SIZE"] = 2
    monkeypatch.setattr(jobs, "chunked", lambda _app=None: True)  # as with a broker
    queued: list[tuple[int, str, int]] = []
    monkeypatch.setattr(jobs, "group", lambda signatures: QueuedGroup(queued, signatures))
    jobs.start_build(cards.round, force=True)
    (job,) = session.scalars(select(Job))
    assert [index for _, _, index in queued] == [0, 1] and (job.state, job.total, job.done) == (
        JobState.RUNNING,
        3,
        0,
    )
    first_claim = queued[0][1]
    assert jobs.run_chunk(*queued[0]).endswith("built 2, unchanged 0, failed 0")
    session.refresh(job)
    assert (job.state, job.done, job.built) == (JobState.RUNNING, 2, 2)  # the job waits for chunk 1
    kept = {card.school_id: card.built_at for card in session.scalars(select(Scorecard))}

    job.heartbeat_at = utcnow() - 2 * MINUTE  # every worker died before chunk 1 began
    session.commit()
    assert jobs.recover_jobs() == 1
    session.refresh(job)
    assert job.state is JobState.INTERRUPTED
    assert jobs.run_job(job.id) == "1 chunk queued"  # resumed: chunk 0 finished, only chunk 1 again
    assert [(index, claim == first_claim) for _, claim, index in queued[2:]] == [(1, False)]
    assert "leftover" in jobs.run_chunk(*queued[1])  # the earlier dispatch's chunk 1 does nothing
    assert len(kept) == len(list(session.scalars(select(Scorecard)))) == 2

    jobs.run_chunk(*queued[2])
    session.refresh(job)
    assert (job.state, job.attempts, job.done, job.built, job.unchanged) == (JobState.DONE, 2, 3, 3, 0)
    cards_now = {card.school_id: card.built_at for card in session.scalars(select(Scorecard))}
    assert len(cards_now) == 3 and all(cards_now[school] == at for school, at in kept.items())
    progress = jobs.batch_progress(cards.round.id)
    assert progress is not None and (progress.state, progress.done, progress.message) == (
        "done",
        3,
        "built 3, unchanged 0, failed 0",
    )
