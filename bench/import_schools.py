"""Benchmark the school importer: first import and re-import, small and large files.

Run: ``.venv/bin/python bench/import_schools.py [--rows 20000] [--repeat 5]``.
Prints the median seconds and rows per second for each case, on a fresh SQLite
database (or ``DATABASE_URL``), with the schema built by the migrations.
"""

from __future__ import annotations

import argparse
import csv
import io
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from flask_migrate import upgrade
from sqlalchemy import delete

from app import create_app
from app.extensions import db
from audits.importers.schools import import_schools
from audits.models import District, School

SAMPLE = Path(__file__).resolve().parents[1] / "audits" / "data" / "duval_fl_nces_export.csv"


def synthetic_file(rows: int) -> bytes:
    """Return an NCES-export file of ``rows`` schools, cycling through the Duval sample."""
    reader = csv.DictReader(io.StringIO(SAMPLE.read_text(encoding="utf-8")))
    template = [row for row in reader if row["Status"] == "Open"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
    writer.writeheader()
    for number in range(rows):
        row = dict(template[number % len(template)])
        row["NCES School ID"] = f"12{number:010d}"
        row["School Name"] = f"{row['School Name']} {number}"
        writer.writerow(row)
    return out.getvalue().encode()


def timed(data: bytes) -> float:
    """Seconds one import of ``data`` (and its commit) takes."""
    start = time.perf_counter()
    import_schools(db.session, data, district_name="Bench")
    db.session.commit()
    return time.perf_counter() - start


def report(label: str, rows: int, samples: list[float]) -> None:
    """Print the median of ``samples`` and the rows per second it means."""
    median = statistics.median(samples)
    print(f"{label:>28}: median {median:.3f} s, {rows / median:,.0f} rows/s ({len(samples)} runs)")


def main() -> None:
    """Run every case ``--repeat`` times and print medians."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    cases = [("duval sample", SAMPLE.read_bytes()), (f"{args.rows} rows", synthetic_file(args.rows))]
    with tempfile.TemporaryDirectory() as folder:
        app = create_app("testing", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite"})
        with app.app_context():
            upgrade()
            for label, data in cases:
                first, again = [], []
                for _ in range(args.repeat):
                    db.session.execute(delete(School))
                    db.session.execute(delete(District))
                    db.session.commit()
                    first.append(timed(data))
                    again.append(timed(data))
                rows = data.count(b"\n") - 1
                report(f"{label}, first import", rows, first)
                report(f"{label}, re-import", rows, again)


if __name__ == "__main__":
    main()
