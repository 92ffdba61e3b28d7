"""Generation, versions and frozen numbers, approval, sending, letter numbers, the schedule's dispatch."""

import datetime as dt
import threading
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from satgas.accounts.models import Role
from satgas.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from satgas.core.models import AuditEvent
from satgas.core.tests.outbox import waiting as outbox_waiting
from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.reports import services
from satgas.reports.models import LetterCounter, ReportStatus, SemesterReport
from satgas.reports.periods import Semester
from satgas.reports.tests.factories import (
    AFTER_2024_1,
    S2024_1,
    approver,
    ensure_head,
    generate,
    report_at,
    wib,
)

pytestmark = pytest.mark.django_db
S = ReportStatus
NO_SIGNER = (
    "The letter has no signer: record the head of the office (a person with a NIP) in the unit's record, "
    "then regenerate the report before approving it."
)
NOT_GENERATED = "Six-monthly report %(period)s NOT generated: %(office)s"


def mail_text(msgid: str) -> str:
    """A template text as the emails have it: they are written in the site's language."""
    with translation.override(django_settings.LANGUAGE_CODE):
        return gettext(msgid)


@pytest.fixture(autouse=True)
def _fast(fast_pdf):
    return fast_pdf


def test_first_generation_creates_the_report_with_its_number_and_a_draft_text(region, admin_user):
    PersonFactory(unit=region)
    version = generate(office=region, actor=admin_user)
    report = version.report
    assert (report.status, version.number, version.reason) == (S.DRAFT, 1, "generated")
    assert report.letter_number == "W.10-1.KP.05.02 TAHUN 2024" and report.letter_year == 2024
    assert report.hal == "Laporan Hasil Monitoring dan Evaluasi Satgas Netralitas ASN dan PPNPN Semester I Tahun 2024"
    assert "mencatat 1 pegawai aktif" in report.summary and report.obstacles and report.follow_up_plan
    assert report.recipients_to == ["biro.sdm@kemenkumham.go.id"]
    assert version.letter_date == dt.date(2024, 7, 1)
    assert len(version.pdf_sha256) == 64 and version.pdf_sha256 == services.documents.sha256(bytes(version.pdf))
    assert version.generated_by == admin_user and version.text["summary"] == report.summary
    event = AuditEvent.objects.get(action="report.generated")
    assert event.actor == admin_user and version.pdf_sha256 in event.note


def test_one_report_per_office_and_period_is_a_database_rule(region, admin_user):
    report = generate(office=region).report
    with pytest.raises(IntegrityError), transaction.atomic():
        SemesterReport.objects.create(
            office=region, year=2024, half=1, letter_number="X", letter_seq=9, letter_year=2024, hal="x"
        )
    again = generate(office=region, actor=admin_user)
    assert again.report == report and again.number == 2 and again.reason == "regenerated"
    assert SemesterReport.objects.count() == 1


def test_only_finished_periods_of_regional_offices(region, unit_a, admin_user):
    with pytest.raises(services.ReportError) as exc:
        generate(office=region, semester=Semester(2024, 2))
    assert exc.value.code == "period_not_over"
    with pytest.raises(services.ReportError) as exc:
        generate(office=unit_a)
    assert exc.value.code == "not_an_office"
    with pytest.raises(services.ReportError) as exc:
        generate(office=region, actor=UserFactory())
    assert exc.value.code == "forbidden"


def test_numbers_are_frozen_in_each_version(region, admin_user):
    first = generate(office=region, actor=admin_user)
    assert first.snapshot["personnel"]["total"]["total"] == 0
    PersonFactory(unit=region)  # the data changes after generation
    first.refresh_from_db()
    assert first.snapshot["personnel"]["total"]["total"] == 0
    # Editing the text re-renders from the latest snapshot: the numbers stay as they were.
    with time_machine.travel(wib(2024, 7, 2, 9, 0), tick=False):
        edited = services.semester_report_text_update(
            actor=admin_user, report=first.report, summary="Ringkasan yang disunting.", sifat="Penting"
        )
    assert (edited.number, edited.reason) == (2, "narrative edited")
    assert edited.snapshot == first.snapshot and edited.text["summary"] == "Ringkasan yang disunting."
    assert edited.text["sifat"] == "Penting" and edited.pdf_sha256 != first.pdf_sha256
    assert edited.letter_date == dt.date(2024, 7, 2)
    # Regenerating takes the new data; a text edited by a person is kept.
    third = generate(office=region, actor=admin_user)
    assert third.number == 3 and third.snapshot["personnel"]["total"]["total"] == 1
    assert third.report.summary == "Ringkasan yang disunting."


