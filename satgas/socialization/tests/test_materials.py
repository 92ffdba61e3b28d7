import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.socialization import services
from satgas.socialization.models import SessionMaterial

from .factories import SessionFactory, pdf_upload


@pytest.fixture
def session(unit_a):
    return SessionFactory(units=[unit_a])


def test_upload_stores_a_pdf_under_a_random_private_name(client, taskforce_a, session, settings):
    client.force_login(taskforce_a)
    response = client.post(
        reverse("socialization:material_upload", args=[session.pk]), {"file": pdf_upload("Materi Netralitas.pdf")}
    )
    assert response.status_code == 302
    material = SessionMaterial.objects.get()
    assert material.original_name == "Materi Netralitas.pdf" and material.kind == "pdf"
    assert material.uploaded_by == taskforce_a and material.size > 0
    assert material.file.name.startswith("socialization/") and material.file.name.endswith(".pdf")
    assert "Materi" not in material.file.name
    assert material.file.path.startswith(str(settings.PRIVATE_ROOT))
    event = AuditEvent.objects.get(action="socialization.material_uploaded")
    assert event.changes == {"materials": [None, "Materi Netralitas.pdf"]}


def test_a_renamed_non_pdf_is_refused_by_content(client, taskforce_a, session, settings):
    client.force_login(taskforce_a)
    fake = SimpleUploadedFile("materi.pdf", b"MZ\x90\x00 this is an executable", content_type="application/pdf")
    response = client.post(reverse("socialization:material_upload", args=[session.pk]), {"file": fake})
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    assert 'role="alert"' in response.content.decode()
    assert not SessionMaterial.objects.exists()
    assert not AuditEvent.objects.filter(action="socialization.material_uploaded").exists()
    folder = settings.PRIVATE_ROOT / "socialization"
    assert not folder.exists() or not [p for p in folder.rglob("*") if p.is_file()]


def test_an_oversized_file_is_refused(session, admin_user, settings):
    settings.SATGAS_UPLOAD_MAX_BYTES = 10
    with pytest.raises(ValidationError):
        services.material_upload(actor=admin_user, session=session, upload=pdf_upload())
    assert not SessionMaterial.objects.exists()


def test_download_serves_the_file_to_those_who_see_the_session(client, staff_a, session, admin_user):
    material = services.material_upload(actor=admin_user, session=session, upload=pdf_upload("Paparan Kadiv.pdf"))
    client.force_login(staff_a)
    response = client.get(reverse("socialization:material_download", args=[material.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    # A name the server makes: never the uploader's.
    expected = f'attachment; filename="materi-sosialisasi-{session.pk}-{material.pk}.pdf"'
    assert response["Content-Disposition"] == expected
    assert b"".join(response.streaming_content).startswith(b"%PDF-")


def test_download_of_another_units_material_is_404(client, taskforce_b, session, admin_user):
    material = services.material_upload(actor=admin_user, session=session, upload=pdf_upload())
    client.force_login(taskforce_b)
    assert client.get(reverse("socialization:material_download", args=[material.pk])).status_code == 404


def test_download_behind_nginx_uses_x_accel_redirect(client, admin_user, session, settings):
    material = services.material_upload(actor=admin_user, session=session, upload=pdf_upload())
    settings.SATGAS_X_ACCEL_PREFIX = "/_private/"
    client.force_login(admin_user)
    response = client.get(reverse("socialization:material_download", args=[material.pk]))
    assert response["X-Accel-Redirect"] == f"/_private/{material.file.name}"
