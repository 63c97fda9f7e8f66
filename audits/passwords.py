"""Password hashing with argon2id."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verified against on unknown emails so that a miss costs as long as a hit.
_DUMMY_HASH = _hasher.hash("touchpoint-timing-equaliser")


def spend_equal_time(password: str) -> None:
    """Do the work of one verification, so unknown accounts cannot be told apart by timing."""
    verify_password(_DUMMY_HASH, password)
