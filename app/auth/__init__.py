"""Signing in and out, and the current user's session."""
