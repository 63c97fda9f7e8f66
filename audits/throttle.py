"""Slowing down password guessing without letting anyone lock anyone else out.

Failed sign-ins are counted in moving windows (the ``limits`` library, the engine of
Flask-Limiter) under three keys: the email and the client address together, the
address alone (one machine trying many accounts), and the email alone (many machines
trying one account, set high so that a stranger cannot lock a person out by failing on
purpose). Each key has windows of growing length, so the wait grows as failures pile
up: a few seconds to a minute after five, ten minutes after ten, an hour after twenty.
Unknown emails count exactly like known ones, so the answers never tell them apart.
Counts live in Redis when one is configured (shared by every web process), else in
this process's memory.
"""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse_many
from limits.storage import MemoryStorage, RedisStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from audits.vocabulary import count_of

# Failures allowed per window, for each key.
PAIR_LIMITS = parse_many("5/minute;10/10 minutes;20/hour")
ADDRESS_LIMITS = parse_many("30/minute;200/hour")
ACCOUNT_LIMITS = parse_many("100/hour;500/day")
# Wrong two-step codes (app or recovery codes) per person, wherever they come from: a code has
# only a million values, so these are tight (at most 50 guesses a day), and anyone who reaches
# this step already knows the password.
CODE_LIMITS = parse_many("5/minute;10/10 minutes;20/hour;50/day")
# Password-reset emails asked for, per address asked about and per client address.
RESET_EMAIL_LIMITS = parse_many("3/15 minutes;10/day")
RESET_ADDRESS_LIMITS = parse_many("20/hour")


class SignInThrottle:
    """Counts failed sign-ins and says how long a new attempt must wait."""

    def __init__(self, storage_uri: str = "memory://") -> None:
        self.storage = storage_from_string(storage_uri)
        self.limiter = MovingWindowRateLimiter(self.storage)

    def _keyed(self, email: str, address: str) -> list[tuple[RateLimitItem, tuple[str, ...]]]:
        email = email.strip().lower()
        return [
            *((limit, ("sign-in-pair", email, address)) for limit in PAIR_LIMITS),
            *((limit, ("sign-in-address", address)) for limit in ADDRESS_LIMITS),
            *((limit, ("sign-in-account", email)) for limit in ACCOUNT_LIMITS),
        ]

    def wait_seconds(self, email: str, address: str) -> int:
        """How many seconds a sign-in for ``email`` from ``address`` must wait (0: it may go ahead)."""
        waits = [
            self.limiter.get_window_stats(limit, *keys).reset_time - time.time()
            for limit, keys in self._keyed(email, address)
            if not self.limiter.test(limit, *keys)
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def failed(self, email: str, address: str) -> None:
        """Count one failed sign-in."""
        for limit, keys in self._keyed(email, address):
            self.limiter.hit(limit, *keys)

    def succeeded(self, email: str, address: str) -> None:
        """Forget this person's failures from this address once they sign in (the wider counts stay)."""
        for limit, keys in self._keyed(email, address)[: len(PAIR_LIMITS)]:
            self.limiter.clear(limit, *keys)

    def forget(self, email: str) -> None:
        """Forget every failure counted against ``email``, from any address ("let them sign in again").

        Wrong two-step codes are forgotten too.

        The address-alone counts stay: they slow a machine down, not a person.
        """
        email = email.strip().lower()
        for limit in ACCOUNT_LIMITS:
            self.limiter.clear(limit, "sign-in-account", email)
        self.code_succeeded(email)
        # The pair keys name the address too, so they are found by their common beginning.
        self._clear_keys_starting(f"{PAIR_LIMITS[0].namespace}/sign-in-pair/{email}/")

    def _clear_keys_starting(self, beginning: str) -> None:
        storage = self.storage
        if isinstance(storage, MemoryStorage):
            for key in [*storage.events, *storage.storage]:
                if key.startswith(beginning):
                    storage.clear(key)
        elif isinstance(storage, RedisStorage):
            pattern = storage.prefixed_key("".join(f"\\{c}" if c in "*?[]\\" else c for c in beginning) + "*")
            storage.lua_clear_keys([pattern])
        else:  # another backend: its keys cannot be listed, so only the pair limits' own keys are known
            raise NotImplementedError(f"cannot forget sign-in failures kept in {type(storage).__name__}")

    def code_wait_seconds(self, email: str) -> int:
        """How many seconds ``email``'s person must wait before trying another two-step code (0: none)."""
        keys = ("two-step", email.strip().lower())
        waits = [
            self.limiter.get_window_stats(limit, *keys).reset_time - time.time()
            for limit in CODE_LIMITS
            if not self.limiter.test(limit, *keys)
        ]
        return max(1, math.ceil(max(waits))) if waits else 0

    def code_failed(self, email: str) -> None:
        """Count one wrong two-step code of ``email``'s person."""
        for limit in CODE_LIMITS:
            self.limiter.hit(limit, "two-step", email.strip().lower())

    def code_succeeded(self, email: str) -> None:
        """Forget ``email``'s wrong codes once the person has given a right one."""
        for limit in CODE_LIMITS:
            self.limiter.clear(limit, "two-step", email.strip().lower())

    def allow_reset_email(self, email: str, address: str) -> bool:
        """Count one "forgot my password" request; whether an email may go out for it.

        A few per address asked about and per client address, so no one can flood a
        person's inbox or the outbox; the page answers the same either way.
        """
        email = email.strip().lower()
        keyed = [
            *((limit, ("reset-email", email)) for limit in RESET_EMAIL_LIMITS),
            *((limit, ("reset-address", address)) for limit in RESET_ADDRESS_LIMITS),
        ]
        allowed = all(self.limiter.test(limit, *keys) for limit, keys in keyed)
        for limit, keys in keyed:
            self.limiter.hit(limit, *keys)
        return allowed

    def reset(self) -> None:
        """Forget every count (for tests and for an administrator clearing a mistake)."""
        self.storage.reset()


def wait_words(seconds: int) -> str:
    """``45 seconds``, ``1 minute``, ``10 minutes``: how long to wait, rounded up."""
    if seconds < 60:
        return count_of(seconds, "second")
    minutes = math.ceil(seconds / 60)
    return count_of(minutes, "minute")
