"""WeasyPrint may fetch only the app's own document stylesheet and fonts: nothing else.

Templates refer to them as "app:/static/<path>"; every other URL (file://, http(s)://, data:,
a path outside the allowed folders) is refused, so user text can never make the renderer read
a local file, call a local service, or attach anything.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from django.contrib.staticfiles import finders
from weasyprint.urls import URLFetcher, URLFetcherResponse

SCHEME = "app:/static/"
ALLOWED_PREFIXES = ("documents/", "fonts/")


class FetchRefused(ValueError):
    pass


#: Every URL WeasyPrint asked for while rendering in this process (for tests and logs).
REQUESTS: list[str] = []


def resolve(url: str) -> Path:
    if not url.startswith(SCHEME):
        raise FetchRefused(f"refused: {url[:100]}")
    relative = url[len(SCHEME):]
    if ".." in relative.split("/") or not relative.startswith(ALLOWED_PREFIXES):
        raise FetchRefused(f"refused: {url[:100]}")
    found = finders.find(relative)
    if not found:
        raise FetchRefused(f"not found: {relative}")
    return Path(found)


class AppOnlyFetcher(URLFetcher):
    """A URL fetcher that serves the allowed static files and refuses everything else."""

    def fetch(self, url, headers=None):
        REQUESTS.append(url)
        path = resolve(url)
        mime, _ = mimetypes.guess_type(path.name)
        if path.suffix == ".ttf":
            mime = "font/ttf"
        return URLFetcherResponse(url, body=path.read_bytes(),
                                  headers={"Content-Type": mime or "application/octet-stream"})
