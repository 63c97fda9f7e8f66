"""Publishing scorecards and knowing who opened them: the rules, without the web.

A leader publishes a round's scorecards once the round is closed: every stored
scorecard of the round becomes visible to its school's principals, the round
moves to ``published`` (if it was closed) and the publication is recorded.
Unpublishing hides them again; both steps stay in the history. Publishing opens the action
plans of the schools that need one (``audits.plans.opening``). Each principal's
first and last opening of each scorecard is recorded. Everything here takes a
session and flushes; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager

from audits.errors import ConflictError
from audits.models import (
    PublicationAction,
    Role,
    Round,
    RoundStatus,
    School,
    Scorecard,
    ScorecardAcknowledgement,
    ScorecardPublication,
    ScorecardView,
    User,
    principal_schools,
)
from audits.planning.rounds import move_round, schools_in_round
from audits.plans.opening import open_plans_on_publication
from audits.timeutil import utcnow

PUBLISHABLE = (RoundStatus.CLOSED, RoundStatus.PUBLISHED)


def round_scorecards(session: Session, round_: Round) -> list[Scorecard]:
    """The round's stored scorecards (one query)."""
    return list(
        session.scalars(select(Scorecard).where(Scorecard.round_id == round_.id).order_by(Scorecard.id))
    )


def school_scorecards(session: Session, school: School, published_only: bool = False) -> list[Scorecard]:
    """The school's stored scorecards, newest round first; only the published ones when
    ``published_only`` (what its principal may open). One query, the rounds loaded with it."""
    query = (
        select(Scorecard)
        .join(Round, Round.id == Scorecard.round_id)
        .where(Scorecard.school_id == school.id)
        .options(contains_eager(Scorecard.round))
        .order_by(Round.first_day.desc(), Round.id.desc())
    )
    if published_only:
        query = query.where(Scorecard.published_at.is_not(None))
    return list(session.scalars(query))


def publish_refusal(round_: Round, cards: list[Scorecard]) -> str | None:
    """Why the round's scorecards (``cards``: all of them) cannot be published now, or ``None``."""
    if round_.status not in PUBLISHABLE:
        return f"close {round_.name} before publishing its scorecards"
    if not cards:
        return "generate the scorecards before publishing them"
    if all(card.published_at is not None for card in cards):
        return "every scorecard of this round is already published"
    return None


def publish(
    session: Session, round_: Round, actor: User, note: str = "", now: datetime | None = None
) -> list[Scorecard]:
    """Make the round's hidden scorecards visible to principals; return those newly visible.

    The round must be closed (or already published); a closed round moves to published. Each
    school of those scorecards with a critical failure or an overall below the district's alert
    threshold gets an action plan (``audits.plans.opening``), unless it has one for the round.
    """
    cards = round_scorecards(session, round_)
    refusal = publish_refusal(round_, cards)
    if refusal is not None:
        raise ConflictError("round", refusal)
    hidden = [card for card in cards if card.published_at is None]
    now = now or utcnow()
    for card in hidden:
        card.published_at = now
    if round_.status is RoundStatus.CLOSED:
        move_round(session, round_, RoundStatus.PUBLISHED, actor=actor)
    session.add(
        ScorecardPublication(
            round_id=round_.id, actor_id=actor.id, action=PublicationAction.PUBLISHED, note=note, at=now
        )
    )
    session.flush()
    open_plans_on_publication(session, round_, hidden, actor, now)
    return hidden


def unpublish(
    session: Session, round_: Round, actor: User, note: str = "", now: datetime | None = None
) -> list[Scorecard]:
    """Hide the round's published scorecards from principals again; return those hidden."""
    visible = [card for card in round_scorecards(session, round_) if card.published_at is not None]
    if not visible:
        raise ConflictError("round", "no scorecard of this round is published")
    now = now or utcnow()
    for card in visible:
        card.published_at = None
    session.add(
        ScorecardPublication(
            round_id=round_.id, actor_id=actor.id, action=PublicationAction.UNPUBLISHED, note=note, at=now
        )
    )
    session.flush()
    return visible


def publication_history(session: Session, round_: Round) -> list[ScorecardPublication]:
    """Every publish and unpublish of the round, newest first."""
    return list(
        session.scalars(
            select(ScorecardPublication)
            .where(ScorecardPublication.round_id == round_.id)
            .order_by(ScorecardPublication.at.desc(), ScorecardPublication.id.desc())
        )
    )


def record_view(session: Session, card: Scorecard, user: User, now: datetime | None = None) -> ScorecardView:
    """Note that ``user`` opened ``card``: the first time, the latest time and how often."""
    now = now or utcnow()
    view = session.scalar(
        select(ScorecardView).where(ScorecardView.scorecard_id == card.id, ScorecardView.user_id == user.id)
    )
    if view is None:
        view = ScorecardView(
            scorecard_id=card.id, user_id=user.id, first_opened_at=now, last_opened_at=now, opens=1
        )
        session.add(view)
    else:
        view.last_opened_at = now
        view.opens += 1
    session.flush()
    return view


