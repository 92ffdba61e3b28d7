"""The beat schedule entry, the scheduler that keeps admin edits, the dispatch task and the command."""

import io
import re
from pathlib import Path
from unittest import mock

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from satgas.core.beat import DatabaseScheduler
from satgas.personnel.tests.factories import UnitFactory
from satgas.reports import documents, services, tasks
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.tests.factories import AFTER_2024_1, approver, ensure_head, report_at

pytestmark = pytest.mark.django_db
NOT_AUTO_APPROVED = (
    "The report is a draft: approve it in the application first, or pass --approve "
    "(or set SATGAS_REPORT_AUTO_SEND) to let the system approve it."
)


def said(msgid: str) -> str:
    """A pattern matching the message ``msgid`` in the language the command speaks (the active one)."""
    return re.escape(gettext(msgid))


def test_the_dispatch_runs_early_on_1_january_and_1_july_wib():
    entry = settings.CELERY_BEAT_SCHEDULE["semester-report-dispatch"]
    assert entry["task"] == "satgas.reports.tasks.semester_reports_dispatch"
    assert entry["schedule"] == crontab(minute=30, hour=1, day_of_month=1, month_of_year="1,7")
    assert settings.CELERY_TIMEZONE == "Asia/Jakarta"
    assert (
        settings.CELERY_BEAT_SCHEDULE["semester-report-sweep"]["task"] == "satgas.reports.tasks.semester_reports_sweep"
    )
    assert settings.CELERY_BEAT_SCHEDULER == "satgas.core.beat:DatabaseScheduler"
    from satgas.celery import app

    assert tasks.semester_reports_dispatch.name in app.tasks and tasks.semester_report_deliver.name in app.tasks


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The scheduler closes "old" connections between reads, which would close the test's transaction."""
    with mock.patch("django_celery_beat.schedulers.close_old_connections"):
        yield


def _setup_schedule():
    from satgas.celery import app

    scheduler = DatabaseScheduler(app=app, lazy=True)
    scheduler.setup_schedule()
    return scheduler


def test_the_scheduler_creates_code_entries_and_keeps_admin_edits():
    _setup_schedule()
    task = PeriodicTask.objects.get(name="semester-report-dispatch")
    assert task.task == "satgas.reports.tasks.semester_reports_dispatch" and task.enabled
    cron = task.crontab
    assert (cron.minute, cron.hour, cron.day_of_month, cron.month_of_year) == ("30", "1", "1", "1,7")
    assert str(cron.timezone) == "Asia/Jakarta"
    # An admin moves it to 05:00 and turns the sweep off in /django-admin/django_celery_beat/.
    later, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="5", day_of_month="1", month_of_year="1,7", day_of_week="*", timezone="Asia/Jakarta"
    )
    task.crontab = later
    task.save()
    PeriodicTask.objects.filter(name="semester-report-sweep").update(enabled=False)
    scheduler = _setup_schedule()  # beat restarts
    task.refresh_from_db()
    assert (task.crontab.hour, task.crontab.minute) == ("5", "0")
    assert not PeriodicTask.objects.get(name="semester-report-sweep").enabled
    assert "semester-report-dispatch" in scheduler.schedule and "semester-report-sweep" not in scheduler.schedule
    # A deleted entry comes back from the code at the next start.
    PeriodicTask.objects.filter(name="semester-report-dispatch").delete()
    _setup_schedule()
    assert PeriodicTask.objects.get(name="semester-report-dispatch").crontab.hour == "1"


def test_the_stock_scheduler_would_have_overwritten_the_edit():
    """Why satgas.core.beat exists (django-celery-beat 2.9 updates rows from CELERY_BEAT_SCHEDULE)."""
    from django_celery_beat.schedulers import DatabaseScheduler as Stock

    from satgas.celery import app

    _setup_schedule()
    later, _ = CrontabSchedule.objects.get_or_create(
        minute="0", hour="5", day_of_month="1", month_of_year="1,7", day_of_week="*", timezone="Asia/Jakarta"
    )
    PeriodicTask.objects.filter(name="semester-report-dispatch").update(crontab=later)
    stock = Stock(app=app, lazy=True)
    stock.setup_schedule()
    assert PeriodicTask.objects.get(name="semester-report-dispatch").crontab.hour == "1"  # the edit is lost


