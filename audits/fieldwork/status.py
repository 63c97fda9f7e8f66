"""When an assignment counts as done, as one SQL condition every query shares."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_

from audits.models import Assignment, Contact, ContactStatus, Outcome

DONE_STATUSES = (ContactStatus.SUBMITTED, ContactStatus.APPROVED)


def assignment_done() -> ColumnElement[bool]:
    """True once an assignment has a submitted or approved contact that reached the school or is unreached.

    A failed attempt that still allows a retry leaves the assignment open; a
    returned or reopened contact is back with its auditor, so open too.
    """
    return exists().where(
        Contact.assignment_id == Assignment.id,
        Contact.status.in_(DONE_STATUSES),
        or_(Contact.outcome == Outcome.REACHED, Contact.unreached.is_(True)),
    )
