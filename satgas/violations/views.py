"""Case handling pages for regional admins and task-force members, and the signed-in report form."""

from functools import partial

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from satgas.core.exports import xlsx_response
from satgas.core.files import serve_private
from satgas.core.limits import text_param
from satgas.core.submissions import idempotent, submission_done
from satgas.personnel.selectors import person_search, persons_for_user, units_for_user

from . import permissions, receipts, selectors, services
from .forms import (
    AssignForm,
    CaseFilter,
    ClarificationForm,
    EvidenceForm,
    ReportForm,
    SanctionForm,
    TextForm,
    TransitionForm,
)
from .models import Assignment, Clarification, Intake

ERRORS = {
    "online_needs_account": gettext_lazy("Sign in to report with your account."),
    "offline_forbidden": gettext_lazy("Only the regional office and task forces record paper or phone reports."),
    "reported_unknown": gettext_lazy("Give the NIP/NIK or describe the reported person."),
    "incident_in_future": gettext_lazy("The incident cannot be in the future."),
    "too_many_files": gettext_lazy("Too many files."),
    "transition_forbidden": gettext_lazy("This change of status is not allowed."),
    "reason_required": gettext_lazy("Say why."),
    "forwarded_to_required": gettext_lazy("Say to whom the case is forwarded or referred."),
    "no_sanction": gettext_lazy("Record the sanction before marking it recorded."),
    "handler_not_eligible": gettext_lazy("This person may not handle this case."),
    "already_assigned": gettext_lazy("This person already handles the case."),
    "not_assigned": gettext_lazy("This assignment has already ended."),
    "case_closed": gettext_lazy("This case is closed."),
    "not_in_clarification": gettext_lazy("Clarifications are recorded during verification and clarification."),
    "not_proven_yet": gettext_lazy("Sanctions are recorded once the violation is proven."),
    "contract_only_ppnpn": gettext_lazy("Contract sanctions apply to PPNPN staff only."),
    "discipline_only_asn": gettext_lazy("Disciplinary sanctions apply to civil servants (PNS, PPPK) only."),
    "sanction_invalid": gettext_lazy("The sanction's details do not match its kind."),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _handled_case(request, pk):
    """The case (404 when invisible) and 403 unless the user may handle it."""
    case = selectors.case_get_for_user(request.user, pk)
    _require(permissions.can_handle(request.user, case))
    return case


# --- Intake ------------------------------------------------------------------------


def report_page(request, *, form, template="violations/report_form.html", public=False, status=200):
    return render(request, template, {"form": form, "public": public}, status=status)


def receipt_page(request, *, case, code, public, replayed=False):
    response = render(
        request,
        "violations/receipt.html",
        {"case": case, "code": receipts.code_display(code) if code else "", "public": public, "replayed": replayed},
    )
    response["Cache-Control"] = "no-store"
    return response


def receipt_replay(request, first, *, public: bool):
    """A retried report: the receipt of the case the first request stored, with the same code while it is kept."""
    if first.obj is None:
        return redirect(request.path)
    return receipt_page(request, case=first.obj, code=first.secret, public=public, replayed=True)


def report_from_form(request, form, *, actor, intake):
    """Call the service with a valid ReportForm; returns ``(case, code)`` or None with errors on the form."""
    data = form.cleaned_data
    try:
        return services.case_report(
            actor=actor,
            intake=intake,
            unit=data["unit"],
            reported_person=data["reported_person"],
            reported_description=data.get("reported_description", ""),
            incident_date=data["incident_date"],
            incident_place=data.get("incident_place", ""),
            categories=data.get("categories") or [],
            channel=data["channel"],
            platform=data.get("platform", ""),
            channel_url=data.get("channel_url", ""),
            description=data["description"],
            confidential=data.get("confidential", False),
            reporter_name=data.get("reporter_name", ""),
            reporter_contact=data.get("reporter_contact", ""),
            files=data.get("files") or [],
            links=data.get("links") or [],
        )
    except services.ViolationError as exc:
        form.add_error("files" if exc.code == "too_many_files" else None, ERRORS[exc.code])
    except ValidationError as exc:
        form.add_error("files", exc)
    return None


@login_required
@never_cache
@idempotent("violations.report", replay=partial(receipt_replay, public=False))
def report_create(request):
    _require(permissions.can_file_report(request.user))
    offline = permissions.can_enter_offline_report(request.user)
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        offline=offline,
        visible_persons=persons_for_user(request.user),
    )
    if request.method == "POST" and form.is_valid():
        intake = form.cleaned_data.get("intake") or Intake.ONLINE
        result = report_from_form(request, form, actor=request.user, intake=intake)
        if result:
            submission_done(request, result[0], secret=result[1])
            return receipt_page(request, case=result[0], code=result[1], public=False)
    return report_page(request, form=form)


