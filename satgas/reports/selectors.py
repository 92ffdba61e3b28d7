"""Read queries of six-monthly reports; visibility decided once here (through permissions)."""

import hashlib
import re

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404
from django.utils import timezone

from satgas.core.selectors import audit_events_for
from satgas.personnel.models import Unit

from . import permissions, tables
from .models import ReportStatus, SemesterReport, SemesterReportVersion
from .periods import Semester

SHA256 = re.compile(r"^[0-9a-f]{64}$")


def root_offices() -> QuerySet[Unit]:
    """The offices reports are made for: active units at the top of the unit tree."""
    return Unit.objects.filter(parent__isnull=True, is_active=True).order_by("code")


def report_of(office: Unit, semester: Semester) -> SemesterReport | None:
    return SemesterReport.objects.filter(office=office, year=semester.year, half=semester.half).first()


def reports_for_user(user) -> QuerySet[SemesterReport]:
    qs = SemesterReport.objects.select_related("office")
    return qs if permissions.can_view(user) else qs.none()


def report_get_for_user(user, pk) -> SemesterReport:
    return get_object_or_404(reports_for_user(user).select_related("approved_by", "sent_by", "approved_version"), pk=pk)


def _versions(report_ids=None) -> QuerySet[SemesterReportVersion]:
    """Versions without their documents' bytes."""
    qs = SemesterReportVersion.objects.defer("pdf", "xlsx", "snapshot", "text")
    return qs if report_ids is None else qs.filter(report_id__in=report_ids)


def archive(user, *, year: int | None = None, status: str = "") -> QuerySet[SemesterReport]:
    """The archive rows: a fixed number of queries whatever the number of reports."""
    latest = SemesterReportVersion.objects.filter(report=OuterRef("pk")).order_by("-number")
    qs = (
        reports_for_user(user)
        .select_related("approved_by", "sent_by", "approved_version")
        .defer(
            "approved_version__pdf", "approved_version__xlsx", "approved_version__snapshot", "approved_version__text"
        )
        .annotate(
            version_count=Count("versions", distinct=True),
            latest_number=Subquery(latest.values("number")[:1]),
            latest_sha256=Subquery(latest.values("pdf_sha256")[:1]),
        )
        .order_by("-year", "-half", "office__name", "pk")
    )
    if year:
        qs = qs.filter(year=year)
    if status:
        qs = qs.filter(status=status)
    return qs


def archive_years() -> list[int]:
    return list(SemesterReport.objects.order_by("-year").values_list("year", flat=True).distinct())


def report_detail(report: SemesterReport) -> dict:
    versions = list(_versions([report.pk]).select_related("generated_by").order_by("-number"))
    latest = SemesterReportVersion.objects.defer("pdf", "xlsx").filter(report=report).order_by("-number").first()
    return {
        "versions": versions,
        "latest": latest,
        "tables": [tables.formatted(t) for t in tables.annex_tables(latest.snapshot)] if latest else [],
        "summary_rows": tables.summary_rows(latest.snapshot) if latest else [],
        "events": audit_events_for(report, limit=100),
    }


def version_get(report: SemesterReport, number: int) -> SemesterReportVersion:
    return get_object_or_404(SemesterReportVersion.objects.filter(report=report), number=number)


def normalise_sha256(text: str) -> str | None:
    value = "".join((text or "").split()).lower()
    return value if SHA256.match(value) else None


def sha256_of_upload(upload) -> str:
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    return digest.hexdigest()


def verify(user, sha256: str) -> dict | None:
    """Which report version a SHA-256 belongs to (its PDF or XLSX), and whether that version was the one
    delivered, when and to whom. ``None`` when unknown or not visible."""
    version = (
        _versions()
        .select_related("report__office", "report__approved_by", "generated_by")
        .filter(report__in=reports_for_user(user))
        .filter(pdf_sha256=sha256)
        .first()
    )
    kind = "pdf"
    if version is None:
        kind = "xlsx"
        version = (
            _versions()
            .select_related("report__office", "report__approved_by", "generated_by")
            .filter(report__in=reports_for_user(user))
            .filter(xlsx_sha256=sha256)
            .first()
        )
    if version is None:
        return None
    report = version.report
    is_approved = report.approved_version_id == version.pk
    return {
        "version": version,
        "report": report,
        "kind": kind,
        "is_latest": not report.versions.filter(number__gt=version.number).exists(),
        "is_approved": is_approved,
        "was_delivered": is_approved and report.status == ReportStatus.DELIVERED,
    }


def public_verification(sha256: str) -> dict | None:
    """What anyone may learn from a document's SHA-256 (the public verification page): only the office,
    the period, the version, when it was generated and whether (and when) that version was delivered —
    no content, no recipients. ``None`` when no version has this PDF or XLSX."""
    row = (
        SemesterReportVersion.objects.filter(Q(pdf_sha256=sha256) | Q(xlsx_sha256=sha256))
        .order_by("pk")
        .values(
            "pk",
            "number",
            "generated_at",
            "pdf_sha256",
            "report__office__name",
            "report__year",
            "report__half",
            "report__status",
            "report__approved_version_id",
            "report__delivered_at",
        )
        .first()
    )
    if row is None:
        return None
    delivered = row["report__approved_version_id"] == row["pk"] and row["report__status"] == ReportStatus.DELIVERED
    return {
        "office": row["report__office__name"],
        "period": Semester(row["report__year"], row["report__half"]),
        "version": row["number"],
        "kind": "pdf" if row["pdf_sha256"] == sha256 else "xlsx",
        "generated_at": row["generated_at"],
        "delivered": delivered,
        "delivered_at": row["report__delivered_at"] if delivered else None,
    }


def dashboard_panel(user, *, now=None) -> dict:
    """The dashboard's panel: each office's report for the last finished semester (one query), for its readers."""
    if not permissions.can_view(user):
        return {}
    semester = Semester.containing(now or timezone.now()).previous()
    report = SemesterReport.objects.filter(office=OuterRef("pk"), year=semester.year, half=semester.half)
    offices = list(
        root_offices()
        .annotate(report_pk=Subquery(report.values("pk")[:1]), report_status=Subquery(report.values("status")[:1]))
        .only("pk", "name", "code")
    )
    for office in offices:
        office.report_status_label = ReportStatus(office.report_status).label if office.report_status else ""
    return {
        "report_panel": {
            "semester": semester,
            "offices": offices,
            "missing": any(office.report_pk is None for office in offices),
            "can_manage": permissions.can_manage(user),
        }
    }
