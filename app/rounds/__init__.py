"""Audit rounds: planning, committing and following them; auditors' own assignments and calendar feed."""
