"""``flask rubrics list/import/export`` and ``flask library load``."""

from __future__ import annotations

from pathlib import Path

from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from audits.models import Rubric
from tests.audits.rubric_samples import EXAMPLE_YAML


def test_import_list_export_round_trip(runner: FlaskCliRunner, tmp_path: Path) -> None:
    source = tmp_path / "phone.yaml"
    source.write_text(EXAMPLE_YAML)
    created = runner.invoke(args=["rubrics", "import", str(source), "--publish"])
    assert created.exit_code == 0, created.output
    assert created.output == "phone-standard version 1 (published)\n"

    listed = runner.invoke(args=["rubrics", "list"])
    assert listed.output == "phone-standard\t1\tpublished\tphone\tPhone call to the main office\n"

    exported = runner.invoke(args=["rubrics", "export", "phone-standard"])
    assert exported.exit_code == 0
    assert exported.output.startswith("key: phone-standard\nversion: 1\nstatus: published\n")
    again = tmp_path / "again.yaml"
    again.write_text(exported.output)
    second = runner.invoke(args=["rubrics", "import", str(again)])
    assert second.output == "phone-standard version 2 (draft)\n"
    exported_v2 = runner.invoke(args=["rubrics", "export", "phone-standard", "--version", "2"]).output
    assert (
        exported_v2.replace("version: 2\nstatus: draft", "version: 1\nstatus: published") == exported.output
    )


def test_a_bad_file_lists_every_problem_and_saves_nothing(
    runner: FlaskCliRunner, tmp_path: Path, session: Session
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        EXAMPLE_YAML.replace("[[3, 1.0], [5, 0.5]]", "[[5, 1.0], [3, 0.5]]").replace("max: 4", "max: 0")
    )
    result = runner.invoke(args=["rubrics", "import", str(bad), "--publish"])
    assert result.exit_code == 1
    assert "error: sections[0].items[1].bands: bounds must ascend" in result.output
    assert "error: sections[1].items[0].max: must be a whole number of at least 1" in result.output
    assert session.scalar(select(func.count()).select_from(Rubric)) == 0


def test_export_of_an_unknown_key_fails_cleanly(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["rubrics", "export", "nope"])
    assert result.exit_code == 1
    assert "nope has no published version" in result.output


def test_library_load_is_repeatable(runner: FlaskCliRunner) -> None:
    first = runner.invoke(args=["library", "load"])
    assert first.exit_code == 0, first.output
    assert "rubric phone-standard v1: published" in first.output
    second = runner.invoke(args=["library", "load"])
    assert "rubric phone-standard v1: unchanged" in second.output
    assert "created 0, updated 0" in second.output
