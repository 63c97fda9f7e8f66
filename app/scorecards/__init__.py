"""Scorecards on the web: generation in the background, progress, publication and downloads."""
