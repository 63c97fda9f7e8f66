"""How a district's people sign in: a password, the district's accounts, a second step.

A district lists the email domains its Google Workspace or Microsoft 365 accounts use
(``sign_in_domains``); its people may then sign in with those accounts (OpenID Connect,
``app.single_sign_on``). It may switch password sign-in off once single sign-on is available,
and may require a second step (a code from an authenticator app) of its administrators and
leaders. Administrators without a district always keep their password.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from audits.audit_log import DISTRICT_SIGN_IN_CHANGED, record
from audits.errors import ValidationError
from audits.models import District, Role, User

# A DNS name: labels of letters, digits and inner hyphens, at least one dot, a letter-only top label.
_DOMAIN = re.compile(r"(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")
MAX_DOMAINS = 20
# Who must use a second step when their district requires it.
TWO_STEP_ROLES = frozenset({Role.ADMIN, Role.LEADER})


@dataclass(frozen=True)
class SignInPolicy:
    """A district's sign-in rules, as its settings form shows them."""

    password_sign_in: bool
    domains: tuple[str, ...]
    two_step_required: bool

    @classmethod
    def of(cls, district: District) -> SignInPolicy:
        """Return ``district``'s current rules."""
        return cls(
            password_sign_in=district.password_sign_in,
            domains=tuple(district.sign_in_domains or ()),
            two_step_required=district.two_step_required,
        )


def parse_domains(text: str) -> tuple[str, ...]:
    """Split a list of domains typed one per line or separated by commas or spaces.

    Each is lower-cased and may start with ``@``; duplicates are dropped, order kept.
    A word that is not a domain raises ``ValidationError`` on ``domains``.
    """
    found: list[str] = []
    bad: list[str] = []
    for word in re.split(r"[\s,;]+", text.strip()):
        if not word:
            continue
        domain = word.removeprefix("@").lower().rstrip(".")
        if not _DOMAIN.fullmatch(domain):
            bad.append(word)
        elif domain not in found:
            found.append(domain)
    if bad:
        listed = ", ".join(bad[:3]) + (" …" if len(bad) > 3 else "")
        raise ValidationError("domains", f"not an email domain: {listed} (write them like schools.k12.fl.us)")
    if len(found) > MAX_DOMAINS:
        raise ValidationError("domains", f"list at most {MAX_DOMAINS} domains")
    return tuple(found)


def update_sign_in_policy(
    session: Session,
    actor: User | None,
    district: District,
    policy: SignInPolicy,
    single_sign_on_configured: bool,
) -> bool:
    """Apply ``policy`` to ``district`` and write the change to the audit log; flush.

    Password sign-in can be switched off only while single sign-on is configured for this
    server and the district lists at least one domain: otherwise nobody could sign in.
    Return whether anything changed.
    """
    if not policy.password_sign_in:
        if not single_sign_on_configured:
            raise ValidationError(
                "password_sign_in",
                "sign-in with district accounts is not set up on this server, so passwords must stay on",
            )
        if not policy.domains:
            raise ValidationError(
                "password_sign_in", "list your email domains first: without them nobody could sign in"
            )
    before = SignInPolicy.of(district)
    if before == policy:
        return False
    district.password_sign_in = policy.password_sign_in
    district.sign_in_domains = list(policy.domains)
    district.two_step_required = policy.two_step_required
    # The audit log refuses detail names that speak of passwords, hence the longer name.
    changes: dict[str, Any] = {
        label: [getattr(before, name), getattr(policy, name)]
        for name, label in (
            ("password_sign_in", "sign_in_without_district_account"),
            ("two_step_required", "two_step_required"),
        )
        if getattr(before, name) != getattr(policy, name)
    }
    if before.domains != policy.domains:
        changes["domains"] = [list(before.domains), list(policy.domains)]
    record(session, actor, DISTRICT_SIGN_IN_CHANGED, district=district, **changes)
    return True


def email_domain(email: str) -> str:
    """The domain of ``email``, lower-cased (``""`` when it has none)."""
    return email.rpartition("@")[2].lower() if "@" in email else ""


def single_sign_on_allowed(user: User) -> bool:
    """Whether ``user`` may sign in with a district account: their district lists their email's domain."""
    if user.district is None:
        return False
    return email_domain(user.email) in (user.district.sign_in_domains or ())


def password_sign_in_allowed(user: User) -> bool:
    """Whether ``user`` may sign in with a password (their district has not switched it off)."""
    return user.district is None or user.district.password_sign_in


def two_step_required(user: User) -> bool:
    """Whether ``user`` must use a second step: an administrator or leader of a district that requires it."""
    return user.role in TWO_STEP_ROLES and user.district is not None and user.district.two_step_required
