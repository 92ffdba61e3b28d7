"""Report pages: permission matrix over every persona and view, query counts, bad input, downloads,
verification."""

import datetime as dt
from unittest import mock

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import date
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext

from satgas.accounts.models import Role
from satgas.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from satgas.reports import services
from satgas.reports.models import ReportStatus, SemesterReport
from satgas.reports.periods import Semester
from satgas.reports.tests.factories import approver, ensure_head, generate, wib

pytestmark = pytest.mark.django_db
S = ReportStatus
NOW = wib(2024, 7, 2, 9, 0)
A, TA, TB, ST, LE, OU = "admin_user", "taskforce_a", "taskforce_b", "staff_a", "leader", "outsider"
# Non-admins first: a successful admin POST changes the report.
ORDER = [OU, ST, TA, TB, LE, A]


def shown(msgid: str, **params) -> str:
    """A message as a page shows it through a variable (flash messages, form errors): translated, escaped."""
    text = gettext(msgid)
    return escape(text % params if params else text)


@pytest.fixture(autouse=True)
def _frozen(fast_pdf):
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def world(region, admin_user):
    ensure_head(region)
    draft = generate(office=region, actor=admin_user, now=NOW).report
    approved = generate(office=region, semester=Semester(2023, 2), actor=admin_user, now=NOW).report
    boss = approver(UserFactory(email="kakanwil@uji.test"))
    RoleAssignmentFactory(user=boss, role=Role.LEADER)
    services.semester_report_approve(actor=boss, report=approved)
    approved.refresh_from_db()
    return {"draft": draft, "approved": approved, "region": region}


def codes(admin, ta, tb, staff, leader, outsider):
    return dict(zip((A, TA, TB, ST, LE, OU), (admin, ta, tb, staff, leader, outsider), strict=True))


VIEWS = [
    # name, method, args(world), data(world), expected
    ("archive", "get", None, None, codes(200, 404, 404, 404, 200, 404)),
    ("generate", "get", None, None, codes(200, 404, 404, 404, 403, 404)),
    (
        "generate",
        "post",
        None,
        lambda w: {"office": w["region"].pk, "period": "2024-1"},
        codes(302, 404, 404, 404, 403, 404),
    ),
    ("detail", "get", lambda w: [w["draft"].pk], None, codes(200, 404, 404, 404, 200, 404)),
    ("regenerate", "post", lambda w: [w["draft"].pk], None, codes(302, 404, 404, 404, 403, 404)),
    (
        "text_update",
        "post",
        lambda w: [w["draft"].pk],
        lambda w: {"sifat": "Segera", "lampiran": "Satu berkas", "hal": "Laporan", "summary": "Baru."},
        codes(302, 404, 404, 404, 403, 404),
    ),
    (
        "recipients_update",
        "post",
        lambda w: [w["draft"].pk],
        lambda w: {"to": "biro@uji.test", "cc": ""},
        codes(302, 404, 404, 404, 403, 404),
    ),
    ("approve", "post", lambda w: [w["draft"].pk], lambda w: {"version": 1}, codes(403, 404, 404, 404, 403, 404)),
    ("send", "post", lambda w: [w["approved"].pk], None, codes(302, 404, 404, 404, 403, 404)),
    ("version_pdf", "get", lambda w: [w["draft"].pk, 1], None, codes(200, 404, 404, 404, 200, 404)),
    ("version_xlsx", "get", lambda w: [w["draft"].pk, 1], None, codes(200, 404, 404, 404, 200, 404)),
    ("verify", "get", None, None, codes(200, 404, 404, 404, 200, 404)),
    ("verify", "post", None, lambda w: {"sha256": "0" * 64}, codes(200, 404, 404, 404, 200, 404)),
]