def school_principals(session: Session, school_ids: set[int]) -> dict[int, list[User]]:
    """The active principals of each school, by school id (one query)."""
    found: dict[int, list[User]] = {school_id: [] for school_id in school_ids}
    if not school_ids:
        return found
    rows = session.execute(
        select(principal_schools.c.school_id, User)
        .join(User, User.id == principal_schools.c.user_id)
        .where(
            principal_schools.c.school_id.in_(school_ids),
            User.role == Role.PRINCIPAL,
            User.active.is_(True),
        )
        .order_by(User.name, User.email)
    )
    for school_id, user in rows:
        found[school_id].append(user)
    return found


@dataclass(frozen=True)
class Recipient:
    """A principal a publication emails, with the scorecards of their schools the email links."""

    user: User
    cards: list[Scorecard]


def recipients(session: Session, cards: list[Scorecard]) -> list[Recipient]:
    """One per active principal of ``cards``' schools (one email each), by name; their cards by school."""
    principals = school_principals(session, {card.school_id for card in cards})
    found: dict[int, Recipient] = {}
    for card in sorted(cards, key=lambda c: (c.school.name.casefold(), c.school_id)):
        for user in principals.get(card.school_id, []):
            found.setdefault(user.id, Recipient(user, [])).cards.append(card)
    return sorted(found.values(), key=lambda r: ((r.user.name or r.user.email).casefold(), r.user.id))


@dataclass(frozen=True)
class PublicationPlan:
    """What publishing a round's scorecards would do, for the leader to read before confirming.

    ``cards``: the hidden scorecards that become visible; ``recipients``: the principals emailed
    (one email each); ``unreached``: schools among them with no active principal account (no email,
    nobody sees it); ``refusal``: why it cannot be published now, if it cannot.
    """

    round: Round
    cards: list[Scorecard]
    recipients: list[Recipient]
    unreached: list[School]
    refusal: str | None


def publication_plan(session: Session, round_: Round) -> PublicationPlan:
    """Which scorecards publishing ``round_`` now would show, and whom it would email."""
    cards = round_scorecards(session, round_)
    hidden = sorted(
        (card for card in cards if card.published_at is None),
        key=lambda c: (c.school.name.casefold(), c.school_id),
    )
    emailed = recipients(session, hidden)
    reached = {card.school_id for recipient in emailed for card in recipient.cards}
    return PublicationPlan(
        round=round_,
        cards=hidden,
        recipients=emailed,
        unreached=[card.school for card in hidden if card.school_id not in reached],
        refusal=publish_refusal(round_, cards),
    )


def principal_scorecards(session: Session, user: User) -> list[Scorecard]:
    """The published scorecards of the principal's schools, newest round first."""
    school_ids = [school.id for school in user.schools]
    if user.role is not Role.PRINCIPAL or not school_ids:
        return []
    return list(
        session.scalars(
            select(Scorecard)
            .join(Round, Round.id == Scorecard.round_id)
            .join(School, School.id == Scorecard.school_id)
            .where(Scorecard.school_id.in_(school_ids), Scorecard.published_at.is_not(None))
            .order_by(Round.first_day.desc(), Round.id.desc(), School.name)
        )
    )


@dataclass(frozen=True)
class PrincipalOpening:
    """One principal of a school, when they first and last opened its scorecard (if they did) and
    the day they discussed it with their staff (if they acknowledged it)."""

    user: User
    view: ScorecardView | None
    acknowledgement: ScorecardAcknowledgement | None = None


@dataclass(frozen=True)
class ScorecardRow:
    """One school of a round: its scorecard (if built) and its principals' openings."""

    school: School
    scorecard: Scorecard | None
    principals: list[PrincipalOpening]

    @property
    def unopened(self) -> list[User]:
        """Principals who have not opened the scorecard."""
        return [opening.user for opening in self.principals if opening.view is None]

    @property
    def acknowledged(self) -> list[User]:
        """Principals who acknowledged the scorecard (read it and discussed it with their staff)."""
        return [opening.user for opening in self.principals if opening.acknowledgement is not None]


def scorecard_rows(session: Session, round_: Round) -> list[ScorecardRow]:
    """Every school of the round with its scorecard and who has (not) opened and acknowledged it, in five
    queries."""
    cards = {card.school_id: card for card in round_scorecards(session, round_)}
    schools = {school.id: school for school in schools_in_round(session, round_)}
    missing = set(cards) - set(schools)
    if missing:
        schools.update({s.id: s for s in session.scalars(select(School).where(School.id.in_(missing)))})
    principals = school_principals(session, set(schools))
    views: dict[tuple[int, int], ScorecardView] = {}
    acknowledged: dict[tuple[int, int], ScorecardAcknowledgement] = {}
    if cards:
        card_ids = [card.id for card in cards.values()]
        for view in session.scalars(select(ScorecardView).where(ScorecardView.scorecard_id.in_(card_ids))):
            views[(view.scorecard_id, view.user_id)] = view
        for done in session.scalars(
            select(ScorecardAcknowledgement).where(ScorecardAcknowledgement.scorecard_id.in_(card_ids))
        ):
            acknowledged[(done.scorecard_id, done.user_id)] = done
    rows = []
    for school in sorted(schools.values(), key=lambda s: (s.name.casefold(), s.nces_id)):
        card = cards.get(school.id)
        openings = [
            PrincipalOpening(
                user,
                views.get((card.id, user.id)) if card else None,
                acknowledged.get((card.id, user.id)) if card else None,
            )
            for user in principals.get(school.id, [])
        ]
        rows.append(ScorecardRow(school, card, openings))
    return rows