@login_required
def person_lookup(request):
    """Suggestions for the reported person (htmx): only people the user may already see in the registry."""
    _require(permissions.can_file_report(request.user))
    text = text_param(request.GET, "reported_identity")
    people = person_search(persons_for_user(request.user), text)[:10] if len(text) >= 3 else []
    return render(request, "violations/_person_options.html", {"people": people})


# --- Lists, export, dashboard -----------------------------------------------------------


def _filtered(request):
    units = units_for_user(request.user).filter(is_active=True).order_by("name")
    case_filter = CaseFilter(request.GET or None, queryset=selectors.cases_for_user(request.user), units=units)
    return case_filter, selectors.case_list(case_filter.qs)


@login_required
def case_list(request):
    if not permissions.can_list_cases(request.user):
        if permissions.can_view_dashboard(request.user):
            return redirect("violations:dashboard")
        if permissions.can_file_report(request.user):
            return redirect("violations:report_create")
        raise PermissionDenied
    case_filter, qs = _filtered(request)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "violations/case_list.html",
        {"filter": case_filter, "page": page, "query": query.urlencode(), "today": timezone.localdate()},
    )


@login_required
def case_export(request):
    _require(permissions.can_list_cases(request.user))
    _, qs = _filtered(request)
    today = timezone.localdate()
    rows = (
        [
            c.number,
            c.received_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d"),
            c.get_status_display(),
            c.due_on.isoformat() if c.due_on else "",
            "ya" if c.is_overdue(today) else "",
            c.unit.name,
            c.reported_person.full_name if c.reported_person else c.reported_description,
            c.incident_date.isoformat(),
            str(c.stage or ""),
            ", ".join(cat.name for cat in c.categories.all()),
            c.get_intake_display(),
            ", ".join(str(a.handler) for a in c.active_assignments),
        ]
        for c in qs
    )
    return xlsx_response(
        filename="kasus-pelanggaran.xlsx",
        sheet_title="Kasus",
        headers=[
            "nomor",
            "diterima",
            "status",
            "tenggat",
            "terlambat",
            "unit",
            "terlapor",
            "tanggal_kejadian",
            "tahapan",
            "kategori",
            "saluran",
            "penanganan",
        ],
        rows=rows,
        text_columns=(0,),
    )


@login_required
def dashboard(request):
    _require(permissions.can_view_dashboard(request.user))
    return render(
        request,
        "violations/dashboard.html",
        {"stats": selectors.dashboard(request.user), "can_list": permissions.can_list_cases(request.user)},
    )


# --- The case ------------------------------------------------------------------------------


@login_required
def case_detail(request, pk):
    return _case_page(request, _handled_case(request, pk))


def _case_page(request, case, *, status=200, **forms):
    """The case page; ``forms`` replaces a blank form by the bound one the user sent (its errors, their text)."""
    context = selectors.case_detail(case)
    assigned = any(a.handler_id == request.user.pk for a in context["active_assignments"])
    context.update(
        {
            "case": case,
            "overdue": case.is_overdue(),
            "transition_form": TransitionForm(case=case),
            "assign_form": AssignForm(candidates=selectors.handler_candidates(case)),
            "can_assign": permissions.can_assign(request.user, case),
            "can_see_identity": permissions.can_view_reporter_identity(request.user, case, assigned=assigned),
            "note_form": TextForm(prefix="note"),
            "message_form": TextForm(prefix="message"),
            "evidence_form": EvidenceForm(),
            **forms,
        }
    )
    return render(request, "violations/case_detail.html", context, status=status)


@login_required
@require_POST
def case_transition(request, pk):
    case = _handled_case(request, pk)
    form = TransitionForm(request.POST, case=case)
    if not form.is_valid():
        return _case_page(request, case, status=400, transition_form=form)
    try:
        services.case_transition(actor=request.user, case=case, **form.cleaned_data)
        messages.success(request, _("Case status changed."))
    except services.ViolationError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("violations:case_detail", pk=pk)


@login_required
@require_POST
@idempotent("violations.case_assign")
def case_assign(request, pk):
    case = _handled_case(request, pk)
    _require(permissions.can_assign(request.user, case))
    form = AssignForm(request.POST, candidates=selectors.handler_candidates(case))
    if form.is_valid():
        try:
            assignment = services.case_assign(actor=request.user, case=case, handler=form.cleaned_data["handler"])
            submission_done(request, assignment)
            messages.success(request, _("Handler assigned."))
        except services.ViolationError as exc:
            messages.error(request, ERRORS[exc.code])
    else:
        messages.error(request, ERRORS["handler_not_eligible"])
    return redirect("violations:case_detail", pk=pk)


