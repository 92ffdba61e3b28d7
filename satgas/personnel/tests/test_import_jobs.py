"""No import stays "running" forever (``satgas.core.jobs``): a killed worker's import is resumed by the sweep, a
hopeless one fails with advice, and the person can cancel any unfinished import and try a failed one again."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from satgas.core import jobs
from satgas.core.models import OutboxMessage
from satgas.personnel import services
from satgas.personnel.models import ImportStatus, Person, PersonnelImport

from .test_importing import make_csv, three_kinds

S = ImportStatus


@pytest.fixture
def stored(admin_user, unit_a, unit_b):
    return PersonnelImport.objects.create(
        uploaded_by=admin_user,
        filename="pegawai.csv",
        content=make_csv(three_kinds()),
        lease_until=jobs.waiting_lease(),
    )


def _killed_while_importing(record, admin_user) -> PersonnelImport:
    """What a worker killed in the middle of the import leaves: APPLYING, claimed, 15 %, nothing written."""
    PersonnelImport.objects.filter(pk=record.pk).update(status=S.APPLYING, applied_by=admin_user)
    token = jobs.claim(
        PersonnelImport, record.pk, waiting=[], running=S.APPLYING, held=None, lease_seconds=services.IMPORT_TIME_LIMIT
    )
    assert token is None  # not claimable without the "no run holds it" condition: confirm leaves no token
    PersonnelImport.objects.filter(pk=record.pk).update(
        run_token="00000000-0000-0000-0000-000000000001",
        lease_until=timezone.now() + dt.timedelta(seconds=services.IMPORT_TIME_LIMIT + 60),
        processed_rows=15,
        total_rows=100,
    )
    return PersonnelImport.objects.get(pk=record.pk)


def test_a_killed_import_is_resumed_by_the_sweep_and_finishes(stored, admin_user, django_capture_on_commit_callbacks):
    killed = _killed_while_importing(stored, admin_user)
    # The redelivered task does nothing while the dead run's lease lasts (it cannot tell it is dead)...
    assert services.personnel_import_run(import_id=killed.pk, apply=True) is None
    assert jobs.sweep()["personnel-import"] == {"resumed": 0, "failed": 0}
    # ...and once the lease ran out, the sweep resumes it: the import runs again and finishes.
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=services.IMPORT_TIME_LIMIT + 61)):
        assert jobs.stalled_count() == 1
        with django_capture_on_commit_callbacks(execute=True):
            assert jobs.sweep()["personnel-import"] == {"resumed": 1, "failed": 0}
    done = PersonnelImport.objects.get(pk=stored.pk)
    assert done.status == S.APPLIED and done.rescues == 1 and done.run_token is None
    assert Person.objects.count() == 3


def test_an_import_that_keeps_dying_fails_with_advice(stored, admin_user):
    killed = _killed_while_importing(stored, admin_user)
    PersonnelImport.objects.filter(pk=killed.pk).update(rescues=2)
    later = timezone.now() + dt.timedelta(seconds=services.IMPORT_TIME_LIMIT + 61)
    with time_machine.travel(later), translation.override("en"):
        assert jobs.sweep()["personnel-import"] == {"resumed": 0, "failed": 1}
    failed = PersonnelImport.objects.get(pk=stored.pk)
    assert failed.status == S.FAILED and "split it into smaller files" in failed.failure
    assert failed.can_retry and not Person.objects.exists()


def test_an_upload_whose_check_never_started_is_resumed(stored, django_capture_on_commit_callbacks):
    """The upload made while Redis was full stayed 'waiting to be checked' forever."""
    later = timezone.now() + dt.timedelta(seconds=jobs.settings.SATGAS_JOB_START_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep()["personnel-import"] == {"resumed": 1, "failed": 0}
    assert PersonnelImport.objects.get(pk=stored.pk).status == S.VALIDATED


def test_cancelling_a_running_import_stops_it_and_changes_nothing(stored, admin_user):
    PersonnelImport.objects.filter(pk=stored.pk).update(status=S.APPLYING, applied_by=admin_user)
    from satgas.personnel import importing

    real = importing.import_personnel_file

    def cancelled_meanwhile(**kwargs):
        services.personnel_import_cancel(actor=admin_user, personnel_import=stored)  # the person clicks Cancel
        return real(**kwargs)

    importing.import_personnel_file = cancelled_meanwhile
    try:
        assert services.personnel_import_run(import_id=stored.pk, apply=True) is None
    finally:
        importing.import_personnel_file = real
    assert PersonnelImport.objects.get(pk=stored.pk).status == S.CANCELLED
    assert not Person.objects.exists()  # rolled back


def test_the_person_can_cancel_a_waiting_import_and_retry_a_failed_one(
    client, admin_user, stored, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    page = client.get(reverse("personnel:import_detail", args=[stored.pk])).content.decode()
    assert reverse("personnel:import_cancel", args=[stored.pk]) in page  # waiting: cancel offered
    PersonnelImport.objects.filter(pk=stored.pk).update(status=S.FAILED, failure="Interrupted.")
    page = client.get(reverse("personnel:import_detail", args=[stored.pk])).content.decode()
    assert reverse("personnel:import_retry", args=[stored.pk]) in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("personnel:import_retry", args=[stored.pk]))
    assert response.status_code == 302
    assert PersonnelImport.objects.get(pk=stored.pk).status == S.VALIDATED  # checked again
    assert OutboxMessage.objects.filter(task_name=services.CHECK_TASK).exists()
    # Finished: neither again.
    assert client.post(reverse("personnel:import_retry", args=[stored.pk])).status_code == 302
    assert PersonnelImport.objects.get(pk=stored.pk).status == S.VALIDATED


def test_retry_and_cancel_are_for_importers_only(client, taskforce_a, stored):
    client.force_login(taskforce_a)
    assert client.post(reverse("personnel:import_retry", args=[stored.pk])).status_code in (403, 404)
