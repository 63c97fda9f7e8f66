"""The only way WeasyPrint may load anything: application assets by name, from an allow-list.

Like indico's fetcher, it refuses ``file://``, ``http(s)://``, ``data:`` and every
other scheme; a scorecard may only use ``touchpoint-asset:`` URLs naming a file
shipped in ``reports/assets/`` (the fonts). A refused URL stops the rendering
(``fail_on_errors``: ``RefusedURLError`` becomes WeasyPrint's fatal error), so a
document that tries to reach outside fails loudly instead of printing without it.
"""

from __future__ import annotations

from pathlib import Path

from weasyprint.urls import URLFetcher, URLFetcherResponse

ASSET_SCHEME = "touchpoint-asset"
ASSETS_DIR = Path(__file__).resolve().parent / "assets"
MEDIA_TYPES = {".ttf": "font/ttf", ".otf": "font/otf", ".css": "text/css"}


class RefusedURLError(ValueError):
    """WeasyPrint asked for something outside the application's assets."""


def allowed_assets(folder: Path = ASSETS_DIR) -> dict[str, Path]:
    """Every servable asset by its name (``fonts/DejaVuSans.ttf``): files of a known type in ``folder``."""
    return {
        path.relative_to(folder).as_posix(): path
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.suffix in MEDIA_TYPES
    }


def asset_url(name: str) -> str:
    """The URL a template uses for asset ``name``."""
    return f"{ASSET_SCHEME}:{name}"


class AssetFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves allow-listed assets from memory and refuses the rest."""

    def __init__(self, folder: Path = ASSETS_DIR) -> None:
        super().__init__(fail_on_errors=True, allow_redirects=False)
        self._assets = allowed_assets(folder)
        self._cache: dict[str, bytes] = {}

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        """Serve ``touchpoint-asset:NAME`` when NAME is allow-listed; refuse anything else."""
        scheme, _, name = url.partition(":")
        if scheme.lower() != ASSET_SCHEME:
            raise RefusedURLError(f"refused {url[:80]!r}: scorecards load only application assets")
        name = name.lstrip("/")
        path = self._assets.get(name)
        if path is None:
            raise RefusedURLError(f"refused {url[:80]!r}: not an application asset")
        if name not in self._cache:
            self._cache[name] = path.read_bytes()
        return URLFetcherResponse(url, self._cache[name], {"Content-Type": MEDIA_TYPES[path.suffix]})
