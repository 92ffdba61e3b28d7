import io

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from satgas.oaths import services
from satgas.oaths.models import Signature
from satgas.oaths.tests.factories import COMMITMENTS, open_campaign
from satgas.oaths.tokens import invitation_token


@pytest.fixture
def signature(staff_a, unit_a, admin_user):
    campaign = open_campaign(units=[unit_a], actor=admin_user, title="Ikrar Netralitas Uji")
    person = staff_a.person
    signature, _ = services.oath_sign(
        campaign=campaign,
        person=person,
        typed_name=person.full_name,
        confirmed=[1, 2, 3],
        ip_address="127.0.0.1",
        user_agent="pytest",
    )
    return signature


def _pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_signer_downloads_a_statement_pdf_with_the_text_and_its_hash(client, staff_a, signature):
    client.force_login(staff_a)
    response = client.get(reverse("oaths:statement_pdf", args=[signature.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content).split())
    person = staff_a.person
    assert person.full_name in text and person.nip in text and person.unit.name in text
    assert signature.verification_code in text
    assert signature.text_sha256 in text.replace(" ", "") or signature.text_sha256[:32] in text.replace(" ", "")
    for commitment in COMMITMENTS:
        assert commitment in text
    assert f"/verifikasi/{signature.verification_code}/" in text.replace(" ", "")


def test_the_invitation_link_also_gives_the_pdf(client, signature):
    token = invitation_token(campaign_id=signature.campaign_id, person_id=signature.person_id)
    response = client.get(reverse("oaths:invitation_pdf", args=[token]))
    assert response.status_code == 200 and signature.verification_code in _pdf_text(response.content)


def test_others_cannot_download_someones_statement(client, signature, taskforce_b, outsider):
    for user in (taskforce_b, outsider):
        client.force_login(user)
        assert client.get(reverse("oaths:statement_pdf", args=[signature.pk])).status_code == 404


def test_verification_page_confirms_a_genuine_statement_with_minimal_data(client, signature):
    response = client.get(reverse("verify", args=[signature.verification_code]))
    html = response.content.decode()
    assert response.status_code == 200
    assert signature.person.full_name in html and signature.person.unit.name in html
    assert signature.campaign.title in html
    assert signature.person.nip not in html and signature.ip_address not in html


@pytest.mark.parametrize("code", ["ABCDEFGHJKLMNPQRSTUV", "short", "<script>", "A" * 200])
def test_verification_page_says_unknown_for_other_codes(client, signature, code):
    response = client.get(reverse("verify_search"), {"kode": code})
    assert response.status_code == 404
    assert signature.person.full_name not in response.content.decode()


def test_verification_codes_are_unguessable():
    codes = {services._new_code() for _ in range(2000)}
    assert len(codes) == 2000 and all(len(c) == 20 for c in codes)


def test_admin_records_a_paper_signature_with_its_scan(client, admin_user, unit_a, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from satgas.personnel.tests.factories import PersonFactory

    campaign = open_campaign(units=[unit_a], actor=admin_user)
    person = PersonFactory(unit=unit_a)
    client.force_login(admin_user)
    url = reverse("oaths:campaign_paper", args=[campaign.pk])
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        url,
        {"identity_number": person.nip, "paper_signed_on": timezone.localtime(campaign.opens_at).date(), "scan": fake},
    )
    assert response.status_code == 200 and response.context["form"].errors["scan"]
    scan = SimpleUploadedFile("Formulir Ikrar Budi.pdf", b"%PDF-1.4\n%fake but pdf-shaped\n", "application/pdf")
    response = client.post(
        url,
        {"identity_number": person.nip, "paper_signed_on": timezone.localtime(campaign.opens_at).date(), "scan": scan},
    )
    assert response.status_code == 302
    signature = Signature.objects.get(person=person)
    assert signature.method == "PAPER" and signature.recorded_by == admin_user
    assert "Budi" not in signature.paper_scan.name and signature.paper_scan.name.endswith(".pdf")
    assert str(settings.PRIVATE_ROOT) in signature.paper_scan.path
    download = client.get(reverse("oaths:paper_scan", args=[signature.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF")


def test_a_drawn_signature_appears_in_the_statement(client, staff_a, unit_a, admin_user):
    import base64

    png = base64.b64encode(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360f8ffff3f0005fe02fea7d6a4c50000000049454e44ae426082"
        )
    ).decode()
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    person = staff_a.person
    signature, _ = services.oath_sign(
        campaign=campaign,
        person=person,
        typed_name=person.full_name,
        confirmed=[1, 2, 3],
        ip_address=None,
        user_agent="",
        drawn_signature=f"data:image/png;base64,{png}",
    )
    client.force_login(staff_a)
    pdf = client.get(reverse("oaths:statement_pdf", args=[signature.pk])).content
    assert sum(len(page.images) for page in PdfReader(io.BytesIO(pdf)).pages) == 1
