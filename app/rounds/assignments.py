"""An auditor's own assignments: the "My assignments" page and the calendar feed.

Only auditors have assignments of their own; leaders, reviewers and
administrators follow assignments on the round pages. The feed is read by
calendar apps, which cannot sign in: its address carries a secret token instead
(see ``app.rounds.feed``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, render_template, request
from flask_login import current_user

from app import clock
from app.extensions import csrf, db
from app.permissions import permission_required
from app.rounds.feed import feed_url, token_matches
from app.rounds.forms import slot_label
from audits.access import Action
from audits.businesshours import BusinessCalendar, next_school_day
from audits.fieldwork.status import AssignmentState, assignment_states
from audits.ics import assignments_calendar
from audits.mail.status import MailStatus, mail_statuses
from audits.models import Contact, ContactStatus, Role, User
from audits.planning.progress import DueGroup, due_groups, open_assignments

blueprint = Blueprint("assignments", __name__, url_prefix="/assignments")

PROD_ID = "-//Touchpoint//Assignments//EN"
# States that put an assignment back in its auditor's hands at the top of their list.
RETURNED = {"returned", "reopened"}


def installation_domain() -> str:
    """This installation's name in calendar UIDs: a digest of its secret key, then its host.

    Two Touchpoints (two districts' servers, or a rehearsal copy) never give an event the same UID;
    one installation keeps its UIDs as long as its secret key.
    """
    digest = hashlib.sha256(f"calendar-uid:{current_app.secret_key}".encode()).hexdigest()[:12]
    host = urlsplit(current_app.config.get("PUBLIC_BASE_URL", "")).hostname or "touchpoint.invalid"
    return f"{digest}.{host}"


# Weeks of "Later" work shown at once; the rest are a page further.
LATER_WEEKS = 2


@dataclass(frozen=True)
class AuditorDay:
    """An auditor's open work in the order to do it, each assignment's state, and the district's today."""

    groups: list[DueGroup]
    states: dict[int, AssignmentState]
    today: date
    # Email contacts sent through Touchpoint: "Sent 09:14, awaiting reply (due by Thu 15:00)".
    mail: dict[int, MailStatus] = field(default_factory=dict)


def auditor_day(user: User) -> AuditorDay:
    """``user``'s assignments grouped as ``due_groups`` orders them: returned work first, done work last."""
    district = user.district
    assert district is not None  # an auditor always belongs to a district
    today = clock.today_in(district)
    assignments = open_assignments(db.session, user)
    states = assignment_states(db.session, assignments)
    done = {assignment_id for assignment_id, state in states.items() if state.done}
    returned = {assignment_id for assignment_id, state in states.items() if state.key in RETURNED}
    next_day = next_school_day(BusinessCalendar.of(district), today)
    mail = mail_statuses(db.session, assignments, district.timezone, clock.now())
    return AuditorDay(due_groups(assignments, today, done, returned, next_day), states, today, mail)


@blueprint.route("/")
@permission_required(Action.VIEW_OWN_ASSIGNMENTS)
def mine() -> str:
    """The signed-in auditor's work in the order to do it: returned, overdue, today, the next school day,
    later weeks (a few at a time) and, folded away, what is done."""
    district = current_user.district
    if district is None:
        abort(404)
    day = auditor_day(current_user)
    weeks = [group for group in day.groups if group.key == "later"]
    pages = max(1, -(-len(weeks) // LATER_WEEKS))
    page = min(max(request.args.get("later", 1, type=int) or 1, 1), pages)
    shown = set(map(id, weeks[(page - 1) * LATER_WEEKS : page * LATER_WEEKS]))
    return render_template(
        "assignments/mine.html",
        groups=[group for group in day.groups if group.key != "later" or id(group) in shown],
        later_page=page,
        later_pages=pages,
        later_total=sum(len(group.assignments) for group in weeks),
        states=day.states,
        mail=day.mail,
        today=day.today,
        district=district,
        feed_url=feed_url(current_user),
        slot_label=slot_label,
        submitted=submitted_contact(request.args.get("submitted", type=int)),
    )


def submitted_contact(contact_id: int | None) -> int | None:
    """``contact_id`` if it is the signed-in auditor's and no longer a draft: its submission went through.

    The contact form's script keeps the answers on the device until this page confirms them.
    """
    if contact_id is None or not 0 < contact_id < 2**31:
        return None
    contact = db.session.get(Contact, contact_id)
    if contact is None or contact.auditor_id != current_user.id or contact.status is ContactStatus.DRAFT:
        return None
    return contact_id


@blueprint.route("/feed/<int:user_id>/<token>.ics")
@csrf.exempt
def feed(user_id: int, token: str) -> Response:
    """An auditor's open assignments as an iCalendar feed; a wrong token is answered as not found."""
    user = db.session.get(User, user_id)
    if (
        user is None
        or not user.active
        or user.role is not Role.AUDITOR
        or user.district is None
        or not token_matches(user, token)
    ):
        abort(404)
    assignments = open_assignments(db.session, user)
    states = assignment_states(db.session, assignments)
    body = assignments_calendar(
        assignments,
        user.district,
        PROD_ID,
        name=f"Touchpoint: {user.district.name}",
        uid_domain=installation_domain(),
        done={assignment_id for assignment_id, state in states.items() if state.done},
    )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="touchpoint-assignments.ics"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
