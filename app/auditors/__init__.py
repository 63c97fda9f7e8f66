"""Auditor settings: the languages, daily maximum, weekdays and conflicts the planner respects."""
