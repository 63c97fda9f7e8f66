"""Passwords: which ones may be used, and hashing them with argon2id at a cost the configuration chooses.

Production hashes with argon2-cffi's default parameters (RFC 9106's low-memory
profile: 3 passes over 64 MiB, 4 lanes), slow on purpose. The testing
configuration picks argon2's cheapest profile, so a suite that signs in a few
hundred times does not spend minutes on it. A hash records its own parameters,
so every stored hash verifies whichever profile is in use.
"""

from __future__ import annotations

import secrets

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 200  # long enough for any passphrase; argon2 need not hash megabytes
PRODUCTION_PROFILE = "rfc_9106_low_memory"
PROFILES: dict[str, Parameters] = {
    PRODUCTION_PROFILE: profiles.RFC_9106_LOW_MEMORY,
    "cheapest": profiles.CHEAPEST,
}


class _Hashing:
    """The hasher in use, and a hash of its own cost to verify against when an email is unknown."""

    def __init__(self, profile: str) -> None:
        self.profile = profile
        self.hasher = PasswordHasher.from_parameters(PROFILES[profile])
        self._dummy: str | None = None

    @property
    def dummy_hash(self) -> str:
        """A hash made with the current parameters, computed on first use."""
        if self._dummy is None:
            self._dummy = self.hasher.hash("touchpoint-timing-equaliser")
        return self._dummy


_hashing = _Hashing(PRODUCTION_PROFILE)


def use_profile(profile: str) -> None:
    """Hash new passwords with ``profile`` (a key of ``PROFILES``) from now on, in this process."""
    global _hashing
    if profile not in PROFILES:
        raise ValueError(f"unknown password hashing profile {profile!r}; choose one of {', '.join(PROFILES)}")
    if _hashing.profile != profile:
        _hashing = _Hashing(profile)


def current_parameters() -> Parameters:
    """The argon2 parameters new hashes get."""
    return PROFILES[_hashing.profile]


def hash_password(password: str) -> str:
    """Return the argon2id hash of ``password``."""
    return _hashing.hasher.hash(password)


# A stored "hash" starting with this is no hash at all: no password matches it (argon2 refuses it).
UNUSABLE_PREFIX = "!"


def unusable_password() -> str:
    """A stored password no one can sign in with, for an invited person who has not chosen one yet."""
    return UNUSABLE_PREFIX + secrets.token_urlsafe(24)


def is_usable(password_hash: str) -> bool:
    """Whether ``password_hash`` is a real hash (the person has chosen a password)."""
    return not password_hash.startswith(UNUSABLE_PREFIX)


def verify_password(password_hash: str, password: str) -> bool:
    """Return whether ``password`` matches ``password_hash``."""
    try:
        return _hashing.hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def spend_equal_time(password: str) -> None:
    """Do the work of one verification, so unknown accounts cannot be told apart by timing."""
    verify_password(_hashing.dummy_hash, password)


# A password this guessable (zxcvbn's score, 0 to 4, from its bundled lists of common passwords,
# words and names, and patterns: repeats, sequences, keyboard runs, dates) is refused.
MIN_STRENGTH = 2


def password_problem(password: str) -> str | None:
    """Why ``password`` may not be used, in words for its owner, or ``None`` when it may."""
    if len(password) < MIN_LENGTH:
        return f"must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"keep it under {MAX_LENGTH} characters"
    estimate = zxcvbn(password)
    if estimate["score"] < MIN_STRENGTH:
        warning = estimate["feedback"]["warning"] or "This password is too easy to guess."
        return f"is too easy to guess ({warning.rstrip('.')}); choose a longer or less common one"
    return None
