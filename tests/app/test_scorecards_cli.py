"""``flask scorecards build`` and ``flask scorecards summary``."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import RoundStatus, Scorecard
from reports.progress import read_progress
from reports.render import Renderer
from tests.reports.scorecard_helpers import scorecard_world


def test_build_writes_every_requested_pdf_to_out(
    app: Flask, runner: FlaskCliRunner, session: Session, tmp_path: Path
) -> None:
    built = scorecard_world(session)
    session.commit()
    out = tmp_path / "pdfs"
    result = runner.invoke(args=["scorecards", "build", str(built.round.id), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "built 3, unchanged 0, failed 0"
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{s.nces_id}.pdf" for s in built.schools)
    assert session.scalar(select(func.count()).select_from(Scorecard)) == 3
    progress = read_progress(Path(app.config["STORAGE_DIR"]), built.round.id)
    assert progress is not None and progress.state == "done" and progress.message.startswith("built 3")
    # Again, for one school, into a fresh folder: unchanged, yet its PDF is still written.
    again = tmp_path / "again"
    school = built.schools[1]
    result = runner.invoke(
        args=["scorecards", "build", str(built.round.id), "--school", school.nces_id, "--out", str(again)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[-1] == "built 0, unchanged 1, failed 0"
    assert [path.name for path in again.iterdir()] == [f"{school.nces_id}.pdf"]
    assert (again / f"{school.nces_id}.pdf").read_bytes() == (out / f"{school.nces_id}.pdf").read_bytes()


def test_build_reports_each_failure_and_exits_1(
    runner: FlaskCliRunner, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    built = scorecard_world(session)
    session.commit()
    broken = built.schools[0]
    original = Renderer.scorecard

    def scorecard(self: Renderer, data: object, identifier: bytes) -> object:
        if data.nces_id == broken.nces_id:  # type: ignore[attr-defined]
            raise ValueError("bad figures")
        return original(self, data, identifier)  # type: ignore[arg-type]

    monkeypatch.setattr(Renderer, "scorecard", scorecard)
    result = runner.invoke(args=["scorecards", "build", str(built.round.id), "--force"])
    assert result.exit_code == 1
    assert f"failed: {broken.name} ({broken.nces_id}): ValueError: bad figures" in result.stderr
    assert result.stdout.splitlines()[-1] == "built 2, unchanged 0, failed 1"


def test_build_refuses_unknown_rounds_schools_and_rounds_without_fieldwork(
    runner: FlaskCliRunner, session: Session
) -> None:
    built = scorecard_world(session)
    session.commit()
    result = runner.invoke(args=["scorecards", "build", "999"])
    assert result.exit_code != 0 and "no round with id 999" in result.output
    result = runner.invoke(args=["scorecards", "build", str(built.round.id), "--school", "000000000000"])
    assert result.exit_code != 0 and "NCES id 000000000000" in result.output
    built.round.status = RoundStatus.DRAFT
    session.commit()
    result = runner.invoke(args=["scorecards", "build", str(built.round.id)])
    assert result.exit_code == 1
    assert "scorecards come once fieldwork starts" in result.stderr


def test_summary_writes_the_district_pdf(runner: FlaskCliRunner, session: Session, tmp_path: Path) -> None:
    built = scorecard_world(session)
    session.commit()
    target = tmp_path / "summary" / "district.pdf"
    result = runner.invoke(args=["scorecards", "summary", str(built.round.id), "--out", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"%PDF-1.7")
    assert "wrote the district summary" in result.stdout
