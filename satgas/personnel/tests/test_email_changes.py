"""Nobody changes a colleague's address behind their back (issue 13.1): a new address from anyone but a regional
admin takes effect only once confirmed from that address, the previous address is told and can stop it, and
invitations, reminders and sign-in codes never go to an address that is not confirmed."""

import datetime as dt
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satgas.accounts.tests.factories import UserFactory
from satgas.core.models import AuditEvent
from satgas.personnel import services
from satgas.personnel.importing import import_personnel_file
from satgas.personnel.models import EmailChange, EmailChangeStatus, Person
from satgas.personnel.tests.factories import PersonFactory
from satgas.personnel.tests.test_importing import make_csv

OLD, NEW = "budi@kantor.test", "penyusup@luar.test"


@pytest.fixture
def colleague(unit_a):
    return PersonFactory(unit=unit_a, email=OLD)


def _edit(client, person, **changes):
    data = {
        "full_name": person.full_name,
        "employment_type": person.employment_type,
        "nip": person.nip or "",
        "nik": person.nik or "",
        "position": person.position,
        "rank_grade": person.rank_grade,
        "email": person.email,
        "phone": person.phone,
        "status": person.status,
        **changes,
    }
    return client.post(reverse("personnel:person_edit", args=[person.pk]), data)


def _link(message, name: str) -> str:
    prefix = reverse(name, args=["TOKEN"]).split("TOKEN")[0]
    return re.search(re.escape(prefix) + r"[^/\s]+/", message.body).group(0)


def _mails_to(address):
    return [m for m in mail.outbox if address in m.to]


