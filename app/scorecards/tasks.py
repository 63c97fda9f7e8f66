"""Celery tasks for scorecards: the batch build and the publication emails."""

from __future__ import annotations

from celery import Task, shared_task

from app.scorecards.emails import send_publication_emails
from app.scorecards.jobs import run_build


@shared_task(name="touchpoint.build_scorecards", bind=True)
def build_scorecards_task(self: Task, round_id: int, force: bool = False) -> str:
    """Build a round's scorecards, writing progress for the round page; returns the summary line."""
    return run_build(round_id, force, task_id=self.request.id or "")


@shared_task(name="touchpoint.send_scorecard_emails")
def send_scorecard_emails_task(round_id: int, scorecard_ids: list[int]) -> int:
    """Email the principals of the given (newly published) scorecards; returns the emails sent."""
    return send_publication_emails(round_id, scorecard_ids)
