"""Persona mailboxes: their settings pages and this server's key to their passwords."""
