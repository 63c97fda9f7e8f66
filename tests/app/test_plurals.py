"""Every count reads right, "1 principal has", "2 principals have".

One helper does it (``audits.vocabulary.plural`` and ``count_of``; in templates the ``plural``
global and the ``count_of`` filter) rather than an ``'s' if`` per phrase.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask

from app.scorecards.emails import build_email
from audits.models import District, Round, School, Scorecard, User
from reports.render import _environment
from tests.conftest import REPO_ROOT

# A plural written by hand: ``{{ 's' if n != 1 }}``, ``f"…{'s' if n != 1 else ''}"``, ``'has' if n == 1``.
HAND_MADE = re.compile(
    r"""['"](?:s|es|ies|s are|s were|has|have|is|are|was|were|wait|waits)['"] if [^\n]*?[!=<>]=? ?1\b"""
    r"""|if [^\n]*?[!=]= ?1 else ['"](?:s|es|has|have|is|are|was|were)['"]"""
)


def test_no_plural_is_made_by_hand() -> None:
    sources = [
        path
        for folder in ("app", "audits", "reports", "templates")
        for path in sorted((REPO_ROOT / folder).rglob("*"))
        if path.suffix in (".py", ".html", ".txt") and path.name != "vocabulary.py"
    ]
    found = [
        f"{path.relative_to(REPO_ROOT)}:{number}: {line.strip()}"
        for path in sources
        for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1)
        if HAND_MADE.search(line)
    ]
    assert not found, "use audits.vocabulary.plural / count_of:\n" + "\n".join(found)


def test_templates_of_pages_and_of_pdfs_count_with_the_helper(app: Flask) -> None:
    phrase = "{{ n|count_of('principal') }} of published schools {{ plural(n, 'has', 'have') }} not opened"
    for environment in (app.jinja_env, _environment()):
        template = environment.from_string(phrase)
        assert template.render(n=1) == "1 principal of published schools has not opened"
        assert template.render(n=2) == "2 principals of published schools have not opened"
        assert environment.from_string("{{ 0|count_of('school') }}").render() == "0 schools"


def test_a_principal_with_one_scorecard_reads_the_singular(app: Flask) -> None:
    with app.test_request_context():
        round_ = Round(name="Spring 2027", district=District(name="Duval"))
        card = Scorecard(token="t" * 20, school=School(name="Abess Park"))
        one = build_email(User(email="p@example.org", name="Pat"), round_, [card], "https://tp.example")
        two = build_email(User(email="p@example.org", name="Pat"), round_, [card, card], "https://tp.example")
    assert one.subject == "Touchpoint: your scorecard for Spring 2027"
    assert "service scorecard of Spring 2027" in one.text and "scorecard of Spring 2027" in one.html
    assert two.subject == "Touchpoint: your scorecards for Spring 2027"
    assert "scorecards of Spring 2027" in two.html
