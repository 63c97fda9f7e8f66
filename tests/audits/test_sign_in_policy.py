"""A district's sign-in rules: domains, password sign-in, two-step sign-in for leaders."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from audits.audit_log import DISTRICT_SIGN_IN_CHANGED
from audits.errors import ValidationError
from audits.models import AuditEntry, District, Role, School, User
from audits.sign_in_policy import (
    SignInPolicy,
    parse_domains,
    password_sign_in_allowed,
    single_sign_on_allowed,
    two_step_required,
    update_sign_in_policy,
)


def test_domains_are_read_one_per_line_or_comma_separated_and_cleaned() -> None:
    text = "Schools.K12.FL.us\n@duvalschools.org, schools.k12.fl.us;  staff.duval.org. "
    assert parse_domains(text) == ("schools.k12.fl.us", "duvalschools.org", "staff.duval.org")
    assert parse_domains("  ") == ()


@pytest.mark.parametrize("bad", ["localhost", "not a domain", "http://duval.org", "duval..org", "-x.org"])
def test_a_word_that_is_not_a_domain_is_refused_on_the_domains_field(bad: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_domains(f"duvalschools.org\n{bad}")
    assert caught.value.problems[0][0] == "domains"
    assert "not an email domain" in caught.value.problems[0][1]


def test_more_than_twenty_domains_are_refused() -> None:
    with pytest.raises(ValidationError, match="at most 20"):
        parse_domains(" ".join(f"d{n}.org" for n in range(21)))


def test_the_change_is_saved_and_written_to_the_audit_log(
    session: Session, make_district: Callable[..., District], make_user: Callable[..., User]
) -> None:
    district = make_district("Duval")
    leader = make_user(Role.LEADER, district=district)
    policy = SignInPolicy(password_sign_in=False, domains=("duvalschools.org",), two_step_required=True)
    assert update_sign_in_policy(session, leader, district, policy, single_sign_on_configured=True)
    assert SignInPolicy.of(district) == policy
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == DISTRICT_SIGN_IN_CHANGED))
    assert entry is not None and entry.actor_id == leader.id and entry.district_id == district.id
    assert entry.details == {
        "sign_in_without_district_account": [True, False],
        "two_step_required": [False, True],
        "domains": [[], ["duvalschools.org"]],
    }
    # Saving the same rules again changes nothing and logs nothing.
    assert not update_sign_in_policy(session, leader, district, policy, single_sign_on_configured=True)
    assert len(session.scalars(select(AuditEntry)).all()) == 1


@pytest.mark.parametrize(
    ("configured", "domains", "reason"),
    [
        (False, ("duvalschools.org",), "not set up on this server"),
        (True, (), "list your email domains first"),
    ],
)
def test_passwords_stay_on_while_nobody_could_sign_in_otherwise(
    session: Session,
    make_district: Callable[..., District],
    configured: bool,
    domains: tuple[str, ...],
    reason: str,
) -> None:
    district = make_district("Duval")
    policy = SignInPolicy(password_sign_in=False, domains=domains, two_step_required=False)
    with pytest.raises(ValidationError, match=reason) as caught:
        update_sign_in_policy(session, None, district, policy, single_sign_on_configured=configured)
    assert caught.value.problems[0][0] == "password_sign_in"
    assert district.password_sign_in and district.sign_in_domains == []


def test_who_may_sign_in_how(
    make_district: Callable[..., District],
    make_school: Callable[..., School],
    make_user: Callable[..., User],
) -> None:
    district = make_district("Duval")
    district.sign_in_domains = ["duvalschools.org"]
    district.password_sign_in = False
    district.two_step_required = True
    leader = make_user(Role.LEADER, district=district, email="lead@duvalschools.org")
    outsider = make_user(Role.AUDITOR, district=district, email="contractor@gmail.com")
    principal = make_user(
        Role.PRINCIPAL, district=district, schools=[make_school(district)], email="p@duvalschools.org"
    )
    admin = make_user(Role.ADMIN, email="root@duvalschools.org")
    assert single_sign_on_allowed(leader) and not single_sign_on_allowed(outsider)
    assert not single_sign_on_allowed(admin)  # no district: no district account
    assert not password_sign_in_allowed(leader) and password_sign_in_allowed(admin)
    assert two_step_required(leader) and not two_step_required(principal)
    assert not two_step_required(admin)
