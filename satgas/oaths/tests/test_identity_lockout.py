"""Wrong identities typed on someone's invitation link hold back the typing client, never the owner's own phone
for more than a minute (issue 13.8)."""

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satgas.oaths import services
from satgas.oaths.models import Signature
from satgas.oaths.tests.factories import open_campaign, sign_data
from satgas.oaths.tokens import invitation_token

COLLEAGUE, OWNER = "198.51.100.7", "203.0.113.20"


@pytest.fixture
def campaign(unit_a, admin_user):
    return open_campaign(units=[unit_a], actor=admin_user)


def _url(campaign, person):
    return reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=person.pk)])


def test_ten_wrong_identities_from_a_colleague_do_not_lock_the_owner_out(campaign, staff_a):
    person, colleague = staff_a.person, Client()
    for _ in range(10):
        colleague.post(_url(campaign, person), sign_data(person, birth_date="1999-01-01"), REMOTE_ADDR=COLLEAGUE)
    assert colleague.post(_url(campaign, person), sign_data(person), REMOTE_ADDR=COLLEAGUE).status_code == 429
    response = Client().post(_url(campaign, person), sign_data(person), REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert Signature.objects.filter(person=person, campaign=campaign).exists()


def test_the_colleague_waits_longer_at_each_further_failure(campaign, staff_a):
    person, colleague = staff_a.person, Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(6):
            colleague.post(_url(campaign, person), sign_data(person, birth_date="1999-01-01"), REMOTE_ADDR=COLLEAGUE)
        blocked = colleague.post(_url(campaign, person), sign_data(person), REMOTE_ADDR=COLLEAGUE)
        assert blocked.status_code == 429 and blocked["Retry-After"] == "30"
        clock.shift(31)
        colleague.post(_url(campaign, person), sign_data(person, birth_date="1999-01-01"), REMOTE_ADDR=COLLEAGUE)
        assert colleague.post(_url(campaign, person), sign_data(person), REMOTE_ADDR=COLLEAGUE)["Retry-After"] == "60"


def test_an_attack_from_many_clients_holds_the_link_at_most_a_minute(campaign, staff_a):
    person = staff_a.person
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for i in range(services.IDENTITY_GUARD.target_limit):
            Client().post(
                _url(campaign, person), sign_data(person, birth_date="1999-01-01"), REMOTE_ADDR=f"198.51.100.{i + 10}"
            )
        held = Client().post(_url(campaign, person), sign_data(person), REMOTE_ADDR=OWNER)
        assert held.status_code == 429 and int(held["Retry-After"]) <= 60
        clock.shift(61)
        assert Client().post(_url(campaign, person), sign_data(person), REMOTE_ADDR=OWNER).status_code == 302
