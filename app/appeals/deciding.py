"""Deciding an appeal, for the page and the API alike: the decision, the rebuilt scorecard, the email.

All in the caller's transaction (the caller commits once, then kicks the outbox): an upheld
appeal's school scorecard is rebuilt from the corrected figures through the scorecard batch
(``reports.batch``) before the commit, and the principal's email is written to the outbox.
"""

from __future__ import annotations

import logging

from app import clock
from app.appeals.emails import queue_decision_email
from app.extensions import db
from app.scorecards.jobs import storage_dir
from audits.appeals.decisions import Decision, decide_appeal
from audits.businesshours import BusinessCalendar
from audits.models import Appeal, AppealOutcome, User
from reports.batch import build_scorecards

log = logging.getLogger(__name__)


def rebuild_scorecard(appeal: Appeal) -> bool:
    """Rebuild the school's scorecard of the appeal's round; ``False`` (and logged) when it failed."""
    assignment = appeal.contact.assignment
    report = build_scorecards(db.session, assignment.round, storage_dir(), school_ids={assignment.school_id})
    for school, reason in report.failed:
        log.error("the scorecard of %s was not rebuilt after appeal %s: %s", school.label, appeal.id, reason)
    if report.stopped:
        log.error("the scorecard was not rebuilt after appeal %s: %s", appeal.id, report.stopped)
    return not report.failed and not report.stopped


def decide(appeal: Appeal, reviewer: User, decision: Decision) -> None:
    """Decide ``appeal`` (domain rules), rebuild the scorecard when upheld, and email the principal."""
    district = appeal.contact.assignment.round.district
    decide_appeal(db.session, appeal, reviewer, decision, BusinessCalendar.of(district), now=clock.now())
    if appeal.outcome is AppealOutcome.UPHELD:
        rebuild_scorecard(appeal)
    queue_decision_email(appeal)
