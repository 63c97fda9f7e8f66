"""Scorecards: gather figures from audits, render HTML, print to PDF."""
