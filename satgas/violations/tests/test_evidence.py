import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.violations import services
from satgas.violations.models import Evidence
from satgas.violations.tests.factories import EXE_BYTES, PDF_BYTES, PNG_BYTES, png, report, upload


def test_image_and_pdf_are_stored_under_random_private_names(unit_a):
    case, _ = report(unit=unit_a, files=[png("layar.png"), upload("sk.pdf", PDF_BYTES, "application/pdf")])
    stored = list(case.evidence.order_by("id"))
    assert [e.content_type for e in stored] == ["image/png", "application/pdf"]
    for evidence in stored:
        assert evidence.file.name.startswith("violations/")
        assert "layar" not in evidence.file.name and "sk" not in evidence.file.name.rsplit("/", 1)[1]
        path = evidence.file.path
        assert path.startswith(str(django_settings.PRIVATE_ROOT))
        assert not path.startswith(str(django_settings.STATIC_ROOT))
    assert stored[0].original_name == "layar.png" and len(stored[0].sha256) == 64


def test_renamed_executable_is_refused(unit_a):
    with pytest.raises(ValidationError):
        report(unit=unit_a, files=[upload("foto.png", EXE_BYTES, "image/png")])
    assert not Evidence.objects.exists()


def test_oversized_file_is_refused(unit_a, settings):
    settings.SATGAS_VIOLATION_EVIDENCE_MAX_BYTES = 1000
    with pytest.raises(ValidationError):
        report(unit=unit_a, files=[png(content=PNG_BYTES + b"\x00" * 2000)])
    assert not Evidence.objects.exists()


def test_too_many_files_are_refused(unit_a, settings):
    settings.SATGAS_VIOLATION_EVIDENCE_MAX_FILES = 2
    with pytest.raises(services.ViolationError, match="too_many_files"):
        report(unit=unit_a, files=[png(), png(), png()])


def test_name_climbing_directories_is_only_a_label(unit_a, settings):
    case, _ = report(unit=unit_a, files=[png("../../etc/passwd.png")])
    evidence = case.evidence.get()
    assert ".." not in evidence.file.name and "passwd" not in evidence.file.name
    assert evidence.original_name == "passwd.png"
    assert evidence.file.path.startswith(str(settings.PRIVATE_ROOT))


def test_public_form_rejects_executable_with_an_error(client, unit_a):
    response = client.post(
        reverse("violations_public:report"),
        {
            "reported_description": "X",
            "unit": unit_a.pk,
            "incident_date": "2024-01-10",
            "channel": "OTHER",
            "description": "Y",
            "files": [upload("foto.png", EXE_BYTES)],
        },
    )
    assert response.status_code == 200
    assert "not accepted" in response.content.decode() or "tidak" in response.content.decode()
    assert not Evidence.objects.exists()


# Evidence download per persona: case in unit A.
EVIDENCE_MATRIX = {
    "admin_user": 200,
    "taskforce_a": 200,
    "taskforce_b": 404,
    "staff_a": 404,
    "leader": 404,
    "outsider": 404,
}


def test_evidence_access_per_persona(client, persona, unit_a):
    name, user = persona
    case, _ = report(unit=unit_a, files=[png()])
    evidence = case.evidence.get()
    client.force_login(user)
    response = client.get(reverse("violations:evidence_download", args=[evidence.pk]))
    assert response.status_code == EVIDENCE_MATRIX[name]
    if response.status_code == 200:
        assert b"".join(response.streaming_content) == PNG_BYTES
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "passwd" not in response["Content-Disposition"]
        assert AuditEvent.objects.filter(action="violation.evidence_viewed", actor=user).exists()


def test_evidence_needs_login(client, unit_a):
    case, _ = report(unit=unit_a, files=[png()])
    response = client.get(reverse("violations:evidence_download", args=[case.evidence.get().pk]))
    assert response.status_code == 302
