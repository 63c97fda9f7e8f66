"""``flask storage check``: orphan files and missing files listed; ``--repair`` removes the orphans."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy.orm import Session

from audits.fieldwork.contacts import start_contact
from audits.fieldwork.evidence import store_evidence
from audits.models import District, Evidence, User
from tests.app.fieldwork_world import World, build_world


def test_storage_check_lists_orphans_and_missing_files_and_repair_removes_the_orphans(
    app: Flask,
    runner: FlaskCliRunner,
    session: Session,
    make_district: Callable[..., District],
    make_user: Callable[..., User],
) -> None:
    world: World = build_world(session, make_district, make_user)
    evidence_dir = Path(app.config["EVIDENCE_DIR"])
    storage_dir = Path(app.config["STORAGE_DIR"])
    auditor = world.fieldwork.auditor
    attempt = start_contact(session, world.visit, auditor)
    kept = store_evidence(session, attempt, b"kept notes", "a.txt", "a", auditor, evidence_dir, 10_000)
    gone = store_evidence(session, attempt, b"lost notes", "b.txt", "b", auditor, evidence_dir, 10_000)
    session.commit()
    (evidence_dir / gone.storage_name).unlink()
    orphan = evidence_dir / "0123456789abcdef"
    orphan.write_bytes(b"left by a request that failed after writing")
    young = evidence_dir / "fedcba9876543210"
    young.write_bytes(b"an upload whose row is not committed yet")
    (storage_dir / "scorecards").mkdir(parents=True)
    stale_partial = storage_dir / "scorecards" / ".abc.pdf.1a2b3c4d.tmp"
    stale_partial.write_bytes(b"%PDF-half")
    two_hours_ago = time.time() - 7200
    for old in (orphan, stale_partial):
        os.utime(old, (two_hours_ago, two_hours_ago))
    young_partial = storage_dir / "scorecards" / ".def.pdf.5e6f7a8b.tmp"
    young_partial.write_bytes(b"%PDF-being-written")
    (storage_dir / "summaries").mkdir()
    (storage_dir / "summaries" / "cache.pdf").write_bytes(b"%PDF")  # a cache, rebuilt on demand

    result = runner.invoke(args=["storage", "check"])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"orphan: {orphan}",
        f"orphan: {stale_partial}",
        f"missing: evidence {gone.id}: {evidence_dir / gone.storage_name}",
        "2 orphans, 1 missing",
    ]
    repaired = runner.invoke(args=["storage", "check", "--repair"])
    assert repaired.output.splitlines()[-1] == "2 orphans, 1 missing; removed 2 orphans"
    assert not orphan.exists() and not stale_partial.exists() and young_partial.exists() and young.exists()
    assert (evidence_dir / kept.storage_name).read_bytes() == b"kept notes"
    young.unlink()
    session.delete(session.get(Evidence, gone.id))
    session.commit()
    clean = runner.invoke(args=["storage", "check"])
    assert (clean.exit_code, clean.output) == (0, "0 orphans, 0 missing\n")
