"""The public verification page (/verifikasi/laporan/): anyone checks a report document by its SHA-256 or
the file, and learns only the office, the period, the version, when it was generated and whether (and
when) that version was delivered; unknown documents are rate-limited per client IP."""

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

from satgas.reports import delivery, public_views
from satgas.reports.models import ReportStatus
from satgas.reports.tests.factories import generate, report_at, wib

pytestmark = pytest.mark.django_db
URL = "/verifikasi/laporan/"


@pytest.fixture
def delivered(region, admin_user, fast_pdf):
    with time_machine.travel(wib(2024, 7, 2, 9, 0), tick=False):
        report = report_at(ReportStatus.QUEUED, office=region, admin=admin_user)
        assert delivery.semester_report_deliver(report_id=report.pk).code == "delivered"
    report.refresh_from_db()
    return report


def test_the_page_is_public_and_where_the_documents_point():
    assert reverse("report_verify") == URL
    response = Client().get(URL)
    assert response.status_code == 200 and gettext("Verify a six-monthly report") in response.content.decode()


def test_a_delivered_version_shows_only_what_anyone_may_know(delivered):
    version = delivered.approved_version
    response = Client().post(URL, {"sha256": version.pdf_sha256})
    assert response.status_code == 200
    page = response.content.decode()
    assert 'data-delivered="yes"' in page
    assert "Kanwil Jawa Tengah" in page and "Semester I Tahun 2024" in page
    when = date(timezone.localtime(delivered.delivered_at), "j F Y H:i")
    assert gettext("This version was delivered on %(when)s.") % {"when": when} in page
    assert 'datetime="2024-07-02T' in page
    # No content, no recipients, no letter number.
    assert "biro.sdm@kemenkumham.go.id" not in page and delivered.letter_number not in page
    assert delivered.summary[:40] not in page
    # The XLSX too, and by upload.
    assert "(XLSX)" in Client().post(URL, {"sha256": version.xlsx_sha256}).content.decode()
    upload = SimpleUploadedFile("surat.pdf", bytes(version.pdf), content_type="application/pdf")
    assert 'data-delivered="yes"' in Client().post(URL, {"document": upload}).content.decode()


def test_a_version_that_was_not_delivered_says_so(delivered, admin_user):
    draft = generate(office=delivered.office, semester=delivered.period.previous(), actor=admin_user)
    page = Client().post(URL, {"sha256": draft.pdf_sha256}).content.decode()
    not_delivered = gettext("This version has not been delivered: it may be a draft or an earlier version.")
    assert 'data-delivered="no"' in page and not_delivered in page


def test_unknown_documents_are_not_found_and_limited_per_client(delivered):
    client = Client(REMOTE_ADDR="203.0.113.9")
    unknown = client.post(URL, {"sha256": "ab" * 32})
    not_found = gettext(
        "Not found: no report document has the SHA-256 %(searched)s. It is not a report of the task force, "
        "or it was changed after it was made."
    ) % {"searched": "ab" * 32}
    assert unknown.status_code == 404 and not_found in unknown.content.decode()
    with mock.patch.object(public_views, "VERIFY_FAILURES_ALLOWED", 3):
        for _ in range(2):
            assert client.post(URL, {"sha256": "cd" * 32}).status_code == 404
        blocked = client.post(URL, {"sha256": delivered.approved_version.pdf_sha256})
        too_many = gettext("Too many unknown documents from your connection. Try again in 15 minutes.")
        assert blocked.status_code == 429 and too_many in blocked.content.decode()
        # Another client is not affected.
        other = Client(REMOTE_ADDR="198.51.100.7").post(URL, {"sha256": delivered.approved_version.pdf_sha256})
        assert other.status_code == 200


def test_bad_input_is_answered_with_the_form(delivered):
    bad = Client().post(URL, {"sha256": "bukan-hash"})
    # Form errors are escaped like any variable of the template.
    assert bad.status_code == 400 and escape(gettext("A SHA-256 is 64 characters 0–9 and a–f.")) in bad.content.decode()
    both = Client().post(
        URL,
        {
            "sha256": delivered.approved_version.pdf_sha256,
            "document": SimpleUploadedFile("x.pdf", b"%PDF-1.4", content_type="application/pdf"),
        },
    )
    assert (
        both.status_code == 400
        and escape(gettext("Give either a SHA-256 or a file, not both.")) in both.content.decode()
    )
    with (
        mock.patch("satgas.reports.forms.PUBLIC_FILE_MAX_BYTES", 4),
        mock.patch.object(public_views.PublicVerifyForm, "max_bytes", 4),
    ):
        big = Client().post(URL, {"document": SimpleUploadedFile("x.pdf", b"%PDF-1.4", "application/pdf")})
    too_large = escape(gettext("The file is too large to be one of our reports."))
    assert big.status_code == 400 and too_large in big.content.decode()
