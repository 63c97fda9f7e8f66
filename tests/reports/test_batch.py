"""Batches: files by content hash, no rebuild of unchanged inputs, failures isolated, workers, --out."""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from audits.errors import ConflictError
from audits.models import RoundStatus, Scorecard
from reports import batch
from reports.batch import SchoolRef, build_scorecards
from reports.chunks import split
from reports.figures import gather_round, round_school_ids
from reports.render import Renderer
from tests.reports.scorecard_helpers import GOOD, PHONE, at, scorecard_world


def cards(session: Session) -> dict[int, Scorecard]:
    return {card.school_id: card for card in session.scalars(select(Scorecard))}


def test_build_stores_each_school_by_content_hash(session: Session, tmp_path: Path) -> None:
    built = scorecard_world(session)
    seen: list[tuple[int, int, str | None]] = []

    def progress(done: int, total: int, school: SchoolRef | None, error: str | None) -> None:
        seen.append((done, total, school.nces_id if school else None))

    report = build_scorecards(session, built.round, tmp_path, progress=progress)
    assert report.summary() == "built 3, unchanged 0, failed 0"
    assert seen[0] == (0, 3, None)
    assert [done for done, _, _ in seen[1:]] == [1, 2, 3]
    stored = cards(session)
    assert set(stored) == {school.id for school in built.schools}
    for card in stored.values():
        data = (tmp_path / card.path).read_bytes()
        assert card.path == f"scorecards/{card.content_hash}.pdf"
        assert hashlib.sha256(data).hexdigest() == card.content_hash
        assert card.size == len(data) and data.startswith(b"%PDF-1.7")
        assert len(card.token) >= 40 and card.published_at is None
    assert len({card.token for card in stored.values()}) == 3


def test_unchanged_inputs_are_not_rebuilt(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = scorecard_world(session)
    build_scorecards(session, built.round, tmp_path)
    before = {
        school_id: (card.content_hash, card.built_at, card.token)
        for school_id, card in cards(session).items()
    }
    rendered: list[int] = []
    original = batch.render_job
    monkeypatch.setattr(batch, "render_job", lambda job: rendered.append(job.school_id) or original(job))
    again = build_scorecards(session, built.round, tmp_path)
    assert again.summary() == "built 0, unchanged 3, failed 0"
    assert rendered == []
    # New evidence for school B changes only B's inputs (and the district figures A's card prints).
    built.world.contact(built.round, built.schools[1], PHONE, GOOD, started_at=at(date(2026, 10, 20)))
    session.flush()
    changed = build_scorecards(session, built.round, tmp_path)
    assert built.schools[1].id in rendered
    assert built.schools[2].id not in rendered  # C prints no district figures: nothing changed for it
    assert len(changed.unchanged) == 1
    after = cards(session)
    b = built.schools[1].id
    assert after[b].token == before[b][2]  # links in emails stay valid across rebuilds
    assert after[b].content_hash != before[b][0]
    assert not (tmp_path / f"scorecards/{before[b][0]}.pdf").exists()  # the replaced file is gone


def test_a_missing_file_or_force_rebuilds(session: Session, tmp_path: Path) -> None:
    built = scorecard_world(session)
    build_scorecards(session, built.round, tmp_path)
    card = cards(session)[built.schools[0].id]
    (tmp_path / card.path).unlink()
    report = build_scorecards(session, built.round, tmp_path)
    assert [school.id for school in report.built] == [built.schools[0].id]
    assert (tmp_path / card.path).is_file()  # same inputs, same bytes, same name
    assert (
        build_scorecards(session, built.round, tmp_path, force=True).summary()
        == "built 3, unchanged 0, failed 0"
    )


def test_one_failure_does_not_stop_the_others(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = scorecard_world(session)
    broken = built.schools[1].id
    original = Renderer.scorecard

    def scorecard(self: Renderer, data: object, identifier: bytes) -> object:
        if data.school_id == broken:  # type: ignore[attr-defined]
            raise RuntimeError("the printer caught fire")
        return original(self, data, identifier)  # type: ignore[arg-type]

    monkeypatch.setattr(Renderer, "scorecard", scorecard)
    failures: list[str] = []
    report = build_scorecards(
        session, built.round, tmp_path, progress=lambda d, t, s, e: e and failures.append(e)
    )
    assert report.summary() == "built 2, unchanged 0, failed 1"
    school, reason = report.failed[0]
    assert school.id == broken and reason == "RuntimeError: the printer caught fire"
    assert failures == [reason]
    assert set(cards(session)) == {built.schools[0].id, built.schools[2].id}


def test_only_the_requested_schools_and_out_dir(session: Session, tmp_path: Path) -> None:
    built = scorecard_world(session)
    a, b, _ = built.schools
    out = tmp_path / "out"
    first = build_scorecards(session, built.round, tmp_path / "store", school_ids={a.id}, out_dir=out)
    assert [school.id for school in first.built] == [a.id]
    assert sorted(path.name for path in out.iterdir()) == [f"{a.nces_id}.pdf"]
    again = build_scorecards(session, built.round, tmp_path / "store", school_ids={a.id, b.id}, out_dir=out)
    assert (len(again.built), len(again.unchanged)) == (1, 1)
    assert sorted(path.name for path in out.iterdir()) == sorted([f"{a.nces_id}.pdf", f"{b.nces_id}.pdf"])


def test_two_worker_processes_give_the_same_files(session: Session, tmp_path: Path) -> None:
    built = scorecard_world(session)
    single = build_scorecards(session, built.round, tmp_path / "one")
    hashes = {school_id: card.content_hash for school_id, card in cards(session).items()}
    session.execute(delete(Scorecard))
    pooled = build_scorecards(session, built.round, tmp_path / "two", workers=2)
    assert pooled.summary() == single.summary() == "built 3, unchanged 0, failed 0"
    assert {school_id: card.content_hash for school_id, card in cards(session).items()} == hashes
    assert 1 <= len(pooled.worker_peak_kb) <= 2 and all(kb > 0 for kb in pooled.worker_peak_kb.values())


def test_rounds_without_fieldwork_are_refused(session: Session, tmp_path: Path) -> None:
    built = scorecard_world(session)
    built.round.status = RoundStatus.SCHEDULED
    with pytest.raises(ConflictError, match="scheduled"):
        build_scorecards(session, built.round, tmp_path)


def test_a_chunk_of_schools_gets_the_same_figures_and_inputs_hash_as_the_whole_round(
    session: Session,
) -> None:
    built = scorecard_world(session, schools=4)
    whole = gather_round(session, built.round)
    ids = round_school_ids(session, built.round)
    assert sorted(ids) == sorted(whole.scorecards) and len(ids) == 4
    for chunk in split(ids, 3):  # as a chunked batch gathers them: each chunk its own rows
        part = gather_round(session, built.round, set(chunk))
        assert sorted(part.scorecards) == sorted(chunk)
        for school_id, data in part.scorecards.items():
            assert data == whole.scorecards[school_id]
            assert batch.inputs_hash(data) == batch.inputs_hash(whole.scorecards[school_id])
