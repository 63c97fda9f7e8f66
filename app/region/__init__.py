"""The state-wide view: every district side by side (administrators only)."""
