"""Configuration, read from the environment.

``TOUCHPOINT_ENV`` picks the profile: ``development`` (the default; embedded
SQLite and a secret key generated once under ``instance/``), ``production``
(``SECRET_KEY`` and ``DATABASE_URL`` are required) or ``testing``.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
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


def _flag(environ: dict[str, str], name: str, default: bool) -> bool:
    """Read an on/off setting: ``true``/``false`` (also ``1``/``0``, ``yes``/``no``, ``on``/``off``)."""
    value = environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false, not {value!r}")


def _mail_settings(env: str, environ: dict[str, str]) -> dict[str, object]:
    """Mail settings. Tests always use the in-memory outbox, whatever the environment says."""
    server = environ.get("MAIL_SERVER", "")
    use_ssl = _flag(environ, "MAIL_USE_SSL", False)
    use_tls = _flag(environ, "MAIL_USE_TLS", not use_ssl)  # STARTTLS unless the connection is SSL already
    if use_tls and use_ssl:
        raise ConfigError("MAIL_USE_TLS and MAIL_USE_SSL cannot both be true (SSL on port 465 or STARTTLS)")
    backend = "smtp" if server else "console"
    if env == "testing":
        backend = "locmem"  # an in-memory outbox: tests never reach a mail server
    return {
        "MAIL_BACKEND": backend,
        "MAIL_SERVER": server,
        "MAIL_PORT": int(environ.get("MAIL_PORT", "587")),
        "MAIL_USERNAME": environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": use_tls,
        "MAIL_USE_SSL": use_ssl,
        "MAIL_DEFAULT_SENDER": environ.get("MAIL_DEFAULT_SENDER") or "Touchpoint <no-reply@localhost>",
    }


def _mail_credentials_key(env: str, environ: dict[str, str]) -> str:
    """``MAIL_CREDENTIALS_KEY``: the Fernet key persona mailboxes' passwords are encrypted with.

    Generate one with ``python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key()
    .decode())"``. Unset, a key derived from ``SECRET_KEY`` is used (``audits.mail.credentials``):
    changing ``SECRET_KEY`` then means typing the mailboxes' passwords again.
    """
    key = "" if env == "testing" else environ.get("MAIL_CREDENTIALS_KEY", "").strip()
    if key:
        try:
            valid = len(base64.urlsafe_b64decode(key.encode("ascii"))) == 32
        except (binascii.Error, ValueError, UnicodeEncodeError):
            valid = False
        if not valid:
            raise ConfigError("MAIL_CREDENTIALS_KEY must be a Fernet key: 32 bytes in URL-safe base64 "
                              "(44 characters, as Fernet.generate_key() makes)")  # fmt: skip
    return key


def _reminder_hour(environ: dict[str, str]) -> int:
    """The local hour (0-23) from which the daily reminders go out."""
    text = environ.get("REMINDER_HOUR", "7")
    if not text.isdigit() or not 0 <= int(text) <= 23:
        raise ConfigError(f"REMINDER_HOUR must be an hour from 0 to 23, not {text!r}")
    return int(text)


# What ``RECORDING_POLICY`` may say (see ``audits.telephony.recording``).
RECORDING_POLICIES = ("off", "one_party_only", "announce")


def _telephony_settings(env: str, environ: dict[str, str]) -> dict[str, object]:
    """Twilio click-to-call and call recording. Tests ignore the environment's Twilio account."""
    policy = environ.get("RECORDING_POLICY", "").strip().lower() or "off"
    if policy not in RECORDING_POLICIES:
        raise ConfigError(f"RECORDING_POLICY must be one of {', '.join(RECORDING_POLICIES)}, not {policy!r}")
    days = environ.get("RECORDING_RETENTION_DAYS", "").strip() or "90"
    if not days.isdigit() or int(days) < 1:
        raise ConfigError(
            f"RECORDING_RETENTION_DAYS must be a whole number of days (1 or more), not {days!r}"
        )
    # Under test, a Twilio account from the environment is never used: tests pass fake ones explicitly.
    twilio = {} if env == "testing" else environ
    caller_id = twilio.get("TWILIO_CALLER_ID", "").strip()
    if caller_id and not re.fullmatch(r"\+[1-9][0-9]{6,14}", caller_id):
        raise ConfigError(
            f"TWILIO_CALLER_ID must be a phone number in E.164 form (+19045551234), not {caller_id!r}"
        )
    return {
        "TWILIO_ACCOUNT_SID": twilio.get("TWILIO_ACCOUNT_SID", "").strip(),
        "TWILIO_AUTH_TOKEN": twilio.get("TWILIO_AUTH_TOKEN", "").strip(),
        "TWILIO_CALLER_ID": caller_id,
        "RECORDING_POLICY": policy,
        "RECORDING_RETENTION_DAYS": int(days),
    }


