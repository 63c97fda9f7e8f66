"""The Touchpoint web application: ``create_app`` builds it in a few steps."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import Engine

from config import BASE_DIR, INSTANCE_DIR, load_config


def create_app(env: str | None = None, overrides: dict[str, Any] | None = None) -> Flask:
    """Create the Flask application for ``env`` with optional config ``overrides``."""
    app = Flask(
        __name__,
        template_folder=str(BASE_DIR / "templates"),
        instance_path=str(INSTANCE_DIR),
    )
    app.config.update(load_config(env))
    app.config.update(overrides or {})
    register_extensions(app)
    register_mail(app)
    register_tasks(app)
    register_blueprints(app)
    register_api(app)
    register_error_handlers(app)
    register_template_helpers(app)
    register_security(app)
    register_retries(app)
    register_cli(app)
    return app


@event.listens_for(Engine, "connect")
def _sqlite_foreign_keys(dbapi_connection: Any, _record: Any) -> None:
    """Switch SQLite's foreign-key enforcement on for every connection."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# A PostgreSQL server that hangs instead of refusing would otherwise hold each request for
# the operating system's TCP timeout (minutes): give up after this long and answer 503.
DATABASE_CONNECT_TIMEOUT_SECONDS = 5


@event.listens_for(Engine, "do_connect")
def _postgresql_connect_timeout(dialect: Any, _record: Any, _args: Any, parameters: dict[str, Any]) -> None:
    """Bound how long a new PostgreSQL connection may take (libpq's ``connect_timeout``)."""
    if dialect.name == "postgresql":
        parameters.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT_SECONDS)


def register_extensions(app: Flask) -> None:
    """Bind the database, migrations, login manager and CSRF protection; set the password hashing cost."""
    from app.auth.session import init_login_manager
    from app.extensions import csrf, db, migrate
    from audits.passwords import use_profile

    use_profile(app.config["PASSWORD_HASHING"])
    db.init_app(app)
    migrate.init_app(app, db, directory=str(BASE_DIR / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    init_login_manager(app)


def register_mail(app: Flask) -> None:
    """Bind outgoing email (SMTP, the console, or the test outbox)."""
    from app.mail import init_mail

    init_mail(app)


def register_tasks(app: Flask) -> None:
    """Bind Celery: a broker's workers when ``CELERY_BROKER_URL`` is set, else in-process."""
    from app.tasks import celery_init_app

    celery_init_app(app)


def register_blueprints(app: Flask) -> None:
    """Attach every blueprint of the web layer."""
    from app.account.views import blueprint as account
    from app.appeals.views import blueprint as appeals
    from app.auditors.views import blueprint as auditors
    from app.auth.two_step import blueprint as two_step
    from app.auth.views import blueprint as auth
    from app.calibration.views import blueprint as calibration
    from app.dashboards.exports import blueprint as exports
    from app.dashboards.views import blueprint as dashboards
    from app.districts.views import blueprint as districts
    from app.double_scoring.views import blueprint as double_scoring
    from app.fieldwork.contact_form import blueprint as fieldwork
    from app.fieldwork.evidence import blueprint as evidence
    from app.fieldwork.review import blueprint as review
    from app.health import blueprint as health
    from app.home.views import blueprint as home
    from app.invitations.reset import blueprint as password
    from app.invitations.views import blueprint as invitations
    from app.mailboxes.sending import blueprint as sending
    from app.mailboxes.views import blueprint as mailboxes
    from app.mailpoll.views import blueprint as mailpoll
    from app.plans.closing import blueprint as plan_closing
    from app.plans.decisions import blueprint as plan_decisions
    from app.plans.views import blueprint as plans
    from app.plans.writing import blueprint as plan_writing
    from app.portal.views import blueprint as portal
    from app.region.views import blueprint as region
    from app.rounds.assignments import blueprint as assignments
    from app.rounds.equity import blueprint as equity
    from app.rounds.follow_ups import blueprint as follow_ups
    from app.rounds.holds import blueprint as holds
    from app.rounds.moves import blueprint as moves
    from app.rounds.views import blueprint as rounds
    from app.rubrics.views import blueprint as rubrics
    from app.scenarios.answer_key import blueprint as answer_key
    from app.scenarios.pairs import blueprint as pairs
    from app.scenarios.views import blueprint as scenarios
    from app.schools.views import blueprint as schools
    from app.scorecards.views import blueprint as scorecards
    from app.single_sign_on.views import blueprint as single_sign_on
    from app.telephony.inbound import blueprint as telephony_inbound
    from app.telephony.views import blueprint as telephony
    from app.telephony.webhooks import blueprint as telephony_webhooks
    from app.users.staff_import import blueprint as staff_import
    from app.users.views import blueprint as users

    app.register_blueprint(account)
    app.register_blueprint(answer_key)
    app.register_blueprint(appeals)
    app.register_blueprint(assignments)
    app.register_blueprint(auditors)
    app.register_blueprint(auth)
    app.register_blueprint(calibration)
    app.register_blueprint(dashboards)
    app.register_blueprint(region)
    app.register_blueprint(districts)
    app.register_blueprint(double_scoring)
    app.register_blueprint(evidence)
    app.register_blueprint(exports)
    app.register_blueprint(fieldwork)
    app.register_blueprint(follow_ups)
    app.register_blueprint(equity)
    app.register_blueprint(health)
    app.register_blueprint(holds)
    app.register_blueprint(home)
    app.register_blueprint(invitations)
    app.register_blueprint(mailboxes)
    app.register_blueprint(sending)
    app.register_blueprint(mailpoll)
    app.register_blueprint(moves)
    app.register_blueprint(password)
    app.register_blueprint(plan_closing)
    app.register_blueprint(plan_decisions)
    app.register_blueprint(plan_writing)
    app.register_blueprint(plans)
    app.register_blueprint(portal)
    app.register_blueprint(review)
    app.register_blueprint(rounds)
    app.register_blueprint(rubrics)
    app.register_blueprint(scenarios)
    app.register_blueprint(pairs)
    app.register_blueprint(schools)
    app.register_blueprint(scorecards)
    app.register_blueprint(staff_import)
    app.register_blueprint(telephony)
    app.register_blueprint(telephony_webhooks)
    app.register_blueprint(telephony_inbound)
    app.register_blueprint(single_sign_on)
    app.register_blueprint(two_step)
    app.register_blueprint(users)


def register_api(app: Flask) -> None:
    """Attach the JSON API at ``/api/v1`` (bearer tokens, JSON errors, its OpenAPI document)."""
    from app.api import register_api as attach

    attach(app)


def register_error_handlers(app: Flask) -> None:
    """Render friendly pages for HTTP errors."""
    from app.errors import register

    register(app)


def register_security(app: Flask) -> None:
    """Security headers on every response; proxy headers trusted only when configured."""
    from app.security import register

    register(app)


def register_retries(app: Flask) -> None:
    """Run a write request again when it collided with another change made at the same moment."""
    from app.retries import register

    register(app)


def register_template_helpers(app: Flask) -> None:
    """Expose helpers every template uses."""
    from app.templating import register

    register(app)


def register_cli(app: Flask) -> None:
    """Add the ``flask schools``, ``flask users`` and ``flask demo`` commands."""
    from app.cli import register

    register(app)
