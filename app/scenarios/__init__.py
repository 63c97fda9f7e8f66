"""Scenario pages: the library, a district's own scenarios, adopting and editing them."""
