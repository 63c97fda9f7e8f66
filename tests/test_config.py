"""Configuration comes from the environment; production has no secret fallbacks."""

from __future__ import annotations

from pathlib import Path

import pytest

import config
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
