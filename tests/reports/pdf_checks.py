"""Reading a PDF from outside, as a checker would: page text, the glyphs shown, the structure tree."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator

import pikepdf
import pypdfium2

CID_CHAR = re.compile(rb"<([0-9a-fA-F]+)>\s+(\d+)")


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text (pdfium), whitespace collapsed."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        return [" ".join(page.get_textpage().get_text_range().split()) for page in document]
    finally:
        document.close()


def _code_to_cid(font: pikepdf.Dictionary) -> dict[int, int] | None:
    """A Type0 font's codes to CIDs: None for Identity-H (a code is its CID), else its CMap's ``cidchar``s."""
    encoding = font.get("/Encoding")
    if isinstance(encoding, pikepdf.Name):
        assert encoding == pikepdf.Name("/Identity-H"), encoding
        return None
    cmap = encoding.read_bytes()
    table: dict[int, int] = {}
    for block in re.findall(rb"begincidchar(.*?)endcidchar", cmap, flags=re.S):
        table.update({int(code, 16): int(cid) for code, cid in CID_CHAR.findall(block)})
    return table


def _shown(content: pikepdf.Object, resources: pikepdf.Dictionary) -> Iterator[tuple[str, int]]:
    fonts = resources.get("/Font", {})
    tables = {str(name): (str(font.BaseFont), _code_to_cid(font)) for name, font in fonts.items()}
    current: tuple[str, dict[int, int] | None] = ("", None)
    for operands, operator in pikepdf.parse_content_stream(content):
        name = str(operator)
        if name == "Tf":
            current = tables[str(operands[0])]
        elif name in ("Tj", "TJ"):
            items = operands[0] if name == "TJ" else [operands[0]]
            for item in items:
                if isinstance(item, pikepdf.String):
                    raw = bytes(item)
                    for index in range(0, len(raw), 2):
                        code = int.from_bytes(raw[index : index + 2], "big")
                        base, table = current
                        yield base, code if table is None else table[code]
        elif name == "Do":
            xobject = resources.XObject[str(operands[0])]
            if xobject.Subtype == "/Form":
                yield from _shown(xobject, xobject.get("/Resources", resources))


def shown_glyphs(pdf: bytes) -> list[tuple[str, int]]:
    """Every glyph the pages draw, as (font name without its subset tag, glyph id); 0 is .notdef, a box."""
    with pikepdf.open(io.BytesIO(pdf)) as document:
        return [
            (base.split("+", 1)[-1], cid)
            for page in document.pages
            for base, cid in _shown(page.obj, page.Resources)
        ]


def structure_elements(document: pikepdf.Pdf) -> Iterator[tuple[pikepdf.Dictionary, tuple[str, ...]]]:
    """Every element of the structure tree in order, with the types of its ancestors."""

    def walk(
        element: pikepdf.Dictionary, ancestors: tuple[str, ...]
    ) -> Iterator[tuple[pikepdf.Dictionary, tuple[str, ...]]]:
        kids = element.get("/K")
        for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
            if isinstance(kid, pikepdf.Dictionary) and "/S" in kid:
                yield kid, ancestors
                yield from walk(kid, (*ancestors, str(kid.S)))

    yield from walk(document.Root.StructTreeRoot, ())