def test_an_unedited_draft_text_follows_the_numbers(region, admin_user):
    generate(office=region, actor=admin_user)
    PersonFactory(unit=region)
    again = generate(office=region, actor=admin_user)
    assert "mencatat 1 pegawai aktif" in again.report.summary


def test_saving_an_unchanged_text_makes_no_version(region, admin_user):
    version = generate(office=region, actor=admin_user)
    report = version.report
    same = services.semester_report_text_update(actor=admin_user, report=report, summary=report.summary)
    assert same.number == 1
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_text_update(actor=admin_user, report=report, hal="   ")
    assert exc.value.code == "letter_field_required"


def test_regenerating_or_editing_an_approved_report_drops_the_approval(region, admin_user):
    report = report_at(S.APPROVED, office=region, admin=admin_user)
    assert report.approved_version.number == 1 and report.approved_by == admin_user
    services.semester_report_text_update(actor=admin_user, report=report, obstacles="Tidak ada.")
    report.refresh_from_db()
    assert (report.status, report.approved_version, report.approved_by) == (S.DRAFT, None, None)
    services.semester_report_approve(actor=admin_user, report=report, version_number=2)
    generate(office=region, actor=admin_user)
    report.refresh_from_db()
    assert report.status == S.DRAFT and report.approved_version is None


def test_approval_is_for_the_version_seen(region, admin_user):
    approver(admin_user)
    ensure_head(region)
    report = generate(office=region, actor=admin_user).report
    generate(office=region, actor=admin_user)
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_approve(actor=admin_user, report=report, version_number=1)
    assert exc.value.code == "stale_version"
    services.semester_report_approve(actor=admin_user, report=report, version_number=2)
    report.refresh_from_db()
    assert report.approved_version.number == 2
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_approve(actor=admin_user, report=report)
    assert exc.value.code == "transition_forbidden"


def test_approving_needs_the_permission_and_mfa_when_required(region, admin_user, leader, settings):
    ensure_head(region)
    report = generate(office=region, actor=admin_user).report
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_approve(actor=admin_user, report=report)
    assert exc.value.code == "forbidden"  # an admin without the permission
    approver(leader)
    settings.SATGAS_REPORT_APPROVAL_REQUIRES_MFA = True
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_approve(actor=leader, report=report)
    assert exc.value.code == "mfa_required"
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=leader, type=Authenticator.Type.TOTP, data={"secret": "x"})
    services.semester_report_approve(actor=leader, report=report)
    report.refresh_from_db()
    assert report.status == S.APPROVED and report.approved_by == leader


def test_mfa_for_approval_follows_the_admin_mfa_setting_unless_set(settings, region, admin_user):
    from satgas.reports import permissions

    settings.SATGAS_REPORT_APPROVAL_REQUIRES_MFA = None
    settings.SATGAS_REQUIRE_ADMIN_MFA = True
    assert permissions.approval_needs_mfa()
    settings.SATGAS_REQUIRE_ADMIN_MFA = False
    assert not permissions.approval_needs_mfa()
    settings.SATGAS_REPORT_APPROVAL_REQUIRES_MFA = True
    assert permissions.approval_needs_mfa()


