"""A full disk, injected where every file is written (``audits.storage.fill``): clear answers, no partials."""

from __future__ import annotations

import errno
import io
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.scorecards import jobs
from audits import storage
from audits.models import District, Evidence, Job, JobState, Role, Scorecard, User
from audits.storage import STORAGE_FULL
from tests.app.fieldwork_world import World, build_world, current_contact, login, open_form
from tests.conftest import AuthActions
from tests.reports.scorecard_helpers import ScorecardWorld, scorecard_world

real_fill = storage.fill


def full_disk_for(kind: Callable[[bytes], bool], after: int = 0) -> Callable[[BinaryIO, object], None]:
    """A writer that stores the first ``after`` files of ``kind`` (by their bytes), then runs out of space."""
    stored = [0]

    def fill(handle: BinaryIO, content: object) -> None:
        if isinstance(content, bytes) and kind(content):
            if stored[0] >= after:
                handle.write(content[: len(content) // 2])
                raise OSError(errno.ENOSPC, "No space left on device")
            stored[0] += 1
        real_fill(handle, content)  # type: ignore[arg-type]

    return fill


def pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF")


def every_file(tree: Path) -> list[str]:
    return sorted(str(path.relative_to(tree)) for path in tree.rglob("*") if path.is_file())


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


@pytest.fixture
def fieldwork(
    session: Session, make_district: Callable[..., District], make_user: Callable[..., User]
) -> World:
    return build_world(session, make_district, make_user)


def test_an_evidence_upload_on_a_full_disk_says_so_next_to_the_field_and_stores_nothing(
    app: Flask,
    client: FlaskClient,
    auth: AuthActions,
    fieldwork: World,
    session: Session,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(storage, "fill", full_disk_for(lambda _: True))
    login(auth, fieldwork.users["auditor"])
    open_form(client, fieldwork.visit)
    contact = current_contact(session, fieldwork.visit)
    upload = {"file": (io.BytesIO(b"The office said come back Tuesday."), "notes.txt"), "label": "notes"}
    response = client.post(
        f"/contacts/{contact.id}/evidence", data=upload, content_type="multipart/form-data"
    )
    assert response.status_code == 507
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html and STORAGE_FULL in html
    upload = {"file": (io.BytesIO(b"Again."), "notes.txt"), "label": "notes"}
    answer = client.post(
        f"/contacts/{contact.id}/evidence",
        data=upload,
        content_type="multipart/form-data",
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 507
    assert answer.get_json() == {
        "code": "storage_full",
        "errors": [{"field": "file", "message": STORAGE_FULL}],
    }
    assert list(session.scalars(select(Evidence))) == []
    assert every_file(Path(app.config["EVIDENCE_DIR"])) == []


def test_a_batch_on_a_full_disk_fails_clearly_keeps_what_it_built_and_leaves_no_partial_file(
    app: Flask, session: Session, cards: ScorecardWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "fill", full_disk_for(pdf, after=1))
    jobs.start_build(cards.round)
    job = session.scalars(select(Job)).one()
    session.refresh(job)
    assert job.state is JobState.FAILED
    assert job.message.startswith(STORAGE_FULL) and "built 1" in job.message
    stored = list(session.scalars(select(Scorecard)))
    assert len(stored) == 1
    folder = Path(app.config["STORAGE_DIR"])
    assert every_file(folder / "scorecards") == [Path(stored[0].path).name]
    assert jobs.batch_progress(cards.round.id).as_json()["state"] == "failed"  # type: ignore[union-attr]


def test_a_progress_file_that_cannot_be_written_never_stops_the_batch(
    app: Flask, session: Session, cards: ScorecardWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "fill", full_disk_for(lambda content: content.startswith(b"{")))
    jobs.start_build(cards.round)
    job = session.scalars(select(Job)).one()
    session.refresh(job)
    assert (job.state, job.built, job.done, job.total) == (JobState.DONE, 3, 3, 3)
    folder = Path(app.config["STORAGE_DIR"])
    assert not (folder / "progress" / f"{cards.round.id}.json").exists()
    assert [name for name in every_file(folder) if name.endswith(".tmp")] == []


def test_the_district_summary_on_a_full_disk_answers_507_and_leaves_no_file(
    app: Flask, client: FlaskClient, auth: AuthActions, cards: ScorecardWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage, "fill", full_disk_for(pdf))
    auth.sign_in("leader@example.org")
    url = f"/scorecards/rounds/{cards.round.id}/summary.pdf"
    page = client.get(url)
    assert page.status_code == 507 and STORAGE_FULL in page.get_data(as_text=True)
    answer = client.get(url, headers={"Accept": "application/json"})
    assert answer.status_code == 507 and answer.get_json()["code"] == "storage_full"
    assert every_file(Path(app.config["STORAGE_DIR"])) == []
    monkeypatch.setattr(storage, "fill", real_fill)
    assert client.get(url).data.startswith(b"%PDF")  # room again: rendered and kept


def test_an_export_on_a_full_disk_says_so_and_leaves_no_file(
    runner: FlaskCliRunner, tmp_path: Path, cards: ScorecardWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    def run_out(handle: BinaryIO, content: object) -> None:
        handle.write(b"round,school\r\n")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(storage, "fill", run_out)
    folder = tmp_path / "exports"
    folder.mkdir()
    result = runner.invoke(args=["export", "round", str(cards.round.id), "--out", str(folder / "items.csv")])
    assert result.exit_code == 1 and STORAGE_FULL in result.output
    assert list(folder.iterdir()) == []
