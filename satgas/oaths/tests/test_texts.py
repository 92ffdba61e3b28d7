import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.oaths import services
from satgas.oaths.models import OathCommitment, OathDocument, OathVersion
from satgas.oaths.tests.factories import COMMITMENTS, published_version


def test_publishing_freezes_the_text_and_its_hash(admin_user):
    version = published_version(actor=admin_user)
    expected = (
        "IKRAR NETRALITAS\n\nKami berikrar:\n\n"
        + "\n".join(f"{i}. {t}" for i, t in enumerate(COMMITMENTS, 1))
        + "\n\nDemikian.\n"
    )
    assert version.text_sha256 == hashlib.sha256(expected.encode()).hexdigest()
    assert version.is_published and version.published_by == admin_user
    assert AuditEvent.objects.filter(action="oath.version_published").exists()

    with pytest.raises(services.OathError):
        services.version_update(actor=admin_user, version=version, commitments=["x"], title="Changed")
    version.title = "Changed"
    with pytest.raises(ValidationError):
        version.save()
    commitment = version.commitments.first()
    commitment.text = "Changed"
    with pytest.raises(ValidationError):
        commitment.save()
    with pytest.raises(ValidationError):
        commitment.delete()
    with pytest.raises(ValidationError):
        OathCommitment.objects.create(version=version, order=99, text="extra")
    with pytest.raises(services.OathError):
        services.version_publish(actor=admin_user, version=version)
    assert OathVersion.objects.get(pk=version.pk).compute_sha256() == version.text_sha256


def test_versions_are_numbered_per_document(admin_user):
    first = published_version(actor=admin_user)
    second = services.version_create(
        actor=admin_user,
        document=first.document,
        title="T",
        preamble="",
        closing="",
        confirm_mode="WHOLE",
        commitments=["a"],
    )
    assert (first.number, second.number) == (1, 2)
    assert not second.is_published


def test_a_version_without_commitments_cannot_be_published(admin_user):
    document = OathDocument.objects.create(kind="PACT", title="Pakta")
    version = OathVersion.objects.create(document=document, number=1, title="Pakta")
    with pytest.raises(services.OathError) as exc:
        services.version_publish(actor=admin_user, version=version)
    assert exc.value.code == "version_empty"


def test_admin_writes_and_publishes_a_version_through_the_pages(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("oaths:version_create"),
        {
            "new_document_kind": "OATH",
            "new_document_title": "Ikrar Baru",
            "title": "IKRAR",
            "preamble": "",
            "closing": "",
            "confirm_mode": "EACH",
            "commitments_text": "Satu.\n\n  Dua.  \n",
        },
    )
    version = OathVersion.objects.get(document__title="Ikrar Baru")
    assert response.status_code == 302
    assert list(version.commitments.values_list("text", flat=True)) == ["Satu.", "Dua."]
    client.post(reverse("oaths:version_publish", args=[version.pk]))
    version.refresh_from_db()
    assert version.is_published
    response = client.get(reverse("oaths:version_edit", args=[version.pk]))
    assert response.status_code == 302  # a published version has no edit page


def test_version_form_requires_commitments(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("oaths:version_create"),
        {
            "new_document_kind": "OATH",
            "new_document_title": "X",
            "title": "X",
            "confirm_mode": "EACH",
            "commitments_text": "   ",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["commitments_text"]
    assert not OathDocument.objects.filter(title="X").exists()
