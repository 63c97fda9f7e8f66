"""The one scoring engine every page, export, API answer and scorecard uses."""
