"""Blind double-scoring in live rounds (``audits.models.double_scoring``).

``selection`` chooses, seeded and recorded, the contacts a round scores twice and their second
auditor; ``second`` is what that auditor sees (the evidence, never the first's answers) and records;
``flags`` tells the reviewer where the two differ on a critical item; ``agreement`` gives the round's
agreement per item and the one line scorecards and the district summary print.
"""
