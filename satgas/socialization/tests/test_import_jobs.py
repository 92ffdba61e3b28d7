"""No attendance list stays "being read" forever (``satgas.core.jobs``): a killed worker's list is resumed by the
sweep, a hopeless one fails with a message, and the organiser can cancel an unfinished list and read a failed one
again."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation

from satgas.core import jobs
from satgas.personnel.tests.factories import PersonFactory
from satgas.socialization import services
from satgas.socialization.models import Attendance, AttendanceImport, AttendanceImportStatus

from .factories import SessionFactory

S = AttendanceImportStatus


@pytest.fixture
def session(unit_a):
    return SessionFactory(units=[unit_a])


@pytest.fixture
def member(unit_a):
    return PersonFactory(unit=unit_a)


@pytest.fixture
def queued(session, taskforce_a, member):
    return AttendanceImport.objects.create(
        session=session, uploaded_by=taskforce_a, numbers_text=member.nip, lease_until=jobs.waiting_lease()
    )


def _killed_while_reading(job) -> AttendanceImport:
    """What a worker killed while reading the list leaves: RUNNING, held by a dead run, nothing recorded."""
    AttendanceImport.objects.filter(pk=job.pk).update(
        status=S.RUNNING,
        run_token="00000000-0000-0000-0000-000000000001",
        lease_until=timezone.now() + dt.timedelta(seconds=services.ATTENDANCE_IMPORT_TIME_LIMIT + 60),
    )
    return AttendanceImport.objects.get(pk=job.pk)


def test_a_killed_list_is_resumed_by_the_sweep_and_finishes(queued, django_capture_on_commit_callbacks):
    killed = _killed_while_reading(queued)
    # The redelivered task does nothing while the dead run's lease lasts...
    assert services.attendance_import_run(import_id=killed.pk) is None
    assert jobs.sweep()["attendance-import"] == {"resumed": 0, "failed": 0}
    # ...and once it ran out, the sweep resumes it: the list is read and the attendance recorded.
    later = timezone.now() + dt.timedelta(seconds=services.ATTENDANCE_IMPORT_TIME_LIMIT + 61)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep()["attendance-import"] == {"resumed": 1, "failed": 0}
    done = AttendanceImport.objects.get(pk=queued.pk)
    assert done.status == S.DONE and done.rescues == 1 and done.run_token is None
    assert Attendance.objects.filter(session=queued.session).count() == 1


def test_a_list_whose_task_never_started_is_resumed(queued, django_capture_on_commit_callbacks):
    """The upload made while Redis was full stayed 'waiting' forever."""
    later = timezone.now() + dt.timedelta(seconds=jobs.settings.SATGAS_JOB_START_SECONDS + 1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        assert jobs.sweep()["attendance-import"] == {"resumed": 1, "failed": 0}
    assert AttendanceImport.objects.get(pk=queued.pk).status == S.DONE


def test_a_list_that_keeps_dying_fails_with_a_message_and_can_be_read_again(
    client, taskforce_a, queued, django_capture_on_commit_callbacks
):
    killed = _killed_while_reading(queued)
    AttendanceImport.objects.filter(pk=killed.pk).update(rescues=2)
    later = timezone.now() + dt.timedelta(seconds=services.ATTENDANCE_IMPORT_TIME_LIMIT + 61)
    with time_machine.travel(later), translation.override("en"):
        assert jobs.sweep()["attendance-import"] == {"resumed": 0, "failed": 1}
    failed = AttendanceImport.objects.get(pk=queued.pk)
    assert failed.status == S.FAILED and "interrupted 3 times" in failed.failure and failed.can_retry
    assert not Attendance.objects.exists()
    client.force_login(taskforce_a)
    result = reverse("socialization:attendance_import_result", args=[queued.session.pk, queued.pk])
    retry = reverse("socialization:attendance_import_retry", args=[queued.session.pk, queued.pk])
    assert retry in client.get(result).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(retry).status_code == 302
    assert AttendanceImport.objects.get(pk=queued.pk).status == S.DONE
    assert Attendance.objects.count() == 1
    client.post(retry)  # finished: not again
    assert Attendance.objects.count() == 1


def test_cancelling_a_list_being_read_records_nothing(queued, taskforce_a, monkeypatch):
    from satgas.socialization import parsing

    real = parsing.numbers_from_text

    def cancelled_while_reading(text):
        services.attendance_import_cancel(actor=taskforce_a, job=queued)  # the organiser clicks Cancel
        return real(text)

    monkeypatch.setattr(parsing, "numbers_from_text", cancelled_while_reading)
    assert services.attendance_import_run(import_id=queued.pk) is None
    assert AttendanceImport.objects.get(pk=queued.pk).status == S.CANCELLED
    assert not Attendance.objects.exists()


def test_the_organiser_can_cancel_a_waiting_list(client, taskforce_a, queued):
    client.force_login(taskforce_a)
    result = reverse("socialization:attendance_import_result", args=[queued.session.pk, queued.pk])
    cancel = reverse("socialization:attendance_import_cancel", args=[queued.session.pk, queued.pk])
    assert cancel in client.get(result).content.decode()
    assert client.post(cancel).status_code == 302
    assert AttendanceImport.objects.get(pk=queued.pk).status == S.CANCELLED
    assert services.attendance_import_run(import_id=queued.pk) is None  # a late task does nothing
    assert not Attendance.objects.exists()


def test_cancel_and_retry_are_for_the_session_s_organisers_only(client, taskforce_b, queued):
    client.force_login(taskforce_b)
    for name in ("socialization:attendance_import_cancel", "socialization:attendance_import_retry"):
        assert client.post(reverse(name, args=[queued.session.pk, queued.pk])).status_code in (403, 404)
    assert AttendanceImport.objects.get(pk=queued.pk).status == S.PENDING