@login_required
@require_POST
def case_unassign(request, pk, assignment_pk):
    case = _handled_case(request, pk)
    _require(permissions.can_assign(request.user, case))
    assignment = get_object_or_404(Assignment, pk=assignment_pk, case=case)
    try:
        services.case_unassign(actor=request.user, assignment=assignment)
        messages.success(request, _("Handler removed; the assignment stays in the history."))
    except services.ViolationError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("violations:case_detail", pk=pk)


@login_required
@require_POST
@idempotent("violations.case_note")
def case_note(request, pk):
    case = _handled_case(request, pk)
    form = TextForm(request.POST, prefix="note")
    if not form.is_valid():
        return _case_page(request, case, status=400, note_form=form)
    note = services.note_add(actor=request.user, case=case, body=form.cleaned_data["body"])
    submission_done(request, note)
    messages.success(request, _("Internal note added."))
    return redirect("violations:case_detail", pk=pk)


@login_required
@require_POST
@idempotent("violations.case_message")
def case_message(request, pk):
    case = _handled_case(request, pk)
    form = TextForm(request.POST, prefix="message")
    if not form.is_valid():
        return _case_page(request, case, status=400, message_form=form)
    message = services.message_to_reporter(actor=request.user, case=case, body=form.cleaned_data["body"])
    submission_done(request, message)
    messages.success(request, _("Message sent; the reporter reads it with the receipt code."))
    return redirect("violations:case_detail", pk=pk)


@login_required
@require_POST
@idempotent("violations.case_evidence")
def case_evidence(request, pk):
    case = _handled_case(request, pk)
    form = EvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.evidence_add(
                actor=request.user, case=case, files=form.cleaned_data["files"], links=form.cleaned_data["links"]
            )
            submission_done(request, case)
            messages.success(request, _("Evidence added."))
        except services.ViolationError as exc:
            messages.error(request, ERRORS[exc.code])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("violations:case_detail", pk=pk)


@login_required
@idempotent("violations.case_clarification")
def case_clarification(request, pk):
    case = _handled_case(request, pk)
    form = ClarificationForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            clarification = services.clarification_record(actor=request.user, case=case, **data)
        except services.ViolationError as exc:
            form.add_error(None, ERRORS[exc.code])
        except ValidationError as exc:
            form.add_error("attachment", exc)
        else:
            submission_done(request, clarification)
            messages.success(request, _("Clarification recorded."))
            return redirect("violations:case_detail", pk=pk)
    return render(request, "violations/clarification_form.html", {"case": case, "form": form})


@login_required
@idempotent("violations.case_sanction")
def case_sanction(request, pk):
    case = _handled_case(request, pk)
    form = SanctionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sanction = services.sanction_record(actor=request.user, case=case, **form.cleaned_data)
        except services.ViolationError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            submission_done(request, sanction)
            messages.success(request, _("Sanction recorded."))
            return redirect("violations:case_detail", pk=pk)
    return render(request, "violations/sanction_form.html", {"case": case, "form": form})


@login_required
@never_cache
def case_reporter(request, pk):
    """The reporter's identity: explicit permission only, and every view is audited."""
    case = _handled_case(request, pk)
    _require(permissions.can_view_reporter_identity(request.user, case))
    services.identity_viewed(actor=request.user, case=case)
    return render(request, "violations/reporter.html", {"case": case, "reporter": case.reporter})


# --- Private files ----------------------------------------------------------------------------


@login_required
def evidence_download(request, pk):
    evidence = selectors.evidence_get_for_user(request.user, pk)
    _require(permissions.can_handle(request.user, evidence.case))
    services.evidence_viewed(actor=request.user, evidence=evidence)
    # Images are shown in the browser (the file's detected kind decides, not the stored type).
    return serve_private(evidence.file, name=f"bukti-{evidence.case_id}-{evidence.pk}", inline=True)


@login_required
def clarification_attachment(request, pk):
    clarification = get_object_or_404(
        Clarification.objects.select_related("case"), pk=pk, case__in=selectors.cases_for_user(request.user)
    )
    _require(permissions.can_handle(request.user, clarification.case) and bool(clarification.attachment))
    return serve_private(clarification.attachment, name=f"klarifikasi-{clarification.case_id}-{clarification.pk}")
