import datetime as dt
import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from satgas.elections.models import Election, ElectionStage
from satgas.violations import permissions, receipts
from satgas.violations.models import Case, CaseStatus, Intake, ViolationCategory
from satgas.violations.tests.factories import png, report, xlsx_rows


def test_categories_are_seeded_from_the_domain(db):
    assert ViolationCategory.objects.filter(kind="ETHICS").count() == 7
    assert ViolationCategory.objects.filter(kind="DISCIPLINARY", usual_level="HEAVY").exists()


def test_stage_is_derived_from_the_incident_date(unit_a):
    election = Election.objects.create(
        name="Pemilu Uji",
        kind="GENERAL",
        voting_day=dt.date(2024, 2, 14),
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2024, 3, 20),
    )
    campaign = ElectionStage.objects.create(
        election=election, name="Masa kampanye", starts_on=dt.date(2023, 11, 28), ends_on=dt.date(2024, 2, 10)
    )
    case, _ = report(unit=unit_a, incident_date=dt.date(2024, 1, 5))
    assert (case.election, case.stage) == (election, campaign)
    outside, _ = report(unit=unit_a, incident_date=dt.date(2022, 1, 5))
    assert outside.stage is None and outside.election is None


def test_signed_in_report_with_screenshot(client, taskforce_a, unit_a):
    person = taskforce_a.person.unit.personnel.exclude(pk=taskforce_a.person.pk).first()
    from satgas.personnel.tests.factories import PersonFactory

    person = person or PersonFactory(unit=unit_a)
    client.force_login(taskforce_a)
    category = ViolationCategory.objects.filter(kind="ETHICS").first()
    response = client.post(
        reverse("violations:report_create"),
        {
            "intake": Intake.ONLINE,
            "reported_identity": person.nip,
            "incident_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
            "categories": [category.pk],
            "channel": "SOCIAL_MEDIA",
            "platform": "FACEBOOK",
            "channel_url": "https://facebook.com/post/1",
            "description": "Membagikan materi kampanye.",
            "files": [png("tangkapan layar.png")],
            "links_text": "https://facebook.com/post/1\nhttps://facebook.com/post/2",
            "confidential": "on",
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.reporter, case.reported_person, case.unit, case.confidential) == (taskforce_a, person, unit_a, True)
    assert case.evidence.count() == 1 and case.links.count() == 2
    assert list(case.categories.all()) == [category]
    shown = response.content.decode().split("data-receipt-code>")[1].split("<")[0]
    assert receipts.code_hash(shown) == case.receipt_hash


def test_offline_report_by_staff_entry(client, admin_user, unit_a):
    client.force_login(admin_user)
    response = client.post(
        reverse("violations:report_create"),
        {
            "intake": Intake.PHONE,
            "reporter_name": "Ibu Sari",
            "reporter_contact": "0812",
            "reported_description": "Petugas regu jaga",
            "unit": unit_a.pk,
            "incident_date": "2024-01-10",
            "channel": "EVENT",
            "description": "Hadir di deklarasi calon.",
        },
    )
    assert response.status_code == 200
    case = Case.objects.get()
    assert (case.intake, case.recorded_by, case.reporter, case.reporter_name) == ("PHONE", admin_user, None, "Ibu Sari")


def test_journey_through_verification_clarification_decision_sanction(client, admin_user, unit_a):
    admin_user.groups.add(Group.objects.get(name=permissions.IDENTITY_GROUP))
    case, code = report(unit=unit_a)
    client.force_login(admin_user)
    detail = reverse("violations:case_detail", args=[case.pk])
    move = reverse("violations:case_transition", args=[case.pk])
    for target in ("VERIFICATION", "CLARIFICATION"):
        assert client.post(move, {"to": target, "reason": "lanjut"}).status_code == 302
    response = client.post(
        reverse("violations:case_clarification", args=[case.pk]),
        {"held_on": "2024-01-12", "attendees": "Terlapor, atasan", "minutes": "Mengakui.", "attachment": png()},
    )
    assert response.status_code == 302
    for target in ("DECISION", "PROVEN"):
        client.post(move, {"to": target, "reason": "terbukti"})
    client.post(move, {"to": "FOLLOW_UP", "reason": "rekomendasi", "forwarded_to": "PPK Kementerian"})
    response = client.post(
        reverse("violations:case_sanction", args=[case.pk]),
        {
            "kind": "DISCIPLINARY",
            "discipline_level": "MODERATE",
            "discipline_form": "ALLOWANCE_CUT_6",
            "decree_number": "SEK.KP.04-01",
            "decree_date": "2024-02-01",
            "imposed_by": "Sekretaris Jenderal",
        },
    )
    assert response.status_code == 302
    client.post(move, {"to": "SANCTIONED", "reason": "SK terbit"})
    client.post(reverse("violations:case_message", args=[case.pk]), {"message-body": "Laporan Anda terbukti."})
    client.post(reverse("violations:case_note", args=[case.pk]), {"note-body": "Catatan internal rahasia."})
    case.refresh_from_db()
    assert case.status == CaseStatus.SANCTIONED
    page = client.get(detail).content.decode()
    assert "Catatan internal rahasia." in page and "SEK.KP.04-01" in page
    clarification = case.clarifications.get()
    assert client.get(reverse("violations:clarification_attachment", args=[clarification.pk])).status_code == 200
    client.logout()
    status = client.post("/lapor/status/", {"code": code}).content.decode()
    assert 'data-status="SANCTIONED"' in status and "Laporan Anda terbukti." in status
    assert "Catatan internal rahasia." not in status


def test_mismatched_discipline_form_is_refused(client, admin_user, unit_a):
    case, _ = report(unit=unit_a)
    Case.objects.filter(pk=case.pk).update(status=CaseStatus.PROVEN)
    client.force_login(admin_user)
    response = client.post(
        reverse("violations:case_sanction", args=[case.pk]),
        {
            "kind": "DISCIPLINARY",
            "discipline_level": "LIGHT",
            "discipline_form": "DEMOTION",
            "decree_number": "1",
            "decree_date": "2024-02-01",
            "imposed_by": "PPK",
        },
    )
    assert response.status_code == 200 and not case.sanctions.exists()


def test_export_follows_the_filter(client, admin_user, unit_a, unit_b):
    in_a, _ = report(unit=unit_a)
    report(unit=unit_b)
    client.force_login(admin_user)
    response = client.get(reverse("violations:case_export"), {"unit": unit_a.pk})
    rows = xlsx_rows(response.content)
    assert rows[0][0] == "nomor" and [r[0] for r in rows[1:]] == [in_a.number]


def _many(n, unit_a, unit_b, admin_user, taskforce_a):
    category = ViolationCategory.objects.first()
    for i in range(n):
        case, _ = report(unit=unit_a if i % 2 else unit_b, categories=[category])
        if i % 3 == 0:
            from satgas.violations import services

            services.case_assign(actor=admin_user, case=case, handler=admin_user)


@pytest.mark.parametrize("n", [3, 30])
def test_case_list_query_count_does_not_grow(client, django_assert_max_num_queries, n, unit_a, unit_b, admin_user):
    _many(n, unit_a, unit_b, admin_user, None)
    client.force_login(admin_user)
    # session, user, roles (2), units for the filter, count, page, categories, active assignments with handlers
    with django_assert_max_num_queries(9):
        response = client.get(reverse("violations:case_list"))
    assert response.status_code == 200
    assert response.content.decode().count('<a href="/pelanggaran/') >= min(n, 25)
    with django_assert_max_num_queries(6):
        assert client.get(reverse("violations:case_export")).status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_dashboard_query_count_does_not_grow(client, django_assert_max_num_queries, n, unit_a, unit_b, admin_user):
    _many(n, unit_a, unit_b, admin_user, None)
    client.force_login(admin_user)
    # session, user, roles (2), then one query per figure (status, overdue, category, unit, stage, 2 medians)
    with django_assert_max_num_queries(10):
        response = client.get(reverse("violations:dashboard"))
    assert response.status_code == 200
    assert f'data-stat="open">{n}<' in response.content.decode()


def test_dashboard_medians(client, admin_user, unit_a):
    case, _ = report(
        unit=unit_a,
        now=timezone.now() - dt.timedelta(days=4),
        incident_date=timezone.localdate() - dt.timedelta(days=9),
    )
    from satgas.violations import services

    services.case_transition(actor=admin_user, case=case, to="DISMISSED", reason="tidak cukup bukti")
    client.force_login(admin_user)
    body = client.get(reverse("violations:dashboard")).content.decode()
    assert re.search(r'data-stat="verification">4[.,]0<', body) and re.search(r'data-stat="closure">4[.,]0<', body)


def test_demo_seed_is_idempotent(client, db):
    from satgas.accounts.demo import seed_accounts
    from satgas.elections.demo import seed_elections
    from satgas.personnel.demo import seed_heads, seed_personnel, seed_units
    from satgas.taskforces.demo import seed_taskforces
    from satgas.violations.demo import seed_violations

    units = seed_units()
    seed_personnel(units)
    seed_heads(units)
    seed_accounts(units)
    seed_elections()
    seed_taskforces()
    assert seed_violations() == 3
    assert seed_violations() == 0
    assert Case.objects.count() == 3
    assert Case.objects.filter(status=CaseStatus.SANCTIONED).exists()
    admin = Case.objects.first().assignments.first().assigned_by
    client.force_login(admin)
    for case in Case.objects.all():
        assert client.get(reverse("violations:case_detail", args=[case.pk])).status_code == 200
        assert client.get(reverse("violations:case_reporter", args=[case.pk])).status_code == 200


def test_person_lookup_only_suggests_people_the_user_may_see(client, taskforce_a, staff_a, unit_b):
    from satgas.personnel.tests.factories import PersonFactory

    # A name Faker never draws: staff_a's own (Faker) name could otherwise match and be visible to them.
    mine = PersonFactory(unit=taskforce_a.person.unit, full_name="Zyrkon Sutejo")
    PersonFactory(unit=unit_b, full_name="Zyrkon Lain")
    url = reverse("violations:person_lookup")
    client.force_login(taskforce_a)
    body = client.get(url, {"reported_identity": "Zyrkon"}).content.decode()
    assert mine.nip in body and "Zyrkon Lain" not in body
    client.force_login(staff_a)
    assert "Zyrkon" not in client.get(url, {"reported_identity": "Zyrkon"}).content.decode()
    client.logout()
    assert client.get(url, {"reported_identity": "Zyrkon"}).status_code == 302


@pytest.mark.parametrize("n", [1, 8])
def test_case_detail_query_count_does_not_grow(client, django_assert_max_num_queries, n, unit_a, admin_user):
    from satgas.violations import services

    case, _ = report(unit=unit_a, files=[png() for _ in range(n)], links=[f"https://x.test/{i}" for i in range(n)])
    for i in range(n):
        services.note_add(actor=admin_user, case=case, body=f"catatan {i}")
        services.message_to_reporter(actor=admin_user, case=case, body=f"pesan {i}")
    services.case_assign(actor=admin_user, case=case, handler=admin_user)
    client.force_login(admin_user)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("violations:case_detail", args=[case.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("catatan ") == n