def test_a_taskforce_members_new_address_waits_for_confirmation(
    client, taskforce_a, colleague, django_capture_on_commit_callbacks
):
    client.force_login(taskforce_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit(client, colleague, email=NEW)
    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.email == OLD, "the address in effect has not changed"
    change = EmailChange.objects.get()
    assert (change.status, change.old_email, change.new_email, change.requested_by) == (
        EmailChangeStatus.PENDING,
        OLD,
        NEW,
        taskforce_a,
    )
    [confirm] = _mails_to(NEW)
    [notice] = _mails_to(OLD)
    assert "/personel/email/konfirmasi/" in confirm.body and "/personel/email/hentikan/" in notice.body
    assert NEW in notice.body
    assert AuditEvent.objects.filter(action="person.email_change_requested", actor=taskforce_a).exists()
    page = client.get(reverse("personnel:person_detail", args=[colleague.pk])).content.decode()
    assert NEW in page and str(taskforce_a) in page and reverse("personnel:email_change_cancel", args=[colleague.pk])


def test_invitations_still_go_to_the_confirmed_address(
    client, taskforce_a, colleague, admin_user, unit_a, django_capture_on_commit_callbacks
):
    from satgas.oaths import services as oath_services
    from satgas.oaths.tests.factories import open_campaign

    campaign = open_campaign(units=[unit_a], actor=admin_user)
    client.force_login(taskforce_a)
    with django_capture_on_commit_callbacks(execute=True):
        _edit(client, colleague, email=NEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        oath_services.campaign_send_reminders(actor=taskforce_a, campaign=campaign)
    assert not _mails_to(NEW)
    assert len([m for m in _mails_to(OLD) if "/ikrar/undangan/" in m.body]) == 1


def test_confirming_from_the_new_address_takes_effect_and_tells_the_old_one(
    taskforce_a, colleague, django_capture_on_commit_callbacks
):
    login = UserFactory(email=OLD, person=colleague)
    with django_capture_on_commit_callbacks(execute=True):
        services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    url = _link(_mails_to(NEW)[0], "personnel:email_confirm")
    mail.outbox.clear()
    visitor = Client()
    assert visitor.get(url).status_code == 200  # a mail scanner's GET changes nothing
    colleague.refresh_from_db()
    assert colleague.email == OLD
    with django_capture_on_commit_callbacks(execute=True):
        assert visitor.post(url).status_code == 200
    colleague.refresh_from_db()
    login.refresh_from_db()
    assert colleague.email == NEW and login.email == NEW, "the login follows the confirmed address"
    assert EmailChange.objects.get().status == EmailChangeStatus.CONFIRMED
    [told] = _mails_to(OLD)
    assert NEW in told.body
    assert visitor.post(url).status_code == 409  # used once


def test_the_old_address_can_stop_the_change(taskforce_a, colleague, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    stop = _link(_mails_to(OLD)[0], "personnel:email_stop")
    confirm = _link(_mails_to(NEW)[0], "personnel:email_confirm")
    assert Client().post(stop).status_code == 200
    assert EmailChange.objects.get().status == EmailChangeStatus.CANCELLED
    assert Client().post(confirm).status_code == 409
    colleague.refresh_from_db()
    assert colleague.email == OLD


def test_a_confirmation_link_expires(taskforce_a, colleague, django_capture_on_commit_callbacks, settings):
    with django_capture_on_commit_callbacks(execute=True):
        services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    url = _link(_mails_to(NEW)[0], "personnel:email_confirm")
    later = timezone.now() + dt.timedelta(days=settings.SATGAS_EMAIL_CHANGE_MAX_AGE_DAYS + 1)
    with time_machine.travel(later):
        assert Client().post(url).status_code == 404
    colleague.refresh_from_db()
    assert colleague.email == OLD


def test_a_pending_change_is_cancelled_from_the_person_page(client, taskforce_a, colleague):
    services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    client.force_login(taskforce_a)
    response = client.post(reverse("personnel:email_change_cancel", args=[colleague.pk]))
    assert response.status_code == 302
    assert EmailChange.objects.get().status == EmailChangeStatus.CANCELLED


def test_another_units_taskforce_cannot_cancel(client, taskforce_a, taskforce_b, colleague):
    services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    client.force_login(taskforce_b)
    assert client.post(reverse("personnel:email_change_cancel", args=[colleague.pk])).status_code == 404
    assert EmailChange.objects.get().status == EmailChangeStatus.PENDING


def test_a_regional_admins_change_takes_effect_and_the_old_address_is_told(
    client, admin_user, taskforce_a, colleague, django_capture_on_commit_callbacks
):
    services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert _edit(client, colleague, email="budi.baru@kantor.test").status_code == 302
    colleague.refresh_from_db()
    assert colleague.email == "budi.baru@kantor.test"
    assert EmailChange.objects.get().status == EmailChangeStatus.CANCELLED  # the pending request is superseded
    assert any("budi.baru@kantor.test" in m.body for m in _mails_to(OLD))


def test_only_a_regional_admin_removes_an_address(client, taskforce_a, colleague):
    client.force_login(taskforce_a)
    response = _edit(client, colleague, email="")
    assert response.status_code == 200 and response.context["form"].errors["email"]
    colleague.refresh_from_db()
    assert colleague.email == OLD


def test_a_person_changing_their_own_address_confirms_it_too(client, staff_a, django_capture_on_commit_callbacks):
    person = staff_a.person
    Person.objects.filter(pk=person.pk).update(email=staff_a.email)
    client.force_login(staff_a)
    assert client.get(reverse("personnel:own_email")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("personnel:own_email"), {"email": "saya.baru@kantor.test"})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.email == staff_a.email
    assert _mails_to("saya.baru@kantor.test") and _mails_to(staff_a.email)
    # allauth's own address page (which would add unconfirmed addresses) leads here
    assert client.get("/accounts/email/")["Location"] == reverse("personnel:own_email")


def test_no_sign_in_code_reaches_an_unconfirmed_address(client, taskforce_a, colleague):
    UserFactory(email=OLD, person=colleague)
    services.person_update(actor=taskforce_a, person=colleague, email=NEW)
    mail.outbox.clear()
    client.post(reverse("account_request_login_code"), {"email": NEW})
    assert not [m for m in mail.outbox if re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", m.body)]


def test_an_admins_import_changes_addresses_directly_and_tells_the_old_ones(
    admin_user, unit_a, colleague, django_capture_on_commit_callbacks
):
    login = UserFactory(email=OLD, person=colleague)
    row = {
        "nama": colleague.full_name,
        "jenis_pegawai": "PNS",
        "nip": colleague.nip,
        "kode_unit": unit_a.code,
        "email": "budi.impor@kantor.test",
    }
    with django_capture_on_commit_callbacks(execute=True):
        result = import_personnel_file(
            content=make_csv([row]), filename="p.csv", actor=admin_user, dry_run=False, strict=False
        )
    assert result.updated == 1
    colleague.refresh_from_db()
    login.refresh_from_db()
    assert colleague.email == login.email == "budi.impor@kantor.test"
    assert any("budi.impor@kantor.test" in m.body for m in _mails_to(OLD))
