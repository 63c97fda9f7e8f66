"""``flask users create``/``invite``: accounts for every role; ``flask users token``: API tokens."""

from __future__ import annotations

import secrets

import click
from sqlalchemy import select

from app.cli.common import fail
from app.extensions import db
from app.invitations.mail import invitation_lifetime, queue_invitation
from app.outbox import kick_outbox
from audits import audit_log
from audits.accounts import NewUser, create_user, deactivate
from audits.errors import DomainError, ValidationError
from audits.invitations import invite
from audits.models import District, Role, School, TokenScope, User
from audits.tokens import DEFAULT_DAYS, create_token


@click.group("users", help="User account commands.")
def users_cli() -> None:
    """User account commands."""


def _schools_and_district(
    nces_ids: tuple[str, ...], district_name: str | None, role: str
) -> tuple[list[School], int | None]:
    """The schools named by NCES id and the district: named, else the schools', else the only one."""
    schools = list(db.session.scalars(select(School).where(School.nces_id.in_(nces_ids))))
    missing = sorted(set(nces_ids) - {school.nces_id for school in schools})
    if missing:
        fail(ValidationError("school", f"no school with NCES id {', '.join(missing)}"))
    district_id = None
    if district_name:
        district = db.session.scalar(select(District).where(District.name == district_name))
        if district is None:
            fail(ValidationError("district", f"no district named {district_name!r}"))
            raise SystemExit(1)
        district_id = district.id
    elif schools:
        district_id = schools[0].district_id
    elif role != Role.ADMIN.value:
        only = list(db.session.scalars(select(District).limit(2)))
        if len(only) == 1:
            district_id = only[0].id
    return schools, district_id


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--school", "nces_ids", multiple=True, help="NCES id of a principal's school (repeatable).")
@click.option("--district", "district_name", help="District name (default: the school's district).")
@click.option("--name", default="", help="The person's full name.")
@click.option(
    "--password",
    default=None,
    help="Initial password (default: a random one, printed once). Prefer the prompt-free default.",
)
def users_create(
    email: str,
    role: str,
    nces_ids: tuple[str, ...],
    district_name: str | None,
    name: str,
    password: str | None,
) -> None:
    """Create a user with ROLE; a principal needs --school."""
    schools, district_id = _schools_and_district(nces_ids, district_name, role)
    generated = password is None
    password = password or secrets.token_urlsafe(12)
    try:
        user = create_user(
            db.session,
            NewUser(
                email=email,
                role=Role(role),
                password=password,
                name=name,
                district_id=district_id,
                school_ids=[school.id for school in schools],
            ),
        )
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    click.echo(f"created {user.role.value} {user.email}")
    if generated:
        click.echo(f"password: {password}")


@users_cli.command("invite")
@click.argument("email")
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--school", "nces_ids", multiple=True, help="NCES id of a principal's school (repeatable).")
@click.option("--district", "district_name", help="District name (default: the school's district).")
@click.option("--name", default="", help="The person's full name.")
def users_invite(
    email: str, role: str, nces_ids: tuple[str, ...], district_name: str | None, name: str
) -> None:
    """Invite a person with ROLE by email: they choose their password through the link it holds."""
    schools, district_id = _schools_and_district(nces_ids, district_name, role)
    new = NewUser(
        email=email,
        role=Role(role),
        password=None,
        name=name,
        district_id=district_id,
        school_ids=[school.id for school in schools],
    )
    try:
        user, link, plaintext = invite(db.session, None, new, lifetime=invitation_lifetime())
    except DomainError as error:
        fail(error)
        return
    queue_invitation(user, plaintext, link.expires_at, None)
    db.session.commit()
    kick_outbox()
    click.echo(
        f"invited {user.role.value} {user.email}; the link works until {link.expires_at:%Y-%m-%d %H:%M} UTC"
    )


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, e.g. 'nightly export'.")
@click.option(
    "--scope",
    type=click.Choice([scope.value for scope in TokenScope]),
    default=TokenScope.READ_WRITE.value,
    show_default=True,
    help="read: only reads; read_write: also records and reviews.",
)
@click.option("--days", type=int, default=DEFAULT_DAYS, show_default=True, help="How long the token lasts.")
def users_token(email: str, name: str, scope: str, days: int) -> None:
    """Create an API token for the user with EMAIL and print it (it is shown only this once)."""
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(ValidationError("email", f"no user with the email {email}"))
        return
    try:
        token, plaintext = create_token(
            db.session, user, name or "Command line", scope=TokenScope(scope), days=days
        )
    except DomainError as error:
        fail(error)
        return
    db.session.commit()
    expiry = token.expires_at.date().isoformat()
    click.echo(
        f"created {token.scope.value} token {token.prefix}… for {user.email}, until {expiry}; "
        "it is shown only once:"
    )
    click.echo(plaintext)


@users_cli.command("deactivate")
@click.argument("email")
def users_deactivate(email: str) -> None:
    """Switch off the account with EMAIL: it cannot sign in, its sign-ins end now, its tokens stop working.

    Everything the person recorded stays, attributed to them.
    """
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        fail(ValidationError("email", f"no user with the email {email}"))
        return
    if not user.active:
        click.echo(f"{user.email} is already deactivated")
        return
    ended = deactivate(db.session, user)
    # The command line has no signed-in person: the entry's actor is none ("command line").
    audit_log.record(
        db.session, None, audit_log.USER_DEACTIVATED, user, active=[True, False], sign_ins_ended=ended
    )
    db.session.commit()
    click.echo(f"deactivated {user.email}: signed out everywhere; their API tokens no longer work")
