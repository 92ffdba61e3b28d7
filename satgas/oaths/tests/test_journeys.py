"""Oath journeys in a real browser: an admin opens a campaign, a staff member
signs on a phone from an invitation link, downloads the statement, and the
verification page confirms it; the compliance table moves by one."""

import io

import pytest
from pypdf import PdfReader

from satgas.accounts.tests.factories import PASSWORD
from satgas.core.tests.browser import PHONE, login
from satgas.oaths.models import Signature
from satgas.oaths.tests.factories import open_campaign
from satgas.oaths.tokens import invitation_token

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_open_sign_on_a_phone_download_and_verify(open_page, live_server, admin_user, staff_a, unit_a):
    campaign = open_campaign(units=[unit_a], actor=admin_user, status="DRAFT", title="Ikrar Netralitas Uji")
    person = staff_a.person

    admin = open_page()
    login(admin, live_server.url, admin_user.email, PASSWORD)
    admin.goto(f"{live_server.url}/ikrar/")
    admin.get_by_role("link", name="Ikrar Netralitas Uji").click()
    admin.locator("form[action$='/status/'] button[type=submit]").click()
    admin.locator("[data-total=signed]").wait_for()
    assert admin.locator("[data-total=signed]").inner_text() == "0"

    phone = open_page(PHONE)
    token = invitation_token(campaign_id=campaign.pk, person_id=person.pk)
    phone.goto(f"{live_server.url}/ikrar/undangan/{token}/")
    phone.fill("#id_identity_number", person.nip)
    phone.fill("#id_birth_date", person.birth_date.isoformat())
    for checkbox in phone.locator("input[type=checkbox][name^=confirm_]").all():
        checkbox.check()
    phone.fill("#id_typed_name", person.full_name)
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("#sign-submit").click()
    phone.wait_for_url("**/selesai/")
    signature = Signature.objects.get()
    assert signature.verification_code in phone.content()

    with phone.expect_download() as download_info:
        phone.locator("a[href$='pernyataan.pdf']").click()
    pdf = download_info.value.path().read_bytes()
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert person.full_name in text and signature.verification_code in text

    phone.locator(f"a[href$='/verifikasi/{signature.verification_code}/']").click()
    assert person.full_name in phone.locator("main").inner_text()
    assert phone.locator(".alert-success").is_visible()

    admin.reload()
    assert admin.locator("[data-total=signed]").inner_text() == "1"


def test_bukan_saya_on_a_phone_then_the_admin_voids_it(open_page, live_server, admin_user, unit_a, settings):
    """The person reports "Bukan saya" from the confirmation's link on a phone; the campaign page shows the flag;
    the admin reads the evidence, voids the signature, and the verification page says it was voided."""
    from django.core import mail

    from satgas.oaths import services
    from satgas.oaths.tokens import disown_token
    from satgas.personnel.tests.factories import PersonFactory

    settings.SATGAS_SITE_URL = live_server.url
    person = PersonFactory(unit=unit_a, email="asli@kantor.test")
    campaign = open_campaign(units=[unit_a], actor=admin_user, title="Ikrar Netralitas Uji")
    signature, _ = services.oath_sign(
        campaign=campaign,
        person=person,
        typed_name=person.full_name,
        confirmed=[1, 2, 3],
        ip_address="198.51.100.7",
        user_agent="Peramban Rekan",
        invitation_email="penyusup@luar.test",
    )

    phone = open_page(PHONE)
    phone.goto(f"{live_server.url}/ikrar/bukan-saya/{disown_token(signature)}/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.locator("main form button[type=submit]").click()
    phone.locator(".alert-success").wait_for()
    assert any(admin_user.email in m.to for m in mail.outbox)

    admin = open_page()
    login(admin, live_server.url, admin_user.email, PASSWORD)
    admin.goto(f"{live_server.url}/ikrar/kampanye/{campaign.pk}/")
    assert admin.locator("[data-flagged='1']").is_visible()
    admin.locator("[data-flagged='1'] a").click()
    admin.get_by_role("link", name=person.full_name).click()
    evidence = admin.locator("[data-evidence]").inner_text()
    assert "penyusup@luar.test" in evidence and "198.51.100.7" in evidence and "Peramban Rekan" in evidence
    admin.fill("#id_reason", "Ditandatangani rekan kerja; diakui dalam klarifikasi.")
    admin.locator("form[action$='/batalkan/'] button[type=submit]").click()
    admin.locator("[data-status=voided]").wait_for()
    admin.goto(f"{live_server.url}/verifikasi/{signature.verification_code}/")
    assert admin.locator("[data-status=voided]").is_visible()
