"""Fixtures of the report tests: the scorecards of ``scorecard_world``, built and rendered once.

Most scorecard tests read one school's card or PDF and change nothing in the database:
they share ``rendered_world``, built once for the package on a database of its own
(the template copied, or PostgreSQL emptied with its sequences restarted afterwards,
as each test's database is) and handed out as plain figures and bytes. Tests that change
the world before gathering its figures still build their own.
"""

from __future__ import annotations

import copy
import shutil
from dataclasses import dataclass

import pytest
from flask import Flask

from app.extensions import db
from reports.figures import ScorecardData, gather_round
from tests.conftest import TEST_DATABASE_URL
from tests.database import empty_postgres
from tests.reports.scorecard_helpers import RenderedScorecards, scorecard_world


@dataclass(frozen=True)
class RenderedWorld:
    """The round's scorecards of ``scorecard_world`` (schools A, B, C), each PDF rendered when first asked."""

    cards: tuple[ScorecardData, ...]
    renders: RenderedScorecards

    def card(self, index: int = 0) -> ScorecardData:
        """A copy of school ``index``'s figures (0: A, with every kind of evidence; 2: C, no contact)."""
        return copy.deepcopy(self.cards[index])

    def pdf(self, index: int = 0) -> bytes:
        """School ``index``'s scorecard PDF."""
        return self.renders.scorecard(self.cards[index])


@pytest.fixture(scope="package")
def rendered_world(shared_app: Flask, database_template: str, test_database: str) -> RenderedWorld:
    """``scorecard_world``'s scorecards and PDFs, built once for every report test that only reads them."""
    if not TEST_DATABASE_URL:
        shutil.copyfile(database_template, test_database.removeprefix("sqlite:///"))
    with shared_app.app_context():
        try:
            built = scorecard_world(db.session)  # type: ignore[arg-type]
            figures = gather_round(db.session, built.round)  # type: ignore[arg-type]
            cards = tuple(figures.scorecards[school.id] for school in built.schools)
        finally:
            db.session.rollback()
            db.session.remove()
            if TEST_DATABASE_URL:
                empty_postgres(TEST_DATABASE_URL)
            else:
                db.engine.dispose()  # the next test copies a fresh file over this one
    return RenderedWorld(cards, RenderedScorecards())
