import pytest
from django.urls import reverse

from satgas.violations import receipts, services
from satgas.violations.models import Case, CaseStatus, Message
from satgas.violations.tests.factories import report

STATUS_URL = "/lapor/status/"


def test_code_is_random_20_digits_and_stored_only_as_hash(unit_a):
    case, code = report(unit=unit_a)
    assert len(code) == 20 and code.isdigit()
    assert case.receipt_hash == receipts.code_hash(code) != code
    values = " ".join(str(v) for v in Case.objects.filter(pk=case.pk).values().first().values())
    assert code not in values
    assert report(unit=unit_a)[1] != code


def test_case_record_has_no_ip_or_browser_field():
    names = {f.name for f in Case._meta.get_fields()}
    assert not {"ip_address", "user_agent"} & names
    assert not any(f.get_internal_type() == "GenericIPAddressField" for f in Case._meta.concrete_fields)


def test_right_code_shows_status_and_exchanges_messages(client, unit_a, admin_user):
    case, code = report(unit=unit_a)
    services.case_transition(actor=admin_user, case=case, to=CaseStatus.VERIFICATION, reason="mulai verifikasi")
    services.message_to_reporter(actor=admin_user, case=case, body="Mohon kirim tautan unggahan.")
    spaced = receipts.code_display(code)
    response = client.post(STATUS_URL, {"code": spaced})
    assert response.status_code == 200
    body = response.content.decode()
    assert case.number in body and 'data-status="VERIFICATION"' in body
    assert "Mohon kirim tautan unggahan." in body
    response = client.post(STATUS_URL, {"code": code, "body": "Tautannya https://x.test/p/1"})
    assert response.status_code == 200
    message = Message.objects.get(case=case, direction="IN")
    assert message.body == "Tautannya https://x.test/p/1" and message.author is None
    assert code not in response.content.decode().split('name="code" value="')[0]


def test_wrong_code_is_refused(client, unit_a):
    report(unit=unit_a)
    response = client.post(STATUS_URL, {"code": "1" * 20})
    assert response.status_code == 404
    assert "data-status" not in response.content.decode()


@pytest.mark.parametrize("attempts_before", [10])
def test_brute_force_is_rate_limited_per_ip(client, unit_a, settings, attempts_before):
    case, code = report(unit=unit_a)
    for i in range(attempts_before):
        assert client.post(STATUS_URL, {"code": f"{i:020d}"}).status_code == 404
    blocked = client.post(STATUS_URL, {"code": code})
    assert blocked.status_code == 429, "even the right code is refused while the IP is blocked"
    other_ip = client.post(STATUS_URL, {"code": code}, REMOTE_ADDR="10.0.0.9")
    assert other_ip.status_code == 200


def test_closed_case_takes_no_more_messages(client, unit_a, admin_user):
    case, code = report(unit=unit_a)
    services.case_transition(actor=admin_user, case=case, to=CaseStatus.DISMISSED, reason="bukan pelanggaran")
    response = client.post(STATUS_URL, {"code": code, "body": "halo"})
    assert response.status_code == 200
    assert not Message.objects.filter(case=case).exists()


def test_public_report_shows_code_once(client, unit_a):
    response = client.post(
        reverse("violations_public:report"),
        {
            "reported_description": "Kepala seksi",
            "unit": unit_a.pk,
            "incident_date": "2024-01-10",
            "channel": "SOCIAL_MEDIA",
            "platform": "INSTAGRAM",
            "channel_url": "https://instagram.com/p/abc",
            "description": "Menyukai unggahan calon.",
        },
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store") or "no-store" in response["Cache-Control"]
    case = Case.objects.get()
    assert case.intake == "ANONYMOUS" and case.reporter is None and case.reporter_name == ""
    shown = response.content.decode().split("data-receipt-code>")[1].split("<")[0]
    assert case.receipt_hash == receipts.code_hash(shown)
    assert "203.0.113.7" not in str(list(Case.objects.values()))
    assert client.get(reverse("violations_public:status")).status_code == 200


def test_public_reports_are_limited_per_ip(client, unit_a):
    data = {
        "reported_description": "X",
        "unit": unit_a.pk,
        "incident_date": "2024-01-10",
        "channel": "OTHER",
        "description": "Y",
    }
    url = reverse("violations_public:report")
    for _ in range(receipts.PUBLIC_REPORTS_PER_HOUR):
        assert client.post(url, data).status_code == 200
    assert client.post(url, data).status_code == 429
    assert Case.objects.count() == receipts.PUBLIC_REPORTS_PER_HOUR