def test_sending_queues_the_delivery_after_commit(region, admin_user, django_capture_on_commit_callbacks):
    report = report_at(S.APPROVED, office=region, admin=admin_user)
    with mock.patch("satgas.reports.tasks.semester_report_deliver.apply") as run:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.semester_report_send(actor=admin_user, report=report)
        # Recorded in the outbox in the same transaction; not run before the commit.
        assert outbox_waiting("satgas.reports.tasks.semester_report_deliver") == [[report.pk]]
        run.assert_not_called()
        for callback in callbacks:
            callback()
    run.assert_called_once()
    assert run.call_args.kwargs["args"] == [report.pk]
    report.refresh_from_db()
    assert (report.status, report.sent_by) == (S.QUEUED, admin_user)
    # Once queued, the letter never changes.
    for call in (
        lambda: generate(office=region, actor=admin_user),
        lambda: services.semester_report_text_update(actor=admin_user, report=report, summary="x"),
        lambda: services.semester_report_recipients_update(actor=admin_user, report=report, to=["a@b.test"]),
    ):
        with pytest.raises(services.ReportError) as exc:
            call()
        assert exc.value.code == "sent"


def test_a_draft_is_not_sent_and_recipients_are_needed(region, admin_user):
    report = generate(office=region, actor=admin_user).report
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_send(actor=admin_user, report=report)
    assert exc.value.code == "not_approved"
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_recipients_update(actor=admin_user, report=report, to=[])
    assert exc.value.code == "no_recipients"
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_recipients_update(actor=admin_user, report=report, to=["bukan-alamat"])
    assert exc.value.code == "bad_address"
    services.semester_report_recipients_update(
        actor=admin_user,
        report=report,
        to=["Biro.SDM@kemenkumham.go.id", "x@uji.test"],
        cc=["x@uji.test", "c@uji.test"],
    )
    report.refresh_from_db()
    assert report.recipients_to == ["biro.sdm@kemenkumham.go.id", "x@uji.test"] and report.recipients_cc == [
        "c@uji.test"
    ]


def test_letter_numbers_are_gap_free_per_office_and_year(region, admin_user, settings):
    settings.SATGAS_REPORT_NUMBER_PATTERN = "{office_code}/{seq:02d}/SMT-{half}/{year}"
    other = UnitFactory(code="KWJATIM", name="Kanwil Jatim", unit_type="KANWIL", unit_class="")
    first = generate(office=region, semester=Semester(2024, 1)).report
    with pytest.raises(RuntimeError), transaction.atomic():
        generate(office=region, semester=Semester(2023, 2))
        raise RuntimeError("rolled back after the number was claimed")
    second = generate(office=region, semester=Semester(2023, 2)).report
    jatim = generate(office=other).report
    assert [first.letter_number, second.letter_number, jatim.letter_number] == [
        "KWJATENG/01/SMT-1/2024",
        "KWJATENG/02/SMT-2/2024",
        "KWJATIM/01/SMT-1/2024",
    ]
    next_year = generate(office=region, semester=Semester(2024, 2), now=wib(2025, 1, 1, 1, 30)).report
    assert next_year.letter_number == "KWJATENG/01/SMT-2/2025"
    assert LetterCounter.objects.get(office=region, year=2024).last == 2