@pytest.mark.parametrize("name,method,args,data,expected", VIEWS, ids=[f"{v[0]}-{v[1]}" for v in VIEWS])
def test_permission_matrix(request, world, name, method, args, data, expected):
    url = reverse(f"reports:{name}", args=args(world) if args else None)
    actual = {}
    with mock.patch("satgas.reports.tasks.semester_report_deliver.delay"):
        for persona in ORDER:
            client = Client()
            client.force_login(request.getfixturevalue(persona))
            actual[persona] = getattr(client, method)(url, data(world) if data else {}).status_code
    assert actual == expected
    # Anonymous visitors are sent to the login page.
    response = getattr(Client(), method)(url, data(world) if data else {})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_unit_leader_and_a_unit_admin_role_see_nothing(client, world, unit_a):
    unit_leader = UserFactory()
    RoleAssignmentFactory(user=unit_leader, role=Role.LEADER, unit=unit_a)
    client.force_login(unit_leader)
    assert client.get(reverse("reports:archive")).status_code == 404
    assert client.get(reverse("reports:detail", args=[world["draft"].pk])).status_code == 404


def test_approving_needs_the_approval_permission(client, world, admin_user, settings):
    draft = world["draft"]
    client.force_login(admin_user)
    url = reverse("reports:approve", args=[draft.pk])
    assert client.post(url, {"version": 1}).status_code == 403
    approver(admin_user)
    settings.SATGAS_REPORT_APPROVAL_REQUIRES_MFA = True
    response = client.post(url, {"version": 1})
    assert response.status_code == 403  # no TOTP authenticator yet
    from allauth.mfa.models import Authenticator

    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.post(url, {"version": 1}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == S.APPROVED and draft.approved_by == admin_user


def test_approving_a_version_not_seen_is_refused(client, world, admin_user):
    approver(admin_user)
    client.force_login(admin_user)
    draft = world["draft"]
    generate(office=draft.office, actor=admin_user, now=NOW)  # version 2 appears meanwhile
    response = client.post(reverse("reports:approve", args=[draft.pk]), {"version": 1}, follow=True)
    assert shown("A newer version was generated meanwhile: review it before approving.") in response.content.decode()
    draft.refresh_from_db()
    assert draft.status == S.DRAFT


def test_state_changes_are_post_only_with_csrf(world, admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    for name in ("regenerate", "text_update", "recipients_update", "approve", "send"):
        url = reverse(f"reports:{name}", args=[world["draft"].pk])
        assert client.get(url).status_code == 405
        assert client.post(url, {}).status_code == 403  # no CSRF token


def test_generate_with_a_bad_period_keeps_the_form(client, world, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("reports:generate"), {"office": world["region"].pk, "period": "2024-9"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'aria-invalid="true"' in page and f'value="{world["region"].pk}" selected' in page
    assert SemesterReport.objects.count() == 2


def test_generate_proposes_the_previous_semester_and_regenerates_an_existing_draft(client, world, admin_user):
    client.force_login(admin_user)
    page = client.get(reverse("reports:generate")).content.decode()
    assert '<option value="2024-1" selected>' in page
    response = client.post(reverse("reports:generate"), {"office": world["region"].pk, "period": "2024-1"})
    assert response["Location"] == reverse("reports:detail", args=[world["draft"].pk])
    assert world["draft"].versions.count() == 2


def test_a_bad_text_is_answered_with_the_text_kept(client, world, admin_user):
    client.force_login(admin_user)
    data = {"sifat": "Biasa", "lampiran": "Satu berkas", "hal": "", "summary": "Teks panjang yang tidak boleh hilang."}
    response = client.post(reverse("reports:text_update", args=[world["draft"].pk]), data)
    assert response.status_code == 400
    assert "Teks panjang yang tidak boleh hilang." in response.content.decode()
    assert world["draft"].versions.count() == 1


def test_bad_recipients_are_answered_with_the_input_kept(client, world, admin_user):
    client.force_login(admin_user)
    data = {"to": "biro@uji.test, bukan-alamat", "cc": ""}
    response = client.post(reverse("reports:recipients_update", args=[world["draft"].pk]), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "bukan-alamat" in page and shown("Not an email address: %(items)s", items="bukan-alamat") in page


def test_editing_the_text_makes_a_version_and_shows_it(client, world, admin_user):
    client.force_login(admin_user)
    draft = world["draft"]
    data = {
        "sifat": "Segera",
        "lampiran": "Satu berkas",
        "hal": draft.hal,
        "summary": "Ringkasan baru.",
        "obstacles": "",
        "recommendations": "",
        "follow_up_plan": "",
        "tembusan": "Menteri\nInspektur Jenderal",
    }
    response = client.post(reverse("reports:text_update", args=[draft.pk]), data, follow=True)
    assert response.status_code == 200
    draft.refresh_from_db()
    assert draft.sifat == "Segera" and draft.tembusan == ["Menteri", "Inspektur Jenderal"]
    assert draft.versions.count() == 2 and 'data-version="2"' in response.content.decode()


def test_downloads_are_attachments_with_their_type(client, world, leader):
    client.force_login(leader)
    version = world["draft"].versions.get(number=1)
    pdf = client.get(reverse("reports:version_pdf", args=[world["draft"].pk, 1]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"] == 'attachment; filename="laporan-semester-kwjateng-2024-1-v1.pdf"'
    assert pdf.content == bytes(version.pdf)
    xlsx = client.get(reverse("reports:version_xlsx", args=[world["draft"].pk, 1]))
    assert xlsx["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert xlsx.content == bytes(version.xlsx) and xlsx.content.startswith(b"PK")
    assert client.get(reverse("reports:version_pdf", args=[world["draft"].pk, 9])).status_code == 404


def test_verify_a_document(client, world, admin_user, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    approved = world["approved"]
    version = approved.approved_version
    url = reverse("reports:verify")
    bad = client.post(url, {"sha256": "not-a-hash"})
    assert bad.status_code == 400 and shown("A SHA-256 is 64 characters 0–9 and a–f.") in bad.content.decode()
    empty = client.post(url, {})
    assert empty.status_code == 400 and shown("Paste a SHA-256 or upload a file.") in empty.content.decode()
    unknown = client.post(url, {"sha256": "ab" * 32}).content.decode()
    assert (
        gettext(
            "No report document has the SHA-256 %(searched)s. It is not a document of this archive, "
            "or it was changed after it was made."
        )
        % {"searched": "ab" * 32}
        in unknown
    )
    approved_only = client.post(url, {"sha256": version.pdf_sha256.upper()}).content.decode()
    assert gettext("This version is approved but has not been delivered (yet).") in approved_only
    with django_capture_on_commit_callbacks(execute=True):
        services.semester_report_send(actor=admin_user, report=approved)
    approved.refresh_from_db()
    upload = SimpleUploadedFile("surat.pdf", bytes(version.pdf), content_type="application/pdf")
    sent = client.post(url, {"document": upload}).content.decode()
    when = date(timezone.localtime(approved.delivered_at), "j M Y H:i:s")
    assert approved.delivered_to == ["biro.sdm@kemenkumham.go.id"]
    sent_to = gettext("This version was sent on %(when)s to %(to)s.") % {
        "when": when,
        "to": "biro.sdm@kemenkumham.go.id",
    }
    assert sent_to in sent
    xlsx = client.post(url, {"sha256": version.xlsx_sha256}).content.decode()
    this_is = gettext("This is the %(kind)s of version %(n)s of the report of %(office)s for %(period)s.")
    assert this_is % {"kind": "XLSX", "n": 1, "office": approved.office.name, "period": approved.period} in xlsx
    other = world["draft"].versions.get(number=1)
    not_sent = gettext("This version was not the one sent.")
    assert not_sent in client.post(url, {"sha256": other.pdf_sha256}).content.decode()


def test_the_archive_lists_reports_with_their_hash_and_filters(client, world, leader):
    client.force_login(leader)
    page = client.get(reverse("reports:archive")).content.decode()
    approved, draft = world["approved"], world["draft"]
    assert f'data-report="{approved.pk}"' in page and f'data-report="{draft.pk}"' in page
    assert approved.approved_version.pdf_sha256 in page and approved.approved_by.full_name in page
    filtered = client.get(reverse("reports:archive"), {"status": "APPROVED"}).content.decode()
    assert f'data-report="{approved.pk}"' in filtered and f'data-report="{draft.pk}"' not in filtered
    by_year = client.get(reverse("reports:archive"), {"year": "2023"}).content.decode()
    assert f'data-report="{approved.pk}"' in by_year and f'data-report="{draft.pk}"' not in by_year


def _more_reports(region, admin_user, count):
    from satgas.personnel.tests.factories import UnitFactory

    for n in range(count):
        office = UnitFactory(code=f"KW-{n}", name=f"Kanwil {n}", unit_type="KANWIL", unit_class="")
        generate(office=office, actor=admin_user, now=NOW)
        generate(office=office, actor=admin_user, now=NOW)


def test_the_archive_needs_the_same_queries_for_more_reports(client, world, admin_user, django_assert_num_queries):
    client.force_login(admin_user)
    url = reverse("reports:archive")
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(url)
    _more_reports(world["region"], admin_user, 3)
    with django_assert_num_queries(len(few)):
        response = client.get(url)
    assert response.content.decode().count("data-report=") == 5


def test_the_detail_page_needs_the_same_queries_for_more_versions(client, world, admin_user, django_assert_num_queries):
    client.force_login(admin_user)
    draft = world["draft"]
    url = reverse("reports:detail", args=[draft.pk])
    client.get(url)  # warm caches (roles, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as one_version:
        response = client.get(url)
    assert response.content.decode().count("data-version=") == 1
    for _ in range(3):
        generate(office=draft.office, actor=admin_user, now=NOW + dt.timedelta(minutes=1))
    with django_assert_num_queries(len(one_version)):
        response = client.get(url)
    assert response.status_code == 200 and response.content.decode().count("data-version=") == 4
    assert len(one_version) <= 16


def test_downloads_name_files_safely_whatever_the_office_code(client, world, leader):
    office = world["draft"].office
    office.code = "KW JATENG/2"
    office.save(update_fields=["code"])
    client.force_login(leader)
    pdf = client.get(reverse("reports:version_pdf", args=[world["draft"].pk, 1]))
    assert pdf["Content-Disposition"] == 'attachment; filename="laporan-semester-kw-jateng2-2024-1-v1.pdf"'


def test_verify_wants_either_a_hash_or_a_file(client, world, admin_user):
    client.force_login(admin_user)
    version = world["approved"].approved_version
    upload = SimpleUploadedFile("surat.pdf", bytes(version.pdf), content_type="application/pdf")
    response = client.post(reverse("reports:verify"), {"sha256": version.pdf_sha256, "document": upload})
    assert response.status_code == 400
    page = response.content.decode()
    assert shown("Give either a SHA-256 or a file, not both.") in page and version.pdf_sha256 in page


def test_the_navigation_follows_the_reports_permission(client, world, admin_user, leader, taskforce_a, staff_a):
    link = 'href="/laporan-semester/"'
    for user, shown in ((admin_user, True), (leader, True), (taskforce_a, False), (staff_a, False)):
        client.force_login(user)
        assert (link in client.get("/").content.decode()) is shown, user


def test_a_letter_without_a_signer_is_flagged_and_not_approved(client, region, admin_user):
    report = generate(office=region, actor=admin_user, now=NOW).report  # the office has no head recorded
    approver(admin_user)
    client.force_login(admin_user)
    assert "data-missing-signer" in client.get(reverse("reports:detail", args=[report.pk])).content.decode()
    response = client.post(reverse("reports:approve", args=[report.pk]), {"version": 1}, follow=True)
    no_signer = (
        "The letter has no signer: record the head of the office (a person with a NIP) in the unit's record, "
        "then regenerate the report before approving it."
    )
    assert shown(no_signer) in response.content.decode()
    report.refresh_from_db()
    assert report.status == S.DRAFT
