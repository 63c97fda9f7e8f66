"""Persona mailbox passwords are stored encrypted, readable only with the key that stored them."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet

from audits.errors import ConflictError
from audits.mail.credentials import Vault, derive_key, valid_key


def test_a_password_round_trips_and_is_never_stored_in_clear() -> None:
    """Encrypting twice gives different tokens; both decrypt to the password."""
    vault = Vault(Fernet.generate_key().decode())
    first, second = vault.encrypt("s3cret pass"), vault.encrypt("s3cret pass")
    assert "s3cret" not in first
    assert first != second
    assert vault.decrypt(first) == vault.decrypt(second) == "s3cret pass"
    assert vault.encrypt("") == "" and vault.decrypt("") == ""


def test_another_key_cannot_read_it_and_says_what_to_do() -> None:
    """A changed key is a conflict that asks for the password again, never a crash."""
    stored = Vault(Fernet.generate_key().decode()).encrypt("s3cret")
    with pytest.raises(ConflictError, match="type the mailbox's password again"):
        Vault(Fernet.generate_key().decode()).decrypt(stored)


def test_without_a_configured_key_one_is_derived_from_the_secret_key() -> None:
    """The derived key is a valid Fernet key, the same for the same secret, different for another."""
    derived = derive_key("the app's secret")
    assert valid_key(derived)
    assert derived == derive_key("the app's secret") != derive_key("another secret")
    stored = Vault.of("", "the app's secret").encrypt("pw")
    assert Vault.of("", "the app's secret").decrypt(stored) == "pw"
    configured = Fernet.generate_key().decode()
    assert Vault.of(configured, "ignored").decrypt(Vault(configured).encrypt("pw")) == "pw"


def test_a_malformed_key_is_refused() -> None:
    """Only 32 bytes of URL-safe base64 make a key."""
    assert not valid_key("short")
    assert not valid_key("é" * 44)
    with pytest.raises(ValueError, match="Fernet key"):
        Vault("short")
