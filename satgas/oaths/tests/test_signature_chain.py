"""Nobody signs in a colleague's name (issue 13.1, 18.11): the signature records where its invitation went, the
person is told at their confirmed address with a "Bukan saya" link, a flag alerts the admins, and an admin voids
the signature (kept as evidence; the person signs again)."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satgas.core.models import AuditEvent
from satgas.oaths import selectors, tasks
from satgas.oaths.models import ReminderLog, Signature
from satgas.oaths.tests.factories import open_campaign, sign_data
from satgas.personnel import services as personnel_services
from satgas.personnel.models import Person
from satgas.personnel.tests.factories import PersonFactory

OWN = "pegawai.asli@kantor.test"


@pytest.fixture
def campaign(unit_a, admin_user):
    return open_campaign(units=[unit_a], actor=admin_user)


@pytest.fixture
def person(unit_a):
    return PersonFactory(unit=unit_a, email=OWN)


def _invitation_link(address) -> str:
    [message] = [m for m in mail.outbox if address in m.to and "/ikrar/undangan/" in m.body]
    return re.search(r"/ikrar/undangan/[^/\s]+/", message.body).group(0)


def _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks) -> Signature:
    with django_capture_on_commit_callbacks(execute=True):
        tasks.oath_reminders_dispatch(campaign.pk, None)
    link = _invitation_link(person.email)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = Client().post(link, sign_data(person), REMOTE_ADDR="203.0.113.9", HTTP_USER_AGENT="HP Android")
    assert response.status_code == 302
    return Signature.objects.valid().get(person=person, campaign=campaign)


def _disown_link(address) -> str:
    [message] = [m for m in mail.outbox if address in m.to and "/ikrar/bukan-saya/" in m.body]
    return re.search(r"/ikrar/bukan-saya/[^/\s]+/", message.body).group(0)


def test_the_signature_keeps_the_address_its_invitation_went_to_and_the_person_is_told(
    campaign, person, django_capture_on_commit_callbacks
):
    signature = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    assert signature.invitation_email == OWN
    [confirmation] = [m for m in mail.outbox if "/ikrar/bukan-saya/" in m.body]
    assert confirmation.to == [OWN]
    assert signature.verification_code in confirmation.body
    assert campaign.version.commitments.first().text in confirmation.body  # the statement itself


def test_the_confirmation_goes_to_the_confirmed_address_not_a_pending_one(
    client, campaign, staff_a, taskforce_a, django_capture_on_commit_callbacks
):
    own = staff_a.person
    Person.objects.filter(pk=own.pk).update(email=OWN)
    own.refresh_from_db()
    personnel_services.person_update(actor=taskforce_a, person=own, email="penyusup@luar.test")
    mail.outbox.clear()
    client.force_login(staff_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("oaths:sign", args=[campaign.pk]), sign_data(own))
    assert [m.to for m in mail.outbox if "/ikrar/bukan-saya/" in m.body] == [[OWN]]


def test_bukan_saya_flags_alerts_the_admins_and_a_get_changes_nothing(
    campaign, person, admin_user, django_capture_on_commit_callbacks
):
    signature = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    link = _disown_link(OWN)
    mail.outbox.clear()
    scanner = Client()
    assert scanner.get(link).status_code == 200
    signature.refresh_from_db()
    assert signature.disputed_at is None, "a mail scanner opening the link flags nothing"
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(link, REMOTE_ADDR="203.0.113.77").status_code == 200
    signature.refresh_from_db()
    assert signature.disputed_at is not None and signature.dispute_ip == "203.0.113.77"
    assert [m.to for m in mail.outbox] == [[admin_user.email]]
    assert person.full_name in mail.outbox[0].subject
    assert AuditEvent.objects.filter(action="oath.signature_disputed").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        Client().post(link)  # twice: one alert
    assert len(mail.outbox) == 1
    admin = Client()
    admin.force_login(admin_user)
    page = admin.get(reverse("oaths:campaign_detail", args=[campaign.pk]))
    assert page.context["flagged"] == 1 and "?ditandai=1" in page.content.decode()
    flagged = admin.get(reverse("oaths:campaign_signatures", args=[campaign.pk]) + "?ditandai=1")
    assert [s.pk for s in flagged.context["page"]] == [signature.pk]


def test_the_bukan_saya_link_works_after_the_invitation_expired(
    campaign, person, settings, django_capture_on_commit_callbacks
):
    signature = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    link = _disown_link(OWN)
    later = timezone.now() + dt.timedelta(days=settings.SATGAS_INVITATION_MAX_AGE_DAYS + 30)
    with time_machine.travel(later):
        assert Client().post(link).status_code == 200
    signature.refresh_from_db()
    assert signature.disputed_at is not None


def test_a_forged_or_foreign_bukan_saya_link_flags_nothing(campaign, person, django_capture_on_commit_callbacks):
    signature = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    link = _disown_link(OWN)
    assert Client().post(link.replace("bukan-saya/", "bukan-saya/x")).status_code == 404
    from django.core import signing

    other_purpose = signing.Signer(salt="satgas.oaths.invitation").sign(f"{signature.pk}.{signature.verification_code}")
    assert Client().post(reverse("oaths:disown", args=[other_purpose])).status_code == 404
    signature.refresh_from_db()
    assert signature.disputed_at is None


def test_an_admin_voids_a_signature_and_the_person_must_sign_again(
    client, campaign, person, admin_user, django_capture_on_commit_callbacks
):
    signature = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    unit_ids = selectors.campaign_unit_ids(campaign)
    assert selectors.campaign_totals(campaign, unit_ids)["signed"] == 1
    client.force_login(admin_user)
    url = reverse("oaths:signature_void", args=[signature.pk])
    assert client.post(url, {"reason": ""}).status_code == 302
    signature.refresh_from_db()
    assert signature.voided_at is None, "a reason is required"
    client.post(url, {"reason": "Ditandatangani rekan kerja, diakui saat klarifikasi."})
    signature.refresh_from_db()
    assert signature.voided_at and signature.voided_by == admin_user and "klarifikasi" in signature.void_reason
    assert AuditEvent.objects.filter(action="oath.signature_voided", actor=admin_user).exists()
    # Out of the counts, back among the non-signers, "dibatalkan" on the verification page.
    assert selectors.campaign_totals(campaign, unit_ids)["signed"] == 0
    assert selectors.campaign_compliance(campaign, unit_ids)["signed"] == 0
    assert person in selectors.campaign_non_signers(campaign, unit_ids)
    verify = Client().get(reverse("verify", args=[signature.verification_code])).content.decode()
    assert "dibatalkan" in verify.lower()
    # A new invitation (next day) and a new signature: both kept.
    mail.outbox.clear()
    with time_machine.travel(timezone.now() + dt.timedelta(days=1)):
        second = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    assert second.pk != signature.pk
    assert Signature.objects.filter(person=person, campaign=campaign).count() == 2
    assert selectors.campaign_totals(campaign, unit_ids)["signed"] == 1


def test_only_regional_admins_void_and_see_the_evidence(
    client, campaign, person, admin_user, taskforce_a, django_capture_on_commit_callbacks
):
    signature = _sign_from_invitation(campaign, person, django_capture_on_commit_callbacks)
    statement = reverse("oaths:statement", args=[signature.pk])
    client.force_login(taskforce_a)
    page = client.get(statement)
    assert page.status_code == 200 and "data-evidence" not in page.content.decode()
    assert client.post(reverse("oaths:signature_void", args=[signature.pk]), {"reason": "x"}).status_code == 403
    signature.refresh_from_db()
    assert signature.voided_at is None
    client.force_login(admin_user)
    html = client.get(statement).content.decode()
    for evidence in (OWN, "203.0.113.9", "HP Android", signature.text_sha256):
        assert evidence in html


def test_a_link_sent_to_an_address_that_is_no_longer_the_persons_stops_working(
    campaign, person, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        tasks.oath_reminders_dispatch(campaign.pk, None)
    link = _invitation_link(OWN)
    personnel_services.person_update(actor=admin_user, person=person, email="alamat.baru@kantor.test")
    assert Client().get(link).status_code == 410
    assert ReminderLog.objects.get().email == OWN


def test_the_attack_of_the_issue_sends_nothing_to_the_attacker(
    client, campaign, unit_a, taskforce_a, django_capture_on_commit_callbacks
):
    """Change a colleague's email, press *Kirim pengingat*: the link still goes only to the colleague."""
    victim = PersonFactory(unit=unit_a, email=OWN)
    client.force_login(taskforce_a)
    data = {
        "full_name": victim.full_name,
        "employment_type": "PNS",
        "nip": victim.nip,
        "position": victim.position,
        "rank_grade": victim.rank_grade,
        "email": "penyusup@luar.test",
        "status": "ACTIVE",
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("personnel:person_edit", args=[victim.pk]), data)
        client.post(reverse("oaths:campaign_remind", args=[campaign.pk]))
    attacker_mail = [m for m in mail.outbox if "penyusup@luar.test" in m.to]
    assert all("/ikrar/undangan/" not in m.body for m in attacker_mail)
    assert _invitation_link(OWN)
