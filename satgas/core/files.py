"""Private uploaded files: checked by content, stored under random names
outside any public path, served only through views that check permission."""

import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import FileSystemStorage
from django.http import FileResponse, HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _


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

SCAN_KINDS = (PDF, JPEG, PNG)
DOCUMENT_KINDS = (PDF, DOCX, PPTX, XLSX, JPEG, PNG)


def sniff(head: bytes, zip_names: list[str] | None = None) -> FileKind | None:
    """The kind of a file from its first bytes (and, for zips, its members)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"PK\x03\x04") and zip_names is not None:
        if any(n.startswith("word/") for n in zip_names):
            return DOCX
        if any(n.startswith("ppt/") for n in zip_names):
            return PPTX
        if any(n.startswith("xl/") for n in zip_names):
            return XLSX
    return None


def check_upload(upload, *, kinds: tuple[FileKind, ...], max_bytes: int) -> FileKind:
    """The upload's kind, judged by content; ``ValidationError`` otherwise."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s MB; the limit is %(limit)s MB."),
            params={"size": round(upload.size / 1_048_576, 1), "limit": round(max_bytes / 1_048_576, 1)},
        )
    upload.seek(0)
    head = upload.read(8)
    zip_names = None
    if head.startswith(b"PK\x03\x04"):
        import zipfile

        upload.seek(0)
        try:
            with zipfile.ZipFile(upload) as archive:
                zip_names = archive.namelist()
        except zipfile.BadZipFile:
            zip_names = None
    upload.seek(0)
    kind = sniff(head, zip_names)
    if kind not in kinds:
        raise ValidationError(
            _("This type of file is not accepted. Allowed: %(kinds)s."),
            params={"kinds": ", ".join(k.label for k in kinds)},
        )
    return kind


def storage_name(prefix: str, kind: FileKind) -> str:
    """A random storage path: the original file name is never used."""
    return f"{prefix}/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{kind.extension}"


def serve_private(file_field, *, download_name: str, content_type: str, inline: bool = False) -> HttpResponse:
    """Send a private file; behind nginx, hand it over with X-Accel-Redirect."""
    prefix = getattr(settings, "SATGAS_X_ACCEL_PREFIX", "")
    if prefix:
        # nginx sends the file from its internal location (deploy/nginx/satgas.conf) and
        # keeps this response's Content-Type and Content-Disposition.
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = f"{prefix.rstrip('/')}/{file_field.name}"
        response["Content-Disposition"] = content_disposition_header(not inline, download_name)
        return response
    response = FileResponse(
        file_field.open("rb"), as_attachment=not inline, filename=download_name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
