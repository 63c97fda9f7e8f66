"""Suggested replies for the auditor to confirm, and what came back for a contact.

A reply matched only by the school's address and the subject is a suggestion: the auditor whose
contact it names sees it on "Replies to confirm" and confirms it (it becomes the contact's reply,
timed) or says it is not this contact (its copies leave the contact; the message stays kept).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.clock import now as utcnow
from app.errors import status_for
from app.extensions import db
from app.fieldwork.display import local_time
from app.fieldwork.pages import evidence_folder
from app.permissions import can, permission_required, require
from audits.access import Action
from audits.errors import DomainError
from audits.mail.poll import confirm_suggestion, decline_suggestion, suggestions_for
from audits.models import Contact, InboundTouch, MessageState, ReceivedMessage
from audits.telephony.inbound import touches_of

blueprint = Blueprint("mailpoll", __name__)


def _message_or_404(message_id: int) -> ReceivedMessage:
    message = db.get_or_404(ReceivedMessage, message_id)
    if message.contact is None:
        abort(404)
    require(Action.RECORD_CONTACTS, message.contact.assignment)
    return message


@blueprint.route("/mail/suggestions")
@permission_required(Action.RECORD_CONTACTS)
def suggestions() -> str:
    """The replies matched to the auditor's contacts by sender and subject only, to confirm or decline."""
    return render_template(
        "mailpoll/suggestions.html", messages=suggestions_for(db.session, current_user), local_time=local_time
    )


def _decide(message_id: int, confirm: bool) -> Response | tuple[str, int]:
    message = _message_or_404(message_id)
    try:
        if confirm:
            confirm_suggestion(db.session, message, current_user, utcnow())
        else:
            decline_suggestion(db.session, message, current_user, utcnow(), evidence_folder())
    except DomainError as error:
        db.session.rollback()
        page = render_template(
            "mailpoll/suggestions.html",
            messages=suggestions_for(db.session, current_user),
            problems=error.problems,
            local_time=local_time,
        )
        return page, status_for(error)
    db.session.commit()
    school = message.contact.assignment.school.name if message.contact else ""
    if confirm and message.state is MessageState.FURTHER:
        flash(f"Kept as a further reply on {school}'s contact; its first reply's time stands.", "success")
    elif confirm:
        flash(f"The reply is now {school}'s reply, with its time.", "success")
    else:
        flash(f"The message is no longer shown on {school}'s contact.", "success")
    return redirect(url_for("mailpoll.suggestions"))


@blueprint.route("/mail/suggestions/<int:message_id>/confirm", methods=["POST"])
@login_required
def confirm(message_id: int) -> Response | tuple[str, int]:
    """This is the contact's reply."""
    return _decide(message_id, confirm=True)


@blueprint.route("/mail/suggestions/<int:message_id>/decline", methods=["POST"])
@login_required
def decline(message_id: int) -> Response | tuple[str, int]:
    """Not this contact."""
    return _decide(message_id, confirm=False)


@dataclass(frozen=True)
class MailActivity:
    """What came back for a contact: messages read from the mailbox, call-backs and texts."""

    messages: list[ReceivedMessage]
    touches: list[InboundTouch]
    waiting: int  # suggested matches the auditor has not decided

    def __bool__(self) -> bool:
        return bool(self.messages or self.touches)


def mail_activity(contact: Contact) -> MailActivity:
    """The replies, call-backs and texts captured for ``contact`` (declined suggestions left out)."""
    messages = list(
        db.session.scalars(
            select(ReceivedMessage)
            .where(ReceivedMessage.contact_id == contact.id, ReceivedMessage.state != MessageState.DECLINED)
            .order_by(ReceivedMessage.received_at, ReceivedMessage.id)
        )
    )
    waiting = sum(1 for message in messages if message.state is MessageState.SUGGESTED)
    return MailActivity(messages, touches_of(db.session, contact), waiting)


@blueprint.app_context_processor
def mail_helpers() -> dict[str, Any]:
    """What the replies panel (contact form and contact page) needs."""
    return {"mail_activity": mail_activity, "replies_to_confirm": replies_to_confirm}


def replies_to_confirm() -> int:
    """How many suggested replies wait for the signed-in auditor (0 for anyone else)."""
    if not current_user.is_authenticated or not can(Action.RECORD_CONTACTS):
        return 0
    return len(suggestions_for(db.session, current_user))
