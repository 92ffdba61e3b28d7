"""The idempotency of create forms (issue 14.7), on /lapor/ and on the mechanism itself (satgas/core/submissions.py).
Every create view of the project is covered in test_create_views.py."""

import datetime as dt
import re
import threading
from unittest import mock

import pytest
from django.db import connection, transaction
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from satgas.core.models import FormSubmission
from satgas.core.submissions import TOKEN_FIELD, purge
from satgas.violations import receipts
from satgas.violations.models import Case


def token_of(html: str) -> str:
    return re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', html).group(1)


def receipt_code(response) -> str:
    return re.search(r"data-receipt-code>([^<]+)<", response.content.decode()).group(1)


@pytest.fixture
def report_data(unit_a):
    return {
        "reported_description": "Petugas bagian umum",
        "unit": unit_a.pk,
        "incident_date": (timezone.localdate() - dt.timedelta(days=3)).isoformat(),
        "channel": "EVENT",
        "description": "Hadir di deklarasi calon dengan seragam dinas.",
    }


def test_every_render_of_a_create_form_has_a_fresh_token(client, db):
    first, second = (token_of(client.get(reverse("violations_public:report")).content.decode()) for _ in range(2))
    assert first != second and len(first) >= 40
    rendered = Template("{% load satgas %}{% idempotency_token %}").render(Context())
    assert f'name="{TOKEN_FIELD}"' in rendered and token_of(rendered) not in (first, second)


def test_a_public_report_sent_twice_is_stored_once_with_the_same_receipt_code(client, report_data):
    token = token_of(client.get(reverse("violations_public:report")).content.decode())
    first = client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    second = client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert first.status_code == second.status_code == 200
    case = Case.objects.get()
    assert receipt_code(first) == receipt_code(second)
    assert receipts.code_hash(receipt_code(second)) == case.receipt_hash
    assert case.number in second.content.decode() and "data-replayed" in second.content.decode()
    assert second["Cache-Control"].startswith("no-store") or "no-store" in second["Cache-Control"]


def test_a_new_render_of_the_form_reports_again(client, report_data):
    for _ in range(2):
        token = token_of(client.get(reverse("violations_public:report")).content.decode())
        client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert Case.objects.count() == 2


def test_a_refused_report_keeps_the_token_usable(client, report_data):
    token = token_of(client.get(reverse("violations_public:report")).content.decode())
    refused = client.post(reverse("violations_public:report"), {**report_data, "description": "", TOKEN_FIELD: token})
    assert refused.status_code == 200 and not Case.objects.exists()
    assert not FormSubmission.objects.exists()
    corrected = client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert "data-receipt-code" in corrected.content.decode() and Case.objects.count() == 1


def test_a_request_that_fails_stores_nothing_and_the_retry_stores_once(report_data):
    """The counter in the cache fails after the case was written (Redis full): nothing is kept, and the
    browser's retry of the same form stores the report once."""
    browser = Client(raise_request_exception=False)
    token = token_of(browser.get(reverse("violations_public:report")).content.decode())
    with mock.patch.object(receipts, "record_public_report", side_effect=OSError("OOM command not allowed")):
        failed = browser.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert failed.status_code == 500
    assert not Case.objects.exists() and not FormSubmission.objects.exists()
    retried = browser.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    again = browser.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert Case.objects.count() == 1
    assert receipt_code(retried) == receipt_code(again)