def test_the_dispatch_generates_the_previous_semester_once_and_tells_the_admins(
    region, admin_user, django_capture_on_commit_callbacks
):
    other = UnitFactory(code="KWJATIM", name="Kanwil Jatim", unit_type="KANWIL", unit_class="")
    RoleAssignmentFactory(user=UserFactory(email="admin2@uji.test"), role=Role.REGIONAL_ADMIN)
    with time_machine.travel(AFTER_2024_1, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = services.semester_reports_dispatch()
        second = services.semester_reports_dispatch()
    assert first["period"] == "2024-1" and first["generated"] == ["KWJATENG", "KWJATIM"] and first["failed"] == []
    assert second["generated"] == []
    assert SemesterReport.objects.filter(year=2024, half=1).count() == 2
    assert all(r.versions.count() == 1 and r.status == S.DRAFT for r in SemesterReport.objects.all())
    assert len(mail.outbox) == 2
    assert sorted(mail.outbox[0].to) == ["admin2@uji.test", "admin@uji.test"]
    assert "/laporan-semester/" in mail.outbox[0].body and other.name in mail.outbox[1].subject


def test_the_dispatch_can_send_automatically(region, admin_user, settings, django_capture_on_commit_callbacks):
    settings.SATGAS_REPORT_AUTO_SEND = True
    ensure_head(region)
    with (
        time_machine.travel(wib(2025, 1, 1, 1, 30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        result = services.semester_reports_dispatch()
    report = SemesterReport.objects.get()
    assert result["period"] == "2024-2" and (report.year, report.half) == (2024, 2)
    assert report.status == S.DELIVERED and report.approved_automatically and report.approved_by is None
    assert AuditEvent.objects.filter(action="report.approved", note__contains="automatic").exists()
    delivered = [m for m in mail.outbox if m.to == ["biro.sdm@kemenkumham.go.id"]]
    assert len(delivered) == 1 and len(delivered[0].attachments) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_generations_make_one_report(region, fast_pdf):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locking and concurrent connections")
    barrier = threading.Barrier(4)
    errors = []

    def attempt():
        from django.db import connections

        try:
            barrier.wait()
            with time_machine.travel(AFTER_2024_1, tick=False):
                services.semester_report_generate(actor=None, office=region, semester=S2024_1, now=AFTER_2024_1)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    report = SemesterReport.objects.get()
    assert sorted(report.versions.values_list("number", flat=True)) == [1, 2, 3, 4]
    assert LetterCounter.objects.get(office=region).last == 1


def test_a_letter_without_a_signer_is_not_approved(region, admin_user):
    approver(admin_user)
    report = generate(office=region, actor=admin_user).report  # the office has no head recorded
    with pytest.raises(services.ReportError) as exc:
        services.semester_report_approve(actor=admin_user, report=report)
    assert exc.value.code == "no_signer"
    from satgas.reports.errors import message

    assert message("no_signer") == gettext(NO_SIGNER)
    # Recording the head is not enough: the letter of the latest version still has no signer...
    ensure_head(region)
    with pytest.raises(services.ReportError):
        services.semester_report_approve(actor=admin_user, report=report)
    # ...a regeneration puts the head into the letter.
    generate(office=region, actor=admin_user)
    services.semester_report_approve(actor=admin_user, report=report)
    assert SemesterReport.objects.get(pk=report.pk).status == S.APPROVED


def test_a_version_made_in_a_later_year_gets_a_number_of_that_year(region, admin_user, settings):
    settings.SATGAS_REPORT_NUMBER_PATTERN = "{office_code}/{seq:02d}/SMT-{half}/{year}"
    first = generate(office=region, actor=admin_user, now=wib(2024, 12, 31, 23, 0))
    report = first.report
    assert (report.letter_number, first.letter_number, first.letter_date) == (
        "KWJATENG/01/SMT-1/2024",
        "KWJATENG/01/SMT-1/2024",
        dt.date(2024, 12, 31),
    )
    with time_machine.travel(wib(2024, 12, 31, 23, 30), tick=False):
        same_year = services.semester_report_text_update(actor=admin_user, report=report, summary="Teks 2.")
    assert same_year.letter_number == "KWJATENG/01/SMT-1/2024"
    # After New Year (WIB): the letter is dated 2025, so it carries a 2025 number, gap-free.
    with time_machine.travel(wib(2025, 1, 1, 0, 10), tick=False):
        edited = services.semester_report_text_update(actor=admin_user, report=report, summary="Teks 3.")
    assert (edited.letter_number, edited.letter_date) == ("KWJATENG/01/SMT-1/2025", dt.date(2025, 1, 1))
    regenerated = generate(office=region, actor=admin_user, now=wib(2025, 1, 2, 9, 0))
    assert regenerated.letter_number == "KWJATENG/01/SMT-1/2025"  # no second 2025 number for the same report
    report.refresh_from_db()
    assert (report.letter_number, report.letter_year) == ("KWJATENG/01/SMT-1/2025", 2025)
    # The earlier versions keep the number their letter carries.
    assert list(report.versions.order_by("number").values_list("letter_number", flat=True)) == [
        "KWJATENG/01/SMT-1/2024",
        "KWJATENG/01/SMT-1/2024",
        "KWJATENG/01/SMT-1/2025",
        "KWJATENG/01/SMT-1/2025",
    ]
    assert LetterCounter.objects.get(office=region, year=2025).last == 1
    event = AuditEvent.objects.filter(action="report.text_updated").order_by("-pk").first()
    assert event.changes["letter_number"] == ["KWJATENG/01/SMT-1/2024", "KWJATENG/01/SMT-1/2025"]
    # The next report of 2025 takes the next number.
    other = generate(office=region, semester=Semester(2024, 2), now=wib(2025, 1, 3, 9, 0)).report
    assert other.letter_number == "KWJATENG/02/SMT-2/2025"


def test_one_office_failing_does_not_stop_the_dispatch_and_a_rerun_finishes_the_job(
    region, admin_user, settings, django_capture_on_commit_callbacks
):
    from satgas.reports import figures

    UnitFactory(code="KWJATIM", name="Kanwil Jatim", unit_type="KANWIL", unit_class="")
    UnitFactory(code="KWJABAR", name="Kanwil Jabar", unit_type="KANWIL", unit_class="")
    real = figures.snapshot

    def broken_for_jatim(*, office, **kwargs):
        if office.code == "KWJATIM":
            raise RuntimeError("database hiccup")
        return real(office=office, **kwargs)

    with (
        time_machine.travel(AFTER_2024_1, tick=False),
        mock.patch.object(figures, "snapshot", side_effect=broken_for_jatim),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = services.semester_reports_dispatch()
    assert (first["generated"], first["failed"]) == (["KWJABAR", "KWJATENG"], ["KWJATIM"])
    assert not SemesterReport.objects.filter(office__code="KWJATIM").exists()  # nothing half-made
    not_generated = mail_text(NOT_GENERATED) % {"period": "2024-1", "office": "Kanwil Jatim"}
    alert = next(m for m in mail.outbox if not_generated in m.subject)
    assert alert.to == ["admin@uji.test"] and "KWJATIM" in alert.body and "database hiccup" in alert.body
    mail.outbox.clear()
    with time_machine.travel(AFTER_2024_1, tick=False), django_capture_on_commit_callbacks(execute=True):
        second = services.semester_reports_dispatch()
        third = services.semester_reports_dispatch()
    assert (second["generated"], second["failed"], third["generated"]) == (["KWJATIM"], [], [])
    assert SemesterReport.objects.count() == 3 and all(r.versions.count() == 1 for r in SemesterReport.objects.all())
    assert len(mail.outbox) == 1  # the one "generated" notice for the office done on the rerun


def test_the_dispatch_is_all_or_nothing_per_office(region, admin_user, settings, django_capture_on_commit_callbacks):
    """A crash after the report was generated but before it was queued leaves no report behind, no email
    and no task: the rerun does all of it once."""
    settings.SATGAS_REPORT_AUTO_SEND = True
    ensure_head(region)
    with (
        time_machine.travel(AFTER_2024_1, tick=False),
        mock.patch.object(services, "semester_report_send", side_effect=RuntimeError("worker killed")),
        mock.patch("satgas.reports.tasks.semester_report_deliver.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.semester_reports_dispatch()["failed"] == ["KWJATENG"]
    assert SemesterReport.objects.count() == 0 and delay.call_count == 0
    [alert] = mail.outbox  # only the admins' alert: no "generated" notice for a report that does not exist
    not_generated = mail_text(NOT_GENERATED) % {"period": "2024-1", "office": "Kanwil Jawa Tengah"}
    assert not_generated in alert.subject and "worker killed" in alert.body
    with time_machine.travel(AFTER_2024_1, tick=False), django_capture_on_commit_callbacks(execute=True):
        assert services.semester_reports_dispatch()["generated"] == ["KWJATENG"]
    assert SemesterReport.objects.get().status == S.DELIVERED


def test_automatic_sending_without_a_signer_leaves_a_draft_and_says_why(
    region, admin_user, settings, django_capture_on_commit_callbacks
):
    settings.SATGAS_REPORT_AUTO_SEND = True
    with time_machine.travel(AFTER_2024_1, tick=False), django_capture_on_commit_callbacks(execute=True):
        result = services.semester_reports_dispatch()
    assert result["generated"] == ["KWJATENG"] and SemesterReport.objects.get().status == S.DRAFT
    [notice] = mail.outbox
    not_approved = mail_text("Automatic sending is on, but the report could not be approved automatically:")
    # The reason is the refusal's message, escaped like any variable of the template.
    assert not_approved in notice.body and escape(gettext(NO_SIGNER)) in notice.body
