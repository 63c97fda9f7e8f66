"""Invitations and password resets by email: single-use links that let a person set their password."""
