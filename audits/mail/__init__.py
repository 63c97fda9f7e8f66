"""Persona mailboxes: sending a contact's email, reading the replies, timing them."""
