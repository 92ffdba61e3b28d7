"""Private files: sniffed on the way in, and served under a server-made name and the detected type, whatever the
uploader called them and whatever type a row stored before these checks claims."""

import datetime as dt
import io
import zipfile

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from satgas.core.files import (
    DOCX,
    FILE_CSP,
    PDF,
    SCAN_KINDS,
    XLSX,
    check_upload,
    private_storage,
    serve_private_bytes,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG_BYTES = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
EXE_BYTES = b"MZ\x90\x00\x03" + b"\x00" * 64


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def _assert_safe(response, *, stem: str, extension: str, content_type: str, inline: bool = False):
    disposition = response["Content-Disposition"]
    assert disposition == f'{"inline" if inline else "attachment"}; filename="{stem}.{extension}"'
    assert response["Content-Type"] == content_type
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in response["Content-Security-Policy"]
    if not (inline and extension == "pdf"):
        assert "sandbox" in response["Content-Security-Policy"]


# --- On the way in ---------------------------------------------------------------------------


def test_an_office_kind_needs_its_main_part_not_just_a_folder_name():
    """A zip with a ``word/`` member is no DOCX: real ones have [Content_Types].xml and word/document.xml."""
    fake = _zip({"word/payload.exe": EXE_BYTES})
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("x.docx", fake), kinds=(DOCX,), max_bytes=10_000_000)
    real = _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
    assert check_upload(SimpleUploadedFile("x.docx", real), kinds=(DOCX,), max_bytes=10_000_000) == DOCX


