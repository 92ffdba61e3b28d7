"""The import runs in a real Celery worker over Redis (CI: REDIS_URL set)."""

import time

import pytest
from django.conf import settings

from satgas.personnel import services
from satgas.personnel.models import ImportStatus, Person, PersonnelImport
from satgas.personnel.tests.factories import make_nip

pytestmark = [
    pytest.mark.redis,
    pytest.mark.skipif(not settings.REDIS_URL, reason="REDIS_URL not set: no broker for a real worker"),
]


def _wait_for(import_id, statuses, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = PersonnelImport.objects.get(pk=import_id)
        if record.status in statuses:
            return record
        time.sleep(0.2)
    raise AssertionError(f"import stayed {record.status}")


@pytest.mark.django_db(transaction=True)
def test_upload_check_and_apply_run_in_the_worker(celery_worker_on_redis, admin_user, unit_a):
    rows = "\n".join(f"Pegawai {i};PNS;{make_nip(serial=i)};LAPAS-A" for i in range(1, 301))
    content = f"nama;jenis_pegawai;nip;kode_unit\n{rows}\n".encode()
    record = services.personnel_import_start(
        actor=admin_user, filename="besar.csv", content=content, strict=False, create_accounts=False
    )
    record = _wait_for(record.pk, {ImportStatus.VALIDATED, ImportStatus.FAILED})
    assert record.status == ImportStatus.VALIDATED
    assert record.counts["created"] == 300 and record.total_rows == 300
    assert not Person.objects.exists()

    services.personnel_import_confirm(actor=admin_user, personnel_import=record)
    record = _wait_for(record.pk, {ImportStatus.APPLIED, ImportStatus.FAILED})
    assert record.status == ImportStatus.APPLIED
    assert Person.objects.count() == 300
