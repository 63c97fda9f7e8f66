"""Rebuild the Noto subsets bundled in ``reports/assets/fonts/`` from Debian's font packages.

Run (as root, or with the two ``.deb`` files already in ``--debs``)::

    .venv/bin/python tools/subset_fonts.py            # about five minutes, mostly the CJK font

It downloads ``fonts-noto-cjk`` and ``fonts-noto-core`` with ``apt-get download``,
unpacks them with ``dpkg -x`` and writes one file per face, keeping only the
characters the scorecards need each font for:

- Noto Sans CJK (the JP face of the collection; its Han glyphs serve Chinese too):
  kana, CJK punctuation, full-width forms, Bopomofo, every Hangul syllable and jamo,
  and the whole CJK Unified Ideographs block (U+4E00–U+9FFF), regular weight only
  (bold Han is drawn from the regular face);
- Noto Sans Arabic and Noto Sans Hebrew, regular and bold: their scripts' blocks only,
  so Latin letters, digits and punctuation keep coming from DejaVu Sans.

Each face keeps the space characters too: Pango takes a space from the font of the
words around it (it assumes every font has one), so a face without them prints a
box between Korean, Arabic or Hebrew words.

Every OpenType layout feature is kept (Arabic joining, marks, vertical forms), hints
are dropped (they do nothing in a PDF) and the file's timestamp is left as it was,
so the same packages always give the same bytes. The fonts are under the SIL Open
Font License 1.1 (``reports/assets/fonts/LICENSE-Noto``), which allows subsetting.
"""

from __future__ import annotations

import argparse
import subprocess  # nosec B404: runs apt-get and dpkg, fixed arguments
import tempfile
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

TARGET = Path(__file__).resolve().parents[1] / "reports" / "assets" / "fonts"
PACKAGES = ("fonts-noto-cjk", "fonts-noto-core")
# Pango never changes fonts for a space: it takes it from the font of the words around it, so every
# face needs the ASCII and no-break spaces.
SPACES = [(0x0020, 0x0020), (0x00A0, 0x00A0)]
JOINERS = [(0x200C, 0x200F), (0x25CC, 0x25CC)]  # ZWNJ, ZWJ, LRM, RLM; the dotted circle for lone marks
CJK = [
    *SPACES,
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3130, 0x318F),  # Hangul compatibility jamo
    (0x31F0, 0x31FF),  # Katakana phonetic extensions
    (0x3200, 0x32FF),  # Enclosed CJK letters and months
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xAC00, 0xD7A3),  # Hangul syllables
    (0xFF00, 0xFFEF),  # Half-width and full-width forms
]
ARABIC = [
    *SPACES,
    (0x0600, 0x06FF),
    (0x0750, 0x077F),
    (0x08A0, 0x08FF),
    (0xFB50, 0xFDFF),
    (0xFE70, 0xFEFF),
    *JOINERS,
]
HEBREW = [*SPACES, (0x0590, 0x05FF), (0xFB1D, 0xFB4F), *JOINERS]
# (source file in the packages, face index in a collection, output name, character ranges)
FACES = [
    ("opentype/noto/NotoSansCJK-Regular.ttc", 0, "NotoSansCJKjp-Regular.subset.otf", CJK),
    ("truetype/noto/NotoSansArabic-Regular.ttf", None, "NotoSansArabic-Regular.subset.ttf", ARABIC),
    ("truetype/noto/NotoSansArabic-Bold.ttf", None, "NotoSansArabic-Bold.subset.ttf", ARABIC),
    ("truetype/noto/NotoSansHebrew-Regular.ttf", None, "NotoSansHebrew-Regular.subset.ttf", HEBREW),
    ("truetype/noto/NotoSansHebrew-Bold.ttf", None, "NotoSansHebrew-Bold.subset.ttf", HEBREW),
]


def codepoints(ranges: list[tuple[int, int]]) -> set[int]:
    """Every code point of the inclusive ``ranges``."""
    return {point for first, last in ranges for point in range(first, last + 1)}


def unpack(debs: Path, root: Path) -> Path:
    """Download the font packages into ``debs`` (unless there already) and unpack them under ``root``."""
    for package in PACKAGES:
        if not list(debs.glob(f"{package}_*.deb")):
            subprocess.run(["apt-get", "download", package], cwd=debs, check=True)  # nosec B603 B607
    for deb in sorted(debs.glob("*.deb")):
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)  # nosec B603 B607
    return root / "usr" / "share" / "fonts"


def subset_face(source: Path, index: int | None, ranges: list[tuple[int, int]], target: Path) -> None:
    """Write the characters ``ranges`` of ``source`` (face ``index`` of a collection) to ``target``."""
    font = TTCollection(str(source)).fonts[index] if index is not None else TTFont(str(source))
    font.recalcTimestamp = False
    options = subset.Options()
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints(ranges))
    subsetter.subset(font)
    font.save(str(target))
    print(f"{target.name}: {len(font.getBestCmap())} characters, {target.stat().st_size / 1e6:.1f} MB")


def main() -> None:
    """Download, unpack and subset every face into ``reports/assets/fonts/``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--debs", type=Path, help="a folder holding (or to receive) the .deb files")
    parser.add_argument("--only", help="only the output file with this name")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        debs = args.debs or Path(scratch)
        debs.mkdir(parents=True, exist_ok=True)
        fonts = unpack(debs, Path(scratch) / "root")
        for source, index, name, ranges in FACES:
            if args.only in (None, name):
                subset_face(fonts / source, index, ranges, TARGET / name)


if __name__ == "__main__":
    main()