def test_a_zip_declaring_a_huge_directory_is_not_parsed():
    """Listing 200,000 members would cost hundreds of MB: refused from the end record, before parsing."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        for i in range(3000):
            archive.writestr(f"xl/m{i}", b"")
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("x.xlsx", buffer.getvalue()), kinds=(XLSX,), max_bytes=10_000_000)


@pytest.mark.parametrize("content", [HTML_BYTES, SVG_BYTES, EXE_BYTES, b""])
def test_scans_refuse_what_is_not_a_scan_by_content_whatever_the_name(content):
    with pytest.raises(ValidationError):
        check_upload(SimpleUploadedFile("scan.pdf", content, "application/pdf"), kinds=SCAN_KINDS, max_bytes=10**6)


# --- On the way out: monitoring attachments --------------------------------------------------------


@pytest.fixture
def monitoring_report(taskforce_a, unit_a):
    from satgas.monitoring import services

    with time_machine.travel(dt.datetime(2024, 2, 5, 3, tzinfo=dt.UTC), tick=False):
        return services.report_start(actor=taskforce_a, unit=unit_a, period_start=dt.date(2024, 1, 1))


def test_a_monitoring_attachment_is_never_served_under_the_uploaders_name(client, taskforce_a, monitoring_report):
    """A PDF uploaded as ``laporan.html`` is downloaded as ``lampiran-monitoring-<report>-<id>.pdf``."""
    from satgas.monitoring import services

    upload = SimpleUploadedFile("laporan.html", PDF_BYTES, content_type="text/html")
    attachment = services.attachment_add(actor=taskforce_a, report=monitoring_report, upload=upload)
    client.force_login(taskforce_a)
    response = client.get(reverse("monitoring:attachment_download", args=[attachment.pk]))
    assert response.status_code == 200
    _assert_safe(
        response,
        stem=f"lampiran-monitoring-{monitoring_report.pk}-{attachment.pk}",
        extension="pdf",
        content_type="application/pdf",
    )
    assert "laporan" not in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF_BYTES


@pytest.mark.parametrize(
    "content, stored_type",
    [(HTML_BYTES, "text/html"), (SVG_BYTES, "image/svg+xml"), (EXE_BYTES, "application/x-msdownload")],
)
def test_a_file_stored_before_the_checks_is_served_as_an_inert_download(
    client, taskforce_a, monitoring_report, content, stored_type
):
    """A row whose file and type were never checked: the bytes decide, and unknown bytes are octet-stream."""
    from satgas.monitoring.models import Attachment

    name = private_storage().save("monitoring/lama/x.html", ContentFile(content))
    attachment = Attachment.objects.create(
        report=monitoring_report,
        file=name,
        display_name="x.svg",
        content_type=stored_type,
        size=len(content),
        uploaded_by=taskforce_a,
    )
    client.force_login(taskforce_a)
    response = client.get(reverse("monitoring:attachment_download", args=[attachment.pk]))
    _assert_safe(
        response,
        stem=f"lampiran-monitoring-{monitoring_report.pk}-{attachment.pk}",
        extension="bin",
        content_type="application/octet-stream",
    )


# --- Violation evidence: images inline, anything else never --------------------------------------


def test_evidence_images_show_inline_and_a_disguised_file_never_does(client, admin_user, unit_a):
    from satgas.violations.models import Evidence
    from satgas.violations.tests.factories import png, report

    case, _ = report(unit=unit_a, files=[png("../../etc/passwd.png")])
    image = case.evidence.get()
    client.force_login(admin_user)
    response = client.get(reverse("violations:evidence_download", args=[image.pk]))
    _assert_safe(response, stem=f"bukti-{case.pk}-{image.pk}", extension="png", content_type="image/png", inline=True)

    name = private_storage().save("violations/lama/x.png", ContentFile(SVG_BYTES))
    legacy = Evidence.objects.create(
        case=case, file=name, content_type="image/svg+xml", original_name="foto.svg", size=1, sha256="0" * 64
    )
    response = client.get(reverse("violations:evidence_download", args=[legacy.pk]))
    _assert_safe(
        response, stem=f"bukti-{case.pk}-{legacy.pk}", extension="bin", content_type="application/octet-stream"
    )


def test_a_clarification_attachment_gets_its_detected_type(client, admin_user, unit_a):
    from satgas.violations.models import CaseStatus, Clarification
    from satgas.violations.tests.factories import case_at

    case = case_at(CaseStatus.CLARIFICATION, unit=unit_a)
    name = private_storage().save("violations/clarifications/x.pdf", ContentFile(HTML_BYTES))
    clarification = Clarification.objects.create(
        case=case,
        held_on=dt.date(2024, 1, 1),
        attendees="A",
        minutes="B",
        attachment=name,
        attachment_type="application/pdf",
    )
    client.force_login(admin_user)
    response = client.get(reverse("violations:clarification_attachment", args=[clarification.pk]))
    _assert_safe(
        response,
        stem=f"klarifikasi-{case.pk}-{clarification.pk}",
        extension="bin",
        content_type="application/octet-stream",
    )


# --- Oath paper scans and socialization materials ------------------------------------------------------


def test_a_paper_scan_is_served_under_a_server_name_with_its_detected_type(client, admin_user, unit_a):
    from satgas.oaths import services
    from satgas.oaths.tests.factories import open_campaign
    from satgas.personnel.tests.factories import PersonFactory

    campaign = open_campaign(units=[unit_a], actor=admin_user)
    person = PersonFactory(unit=unit_a)
    signature = services.oath_record_paper(
        actor=admin_user,
        campaign=campaign,
        person=person,
        paper_signed_on=dt.date.today(),
        scan=SimpleUploadedFile("Scan Budi <script>.png", PNG_BYTES),
    )
    client.force_login(admin_user)
    response = client.get(reverse("oaths:paper_scan", args=[signature.pk]))
    _assert_safe(response, stem=f"pindaian-ikrar-{signature.pk}", extension="png", content_type="image/png")


def test_a_material_stored_with_a_wrong_kind_is_served_by_its_bytes(client, admin_user, unit_a):
    from satgas.socialization.models import SessionMaterial
    from satgas.socialization.tests.factories import SessionFactory

    session = SessionFactory(units=[unit_a])
    name = private_storage().save("socialization/lama/x.pdf", ContentFile(HTML_BYTES))
    material = SessionMaterial.objects.create(session=session, file=name, original_name="a.html", kind="pdf", size=1)
    client.force_login(admin_user)
    response = client.get(reverse("socialization:material_download", args=[material.pk]))
    _assert_safe(
        response,
        stem=f"materi-sosialisasi-{session.pk}-{material.pk}",
        extension="bin",
        content_type="application/octet-stream",
    )


# --- Behind nginx and from the database ------------------------------------------------------------------


def test_behind_nginx_the_answer_carries_the_same_headers_and_no_body(client, taskforce_a, monitoring_report, settings):
    from satgas.monitoring import services

    attachment = services.attachment_add(
        actor=taskforce_a, report=monitoring_report, upload=SimpleUploadedFile("x.exe.pdf", PDF_BYTES)
    )
    settings.SATGAS_X_ACCEL_PREFIX = "/_private/"
    client.force_login(taskforce_a)
    response = client.get(reverse("monitoring:attachment_download", args=[attachment.pk]))
    assert response["X-Accel-Redirect"] == f"/_private/{attachment.file.name}"
    assert response.content == b""
    _assert_safe(
        response,
        stem=f"lampiran-monitoring-{monitoring_report.pk}-{attachment.pk}",
        extension="pdf",
        content_type="application/pdf",
    )
    assert response["Content-Security-Policy"] == FILE_CSP


def test_documents_from_the_database_are_served_by_their_bytes():
    assert serve_private_bytes(PDF_BYTES, name="laporan-semester-x-2024-1-v1")["Content-Type"] == PDF.content_type
    response = serve_private_bytes(HTML_BYTES, name="../laporan <b>", inline=True)
    _assert_safe(response, stem="laporan-b", extension="bin", content_type="application/octet-stream")


def test_a_file_missing_from_the_storage_is_404_not_500(client, taskforce_a, monitoring_report, settings):
    from satgas.monitoring.models import Attachment

    attachment = Attachment.objects.create(
        report=monitoring_report, file="monitoring/hilang.pdf", display_name="x", content_type="", size=1,
        uploaded_by=taskforce_a,
    )  # fmt: skip
    client.force_login(taskforce_a)
    for prefix in ("", "/_private/"):
        settings.SATGAS_X_ACCEL_PREFIX = prefix
        assert client.get(reverse("monitoring:attachment_download", args=[attachment.pk])).status_code == 404


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_evidence_image_still_shows_in_the_browser_under_the_sandboxing_policy(open_page, live_server, unit_a):
    """The file's Content-Security-Policy (sandbox, default-src 'none') must not stop the image itself showing."""
    from PIL import Image

    from satgas.accounts.models import Role
    from satgas.accounts.tests.factories import PASSWORD, RoleAssignmentFactory, UserFactory
    from satgas.core.tests.browser import login
    from satgas.violations.tests.factories import report

    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buffer, "PNG")
    case, _ = report(unit=unit_a, files=[SimpleUploadedFile("foto.png", buffer.getvalue())])
    admin = UserFactory(email="admin-gambar@uji.test")
    RoleAssignmentFactory(user=admin, role=Role.REGIONAL_ADMIN)
    page = open_page()
    login(page, live_server.url, admin.email, PASSWORD)
    response = page.goto(f"{live_server.url}{reverse('violations:evidence_download', args=[case.evidence.get().pk])}")
    assert "sandbox" in response.headers["content-security-policy"]
    assert page.evaluate("document.images.length && document.images[0].naturalWidth") == 40
