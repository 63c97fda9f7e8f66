"""PDF/UA as a checker sees it from outside: header scopes, the ID tree, figure boxes on the page."""

from __future__ import annotations

import io
from decimal import Decimal

import pikepdf
from sqlalchemy.orm import Session

from reports.batch import inputs_hash
from reports.render import identifier_for, shared_renderer
from reports.summary import gather_summary
from tests.reports.conftest import RenderedWorld
from tests.reports.pdf_checks import structure_elements
from tests.reports.scorecard_helpers import scorecard_world


def _name_tree(node: pikepdf.Dictionary) -> dict[bytes, tuple[int, int]]:
    """A name tree's keys and the objects they name (leaves and kids alike)."""
    found: dict[bytes, tuple[int, int]] = {}
    names = node.get("/Names", pikepdf.Array())
    for index in range(0, len(names), 2):
        found[bytes(names[index])] = names[index + 1].objgen
    for kid in node.get("/Kids", pikepdf.Array()):
        found.update(_name_tree(kid))
    return found


def check_structure(pdf: bytes) -> dict[str, int]:
    """Assert the three PDF/UA checks on ``pdf``; return how many headers, ids and figures it has."""
    counts = {"headers": 0, "ids": 0, "figures": 0}
    with pikepdf.open(io.BytesIO(pdf)) as document:
        identified: dict[bytes, tuple[int, int]] = {}
        for element, ancestors in structure_elements(document):
            kind = str(element.S)
            if kind == "/TH":
                counts["headers"] += 1
                attributes = element.A if isinstance(element.A, pikepdf.Array) else [element.A]
                scopes = [a.Scope for a in attributes if a.get("/O") == pikepdf.Name.Table and "/Scope" in a]
                in_head = "/THead" in ancestors[ancestors.index("/Table") :]
                assert scopes == [pikepdf.Name.Column if in_head else pikepdf.Name.Row], (ancestors, scopes)
            if "/ID" in element:
                identified[bytes(element.ID)] = element.objgen
            if kind == "/Figure":
                counts["figures"] += 1
                x0, y0, x1, y1 = (Decimal(str(v)) for v in element.A.BBox)
                page_x0, page_y0, page_x1, page_y1 = (Decimal(str(v)) for v in element.Pg.MediaBox)
                assert page_x0 <= x0 < x1 <= page_x1 and page_y0 <= y0 < y1 <= page_y1, (
                    element.A.BBox,
                    element.Pg.MediaBox,
                )
        counts["ids"] = len(identified)
        root = document.Root.StructTreeRoot
        assert identified and "/IDTree" in root
        assert _name_tree(root.IDTree) == identified
        keys = list(_name_tree(root.IDTree))
        assert keys == sorted(keys)  # a name tree's keys are in order
    return counts


def test_a_scorecard_has_scoped_headers_an_id_tree_and_figures_on_the_page(
    rendered_world: RenderedWorld,
) -> None:
    counts = check_structure(rendered_world.pdf())
    # Channels, timings, parts of the contact and the appendix: a header per column and per row.
    assert counts["headers"] >= 14 and counts["ids"] == counts["headers"]
    assert counts["figures"] == 1  # the trend chart


def test_the_district_summary_has_scoped_headers_an_id_tree_and_figures_on_the_page(session: Session) -> None:
    built = scorecard_world(session)
    summary = gather_summary(session, built.round)
    pdf = shared_renderer().district_summary(summary, identifier_for(inputs_hash(summary))).pdf
    counts = check_structure(pdf)
    assert counts["headers"] >= 30 and counts["figures"] == 1  # the histogram, on the first page
    with pikepdf.open(io.BytesIO(pdf)) as document:
        landscape = [page for page in document.pages if page.MediaBox[2] > page.MediaBox[3]]
        assert landscape, "the heat map prints on a landscape page"


def test_a_figure_box_is_moved_from_css_pixels_to_page_points() -> None:
    """WeasyPrint writes the box in CSS pixels from the top; PDF wants points from the bottom."""
    html = (
        '<html lang="en"><title>t</title><body style="margin: 0">'
        '<div style="height: 96px"></div>'
        '<svg role="img" aria-labelledby="c" width="192" height="96"><title id="c">A chart</title>'
        '<rect width="192" height="96"/></svg></body></html>'
    )
    renderer = shared_renderer()
    pdf = renderer.pdf(html, "scorecard.css", b"\0" * 16)
    with pikepdf.open(io.BytesIO(pdf)) as document:
        figure = next(e for e, _ in structure_elements(document) if str(e.S) == "/Figure")
        box = [Decimal(str(v)) for v in figure.A.BBox]
    # Letter page with 0.55 in side and 0.5 in top margins: 1 in (72 pt) of spacer, then 2 × 1 in.
    left, top = Decimal("0.55") * 72, 792 - Decimal("0.5") * 72 - 72
    assert box == [left, top - 72, left + 144, top]
