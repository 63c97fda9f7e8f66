"""Complete WeasyPrint's structure tree where PDF/UA checkers look from outside.

WeasyPrint 70 tags the PDF (``pdf/ua-1``) but leaves three gaps that Matterhorn
checks find in every scorecard and district summary:

- header cells (``TH``) carry no ``/Scope`` (it drops the HTML ``scope`` attribute;
  Matterhorn 15-003): a header inside the table head gets ``/Column``, any other
  one (the first cell of a body row, as the templates write them) ``/Row``;
- elements carry an ``/ID`` (the header cells, for the ``/Headers`` of their data
  cells) but the structure tree root has no ``/IDTree`` to find them by;
- a figure's ``/BBox`` is written in CSS pixels from the top of the page, not in
  PDF points from the bottom: it is converted with the page transform WeasyPrint
  itself uses (``1 0 0 -1 0 H`` then a 0.75 scale) and kept inside the page.

``complete_structure`` rewrites the PDF with pikepdf (qpdf), and compresses it while it
writes it: WeasyPrint hands it uncompressed (its own compression, zlib at level 9 in
Python's serialiser, took a fifth of the time of writing the PDF), qpdf deflates every
stream and packs the objects into object streams once. The output is a pure
function of the input: objects keep their order, nothing is dated, and the second
half of the file identifier is derived from the content (qpdf's deterministic ID)
while the first half, the identifier given to WeasyPrint, is kept.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from decimal import Decimal

import pikepdf

PX_TO_PT = Decimal("0.75")  # WeasyPrint lays out in CSS pixels, 96 to the inch; PDF points are 72


def _kids(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    """The structure elements directly below ``element`` (marked-content ids and references skipped)."""
    kids = element.get("/K")
    if kids is None:
        return []
    return [
        kid
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids])
        if isinstance(kid, pikepdf.Dictionary) and "/S" in kid
    ]


def _walk(root: pikepdf.Dictionary) -> Iterator[tuple[pikepdf.Dictionary, tuple[str, ...]]]:
    """Every structure element below ``root`` in document order, with the types of its ancestors."""
    stack: list[tuple[pikepdf.Dictionary, tuple[str, ...]]] = [(kid, ()) for kid in reversed(_kids(root))]
    while stack:
        element, ancestors = stack.pop()
        yield element, ancestors
        inner = (*ancestors, str(element.S))
        stack.extend((kid, inner) for kid in reversed(_kids(element)))


def _attributes(element: pikepdf.Dictionary, owner: str) -> pikepdf.Dictionary:
    """The attribute dictionary of ``element`` for ``owner`` (``/Table``, ``/Layout``), created if missing."""
    attributes = element.get("/A")
    candidates = attributes if isinstance(attributes, pikepdf.Array) else [attributes]
    for candidate in candidates:
        if isinstance(candidate, pikepdf.Dictionary) and candidate.get("/O") == pikepdf.Name(owner):
            return candidate
    created = pikepdf.Dictionary(O=pikepdf.Name(owner))
    if attributes is None:
        element.A = created
    elif isinstance(attributes, pikepdf.Array):
        attributes.append(created)
    else:
        element.A = pikepdf.Array([attributes, created])
    return created


def _scope(element: pikepdf.Dictionary, ancestors: tuple[str, ...]) -> None:
    """A header cell of the table head heads its column; any other header cell heads its row."""
    scope = "/Column" if "/THead" in ancestors[ancestors.index("/Table") :] else "/Row"
    attributes = _attributes(element, "/Table")
    if "/Scope" not in attributes:
        attributes.Scope = pikepdf.Name(scope)


def _page_box(element: pikepdf.Dictionary) -> tuple[Decimal, Decimal, Decimal, Decimal]:
    page = element.get("/Pg")
    box = page.get("/MediaBox") if isinstance(page, pikepdf.Dictionary) else None
    if box is None:
        return (Decimal(0), Decimal(0), Decimal(612), Decimal(792))
    x0, y0, x1, y1 = (Decimal(str(value)) for value in box)
    return (x0, y0, x1, y1)


def _figure_box(element: pikepdf.Dictionary) -> None:
    """The figure's ``/BBox`` in PDF points, bottom-left origin, clipped to its page."""
    attributes = element.get("/A")
    if not isinstance(attributes, pikepdf.Dictionary) or "/BBox" not in attributes:
        return
    left, top, right, bottom = (Decimal(str(value)) for value in attributes.BBox)
    x0, y0, x1, y1 = _page_box(element)
    height = y1 - y0

    def clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
        return max(low, min(value, high)).quantize(Decimal("0.001"))

    attributes.BBox = pikepdf.Array(
        [
            clamp(x0 + left * PX_TO_PT, x0, x1),
            clamp(y0 + height - bottom * PX_TO_PT, y0, y1),
            clamp(x0 + right * PX_TO_PT, x0, x1),
            clamp(y0 + height - top * PX_TO_PT, y0, y1),
        ]
    )


def complete_structure(pdf: bytes) -> bytes:
    """``pdf`` with header scopes, an ``/IDTree`` and figure boxes in page space (see the module),
    its streams compressed and its objects in object streams."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        root = document.Root.get("/StructTreeRoot")
        if isinstance(root, pikepdf.Dictionary):
            _complete(document, root)
        output = io.BytesIO()
        document.save(
            output,
            deterministic_id=True,
            compress_streams=True,  # WeasyPrint's streams come uncompressed: deflated here, once
            stream_decode_level=pikepdf.StreamDecodeLevel.none,  # a stream already compressed is copied
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        return output.getvalue()


def _complete(document: pikepdf.Pdf, root: pikepdf.Dictionary) -> None:
    """Header scopes, figure boxes and the ``/IDTree`` of the structure tree ``root`` of ``document``."""
    identified: dict[bytes, pikepdf.Object] = {}
    for element, ancestors in _walk(root):
        kind = str(element.S)
        if kind == "/TH" and "/Table" in ancestors:
            _scope(element, ancestors)
        elif kind == "/Figure":
            _figure_box(element)
        if "/ID" in element:
            identified.setdefault(bytes(element.ID), element)
    if identified:
        names = pikepdf.Array()
        for key in sorted(identified):
            names.extend([pikepdf.String(key), identified[key]])
        root.IDTree = document.make_indirect(pikepdf.Dictionary(Names=names))
