"""The one way SATGAS renders PDFs (WeasyPrint).

The URL fetcher serves only the project's own static files: no ``file://``,
no network, no internal addresses. Templates refer to static files with
``{% static %}``; their URLs resolve against a private base URL that only
this fetcher understands.
"""

import base64
import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

PDF_BASE_URL = "https://satgas-pdf.invalid/"


class FetchRefused(ValueError):
    """A PDF template asked for something other than a static file."""


def _static_path(relative: str) -> Path | None:
    found = finders.find(relative)
    if found:
        return Path(found)
    candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
    if Path(settings.STATIC_ROOT).resolve() in candidate.parents and candidate.is_file():
        return candidate
    return None


DATA_IMAGE_PREFIXES = ("data:image/png;base64,", "data:image/jpeg;base64,")
DATA_IMAGE_MAX_CHARS = 300_000


class StaticFilesFetcher(URLFetcher):
    def fetch(self, url, headers=None):
        if url.startswith(DATA_IMAGE_PREFIXES):
            # Inline images we generated (a drawn signature); decoded here, never fetched.
            if len(url) > DATA_IMAGE_MAX_CHARS:
                raise FetchRefused("Inline image too large")
            header, _, payload = url.partition(",")
            try:
                body = base64.b64decode(payload, validate=True)
            except ValueError:
                raise FetchRefused("Inline image is not valid base64") from None
            return URLFetcherResponse(url, body=body, headers={"Content-Type": header[5:].split(";")[0]})
        parts = urlsplit(url)
        base = urlsplit(PDF_BASE_URL)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not parts.path.startswith(settings.STATIC_URL):
            raise FetchRefused(f"PDF rendering may only load the project's static files, not {url!r}")
        relative = unquote(parts.path[len(settings.STATIC_URL) :])
        if ".." in Path(relative).parts:
            raise FetchRefused(f"Path traversal refused: {url!r}")
        path = _static_path(relative)
        if path is None:
            raise FetchRefused(f"No such static file: {relative!r}")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, body=path.read_bytes(), headers={"Content-Type": content_type})


def html_to_pdf(html: str) -> bytes:
    return HTML(string=html, base_url=PDF_BASE_URL, url_fetcher=StaticFilesFetcher()).write_pdf()


def render_pdf(template: str, context: dict) -> bytes:
    return html_to_pdf(render_to_string(template, context))
