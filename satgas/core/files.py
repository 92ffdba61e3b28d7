"""Private uploaded files: checked by content on the way in, stored under random names outside any public path,
served only through views that check permission, and always under a name and type the server makes.

* In: ``check_upload`` decides the kind of an upload from its bytes (never from its name or the browser's
  declared type) and refuses what is not one of the accepted kinds; ``storage_name`` gives it a random path.
* Out: ``serve_private`` (a stored file) and ``serve_private_bytes`` (a document kept in the database) detect the
  kind of the bytes again at download time, so a file stored before these checks existed, or stored with a
  wrong type, is still served safely: under the caller's server-made name with the extension of the detected
  kind, ``Content-Type`` from detection (``application/octet-stream`` and ``.bin`` when nothing is recognised),
  ``X-Content-Type-Options: nosniff``, a ``Content-Security-Policy`` that lets the file run nothing, and as an
  attachment unless it is an image or PDF the caller asked to show inline. Behind nginx the bytes leave through
  ``X-Accel-Redirect`` (deploy/nginx/satgas.conf repeats these headers for its internal location).
"""

import os
import re
import uuid
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, Http404, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from .archives import ArchiveTooLarge, open_zip


class PrivateStorage(FileSystemStorage):
    """Files under ``SATGAS_PRIVATE_ROOT``, read from settings at each use
    (so tests can move it); they have no public URL."""

    @property
    def base_location(self):
        return str(settings.PRIVATE_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Private files have no public URL; serve them through a permission-checking view.")


_PRIVATE_STORAGE = PrivateStorage()


def private_storage() -> PrivateStorage:
    return _PRIVATE_STORAGE


@dataclass(frozen=True)
class FileKind:
    code: str
    extension: str
    content_type: str
    label: str


PDF = FileKind("pdf", "pdf", "application/pdf", "PDF")
PNG = FileKind("png", "png", "image/png", "PNG")
JPEG = FileKind("jpeg", "jpg", "image/jpeg", "JPEG")
DOCX = FileKind("docx", "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX")
PPTX = FileKind("pptx", "pptx", "application/vnd.openxmlformats-officedocument.presentationml.presentation", "PPTX")
XLSX = FileKind("xlsx", "xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
# What nothing was recognised as: downloaded, never shown.
UNKNOWN = FileKind("bin", "bin", "application/octet-stream", "?")

SCAN_KINDS = (PDF, JPEG, PNG)
DOCUMENT_KINDS = (PDF, DOCX, PPTX, XLSX, JPEG, PNG)
INLINE_KINDS = (PDF, PNG, JPEG)

# An office document has a handful of members; reading its directory is bounded by these.
_OFFICE_MAX_MEMBERS = 2000
_OFFICE_MAIN_PARTS = {
    "word/document.xml": DOCX,
    "ppt/presentation.xml": PPTX,
    "xl/workbook.xml": XLSX,
}
_HEAD_BYTES = 16


def sniff(head: bytes, zip_names: list[str] | None = None) -> FileKind | None:
    """The kind of a file from its first bytes (and, for zips, the names of its members)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and zip_names is not None and "[Content_Types].xml" in zip_names:
        names = set(zip_names)
        for part, kind in _OFFICE_MAIN_PARTS.items():
            if part in names:
                return kind
    return None


def detect(fileobj) -> FileKind | None:
    """The kind of an open binary file, judged by its content (the position is put back to the start)."""
    fileobj.seek(0)
    head = fileobj.read(_HEAD_BYTES)
    zip_names = None
    if head.startswith(b"PK\x03\x04"):
        fileobj.seek(0)
        try:
            # Only the directory is read; an archive declaring absurd figures is no office document.
            with open_zip(fileobj, max_members=_OFFICE_MAX_MEMBERS, max_uncompressed=1 << 62) as archive:
                zip_names = archive.namelist()
        except (zipfile.BadZipFile, ArchiveTooLarge, OSError, EOFError, ValueError):
            zip_names = None
    fileobj.seek(0)
    return sniff(head, zip_names)


def check_upload(upload, *, kinds: tuple[FileKind, ...], max_bytes: int) -> FileKind:
    """The upload's kind, judged by content; ``ValidationError`` otherwise."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            params={"size": round(upload.size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)},
        )
    kind = detect(upload)
    if kind not in kinds:
        raise ValidationError(
            _("This type of file is not accepted. Allowed: %(kinds)s."),
            params={"kinds": ", ".join(k.label for k in kinds)},
        )
    return kind


def storage_name(prefix: str, kind: FileKind) -> str:
    """A random storage path: the original file name is never used."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{kind.extension}"


# --- Serving ----------------------------------------------------------------------------------

# The file may not run, load or embed anything, even if a browser renders it as a page.
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox"
# Browsers refuse to run their PDF viewer in a sandboxed document: an inline PDF gets the same policy
# without the sandbox (it still loads and runs nothing of the page's).
FILE_CSP_INLINE_PDF = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; object-src 'self'; frame-ancestors 'none'"
)

_NAME_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def download_name(stem: str, kind: FileKind) -> str:
    """``stem`` (made by the server: ``bukti-12-3``) with the extension of the detected kind."""
    stem = _NAME_UNSAFE.sub("-", stem).strip("-")[:80] or "berkas"
    return f"{stem}.{kind.extension}"


def _headers(response: HttpResponse, *, kind: FileKind, filename: str, inline: bool) -> HttpResponse:
    response["Content-Type"] = kind.content_type
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP_INLINE_PDF if inline and kind == PDF else FILE_CSP
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    response["Cache-Control"] = "private, no-store"
    return response


def _decide(kind: FileKind | None, stem: str, inline: bool) -> tuple[FileKind, str, bool]:
    kind = kind or UNKNOWN
    return kind, download_name(stem, kind), inline and kind in INLINE_KINDS


def serve_private(file_field, *, name: str, inline: bool = False) -> HttpResponse:
    """Send a private stored file as ``name`` + the extension of its detected kind (see the module docstring).

    ``name`` must be made by the server (``bukti-<case>-<id>``), never taken from the upload. ``inline`` asks
    to show an image or PDF in the browser; anything else is always an attachment.
    """
    try:
        with file_field.open("rb") as stored:
            kind = detect(stored)
    except FileNotFoundError:
        raise Http404("The file is missing from the private storage.") from None
    kind, filename, inline = _decide(kind, name, inline)
    prefix = getattr(settings, "SATGAS_X_ACCEL_PREFIX", "")
    if prefix:
        # nginx sends the file from its internal location (deploy/nginx/satgas.conf), keeping this response's
        # Content-Type and Content-Disposition and adding the same nosniff and Content-Security-Policy headers.
        response = HttpResponse()
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{file_field.name}"
        return _headers(response, kind=kind, filename=filename, inline=inline)
    response = FileResponse(file_field.open("rb"))
    return _headers(response, kind=kind, filename=filename, inline=inline)


def serve_private_bytes(content: bytes, *, name: str, inline: bool = False) -> HttpResponse:
    """``serve_private`` for a document kept in the database (the report PDFs and XLSX)."""
    import io

    kind, filename, inline = _decide(detect(io.BytesIO(bytes(content))), name, inline)
    return _headers(HttpResponse(bytes(content)), kind=kind, filename=filename, inline=inline)