@pytest.mark.django_db(transaction=True)
def test_a_report_stored_before_a_500_is_shown_again_on_retry_with_its_code(report_data):
    """Issue 14.7: the case was committed, then the answer failed (work queued after the commit could not be
    handed to a full Redis): the reporter's retry shows the same case and receipt code and stores nothing."""
    from satgas.violations import services

    real_audit = services.audit_record

    def audit_then_queue_work_that_fails(**kwargs):
        transaction.on_commit(mock.Mock(side_effect=OSError("OOM command not allowed when used memory > maxmemory")))
        return real_audit(**kwargs)

    browser = Client(raise_request_exception=False)
    token = token_of(browser.get(reverse("violations_public:report")).content.decode())
    with mock.patch.object(services, "audit_record", audit_then_queue_work_that_fails):
        failed = browser.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert failed.status_code == 500 and Case.objects.count() == 1
    retried = browser.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert retried.status_code == 200 and Case.objects.count() == 1
    assert receipts.code_hash(receipt_code(retried)) == Case.objects.get().receipt_hash


def test_the_code_is_kept_encrypted_and_only_for_a_while(client, report_data, settings, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    token = token_of(client.get(reverse("violations_public:report")).content.decode())
    first = client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    code = receipt_code(first).replace(" ", "")
    record = FormSubmission.objects.get()
    stored = " ".join(str(v) for v in FormSubmission.objects.values().get().values())
    assert code not in stored.replace(" ", "") and token not in stored  # neither the code nor the token
    assert record.owner == "anonymous" and record.result_id == str(Case.objects.get().pk)

    time_machine.shift(dt.timedelta(seconds=settings.SATGAS_FORM_SECRET_SECONDS + 1))
    later = client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token})
    assert "data-receipt-code-gone" in later.content.decode() and Case.objects.count() == 1
    assert purge() == (1, 0)
    assert FormSubmission.objects.get().secret == ""

    time_machine.shift(dt.timedelta(days=settings.SATGAS_FORM_SUBMISSION_KEEP_DAYS))
    assert purge() == (0, 1)
    assert not FormSubmission.objects.exists()


def test_a_token_is_bound_to_the_signed_in_user(client, unit_a, admin_user, taskforce_a):
    from satgas.personnel.models import Unit

    data = {"code": "UNIT-X", "name": "Unit X", "unit_type": "LAPAS", "unit_class": "I", "parent": unit_a.parent_id}
    data["is_active"] = "on"
    client.force_login(admin_user)
    token = token_of(client.get(reverse("personnel:unit_create")).content.decode())
    first = client.post(reverse("personnel:unit_create"), {**data, TOKEN_FIELD: token})
    assert first.status_code == 302 and Unit.objects.filter(code="UNIT-X").count() == 1
    other = admin_user.__class__.objects.create_user(email="admin2@uji.test", password="x" * 12)
    from satgas.accounts.models import Role
    from satgas.accounts.tests.factories import RoleAssignmentFactory

    RoleAssignmentFactory(user=other, role=Role.REGIONAL_ADMIN)
    client.force_login(other)
    second = client.post(reverse("personnel:unit_create"), {**data, "code": "UNIT-Y", TOKEN_FIELD: token})
    assert second.status_code == 302 and Unit.objects.filter(code="UNIT-Y").count() == 1
    assert FormSubmission.objects.count() == 2


def test_a_post_without_a_token_is_handled_as_before(client, report_data):
    client.post(reverse("violations_public:report"), report_data)
    client.post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: "short"})
    assert Case.objects.count() == 2 and not FormSubmission.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twin_requests_at_the_same_moment_store_one_report(report_data):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking and concurrent connections")
    token = token_of(Client().get(reverse("violations_public:report")).content.decode())
    barrier = threading.Barrier(4)
    codes, errors = [], []

    def send():
        from django.db import connections

        try:
            barrier.wait()
            codes.append(
                receipt_code(Client().post(reverse("violations_public:report"), {**report_data, TOKEN_FIELD: token}))
            )
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Case.objects.count() == 1 and len(set(codes)) == 1 and len(codes) == 4


def test_the_purge_is_scheduled_hourly(settings, db):
    from satgas.core.tasks import form_submissions_purge

    entry = settings.CELERY_BEAT_SCHEDULE["form-submissions-purge"]
    assert entry["task"] == "satgas.core.tasks.form_submissions_purge"
    assert form_submissions_purge() == [0, 0]
