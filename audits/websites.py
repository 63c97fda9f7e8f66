"""A school's web address, as people type it."""

from __future__ import annotations

from urllib.parse import urlsplit

from audits.errors import ValidationError


def clean_website(text: str) -> str:
    """A web address with its scheme (``https://`` added when missing); ``ValidationError`` on ``website``
    when it is no http(s) address of a host with a dot."""
    address = text.strip() if "://" in text else f"https://{text.strip()}"
    parts = urlsplit(address)
    if parts.scheme not in ("http", "https") or "." not in parts.netloc or " " in address:
        raise ValidationError("website", f"{text!r} is not a web address")
    return address
