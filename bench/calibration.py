"""Benchmark a calibration exercise's agreement: 60 auditors × 20 reference contacts × 40 items.

Run: ``.venv/bin/python bench/calibration.py`` (under a minute). It builds a throw-away
SQLite database with one published rubric of 40 items (yes/no, choice, scale, timing and a few
text items), an exercise of 20 references (narratives) and 60 auditors who all submitted, with
a key, and answers drawn from a seeded random source (each auditor agrees with the truth most
of the time; a few are lenient). It prints the median seconds, over several runs, of:

- ``exercise_agreement`` on the loaded exercise (per item alpha through the ``krippendorff``
  package, score alpha, each auditor against the key): target under 1 s;
- loading the exercise from the database and computing the figures, as the agreement page and
  ``GET /api/v1/calibrations/<id>`` do: target under 1 s.

Timings depend on the machine and what else runs on it: the load average is printed at the
start and the end.
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import insert, select

from app import create_app
from app.extensions import db
from audits.calibration import exercise_agreement, load_exercise
from audits.models import (
    CalibrationExercise,
    CalibrationParticipant,
    CalibrationReference,
    Channel,
    District,
    ItemKind,
    Role,
    ScoreSheet,
    SheetAnswer,
    TimingUnit,
    User,
)
from audits.rubrics.scoring import item_fraction
from audits.rubrics.spec import ItemSpec, OptionSpec, RubricSpec, SectionSpec
from audits.rubrics.versions import create_draft, publish, spec_from_item

AUDITORS, REFERENCES, ITEMS = 60, 20, 40
RUNS = 7
NOW = datetime(2027, 3, 1, 15, tzinfo=UTC)
OPTIONS = [OptionSpec("Right", 1.0), OptionSpec("Partly", 0.5), OptionSpec("Wrong", 0.0)]


def rubric_spec() -> RubricSpec:
    """40 items: yes/no, choice, scale 0-4, timing (seconds, banded) in turn; every tenth a text item."""
    items = []
    for number in range(ITEMS):
        key = f"item_{number:02d}"
        if number % 10 == 9:
            items.append(ItemSpec(key, f"Note {number}", ItemKind.TEXT))
            continue
        kind = (ItemKind.YES_NO, ItemKind.CHOICE, ItemKind.SCALE, ItemKind.TIMING)[number % 4]
        items.append(
            ItemSpec(
                key,
                f"Question {number}",
                kind,
                points=2.0,
                allow_na=number % 7 == 0,
                max=4 if kind is ItemKind.SCALE else None,
                options=OPTIONS if kind is ItemKind.CHOICE else [],
                unit=TimingUnit.SECONDS if kind is ItemKind.TIMING else None,
                bands=[(30.0, 1.0), (90.0, 0.5), (600.0, 0.0)] if kind is ItemKind.TIMING else [],
            )
        )
    sections = [SectionSpec(f"s{i}", f"Section {i}", items[i * 10 : i * 10 + 10]) for i in range(ITEMS // 10)]
    return RubricSpec("bench-calibration", "Bench calibration", Channel.PHONE, sections=sections)


def truth(kind: ItemKind, rng: random.Random) -> object:
    """The answer a careful auditor would give."""
    if kind is ItemKind.YES_NO:
        return rng.random() < 0.6
    if kind is ItemKind.CHOICE:
        return rng.choice(["Right", "Partly", "Wrong"])
    if kind is ItemKind.SCALE:
        return rng.randint(0, 4)
    if kind is ItemKind.TIMING:
        return float(rng.randint(5, 300))
    return "Fine."


def answer(kind: ItemKind, true: object, rng: random.Random, lenient: bool) -> object:
    """An auditor's answer: the truth most of the time, a neighbour now and then."""
    if kind is ItemKind.TEXT:
        return "Fine."
    if lenient and kind is ItemKind.YES_NO:
        return True
    if rng.random() < 0.85:
        if kind is ItemKind.TIMING:
            return float(true) + rng.choice([-2.0, 0.0, 2.0])  # type: ignore[arg-type]
        return true
    return truth(kind, rng)


