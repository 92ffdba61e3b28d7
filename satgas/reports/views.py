"""Six-monthly report pages: archive, generation, review (text, recipients), approval, sending,
downloads and document verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from satgas.core.files import serve_private_bytes
from satgas.core.submissions import idempotent, submission_done

from . import documents, permissions, rules, selectors, services
from .errors import ReportError, message
from .forms import ApproveForm, ArchiveFilterForm, GenerateForm, RecipientsForm, TextForm, VerifyForm


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _visible_area(request) -> None:
    """The reports area does not exist for people who may not see it."""
    if not permissions.can_view(request.user):
        raise Http404


def _run(request, form, call):
    """Call a service; rule and validation errors land on the form (or as a message). Returns the result or None."""
    try:
        return call()
    except ReportError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from exc
        text = message(exc.code)
        if form is not None:
            form.add_error(None, text)
        else:
            messages.error(request, text)
    return None


@login_required
def archive(request):
    _visible_area(request)
    form = ArchiveFilterForm(request.GET or None)
    year = status = None
    if form.is_valid():
        year, status = form.cleaned_data["year"], form.cleaned_data["status"]
    page = Paginator(selectors.archive(request.user, year=year, status=status or ""), 50).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "filter_form": form,
        "query": query.urlencode(),
        "can_manage": permissions.can_manage(request.user),
    }
    return render(request, "reports/archive.html", context)


@login_required
@idempotent("reports.generate")
def generate(request):
    _visible_area(request)
    _require(permissions.can_manage(request.user))
    form = GenerateForm(request.POST if request.method == "POST" else None, offices=selectors.root_offices())
    if request.method == "POST" and form.is_valid():
        office, period = form.cleaned_data["office"], form.cleaned_data["period"]
        version = _run(
            request,
            form,
            lambda: services.semester_report_generate(actor=request.user, office=office, semester=period),
        )
        if version:
            submission_done(request, version)
            messages.success(
                request, _("Version %(n)s of the report was generated. Review it below.") % {"n": version.number}
            )
            return redirect("reports:detail", version.report_id)
    return render(request, "reports/generate.html", {"form": form}, status=400 if form.errors else 200)


def _detail_context(request, report, *, text_form=None, recipients_form=None) -> dict:
    user = request.user
    can_manage = permissions.can_manage(user)
    data = selectors.report_detail(report)
    latest = data["latest"]
    return {
        "report": report,
        **data,
        "can_manage": can_manage,
        "can_edit": can_manage and rules.is_editable(report.status),
        "can_edit_recipients": can_manage and report.status in rules.RECIPIENTS_EDITABLE,
        "can_send": can_manage and rules.can_send_from(report.status),
        "can_approve": rules.can("approve", report.status) and latest is not None,
        "missing_signer": latest is not None and not rules.letter_has_signer(latest.snapshot),
        "approval_refusal": permissions.approval_refusal(user),
        "text_form": text_form or TextForm.for_report(report),
        "recipients_form": recipients_form or RecipientsForm.for_report(report),
        "approve_form": ApproveForm(initial={"version": latest.number if latest else None}),
    }


@login_required
def detail(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    return render(request, "reports/detail.html", _detail_context(request, report))


@login_required
@require_POST
@idempotent("reports.regenerate")
def regenerate(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_manage(request.user))
    version = _run(
        request,
        None,
        lambda: services.semester_report_generate(actor=request.user, office=report.office, semester=report.period),
    )
    if version:
        submission_done(request, version)
        messages.success(request, _("Version %(n)s generated from current data.") % {"n": version.number})
    return redirect("reports:detail", pk)


@login_required
@require_POST
@idempotent("reports.text_update")
def text_update(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_manage(request.user))
    form = TextForm.for_report(report, request.POST)
    if form.is_valid():
        version = _run(
            request,
            form,
            lambda: services.semester_report_text_update(actor=request.user, report=report, **form.cleaned_data),
        )
        if version:
            submission_done(request, version)
            messages.success(request, _("Text saved: version %(n)s.") % {"n": version.number})
            return redirect("reports:detail", pk)
    report.refresh_from_db()
    return render(request, "reports/detail.html", _detail_context(request, report, text_form=form), status=400)


@login_required
@require_POST
def recipients_update(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_manage(request.user))
    form = RecipientsForm.for_report(report, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = _run(
            request,
            form,
            lambda: services.semester_report_recipients_update(
                actor=request.user, report=report, to=data["to"], cc=data["cc"]
            ),
        )
        if done:
            messages.success(request, _("Recipients saved."))
            return redirect("reports:detail", pk)
    return render(request, "reports/detail.html", _detail_context(request, report, recipients_form=form), status=400)


@login_required
@require_POST
def approve(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    refusal = permissions.approval_refusal(request.user)
    if refusal == "mfa":
        raise PermissionDenied(message("mfa_required"))
    _require(refusal is None)
    form = ApproveForm(request.POST)
    number = form.cleaned_data["version"] if form.is_valid() else None
    if number is None:
        messages.error(request, message("stale_version"))
        return redirect("reports:detail", pk)
    done = _run(
        request,
        None,
        lambda: services.semester_report_approve(actor=request.user, report=report, version_number=number),
    )
    if done:
        messages.success(request, _("Version %(n)s approved for sending.") % {"n": number})
    return redirect("reports:detail", pk)


@login_required
@require_POST
def send(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_manage(request.user))
    done = _run(request, None, lambda: services.semester_report_send(actor=request.user, report=report))
    if done:
        messages.success(request, _("The report is queued for sending; its status below shows the delivery."))
    return redirect("reports:detail", pk)


def _download(content, *, filename: str) -> HttpResponse:
    # The type and extension come from the bytes (one helper for every private file).
    return serve_private_bytes(content, name=filename.rsplit(".", 1)[0])


@login_required
def version_pdf(request, pk, number):
    report = selectors.report_get_for_user(request.user, pk)
    version = selectors.version_get(report, number)
    pdf_name, _xlsx_name = documents.attachment_names(report, version)
    return _download(version.pdf, filename=pdf_name)


@login_required
def version_xlsx(request, pk, number):
    report = selectors.report_get_for_user(request.user, pk)
    version = selectors.version_get(report, number)
    _pdf_name, xlsx_name = documents.attachment_names(report, version)
    return _download(version.xlsx, filename=xlsx_name)


@login_required
def verify(request):
    _visible_area(request)
    form = VerifyForm(request.POST, request.FILES) if request.method == "POST" else VerifyForm()
    result, searched = None, None
    if request.method == "POST" and form.is_valid():
        searched = form.digest()
        result = selectors.verify(request.user, searched)
    status = 400 if form.errors else 200
    return render(request, "reports/verify.html", {"form": form, "result": result, "searched": searched}, status=status)
