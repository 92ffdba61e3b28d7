import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from satgas.violations import services
from satgas.violations.models import Case, Channel, Intake

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF_BYTES = b"%PDF-1.4\n%test\n"
EXE_BYTES = b"MZ\x90\x00" + b"\x00" * 64


def png(name="bukti.png", content=PNG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/png")


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def report(*, unit, actor=None, intake=Intake.ANONYMOUS, **kwargs) -> tuple[Case, str]:
    """A report through the service; anonymous by default."""
    values = {
        "reported_description": "Pegawai bagian umum",
        "incident_date": timezone.localdate() - dt.timedelta(days=1),
        "description": "Mengunggah foto dengan atribut partai.",
        "channel": Channel.OTHER,
    }
    values.update(kwargs)
    return services.case_report(actor=actor, intake=intake, unit=unit, **values)


def case_at(status: str, *, unit, **kwargs) -> Case:
    """A case put straight into ``status`` (test set-up only; the app moves cases with case_transition)."""
    case, _code = report(unit=unit, **kwargs)
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


def xlsx_rows(content: bytes) -> list[tuple]:
    import openpyxl

    return list(openpyxl.load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True))
