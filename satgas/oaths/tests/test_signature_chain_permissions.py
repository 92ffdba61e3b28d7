"""Who may void a signature, see its evidence, cancel a pending change of address and change their own address:
every persona (STYLE.md's permission matrix)."""

import pytest
from django.urls import reverse

from satgas.oaths.models import Signature
from satgas.oaths.tests.factories import open_campaign, sign_data
from satgas.personnel import services as personnel_services
from satgas.personnel.models import EmailChange, EmailChangeStatus
from satgas.personnel.tests.factories import PersonFactory

VOID = {"admin_user": 302, "taskforce_a": 403, "taskforce_b": 403, "staff_a": 403, "leader": 403, "outsider": 403}
EVIDENCE = {"admin_user": True, "taskforce_a": False, "leader": False}
CANCEL = {"admin_user": 302, "taskforce_a": 302, "taskforce_b": 404, "staff_a": 404, "leader": 403, "outsider": 404}
OWN_EMAIL = {"admin_user": 403, "taskforce_a": 200, "taskforce_b": 200, "staff_a": 200, "leader": 403, "outsider": 403}


@pytest.fixture
def signature(client, unit_a, admin_user):
    from django.test import Client

    person = PersonFactory(unit=unit_a, email="penanda@kantor.test")
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    from satgas.oaths.tokens import invitation_token

    url = reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=person.pk)])
    assert Client().post(url, sign_data(person)).status_code == 302
    return Signature.objects.get(person=person)


def test_voiding(client, persona, signature):
    name, user = persona
    client.force_login(user)
    response = client.post(reverse("oaths:signature_void", args=[signature.pk]), {"reason": "Bukan tanda tangannya."})
    assert response.status_code == VOID[name]
    signature.refresh_from_db()
    assert (signature.voided_at is not None) == (name == "admin_user")


def test_evidence(client, persona, signature):
    name, user = persona
    if name not in EVIDENCE:
        pytest.skip("cannot open the statement at all")
    client.force_login(user)
    html = client.get(reverse("oaths:statement", args=[signature.pk])).content.decode()
    assert ("data-evidence" in html) == EVIDENCE[name]


def test_cancelling_a_pending_change(client, persona, unit_a, taskforce_a):
    name, user = persona
    person = PersonFactory(unit=unit_a, email="lama@kantor.test")
    personnel_services.person_update(actor=taskforce_a, person=person, email="baru@luar.test")
    client.force_login(user)
    response = client.post(reverse("personnel:email_change_cancel", args=[person.pk]))
    assert response.status_code == CANCEL[name]
    cancelled = EmailChange.objects.get().status == EmailChangeStatus.CANCELLED
    assert cancelled == (CANCEL[name] == 302)


def test_own_address_page(client, persona):
    name, user = persona
    client.force_login(user)
    assert client.get(reverse("personnel:own_email")).status_code == OWN_EMAIL[name]


def test_statement_and_signature_list_queries_do_not_grow(client, admin_user, unit_a, django_assert_max_num_queries):
    from django.test import Client

    from satgas.oaths.tokens import invitation_token

    campaign = open_campaign(units=[unit_a], actor=admin_user)
    people = [PersonFactory(unit=unit_a) for _ in range(8)]
    for person in people:
        url = reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=person.pk)])
        Client().post(url, sign_data(person))
    client.force_login(admin_user)
    signature = Signature.objects.first()
    with django_assert_max_num_queries(12):
        assert client.get(reverse("oaths:statement", args=[signature.pk])).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("oaths:campaign_signatures", args=[campaign.pk]) + "?ditandai=1").status_code == 200
