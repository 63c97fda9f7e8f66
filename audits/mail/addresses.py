"""How a message sent for a contact names it: its reply token, in the reply address and the Message-ID.

Each contact sent through a persona mailbox gets a random ``reply_token`` (20 lowercase hex
characters). Its Message-ID is ``<tp.TOKEN.NONCE@domain>`` (the mailbox's domain), so a reply
that quotes it in In-Reply-To or References names the contact; where the mailbox's provider
supports plus-addressing, the Reply-To is ``local+tp.TOKEN@domain`` too, so even a reply that
drops the headers names it. The mailbox poll reads tokens back with ``token_in_message_id``
and ``token_in_address``.
"""

from __future__ import annotations

import re
import secrets
from email.utils import parseaddr

TOKEN_BYTES = 10
_TOKEN = r"[0-9a-f]{20}"
_IN_MESSAGE_ID = re.compile(rf"<?tp\.({_TOKEN})\.[0-9a-f]+@[^>\s]+>?", re.IGNORECASE)
_IN_ADDRESS = re.compile(rf"^[^@+]+\+tp\.({_TOKEN})@", re.IGNORECASE)


def new_token() -> str:
    """A fresh reply token: 20 hexadecimal characters, unguessable."""
    return secrets.token_hex(TOKEN_BYTES)


def domain_of(address: str) -> str:
    """The domain of an email address (``localhost`` when it has none)."""
    return address.rpartition("@")[2].strip().lower() or "localhost"


def message_id(token: str, address: str) -> str:
    """A unique Message-ID carrying ``token``, in the domain of the sending ``address``."""
    return f"<tp.{token}.{secrets.token_hex(6)}@{domain_of(address)}>"


def plus_address(address: str, token: str) -> str:
    """``local+tp.TOKEN@domain``: the reply address that names the contact, for plus-addressing."""
    local, _, domain = address.rpartition("@")
    return f"{local}+tp.{token}@{domain}"


def token_in_message_id(text: str) -> str | None:
    """The reply token a Message-ID (or a References list) of ours carries, if any (the first one)."""
    found = _IN_MESSAGE_ID.search(text or "")
    return found.group(1).lower() if found else None


def token_in_address(text: str) -> str | None:
    """The reply token of a plus address (``local+tp.TOKEN@domain``, display name allowed), if any."""
    _, bare = parseaddr(text or "")
    found = _IN_ADDRESS.match(bare)
    return found.group(1).lower() if found else None
