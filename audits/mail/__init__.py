"""Email audits through persona mailboxes: credentials, sending, the reply deadline (no Flask here)."""
