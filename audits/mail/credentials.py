"""Mailbox passwords, encrypted at rest with Fernet under a key from the environment.

``MAIL_CREDENTIALS_KEY`` is a Fernet key (``Fernet.generate_key()``: 32 random bytes, URL-safe
base64). Unset, the key is derived from ``SECRET_KEY`` with HKDF-SHA256, so a development
install works out of the box; changing ``SECRET_KEY`` then makes the stored passwords unreadable
(they must be typed again), which is why production should set ``MAIL_CREDENTIALS_KEY`` itself.
Passwords are never shown back: only whether one is stored.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from audits.errors import ConflictError

# Changing this makes every password stored under a derived key unreadable.
_DERIVATION_INFO = b"touchpoint persona mailbox passwords"


def valid_key(text: str) -> bool:
    """Whether ``text`` is a Fernet key: URL-safe base64 of exactly 32 bytes."""
    try:
        return len(base64.urlsafe_b64decode(text.encode("ascii"))) == 32
    except (binascii.Error, ValueError, UnicodeEncodeError):
        return False


def derive_key(secret_key: str) -> str:
    """A Fernet key derived from the application's ``secret_key`` (HKDF-SHA256)."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO).derive(
        secret_key.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw).decode("ascii")


class Vault:
    """Encrypts and decrypts mailbox passwords with one Fernet key."""

    def __init__(self, key: str) -> None:
        if not valid_key(key):
            raise ValueError("a mail credentials key must be a Fernet key (32 bytes, URL-safe base64)")
        self._fernet = Fernet(key.encode("ascii"))

    @classmethod
    def of(cls, configured_key: str, secret_key: str) -> Vault:
        """The vault of ``MAIL_CREDENTIALS_KEY`` when set, else of a key derived from ``SECRET_KEY``."""
        return cls(configured_key or derive_key(secret_key))

    def encrypt(self, password: str) -> str:
        """The stored form of ``password`` (empty for no password)."""
        if not password:
            return ""
        return self._fernet.encrypt(password.encode("utf-8")).decode("ascii")

    def decrypt(self, stored: str) -> str:
        """The password stored as ``stored``; a key that cannot read it is a conflict to report."""
        if not stored:
            return ""
        try:
            return self._fernet.decrypt(stored.encode("ascii")).decode("utf-8")
        except InvalidToken:
            raise ConflictError(
                "password",
                "The stored password cannot be read with this server's key (MAIL_CREDENTIALS_KEY or "
                "SECRET_KEY changed): type the mailbox's password again.",
            ) from None
