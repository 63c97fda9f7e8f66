"""This server's vault of persona mailbox passwords (``MAIL_CREDENTIALS_KEY``, else from ``SECRET_KEY``)."""

from __future__ import annotations

from flask import current_app

from audits.mail.credentials import Vault


def vault() -> Vault:
    """The vault that encrypts and decrypts persona mailbox passwords on this server."""
    config = current_app.config
    return Vault.of(str(config.get("MAIL_CREDENTIALS_KEY") or ""), str(config["SECRET_KEY"]))
