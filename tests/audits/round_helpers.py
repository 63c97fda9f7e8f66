"""Building blocks for round tests: published rubrics and district scenarios."""

from __future__ import annotations

from sqlalchemy.orm import Session

from audits.models import Channel, District, Scenario
from audits.rubrics.versions import create_draft, latest_published, publish
from audits.rubrics.yamlio import rubric_from_yaml
from audits.scenarios import ScenarioSpec, save_scenario
from tests.audits.rubric_samples import EXAMPLE_YAML


def publish_rubric(session: Session, channel: Channel) -> str:
    """Publish a small rubric for ``channel`` (once) and return its key."""
    key = f"{channel.value}-test"
    if latest_published(session, key) is None:
        text = EXAMPLE_YAML.replace("key: phone-standard", f"key: {key}").replace(
            "channel: phone", f"channel: {channel.value}"
        )
        publish(session, create_draft(session, rubric_from_yaml(text)))
    return key


def make_scenario(
    session: Session, district: District | None, channel: Channel, key: str, language: str = "en"
) -> Scenario:
    """Create a district scenario (or a library one for ``district=None``)."""
    rubric = publish_rubric(session, channel)
    spec = ScenarioSpec(
        key=key,
        title=key.replace("-", " ").capitalize(),
        channel=channel,
        language=language,
        rubric=rubric,
        persona="A parent of a third-grader.",
        script="1. Ask the question.\n2. Thank them.",
        questions=["What do I need?"],
        answer_key="- proof of residence",
    )
    return save_scenario(session, district.id if district else None, spec)