def test_the_dispatch_task(region, admin_user, fast_pdf, django_capture_on_commit_callbacks):
    with time_machine.travel(AFTER_2024_1, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = tasks.semester_reports_dispatch.apply().get()
        again = tasks.semester_reports_dispatch.apply().get()
    assert result["generated"] == ["KWJATENG"] and again["generated"] == []
    assert SemesterReport.objects.get().versions.count() == 1


def test_the_command_prints_the_pdf_path_and_hash_last(region, tmp_path, fast_pdf):
    out, err = io.StringIO(), io.StringIO()
    with time_machine.travel(AFTER_2024_1, tick=False):
        call_command("semester_report", "--period", "2024-1", "--output", str(tmp_path), stdout=out, stderr=err)
    path, digest = out.getvalue().strip().splitlines()[-1].split(" ")
    assert path == str(tmp_path / "kwjateng-2024-1-v1.pdf") and Path(path).is_absolute()
    assert digest == documents.sha256(Path(path).read_bytes()) == SemesterReport.objects.get().versions.get().pdf_sha256
    assert "letter W.10-1.KP.05.02 TAHUN 2024" in err.getvalue()


def _command(*args, out=None, err=None):
    out, err = out or io.StringIO(), err or io.StringIO()
    with time_machine.travel(AFTER_2024_1, tick=False):
        call_command("semester_report", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_the_command_sends_a_draft_only_when_told_the_system_may_approve(
    region, tmp_path, fast_pdf, settings, django_capture_on_commit_callbacks
):
    ensure_head(region)
    with pytest.raises(CommandError, match=said(NOT_AUTO_APPROVED)):
        _command("--period=2024-1", "--office=kwjateng", "--send", f"--output={tmp_path}")
    assert not SemesterReport.objects.exists()  # refused before changing anything
    _command("--period=2024-1", "--office=kwjateng", f"--output={tmp_path}")
    with pytest.raises(CommandError, match=said(NOT_AUTO_APPROVED)):
        _command("--period=2024-1", "--office=kwjateng", "--send", f"--output={tmp_path}")
    report = SemesterReport.objects.get()
    assert report.status == ReportStatus.DRAFT
    with django_capture_on_commit_callbacks(execute=True):
        _out, err = _command("--period=2024-1", "--office=kwjateng", "--send", "--approve", f"--output={tmp_path}")
    report.refresh_from_db()
    assert report.status == ReportStatus.DELIVERED and report.approved_automatically
    assert "queued for sending" in err and report.versions.count() == 1
    # With SATGAS_REPORT_AUTO_SEND the system may approve without --approve.
    settings.SATGAS_REPORT_AUTO_SEND = True
    other = UnitFactory(code="KWJATIM", name="Kanwil Jatim", unit_type="KANWIL", unit_class="")
    ensure_head(other)
    with django_capture_on_commit_callbacks(execute=True):
        _command("--period=2024-1", "--office=KWJATIM", "--send", f"--output={tmp_path}")
    assert SemesterReport.objects.get(office=other).status == ReportStatus.DELIVERED


def test_the_command_never_undoes_an_approval_without_regenerate(region, admin_user, tmp_path, fast_pdf):
    report = report_at(ReportStatus.APPROVED, office=region, admin=admin_user)
    out, err = _command("--period", "2024-1", "--output", str(tmp_path))
    report.refresh_from_db()
    assert report.status == ReportStatus.APPROVED and report.versions.count() == 1
    assert "--regenerate to recompute" in err
    assert out.strip().endswith(f"kwjateng-2024-1-v1.pdf {report.approved_version.pdf_sha256}")
    out, err = _command("--period", "2024-1", "--regenerate", "--output", str(tmp_path))
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT and report.versions.count() == 2
    assert "approval of the previous version was dropped" in err
    assert out.strip().endswith(f"kwjateng-2024-1-v2.pdf {report.versions.get(number=2).pdf_sha256}")
    # Once sent, nothing regenerates it; without --regenerate the sent version's PDF is written.
    with mock.patch("satgas.reports.tasks.semester_report_deliver.delay"):
        approver(admin_user)
        services.semester_report_approve(actor=admin_user, report=report)
        services.semester_report_send(actor=admin_user, report=report)
    with pytest.raises(CommandError, match=said("This report has been sent: its letter can no longer change.")):
        _command("--period", "2024-1", "--regenerate", "--output", str(tmp_path))
    out, _err = _command("--period", "2024-1", "--output", str(tmp_path))
    assert out.strip().endswith(f"kwjateng-2024-1-v2.pdf {report.versions.get(number=2).pdf_sha256}")


def test_the_output_file_name_is_safe_whatever_the_office_code(region, tmp_path, fast_pdf):
    region.code = "KW JATENG/2"
    region.save(update_fields=["code"])
    out, _err = _command("--period", "2024-1", "--output", str(tmp_path))
    path = out.strip().splitlines()[-1].split(" ")[0]
    assert path == str(tmp_path / "kw-jateng2-2024-1-v1.pdf") and Path(path).is_file()
    assert list(tmp_path.iterdir()) == [Path(path)]


@pytest.mark.parametrize(
    "args,message",
    [
        (["--period", "2024-3"], "is not a period"),
        (["--period", "2024-1", "--office", "NOPE"], "No unit has the code"),
        (["--period", "2024-1", "--office", "LAPAS-A"], "is not an active regional office"),
        (["--period", "2999-1"], "This period has not ended yet."),
        (["--period", "2024-1", "--approve"], "--approve only goes with --send"),
    ],
)
def test_the_command_refuses_bad_input(region, unit_a, args, message):
    # The messages the command takes from the translation catalogue are in the active language.
    with pytest.raises(CommandError, match=said(message)):
        call_command("semester_report", *args)


def test_a_bad_period_exits_with_status_1(capsys):
    from django.core.management import ManagementUtility

    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["manage.py", "semester_report", "--period", "2024-13"]).execute()
    assert exit_.value.code == 1
    assert "is not a period" in capsys.readouterr().err
