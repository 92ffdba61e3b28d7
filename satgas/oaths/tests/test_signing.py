import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from satgas.oaths import services
from satgas.oaths.models import CampaignStatus, Signature
from satgas.oaths.tests.factories import open_campaign, published_version, sign_data
from satgas.oaths.tokens import invitation_token
from satgas.personnel.tests.factories import PersonFactory


@pytest.fixture
def campaign(unit_a, admin_user):
    return open_campaign(units=[unit_a], actor=admin_user)


def _sign_url(campaign):
    return reverse("oaths:sign", args=[campaign.pk])


def test_staff_signs_and_everything_is_recorded(client, staff_a, campaign):
    person = staff_a.person
    client.force_login(staff_a)
    assert client.get(_sign_url(campaign)).status_code == 200
    response = client.post(
        _sign_url(campaign), sign_data(person), HTTP_USER_AGENT="Mozilla/5.0 (Android 14)", REMOTE_ADDR="10.1.2.3"
    )
    signature = Signature.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("oaths:statement", args=[signature.pk])
    assert signature.person == person and signature.campaign == campaign
    assert signature.version == campaign.version and signature.text_sha256 == campaign.version.text_sha256
    assert signature.ip_address == "10.1.2.3" and "Android" in signature.user_agent
    assert signature.method == "ONLINE" and signature.signed_by == staff_a
    assert signature.confirmed_commitments == [1, 2, 3]
    assert len(signature.verification_code) == 20
    assert abs((timezone.now() - signature.signed_at).total_seconds()) < 60


def test_signing_twice_gives_one_signature_and_a_friendly_page(client, staff_a, campaign):
    client.force_login(staff_a)
    first = client.post(_sign_url(campaign), sign_data(staff_a.person))
    second = client.post(_sign_url(campaign), sign_data(staff_a.person))
    assert Signature.objects.count() == 1
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert client.get(second["Location"]).status_code == 200


def test_the_name_may_be_typed_without_titles(client, unit_a, campaign):
    person = PersonFactory(unit=unit_a, full_name="Dr. Budi Santoso, S.H., M.H.")
    from satgas.accounts.tests.factories import UserFactory

    user = UserFactory(person=person)
    client.force_login(user)
    client.post(_sign_url(campaign), sign_data(person, typed_name="budi  santoso"))
    assert Signature.objects.filter(person=person).exists()


@pytest.mark.parametrize(
    "override,field",
    [
        ({"typed_name": "Orang Lain"}, "typed_name"),
        ({"birth_date": "1999-01-01"}, None),
        ({"identity_number": "198001012005011001"}, None),
        ({"confirm_2": ""}, "confirm_2"),
    ],
)
def test_wrong_identity_name_or_missing_confirmation_signs_nothing(client, staff_a, campaign, override, field):
    client.force_login(staff_a)
    response = client.post(_sign_url(campaign), sign_data(staff_a.person, **override))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field in errors) if field else errors["__all__"]
    assert 'role="alert"' in response.content.decode()
    assert not Signature.objects.exists()


def test_repeated_wrong_identity_is_blocked(client, staff_a, campaign):
    client.force_login(staff_a)
    for _ in range(10):
        client.post(_sign_url(campaign), sign_data(staff_a.person, birth_date="1999-01-01"))
    response = client.post(_sign_url(campaign), sign_data(staff_a.person))
    assert response.status_code == 429
    assert not Signature.objects.exists()


def test_signing_outside_the_window_is_refused(client, staff_a, unit_a, admin_user):
    now = timezone.now()
    later = open_campaign(
        units=[unit_a], actor=admin_user, opens_at=now + dt.timedelta(days=1), closes_at=now + dt.timedelta(days=5)
    )
    client.force_login(staff_a)
    response = client.post(_sign_url(later), sign_data(staff_a.person))
    assert response.status_code == 403 and not Signature.objects.exists()
    with time_machine.travel(now + dt.timedelta(days=6)):
        response = client.post(_sign_url(later), sign_data(staff_a.person))
    assert response.status_code == 403 and not Signature.objects.exists()


def test_a_draft_campaign_cannot_be_signed(client, staff_a, unit_a, admin_user):
    draft = open_campaign(units=[unit_a], actor=admin_user, status=CampaignStatus.DRAFT)
    client.force_login(staff_a)
    assert client.post(_sign_url(draft), sign_data(staff_a.person)).status_code == 404
    assert not Signature.objects.exists()


