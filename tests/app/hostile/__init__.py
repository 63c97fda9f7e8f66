"""Hostile input: markup, formulas, bombs and garbage against every output, upload and form."""
