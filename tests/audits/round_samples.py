"""Rubrics, scenarios and auditor profiles for the round, assignment and calendar tests."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from audits.auditors import AuditorSettings, update_auditor
from audits.models import Channel, District, Round, Scenario, User
from audits.planning.rounds import ChannelPlan, RoundSpec, commit_plan, save_round
from audits.rubrics.versions import create_draft, publish
from audits.rubrics.yamlio import rubric_from_yaml
from audits.scenarios import ScenarioSpec, save_scenario
from tests.audits.rubric_samples import EXAMPLE_YAML

MONDAY = date(2027, 2, 1)  # a Monday; the window Feb 1–12, 2027 has ten school days
SECRET_SCRIPT = "Hello, I am calling about enrolling my daughter. SECRET-SCRIPT-LINE"
SECRET_PERSONA = "A parent new to the district. SECRET-PERSONA-LINE"
SECRET_ANSWER = "The registrar's office handles it. SECRET-ANSWER-LINE"


def publish_rubrics(session: Session) -> None:
    """Publish one small rubric per channel: ``phone-standard``, ``email-standard``, ``visit-standard``."""
    for channel in Channel:
        text = EXAMPLE_YAML.replace("key: phone-standard", f"key: {channel.value}-standard").replace(
            "channel: phone", f"channel: {channel.value}"
        )
        publish(session, create_draft(session, rubric_from_yaml(text)))
    session.commit()


def make_scenario(
    session: Session,
    district: District,
    key: str,
    channel: Channel = Channel.PHONE,
    language: str = "en",
    title: str | None = None,
) -> Scenario:
    """Save (and commit) a district scenario with a script, persona and answer key that must stay secret."""
    spec = ScenarioSpec(
        key=key,
        title=title or key.replace("-", " ").capitalize(),
        channel=channel,
        language=language,
        rubric=f"{channel.value}-standard",
        persona=SECRET_PERSONA,
        script=SECRET_SCRIPT,
        questions=["When can we visit?"],
        answer_key=SECRET_ANSWER,
    )
    scenario = save_scenario(session, district.id, spec)
    session.commit()
    return scenario


def set_profile(
    session: Session,
    auditor: User,
    languages: list[str] | None = None,
    max_per_day: int = 4,
    weekdays: list[int] | None = None,
    conflicts: list[int] | None = None,
) -> None:
    """Save (and commit) an auditor's planner settings."""
    settings = AuditorSettings(
        languages=languages or ["en"],
        max_per_day=max_per_day,
        weekdays=weekdays if weekdays is not None else [0, 1, 2, 3, 4],
        conflict_school_ids=conflicts or [],
    )
    update_auditor(session, auditor, settings)
    session.commit()


def make_round(
    session: Session,
    district: District,
    channels: dict[Channel, tuple[int, list[Scenario]]],
    name: str = "Spring round",
    first_day: date = MONDAY,
    last_day: date = date(2027, 2, 12),
    seed: int = 7,
    commit: bool = False,
) -> Round:
    """Save a draft round (all active schools); with ``commit``, plan it and schedule it too."""
    spec = RoundSpec(
        name=name,
        first_day=first_day,
        last_day=last_day,
        channels={
            channel: ChannelPlan(per_school, [scenario.id for scenario in scenarios])
            for channel, (per_school, scenarios) in channels.items()
        },
        seed=seed,
    )
    round_ = save_round(session, district, spec)
    if commit:
        commit_plan(session, round_)
    session.commit()
    return round_