def _whole(environ: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    """A whole-number setting within ``low``..``high``."""
    text = environ.get(name, "").strip() or str(default)
    if not text.isdigit() or not low <= int(text) <= high:
        raise ConfigError(f"{name} must be a whole number from {low} to {high}, not {text!r}")
    return int(text)


def _session_settings(env: str, environ: dict[str, str]) -> dict[str, object]:
    """How long a sign-in lasts, and where failed sign-ins are counted (``audits.sign_ins``, ``throttle``)."""
    idle = _whole(environ, "SESSION_IDLE_MINUTES", 120, 5, 24 * 60)
    longest = _whole(environ, "SESSION_MAX_HOURS", 12, 1, 24 * 30)
    broker = environ.get("CELERY_BROKER_URL", "")
    default_store = broker if broker.startswith(("redis://", "rediss://")) else "memory://"
    store = environ.get("SIGN_IN_THROTTLE_STORAGE", "").strip() or default_store
    return {
        # How long an invitation link (days) and a password-reset link (minutes) work (audits.account_links).
        "INVITATION_DAYS": _whole(environ, "INVITATION_DAYS", 7, 1, 30),
        "PASSWORD_RESET_MINUTES": _whole(environ, "PASSWORD_RESET_MINUTES", 60, 5, 24 * 60),
        "SESSION_IDLE_MINUTES": idle,
        "SESSION_MAX_HOURS": longest,
        # The cookie itself lasts no longer than the longest sign-in.
        "PERMANENT_SESSION_LIFETIME": timedelta(hours=longest),
        # Tests count in memory, whatever the environment says.
        "SIGN_IN_THROTTLE_STORAGE": "memory://" if env == "testing" else store,
        # Administrators without a district must use two-step sign-in (audits.two_step.required).
        "ADMIN_TWO_STEP_REQUIRED": _flag(environ, "ADMIN_TWO_STEP_REQUIRED", False),
    }


def _single_sign_on_settings(environ: dict[str, str]) -> dict[str, str]:
    """Sign-in with district accounts (OpenID Connect: Google, Microsoft): off unless ``OIDC_ISSUER``."""
    issuer = environ.get("OIDC_ISSUER", "").strip().rstrip("/")
    client_id = environ.get("OIDC_CLIENT_ID", "").strip()
    secret = environ.get("OIDC_CLIENT_SECRET", "").strip()
    if issuer and not (client_id and secret):
        raise ConfigError("OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET must be set too")
    if issuer and not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ConfigError(f"OIDC_ISSUER must be an https:// address, not {issuer!r}")
    return {
        "OIDC_ISSUER": issuer,
        "OIDC_CLIENT_ID": client_id,
        "OIDC_CLIENT_SECRET": secret,
        # What the sign-in button says: "Sign in with Google", "Sign in with Microsoft".
        "OIDC_PROVIDER_NAME": environ.get("OIDC_PROVIDER_NAME", "").strip() or "your district account",
    }


def _pinned_today(environ: dict[str, str]) -> date | None:
    """``TOUCHPOINT_TODAY``: the date rounds are planned against, not the real one (tests, rehearsals)."""
    text = environ.get("TOUCHPOINT_TODAY", "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"TOUCHPOINT_TODAY must be a date as YYYY-MM-DD, not {text!r}") from None


def _pinned_now(environ: dict[str, str]) -> datetime | None:
    """``TOUCHPOINT_NOW``: the moment contacts' recorded times are checked against (tests, rehearsals)."""
    text = environ.get("TOUCHPOINT_NOW", "").strip()
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ConfigError(f"TOUCHPOINT_NOW must be a date and time with its offset, as "
                          f"2027-02-01T09:00:00+00:00, not {text!r}")  # fmt: skip
    return moment.astimezone(UTC)


def single_sign_on_configured(config: Mapping[str, object]) -> bool:
    """Whether this server can sign people in with their district accounts."""
    return bool(config.get("OIDC_ISSUER"))


# The kinds of evidence kept for a number of school years, and their settings (see ``audits.retention``).
RETENTION_SETTINGS = (
    "PHOTO_RETENTION_SCHOOL_YEARS",
    "EMAIL_RETENTION_SCHOOL_YEARS",
    "TEXT_RETENTION_SCHOOL_YEARS",
)


def _retention_settings(environ: dict[str, str]) -> dict[str, int]:
    """How many school years photos, emails and contact texts are kept (3 unless set)."""
    settings = {}
    for name in RETENTION_SETTINGS:
        text = environ.get(name, "").strip() or "3"
        if not text.isdigit() or int(text) < 1:
            raise ConfigError(f"{name} must be a whole number of school years (1 or more), not {text!r}")
        settings[name] = int(text)
    return settings


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
        # argon2's cost: production's default parameters everywhere but under test (audits.passwords).
        "PASSWORD_HASHING": "cheapest" if env == "testing" else "rfc_9106_low_memory",
        **_session_settings(env, environ),
        "DEMO_SCHOOLS_FILE": environ.get("DEMO_SCHOOLS_FILE", ""),
        # The local mail servers the demo's persona mailboxes point at (`make mail-servers` starts them).
        "DEMO_MAIL_HOST": environ.get("DEMO_MAIL_HOST", "").strip() or "127.0.0.1",
        "DEMO_SMTP_PORT": _whole(environ, "DEMO_SMTP_PORT", 1025, 1, 65535),
        "DEMO_IMAP_PORT": _whole(environ, "DEMO_IMAP_PORT", 1143, 1, 65535),
        "DEMO_MAIL_PASSWORD": environ.get("DEMO_MAIL_PASSWORD", "").strip() or "persona-mail-secret",
        # Behind a reverse proxy, how many proxies' X-Forwarded-* headers to trust (0: none).
        "TRUSTED_PROXIES": int(environ.get("TRUSTED_PROXIES", "0")),
        # Evidence files live outside the web root, served only through permission checks.
        "EVIDENCE_DIR": environ.get("EVIDENCE_DIR", str(INSTANCE_DIR / "evidence")),
        "MAX_EVIDENCE_MB": int(environ.get("MAX_EVIDENCE_MB", "15")),
        # Generated files (scorecard PDFs by content hash, batch progress), outside the web root.
        "STORAGE_DIR": environ.get("STORAGE_DIR", str(INSTANCE_DIR / "storage")),
        "SCORECARD_WORKERS": int(environ.get("SCORECARD_WORKERS", "1")),
        # With a broker, a batch is cut into chunks of this many schools for any worker to take (0: one task).
        "SCORECARD_CHUNK_SIZE": int(environ.get("SCORECARD_CHUNK_SIZE", "50")),
        **_mail_settings(env, environ),
        # Persona mailboxes (audits.mail): the key of their stored passwords ("": derived from SECRET_KEY).
        "MAIL_CREDENTIALS_KEY": _mail_credentials_key(env, environ),
        # How long sending or checking waits for a persona mailbox's server before giving up.
        "MAIL_TIMEOUT_SECONDS": _whole(environ, "MAIL_TIMEOUT_SECONDS", 20, 1, 300),
        "PUBLIC_BASE_URL": environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        # Set in the environment: every link uses it; unset outside production: the address being served.
        "PUBLIC_BASE_URL_GIVEN": bool(environ.get("PUBLIC_BASE_URL", "").strip()),
        # Tests always run background tasks in-process: they never reach a real broker.
        "CELERY_BROKER_URL": "" if env == "testing" else environ.get("CELERY_BROKER_URL", ""),
        "CELERY_RESULT_BACKEND": "" if env == "testing" else environ.get("CELERY_RESULT_BACKEND", ""),
        # A broker hands an unacknowledged task (its worker died) to another worker after this long.
        "CELERY_VISIBILITY_TIMEOUT": int(environ.get("CELERY_VISIBILITY_TIMEOUT", "600")),
        # A batch whose worker has given no sign of life for this long is interrupted (and resumed).
        "JOB_HEARTBEAT_TIMEOUT": int(environ.get("JOB_HEARTBEAT_TIMEOUT", "30")),
        "REMINDER_HOUR": _reminder_hour(environ),
        # While the database cannot be reached: the 503's Retry-After, and how long /readyz waits for it.
        "OUTAGE_RETRY_AFTER_SECONDS": int(environ.get("OUTAGE_RETRY_AFTER_SECONDS", "30")),
        "READYZ_TIMEOUT_SECONDS": float(environ.get("READYZ_TIMEOUT_SECONDS", "2")),
        **_telephony_settings(env, environ),
        **_retention_settings(environ),
        **_single_sign_on_settings(environ),
        "TODAY": _pinned_today(environ),
        "NOW": _pinned_now(environ),
    }
