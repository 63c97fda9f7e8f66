"""Fieldwork pages: the auditor's contact form and drafts, evidence files, and the reviewers' queue."""
