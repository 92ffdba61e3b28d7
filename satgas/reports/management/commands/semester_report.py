"""``python manage.py semester_report --period 2024-1 [--office CODE] [--regenerate] [--send [--approve]]
[--output DIR]``

For each office — every regional office at the top of the unit tree, or the one given:

* no report yet for the period: generate it (version 1);
* a report exists: leave it as it is and write its latest version's PDF, unless ``--regenerate``
  (then a new version from current data; this drops an approval, and is refused once sent) — so the
  command never undoes a person's approval by accident;
* ``--send``: queue the approved version for delivery. A draft is approved by the system (audit
  "automatic", origin "command") only with ``--approve`` or when ``SATGAS_REPORT_AUTO_SEND`` is on;
  otherwise the command refuses: a person approves in the application. A report already queued or
  delivered is left alone; a failed one is queued again.

The PDF is written to ``--output`` as ``<office-code>-<period>-v<n>.pdf`` (the code made safe for a
file name). The last line printed is ``<absolute pdf path> <sha256>`` (one line per office, the last
office's last). Errors exit with status 1 and a message.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from satgas.personnel.models import Unit
from satgas.reports import documents, rules, selectors, services
from satgas.reports.errors import ReportError, message
from satgas.reports.models import ReportStatus
from satgas.reports.periods import Semester

S = ReportStatus


class Command(BaseCommand):
    help = (
        "Generate the six-monthly report of a period (YEAR-1 or YEAR-2) when it does not exist yet, write its "
        "latest version's PDF and print its path and SHA-256. An existing report is not regenerated without "
        "--regenerate; --send approves a draft as the system only with --approve or SATGAS_REPORT_AUTO_SEND."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="e.g. 2024-1 (January–June) or 2024-2 (July–December)")
        parser.add_argument("--office", default="", help="Code of the regional office (default: every office)")
        parser.add_argument(
            "--regenerate",
            action="store_true",
            help="Make a new version from current data even if the report exists (drops an approval; "
            "refused once sent)",
        )
        parser.add_argument("--send", action="store_true", help="Queue the approved version for delivery")
        parser.add_argument(
            "--approve",
            action="store_true",
            help="With --send: let the system approve a draft (as SATGAS_REPORT_AUTO_SEND would)",
        )
        parser.add_argument("--output", default=str(settings.BASE_DIR / "var" / "reports"), help="Directory for PDFs")

    def handle(self, *args, **options):
        try:
            semester = Semester.parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if options["approve"] and not options["send"]:
            raise CommandError("--approve only goes with --send (the system approves in order to send).")
        offices = list(selectors.root_offices())
        if options["office"]:
            code = options["office"].strip().upper()
            office = Unit.objects.filter(code=code).first()
            if office is None:
                raise CommandError(f"No unit has the code {code!r}.")
            if office.parent_id is not None or not office.is_active:
                raise CommandError(f"{code} is not an active regional office (a unit at the top of the tree).")
            offices = [office]
        if not offices:
            raise CommandError("There is no active regional office (a unit without a parent).")
        output = Path(options["output"]).expanduser().resolve()
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"Cannot create {output}: {exc}") from exc
        may_approve = options["approve"] or settings.SATGAS_REPORT_AUTO_SEND
        if options["send"] and not may_approve:
            # Refuse before changing anything: sending would need the system to approve a draft.
            for office in offices:
                report = selectors.report_of(office, semester)
                if (
                    report is None
                    or report.status == S.DRAFT
                    or (options["regenerate"] and rules.is_editable(report.status))
                ):
                    raise CommandError(f"{office.code} {semester}: {message('not_auto_approved')}")
        lines = []
        for office in offices:
            try:
                version, notes = self._one(office, semester, options)
            except ReportError as exc:
                raise CommandError(f"{office.code} {semester}: {message(exc.code)}") from exc
            path = output / f"{documents.office_slug(office)}-{semester}-v{version.number}.pdf"
            path.write_bytes(bytes(version.pdf))
            self.stderr.write(f"{office.code} {semester}: version {version.number}, letter {version.letter_number}")
            for note in notes:
                self.stderr.write(f"{office.code} {semester}: {note}")
            lines.append(f"{path} {version.pdf_sha256}")
        for line in lines:
            self.stdout.write(line)

    def _one(self, office: Unit, semester: Semester, options) -> tuple:
        notes = []
        report = selectors.report_of(office, semester)
        if report is None or options["regenerate"]:
            was_approved = report is not None and report.status == S.APPROVED
            version = services.semester_report_generate(actor=None, office=office, semester=semester, origin="command")
            report = version.report
            if version.number > 1:
                notes.append(
                    "regenerated from current data"
                    + (
                        "; the approval of the previous version was dropped: it must be approved again"
                        if was_approved
                        else ""
                    )
                )
        else:
            notes.append(
                f"exists ({report.get_status_display()}): writing its latest version; --regenerate to recompute"
            )
        if options["send"]:
            notes.append(self._send(report, approve=options["approve"]))
        version = report.versions.order_by("-number").first()
        if report.approved_version_id and report.status in rules.SENT_STATUSES:
            version = report.versions.get(pk=report.approved_version_id)  # the one that was (or is being) sent
        return version, notes

    def _send(self, report, *, approve: bool) -> str:
        report.refresh_from_db()
        if report.status == S.DRAFT:
            if not (approve or settings.SATGAS_REPORT_AUTO_SEND):
                raise ReportError("not_auto_approved")
            services.semester_report_approve(actor=None, report=report, automatic=True, now=timezone.now())
            report.refresh_from_db()
        if rules.can_send_from(report.status):
            services.semester_report_send(actor=None, report=report, origin="command")
            return "queued for sending"
        return f"not queued: it is {report.get_status_display().lower()}"
