"""``flask scorecards build`` and ``flask scorecards summary``: a round's PDFs from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from sqlalchemy import select

from app.cli.common import fail
from app.extensions import db
from app.scorecards.jobs import ProgressRecorder, storage_dir
from audits.errors import DomainError, StorageFullError
from audits.models import Round, School
from audits.storage import write_file
from audits.timeutil import utcnow
from audits.vocabulary import count_of
from reports.batch import SchoolRef, build_scorecards, inputs_hash
from reports.progress import Progress
from reports.render import identifier_for, shared_renderer
from reports.summary import gather_summary


def _round(round_id: int) -> Round:
    round_ = db.session.get(Round, round_id)
    if round_ is None:
        raise click.ClickException(f"no round with id {round_id}")
    return round_


def _school_ids(round_: Round, nces_ids: tuple[str, ...]) -> set[int] | None:
    if not nces_ids:
        return None
    found = dict(
        db.session.execute(
            select(School.nces_id, School.id).where(
                School.nces_id.in_(nces_ids), School.district_id == round_.district_id
            )
        )
        .tuples()
        .all()
    )
    unknown = [nces for nces in nces_ids if nces not in found]
    if unknown:
        raise click.ClickException(f"no school of {round_.district.name} with NCES id {', '.join(unknown)}")
    return set(found.values())


@click.group("scorecards", help="Build and print scorecards.")
def scorecards_cli() -> None:
    """Scorecard commands."""


@scorecards_cli.command("build")
@click.argument("round_id", type=int)
@click.option("--school", "nces_ids", multiple=True, metavar="NCES_ID", help="Only this school (repeatable).")
@click.option(
    "--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Rendering processes."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Also write every requested scorecard to DIR as <NCES id>.pdf.",
)
@click.option("--force", is_flag=True, help="Rebuild even scorecards whose inputs have not changed.")
def build_command(
    round_id: int, nces_ids: tuple[str, ...], workers: int, out_dir: Path | None, force: bool
) -> None:
    """Build the scorecards of ROUND_ID (unchanged ones are kept), with a progress bar.

    Prints one line per failed school and a summary; exits 1 when any school failed.
    """
    round_ = _round(round_id)
    school_ids = _school_ids(round_, nces_ids)
    storage = storage_dir()
    recorder = ProgressRecorder(storage, Progress(round_.id, started_at=utcnow().isoformat()))
    failures: list[str] = []
    label = f"Scorecards of {round_.name}"
    with click.progressbar(length=0, label=label, show_pos=True, file=sys.stderr) as bar:

        def progress(done: int, total: int, school: SchoolRef | None, error: str | None) -> None:
            bar.length = total
            if school is not None:
                bar.update(1)
            if school is not None and error:
                failures.append(f"failed: {school.label}: {error}")
            recorder(done, total, school, error)

        try:
            report = build_scorecards(
                db.session,
                round_,
                storage,
                school_ids=school_ids,
                progress=progress,
                force=force,
                workers=workers,
                out_dir=out_dir,
            )
        except DomainError as error:
            recorder.fail(error.reason)
            fail(error)
    db.session.commit()
    recorder.finish(report)
    for line in failures:
        click.echo(line, err=True)
    if out_dir is not None:
        click.echo(f"wrote {count_of(len(report.written), 'PDF')} to {out_dir}")
    click.echo(report.summary())
    if report.failed or report.stopped:
        raise SystemExit(1)


@scorecards_cli.command("summary")
@click.argument("round_id", type=int)
@click.option(
    "--out",
    "out_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the PDF.",
)
def summary_command(round_id: int, out_file: Path) -> None:
    """Write the district summary PDF of ROUND_ID to FILE."""
    round_ = _round(round_id)
    data = gather_summary(db.session, round_)
    rendered = shared_renderer().district_summary(data, identifier_for(inputs_hash(data)))
    try:
        write_file(out_file, rendered.pdf)
    except StorageFullError as error:
        raise click.ClickException(f"{error.reason} ({out_file})") from error
    click.echo(f"wrote the district summary of {round_.name} to {out_file} ({len(rendered.pdf) // 1024} KB)")