def build(seed: int = 21) -> int:
    """The exercise (committed); its id."""
    rng = random.Random(seed)
    session = db.session
    district = District(name="Bench ISD")
    session.add(district)
    session.flush()
    rubric = create_draft(session, rubric_spec())
    publish(session, rubric)
    leader = User(
        email="leader@bench.example.org", role=Role.LEADER, district_id=district.id, password_hash="x"
    )
    auditors = [
        User(email=f"a{n}@bench.example.org", role=Role.AUDITOR, district_id=district.id, password_hash="x")
        for n in range(AUDITORS)
    ]
    session.add_all([leader, *auditors])
    session.flush()
    exercise = CalibrationExercise(
        district_id=district.id,
        name="Bench",
        rubric_id=rubric.id,
        created_by_id=leader.id,
        key_by_id=leader.id,
    )
    session.add(exercise)
    session.flush()
    references = [
        CalibrationReference(
            exercise_id=exercise.id, position=n + 1, title=f"Reference {n + 1}", narrative="…", token=f"t{n}"
        )
        for n in range(REFERENCES)
    ]
    session.add_all(references)
    session.add_all(
        CalibrationParticipant(exercise_id=exercise.id, auditor_id=user.id, submitted_at=NOW)
        for user in auditors
    )
    session.flush()
    items = rubric.items
    specs = {item.id: spec_from_item(item) for item in items}
    truths = {(ref.id, item.id): truth(item.kind, rng) for ref in references for item in items}
    sheets, answers = [], []
    raters = [(leader, True, False), *((user, False, n % 15 == 0) for n, user in enumerate(auditors))]
    for reference in references:
        for user, is_key, lenient in raters:
            earned = possible = 0.0
            rows = []
            for item in items:
                value = (
                    truths[(reference.id, item.id)]
                    if is_key
                    else answer(item.kind, truths[(reference.id, item.id)], rng, lenient)
                )
                fraction = item_fraction(specs[item.id], value)
                if fraction is not None:
                    earned += fraction * item.points
                    possible += item.points
                rows.append(
                    {"item_id": item.id, "value": value, "na": False, "fraction": fraction, "comment": ""}
                )
            sheets.append(
                {
                    "exercise_id": exercise.id,
                    "reference_id": reference.id,
                    "auditor_id": user.id,
                    "is_key": is_key,
                    "earned_points": earned,
                    "possible_points": possible,
                    "saved_at": NOW,
                }
            )
            answers.append(rows)
    session.execute(insert(ScoreSheet), sheets)
    ids = list(session.scalars(select(ScoreSheet.id).order_by(ScoreSheet.id)))
    session.execute(
        insert(SheetAnswer),
        [{**row, "sheet_id": sheet_id} for sheet_id, rows in zip(ids, answers, strict=True) for row in rows],
    )
    session.commit()
    return exercise.id


def median_seconds(action: object, runs: int = RUNS) -> float:
    """The median wall-clock seconds of ``action()`` over ``runs`` runs."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Build the exercise, time its figures, print medians and the load average."""
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(
            DATABASE_URL=f"sqlite:///{folder}/bench.sqlite",
            EVIDENCE_DIR=f"{folder}/evidence",
            STORAGE_DIR=f"{folder}/storage",
            TOUCHPOINT_ENV="development",
        )
        app = create_app()
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            exercise_id = build()
            print(
                f"built {AUDITORS} auditors × {REFERENCES} references × {ITEMS} items "
                f"({AUDITORS * REFERENCES * ITEMS:,} answers, and the key) "
                f"in {time.perf_counter() - started:.1f} s"
            )
            exercise = load_exercise(db.session, exercise_id)
            assert exercise is not None
            figures = exercise_agreement(exercise)
            defined = [item.alpha.value for item in figures.items if item.alpha.value is not None]
            flagged = len(figures.flagged_auditors)
            print(
                f"{len(figures.items)} items with alpha (median {statistics.median(defined):.3f}), "
                f"score alpha {figures.score_alpha.value:.3f}, "
                f"{flagged} of {len(figures.auditors)} auditors flagged"
            )
            figures_only = median_seconds(lambda: exercise_agreement(exercise))
            print(
                f"exercise_agreement, exercise loaded: median {figures_only:.3f} s "
                f"over {RUNS} runs (target < 1 s)"
            )

            def load_and_figure() -> None:
                db.session.expunge_all()
                loaded = load_exercise(db.session, exercise_id)
                assert loaded is not None
                exercise_agreement(loaded)

            whole = median_seconds(load_and_figure)
            print(f"load from the database + figures: median {whole:.3f} s over {RUNS} runs (target < 1 s)")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
