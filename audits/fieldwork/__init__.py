"""Fieldwork: contacts, their answers, evidence, review and the edit log."""