def test_people_outside_the_scope_cannot_sign(client, taskforce_b, unit_a, unit_b, admin_user):
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    client.force_login(taskforce_b)
    # Campaigns a person is not asked to sign do not exist for them (no title leaks).
    assert client.post(_sign_url(campaign), sign_data(taskforce_b.person)).status_code == 404
    only_ppnpn = open_campaign(units=[unit_b], actor=admin_user, types=["PPNPN"], title="PPNPN")
    assert client.post(_sign_url(only_ppnpn), sign_data(taskforce_b.person)).status_code == 404
    # Through an invitation link (bound to the person) the refusal explains why.
    from satgas.oaths.tokens import invitation_token

    link = reverse(
        "oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=taskforce_b.person_id)]
    )
    assert client.post(link, sign_data(taskforce_b.person)).status_code == 403
    assert not Signature.objects.exists()


def test_whole_text_confirmation(client, staff_a, unit_a, admin_user):
    version = published_version(actor=admin_user, confirm_mode="WHOLE", title="Pakta")
    campaign = open_campaign(units=[unit_a], actor=admin_user, version=version)
    client.force_login(staff_a)
    response = client.post(_sign_url(campaign), sign_data(staff_a.person, version=version))
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert Signature.objects.get().confirmed_commitments == [0]


# --- Invitation links ------------------------------------------------------------


def test_invitation_link_signs_without_a_password(client, staff_a, campaign):
    person = staff_a.person
    url = reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=person.pk)])
    page = client.get(url)
    assert page.status_code == 200 and person.full_name in page.content.decode()
    response = client.post(url, sign_data(person))
    assert response.status_code == 302
    signature = Signature.objects.get()
    assert signature.person == person and signature.signed_by is None
    done = client.get(response["Location"])
    assert signature.verification_code in done.content.decode()


def test_a_forged_or_altered_link_is_refused(client, staff_a, campaign, unit_a):
    other = PersonFactory(unit=unit_a)
    token = invitation_token(campaign_id=campaign.pk, person_id=staff_a.person.pk)
    forged = token.replace(f"{campaign.pk}.{staff_a.person.pk}", f"{campaign.pk}.{other.pk}")
    assert client.get(reverse("oaths:invitation", args=[forged])).status_code == 404
    assert client.get(reverse("oaths:invitation", args=["abc"])).status_code == 404
    assert client.post(reverse("oaths:invitation", args=[forged]), sign_data(other)).status_code == 404
    assert not Signature.objects.exists()


def test_an_expired_link_is_refused(client, staff_a, campaign, settings):
    token = invitation_token(campaign_id=campaign.pk, person_id=staff_a.person.pk)
    with time_machine.travel(timezone.now() + dt.timedelta(days=settings.SATGAS_INVITATION_MAX_AGE_DAYS + 1)):
        response = client.get(reverse("oaths:invitation", args=[token]))
    assert response.status_code == 410


def test_a_link_cannot_sign_for_someone_else(client, staff_a, campaign, unit_a):
    other = PersonFactory(unit=unit_a)
    url = reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=staff_a.person.pk)])
    response = client.post(url, sign_data(other))  # the other person's NIP/birth date on A's link
    assert response.status_code == 200 and response.context["form"].errors["__all__"]
    assert not Signature.objects.exists()


# --- Concurrency (PostgreSQL) -------------------------------------------------------


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_signing_stores_one_signature(unit_a, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking and concurrent connections")
    campaign = open_campaign(units=[unit_a], actor=admin_user)
    person = PersonFactory(unit=unit_a)
    barrier = threading.Barrier(8)
    results, errors = [], []

    def attempt():
        from django.db import connections

        try:
            barrier.wait()
            results.append(
                services.oath_sign(
                    campaign=campaign,
                    person=person,
                    typed_name=person.full_name,
                    confirmed=[1, 2, 3],
                    ip_address="127.0.0.1",
                    user_agent="t",
                )
            )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Signature.objects.filter(campaign=campaign, person=person).count() == 1
    assert sum(created for _, created in results) == 1
    assert len({signature.pk for signature, _ in results}) == 1
