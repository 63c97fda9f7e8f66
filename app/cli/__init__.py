"""Command-line tools, one module per subject; ``register`` adds them all to the app."""

from __future__ import annotations

from flask import Flask

from app.cli.alerts import alerts_cli
from app.cli.backup import backup_command, restore_command
from app.cli.demo import demo_command
from app.cli.export import export_cli
from app.cli.mail_poll import mail_cli
from app.cli.outbox import outbox_cli
from app.cli.reminders import reminders_cli
from app.cli.retention import retention_cli
from app.cli.rubrics import library_cli, rubrics_cli
from app.cli.schools import schools_cli
from app.cli.scorecards import scorecards_cli
from app.cli.storage import storage_cli
from app.cli.telephony import telephony_cli
from app.cli.users import users_cli
from app.cli.users_import import users_import


def register(app: Flask) -> None:
    """Add the commands to ``app``."""
    users_cli.add_command(users_import)
    for command in (
        schools_cli,
        users_cli,
        rubrics_cli,
        library_cli,
        reminders_cli,
        alerts_cli,
        demo_command,
        export_cli,
        telephony_cli,
        scorecards_cli,
        outbox_cli,
        mail_cli,
        storage_cli,
        retention_cli,
        backup_command,
        restore_command,
    ):
        app.cli.add_command(command)
