"""The default library shipped in ``audits/library/``: three rubrics and the scenarios."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.errors import ValidationError
from audits.models import District, Scenario
from audits.pairs import adopt_pairs, load_library_pairs
from audits.rubrics.versions import create_draft, draft_of, latest_published, publish, spec_from_rubric
from audits.rubrics.yamlio import load_yaml, rubric_from_yaml
from audits.scenarios import adopt, parse_scenario, save_scenario, scenario_to_dict

LIBRARY_DIR = Path(__file__).resolve().parent / "library"


@dataclass
class LibraryReport:
    """What loading the library did."""

    rubrics_published: list[str] = field(default_factory=list)
    rubrics_unchanged: list[str] = field(default_factory=list)
    rubrics_skipped: list[str] = field(default_factory=list)
    scenarios_created: int = 0
    scenarios_updated: int = 0
    scenarios_unchanged: int = 0
    pairs_changed: int = 0
    pairs_unchanged: int = 0

    def lines(self) -> list[str]:
        """Human-readable summary lines."""
        lines = [f"rubric {entry}: published" for entry in self.rubrics_published]
        lines += [f"rubric {entry}: unchanged" for entry in self.rubrics_unchanged]
        lines += [f"rubric {entry}: skipped" for entry in self.rubrics_skipped]
        lines.append(
            f"scenarios: created {self.scenarios_created}, updated {self.scenarios_updated}, "
            f"unchanged {self.scenarios_unchanged}"
        )
        lines.append(f"scenario pairs: saved {self.pairs_changed}, unchanged {self.pairs_unchanged}")
        return lines


def _in_file(path: Path, error: ValidationError) -> ValidationError:
    """Prefix each problem with the file it came from."""
    return ValidationError.many(
        [(f"{path.name}: {field or 'file'}", reason) for field, reason in error.problems]
    )


def load_library(session: Session, folder: Path = LIBRARY_DIR) -> LibraryReport:
    """Publish each library rubric whose content differs from its latest version; upsert scenarios.

    Loading twice changes nothing. A rubric whose key has an open draft is left
    alone (an admin is editing it).
    """
    report = LibraryReport()
    for path in sorted((folder / "rubrics").glob("*.yaml")):
        try:
            spec = rubric_from_yaml(path.read_bytes())
        except ValidationError as error:
            raise _in_file(path, error) from error
        current = latest_published(session, spec.key)
        if current is not None and spec_from_rubric(current) == spec:
            report.rubrics_unchanged.append(f"{spec.key} v{current.version}")
            continue
        if draft_of(session, spec.key) is not None:
            report.rubrics_skipped.append(f"{spec.key} (a draft is open)")
            continue
        rubric = create_draft(session, spec)
        publish(session, rubric)
        report.rubrics_published.append(f"{spec.key} v{rubric.version}")
    for path in sorted((folder / "scenarios").glob("*.yaml")):
        try:
            scenario_spec = parse_scenario(load_yaml(path.read_bytes()))
            existing = session.scalar(
                select(Scenario).where(Scenario.district_id.is_(None), Scenario.key == scenario_spec.key)
            )
            if existing is not None and parse_scenario(scenario_to_dict(existing)) == scenario_spec:
                report.scenarios_unchanged += 1
                continue
            save_scenario(session, None, scenario_spec, existing)
        except ValidationError as error:
            raise _in_file(path, error) from error
        if existing is None:
            report.scenarios_created += 1
        else:
            report.scenarios_updated += 1
    report.pairs_changed, report.pairs_unchanged = load_library_pairs(session, folder / "pairs")
    return report


def adopt_library(session: Session, district: District) -> list[Scenario]:
    """Copy every library scenario the district does not have yet (matched by key), then the
    library's scenario pairs over the district's copies."""
    have = set(session.scalars(select(Scenario.key).where(Scenario.district_id == district.id)))
    library = session.scalars(select(Scenario).where(Scenario.district_id.is_(None)).order_by(Scenario.key))
    adopted = [adopt(session, scenario, district) for scenario in library if scenario.key not in have]
    adopt_pairs(session, district)
    return adopted
