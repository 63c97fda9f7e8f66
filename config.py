"""Configuration, read from the environment.

``TOUCHPOINT_ENV`` picks the profile: ``development`` (the default; embedded
SQLite and a secret key generated once under ``instance/``), ``production``
(``SECRET_KEY`` and ``DATABASE_URL`` are required) or ``testing``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TOUCHPOINT_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """A required setting is missing or invalid."""


def _instance_secret_key(instance_dir: Path) -> str:
    """Return the embedded install's secret key, generating it on first use."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_hex(32))
    return path.read_text().strip()


def normalise_database_url(url: str) -> str:
    """Point bare ``postgres://`` and ``postgresql://`` URLs at the psycopg 3 driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_config(env: str | None = None, environ: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask configuration for ``env`` from ``environ`` (default ``os.environ``)."""
    environ = dict(os.environ if environ is None else environ)
    env = env or environ.get("TOUCHPOINT_ENV", "development")
    if env not in {"development", "production", "testing"}:
        raise ConfigError(f"TOUCHPOINT_ENV must be development, production or testing, not {env!r}")
    production = env == "production"

    secret_key = environ.get("SECRET_KEY")
    if not secret_key:
        if production:
            raise ConfigError("SECRET_KEY must be set in production")
        secret_key = _instance_secret_key(INSTANCE_DIR) if env == "development" else secrets.token_hex(32)

    database_url = environ.get("DATABASE_URL")
    if not database_url:
        if production:
            raise ConfigError("DATABASE_URL must be set in production")
        database_url = f"sqlite:///{INSTANCE_DIR / 'touchpoint.sqlite'}"

    return {
        "TOUCHPOINT_ENV": env,
        "TESTING": env == "testing",
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(database_url),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": production,
        "WTF_CSRF_TIME_LIMIT": None,
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_UPLOAD_MB", "20")) * 1024 * 1024,
        "LOGIN_MAX_FAILURES": int(environ.get("LOGIN_MAX_FAILURES", "5")),
        "LOGIN_LOCKOUT_MINUTES": int(environ.get("LOGIN_LOCKOUT_MINUTES", "15")),
        "DEMO_SCHOOLS_FILE": environ.get("DEMO_SCHOOLS_FILE", ""),
    }
