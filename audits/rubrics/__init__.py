"""Rubrics: the YAML format, validation, versions and scoring fractions."""

from audits.rubrics import guard  # noqa: F401  (registers the published-version freeze)
