"""Decree and badge PDFs read back, public badge verification, decree numbering."""

import datetime as dt
import io
import re
import threading

import pytest
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from satgas.taskforces import selectors, services
from satgas.taskforces.models import DecreeCounter, TaskForce, TaskForceStatus

from .factories import START, active_taskforce, make_taskforce

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    assert response["Content-Type"] == "application/pdf"
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def tf(unit_a, admin_user):
    return active_taskforce(unit=unit_a, actor=admin_user)


def test_decree_pdf_has_number_signatory_and_every_member(client, admin_user, tf):
    client.force_login(admin_user)
    text = _flat(_text(client.get(reverse("taskforces:decree_pdf", args=[tf.pk]))))
    assert tf.decree_number in text and "TENTANG" in text
    assert "Dr. Tejo Harwanto" in text and "NIP 196910031992031001" in text
    assert "Kedudukan dalam Satgas" in text
    for member in selectors.roster(tf):
        assert member.person.nip in text
        assert " ".join(member.person.full_name.split()) in text
    assert text.count("Ketua Tim") == 2 and text.count("Sekretaris") >= 2


def test_decree_pdf_needs_a_number(client, admin_user, unit_b):
    draft = make_taskforce(unit=unit_b)
    client.force_login(admin_user)
    response = client.get(reverse("taskforces:decree_pdf", args=[draft.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("taskforces:detail", args=[draft.pk])


def test_badges_pdf_has_one_card_per_current_member(client, admin_user, tf):
    ended = selectors.roster(tf)[-1]
    services.membership_end(actor=admin_user, membership=ended, ended_on=selectors.today(), reason="Mutasi")
    client.force_login(admin_user)
    text = _flat(_text(client.get(reverse("taskforces:badges_pdf", args=[tf.pk]))))
    current = selectors.roster(tf)
    assert len(current) == 11
    for member in current:
        assert " ".join(member.person.full_name.split()) in text and member.badge_code in text
    assert ended.badge_code not in text
    assert "KETUA TIM" in text and tf.unit.name in text


# --- Public verification -------------------------------------------------------


def test_badge_verification_shows_only_name_role_unit_and_validity(client, tf, admin_user):
    member = selectors.roster(tf)[0]
    url = reverse("taskforce_badge_verify", args=[member.badge_code])
    assert url == f"/verifikasi/satgas/{member.badge_code}/"
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and response.context["valid"] is True
    assert member.person.full_name in html and "Ketua Tim" in html and tf.unit.name in html
    assert 'data-validity="valid"' in html
    assert member.person.nip not in html and member.person.position not in html

    services.membership_end(actor=admin_user, membership=member, ended_on=selectors.today(), reason="Mutasi")
    response = client.get(url)
    assert response.status_code == 200 and response.context["valid"] is False
    assert 'data-validity="invalid"' in response.content.decode()


def test_badges_of_an_ended_taskforce_are_no_longer_valid(client, tf, admin_user):
    member = selectors.roster(tf)[0]
    services.taskforce_transition(actor=admin_user, task_force=tf, to=TaskForceStatus.ENDED)
    assert client.get(reverse("taskforce_badge_verify", args=[member.badge_code])).context["valid"] is False


@pytest.mark.parametrize("code", ["ABCDEFGHJKLMNPQRSTUV", "short", "../../etc"])
def test_unknown_badge_codes_answer_404(client, tf, code):
    assert client.get(f"/verifikasi/satgas/{code}/").status_code == 404


def test_badge_codes_are_unguessable(tf):
    codes = [m.badge_code for m in tf.memberships.all()]
    assert len(set(codes)) == len(codes) == 12
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{20}", c) for c in codes)


def test_oath_verification_still_works_beside_badges(client):
    assert client.get("/verifikasi/ABCDEFGHJKLMNPQRSTUV/").status_code == 404
    assert client.get("/verifikasi/").status_code == 200


# --- Decree numbers ------------------------------------------------------------


def _decree(tf, admin_user, number="", on=START):
    return services.decree_set(
        actor=admin_user,
        task_force=tf,
        decree_date=on,
        number=number,
        signatory_name="Kakanwil",
        signatory_title="Kepala Kantor Wilayah",
    )


def test_generated_numbers_follow_the_pattern_without_gaps(admin_user, region):
    from satgas.personnel.tests.factories import UnitFactory

    services.regional_defaults_update(actor=admin_user, decree_pattern="W.10-{nomor}.KP.05.02 TAHUN {tahun}")
    numbers = [_decree(make_taskforce(unit=UnitFactory(parent=region)), admin_user).decree_number for _ in range(3)]
    assert numbers == [f"W.10-{n}.KP.05.02 TAHUN 2024" for n in (1, 2, 3)]
    next_year = _decree(make_taskforce(unit=UnitFactory(parent=region)), admin_user, on=dt.date(2025, 1, 2))
    assert next_year.decree_number == "W.10-1.KP.05.02 TAHUN 2025"


def test_typed_numbers_are_unique_and_skipped_by_the_generator(admin_user, region):
    from satgas.personnel.tests.factories import UnitFactory

    first = _decree(make_taskforce(unit=UnitFactory(parent=region)), admin_user, number="W.10-1.KP.05.02 TAHUN 2024")
    with pytest.raises(services.TaskForceError) as exc:
        _decree(make_taskforce(unit=UnitFactory(parent=region)), admin_user, number=first.decree_number)
    assert exc.value.code == "decree_number_taken"
    generated = _decree(make_taskforce(unit=UnitFactory(parent=region)), admin_user)
    assert generated.decree_number == "W.10-2.KP.05.02 TAHUN 2024"


def test_a_decree_number_is_never_changed(admin_user, unit_a):
    tf = _decree(make_taskforce(unit=unit_a), admin_user)
    with pytest.raises(services.TaskForceError) as exc:
        _decree(tf, admin_user, number="LAIN")
    assert exc.value.code == "decree_numbered"
    assert _decree(tf, admin_user, on=dt.date(2024, 2, 1)).decree_number == tf.decree_number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_generation_is_gap_free_and_unique(region, admin_user):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking and concurrent connections")
    from satgas.personnel.tests.factories import UnitFactory

    task_forces = [make_taskforce(unit=UnitFactory(parent=region)) for _ in range(8)]
    barrier = threading.Barrier(len(task_forces))
    errors = []

    def claim(tf):
        from django.db import connections

        try:
            barrier.wait()
            _decree(tf, admin_user)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(tf,)) for tf in task_forces]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(TaskForce.objects.exclude(decree_number=None).values_list("decree_number", flat=True))
    assert numbers == sorted(f"W.10-{n}.KP.05.02 TAHUN 2024" for n in range(1, 9))
    assert DecreeCounter.objects.get(year=2024).last_number == 8


def test_a_bad_signatory_nip_is_a_form_error_not_a_crash(client, admin_user, unit_a):
    from django.urls import reverse

    from satgas.taskforces.tests.factories import make_taskforce

    task_force = make_taskforce(unit=unit_a, actor=admin_user)
    client.force_login(admin_user)
    response = client.post(
        reverse("taskforces:decree", args=[task_force.pk]),
        {
            "decree_date": "2024-01-22",
            "signatory_name": "Kakanwil",
            "signatory_title": "Kepala Kantor Wilayah",
            "signatory_nip": "1234567890123456789012",
        },
    )
    assert response.status_code == 200 and response.context["form"].errors["signatory_nip"]
