"""Configuration comes from the environment; production has no secret fallbacks."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher

import config
from app import create_app
from audits.passwords import (
    PRODUCTION_PROFILE,
    PROFILES,
    current_parameters,
    hash_password,
    use_profile,
    verify_password,
)
from config import ConfigError, load_config


def test_production_requires_a_secret_key() -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config("production", {"DATABASE_URL": "postgresql://db/touchpoint"})


def test_production_requires_a_database_url() -> None:
    with pytest.raises(ConfigError, match="DATABASE_URL"):
        load_config("production", {"SECRET_KEY": "x" * 32})


def test_production_cookies_are_secure_and_postgres_uses_psycopg3() -> None:
    settings = load_config("production", {"SECRET_KEY": "s" * 32, "DATABASE_URL": "postgres://db/tp"})
    assert settings["SESSION_COOKIE_SECURE"] is True
    assert settings["SESSION_COOKIE_HTTPONLY"] is True
    assert settings["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db/tp"


def test_development_generates_a_secret_once_and_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    first = load_config("development", {})
    second = load_config("development", {})
    assert first["SECRET_KEY"] == second["SECRET_KEY"]
    assert len(str(first["SECRET_KEY"])) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert first["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'touchpoint.sqlite'}"
    assert first["SESSION_COOKIE_SECURE"] is False


def test_unknown_environment_is_refused() -> None:
    with pytest.raises(ConfigError, match="TOUCHPOINT_ENV"):
        load_config("staging", {})


PRODUCTION = {"SECRET_KEY": "s" * 32, "DATABASE_URL": "postgresql://db/tp"}


def test_mail_tasks_and_reminder_defaults() -> None:
    settings = load_config("production", PRODUCTION)
    assert settings["MAIL_BACKEND"] == "console"  # no MAIL_SERVER: nothing is sent
    assert settings["MAIL_SERVER"] == ""
    assert settings["MAIL_PORT"] == 587
    assert settings["MAIL_USERNAME"] is None
    assert settings["MAIL_PASSWORD"] is None
    assert settings["MAIL_USE_TLS"] is True
    assert settings["MAIL_USE_SSL"] is False
    assert settings["MAIL_DEFAULT_SENDER"] == "Touchpoint <no-reply@localhost>"
    assert settings["PUBLIC_BASE_URL"] == "http://127.0.0.1:5000"
    assert settings["CELERY_BROKER_URL"] == ""
    assert settings["CELERY_RESULT_BACKEND"] == ""
    assert settings["REMINDER_HOUR"] == 7


def test_mail_server_selects_smtp_with_the_given_settings() -> None:
    settings = load_config(
        "production",
        {
            **PRODUCTION,
            "MAIL_SERVER": "smtp.example.org",
            "MAIL_PORT": "465",
            "MAIL_USERNAME": "touchpoint",
            "MAIL_PASSWORD": "hunter2",
            "MAIL_USE_TLS": "false",
            "MAIL_USE_SSL": "true",
            "MAIL_DEFAULT_SENDER": "Audits <audits@example.org>",
            "PUBLIC_BASE_URL": "https://touchpoint.example.org/",
            "CELERY_BROKER_URL": "redis://redis:6379/0",
            "CELERY_RESULT_BACKEND": "redis://redis:6379/1",
            "REMINDER_HOUR": "6",
        },
    )
    assert settings["MAIL_BACKEND"] == "smtp"
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"]) == ("smtp.example.org", 465)
    assert (settings["MAIL_USERNAME"], settings["MAIL_PASSWORD"]) == ("touchpoint", "hunter2")
    assert (settings["MAIL_USE_TLS"], settings["MAIL_USE_SSL"]) == (False, True)
    assert settings["MAIL_DEFAULT_SENDER"] == "Audits <audits@example.org>"
    assert settings["PUBLIC_BASE_URL"] == "https://touchpoint.example.org"
    assert settings["CELERY_BROKER_URL"] == "redis://redis:6379/0"
    assert settings["CELERY_RESULT_BACKEND"] == "redis://redis:6379/1"
    assert settings["REMINDER_HOUR"] == 6


def test_testing_keeps_mail_in_an_outbox_and_tasks_in_process_whatever_the_environment() -> None:
    settings = load_config(
        "testing", {"MAIL_SERVER": "smtp.example.org", "CELERY_BROKER_URL": "redis://redis:6379/0"}
    )
    assert settings["MAIL_BACKEND"] == "locmem"
    assert settings["CELERY_BROKER_URL"] == ""


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("MAIL_USE_TLS", "maybe", "MAIL_USE_TLS must be true or false"),
        ("REMINDER_HOUR", "24", "REMINDER_HOUR must be an hour"),
        ("REMINDER_HOUR", "7am", "REMINDER_HOUR must be an hour"),
    ],
)
def test_invalid_mail_and_reminder_settings_are_refused(name: str, value: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_config("production", {**PRODUCTION, name: value})


def test_ssl_turns_starttls_off_unless_both_are_asked_for() -> None:
    settings = load_config("production", {**PRODUCTION, "MAIL_USE_SSL": "yes"})
    assert (settings["MAIL_USE_SSL"], settings["MAIL_USE_TLS"]) == (True, False)
    with pytest.raises(ConfigError, match="cannot both be true"):
        load_config("production", {**PRODUCTION, "MAIL_USE_SSL": "yes", "MAIL_USE_TLS": "yes"})


def test_production_hashes_passwords_at_argon2s_full_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    """Production keeps argon2-cffi's defaults (3 passes over 64 MiB, 4 lanes); only tests go cheap."""
    monkeypatch.setenv("SECRET_KEY", "s" * 32)
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    for env in ("production", "development"):
        assert load_config(env)["PASSWORD_HASHING"] == PRODUCTION_PROFILE
    assert load_config("testing")["PASSWORD_HASHING"] == "cheapest"
    defaults = PasswordHasher()
    production = PROFILES[PRODUCTION_PROFILE]
    assert (production.time_cost, production.memory_cost, production.parallelism) == (3, 65536, 4)
    assert (production.time_cost, production.memory_cost, production.parallelism, production.hash_len) == (
        defaults.time_cost,
        defaults.memory_cost,
        defaults.parallelism,
        defaults.hash_len,
    )
    try:
        create_app("production")
        assert current_parameters() == production
        assert "$m=65536,t=3,p=4$" in hash_password("a-long-password")
    finally:
        use_profile("cheapest")
    create_app("testing", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    cheap = hash_password("a-long-password")
    assert "$m=8,t=1,p=1$" in cheap
    assert verify_password(cheap, "a-long-password") and not verify_password(cheap, "another-password")


def test_evidence_is_kept_three_school_years_unless_set() -> None:
    """Photos, emails and contact texts each have their own keeping period, in school years."""
    config = load_config("testing", {"EMAIL_RETENTION_SCHOOL_YEARS": "5"})
    assert config["PHOTO_RETENTION_SCHOOL_YEARS"] == 3
    assert config["EMAIL_RETENTION_SCHOOL_YEARS"] == 5
    assert config["TEXT_RETENTION_SCHOOL_YEARS"] == 3
    with pytest.raises(ConfigError, match="TEXT_RETENTION_SCHOOL_YEARS must be a whole number"):
        load_config("testing", {"TEXT_RETENTION_SCHOOL_YEARS": "0"})


def test_invitation_and_reset_links_last_a_week_and_an_hour_unless_set() -> None:
    settings = load_config("production", PRODUCTION)
    assert (settings["INVITATION_DAYS"], settings["PASSWORD_RESET_MINUTES"]) == (7, 60)
    chosen = load_config("production", {**PRODUCTION, "INVITATION_DAYS": "3", "PASSWORD_RESET_MINUTES": "20"})
    assert (chosen["INVITATION_DAYS"], chosen["PASSWORD_RESET_MINUTES"]) == (3, 20)
    for name, value in (("INVITATION_DAYS", "0"), ("PASSWORD_RESET_MINUTES", "a day")):
        with pytest.raises(ConfigError, match=f"{name} must be a whole number"):
            load_config("production", {**PRODUCTION, name: value})


def test_the_date_and_moment_can_be_pinned_for_rehearsals() -> None:
    assert (load_config("testing", {})["TODAY"], load_config("testing", {})["NOW"]) == (None, None)
    pinned = load_config(
        "testing", {"TOUCHPOINT_TODAY": "2027-02-01", "TOUCHPOINT_NOW": "2027-02-01T09:00-05:00"}
    )
    assert pinned["TODAY"] == date(2027, 2, 1)
    assert pinned["NOW"] == datetime(2027, 2, 1, 14, tzinfo=UTC)
    for value in ("2027-02-01T09:00", "next Monday"):
        with pytest.raises(ConfigError, match="TOUCHPOINT_NOW must be a date and time with its offset"):
            load_config("testing", {"TOUCHPOINT_NOW": value})


def test_a_mail_credentials_key_must_be_a_fernet_key() -> None:
    """``MAIL_CREDENTIALS_KEY`` is taken when it is a Fernet key, refused otherwise, unset by default."""
    key = "mA3bT9u0a7nCk2dU1rVq8cR6xZ4wY5sE0fG7hJ2kL3M="
    assert load_config("development", {"MAIL_CREDENTIALS_KEY": key})["MAIL_CREDENTIALS_KEY"] == key
    assert load_config("development", {})["MAIL_CREDENTIALS_KEY"] == ""
    with pytest.raises(ConfigError, match="MAIL_CREDENTIALS_KEY must be a Fernet key"):
        load_config("development", {"MAIL_CREDENTIALS_KEY": "hunter2"})
