"""Monitoring pages: vulnerable points, reports, evaluations, the regional overview, elections."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from satgas.core.files import serve_private
from satgas.core.submissions import idempotent, submission_done
from satgas.elections.models import Election
from satgas.violations.services import ViolationError
from satgas.violations.views import ERRORS as VIOLATION_ERRORS

from . import permissions, rules, selectors, services
from .forms import (
    AttachmentForm,
    ElectionForm,
    EvaluationForm,
    FlaggedPostForm,
    PointForm,
    ReportForm,
    ReportStartForm,
    ReviewForm,
    StageForm,
    WatchForm,
)
from .models import Attachment, FlaggedPost

ERRORS = {
    "forbidden": gettext_lazy("You may not do this."),
    "locked": gettext_lazy("This report is submitted and locked."),
    "transition_forbidden": gettext_lazy("This change of status is not allowed."),
    "comment_required": gettext_lazy("Say why the report is returned."),
    "already_reported": gettext_lazy("This post is already a violation report."),
    "post_in_future": gettext_lazy("The post's date cannot be in the future."),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _run(form, call, request=None):
    """Call a service; domain and validation errors land on the form. Returns the result or None. With ``request``,
    a result is what this create form submission made (``submission_done``)."""
    try:
        result = call()
    except services.MonitoringError as exc:
        if exc.code == "forbidden":
            raise PermissionDenied from exc
        form.add_error(None, ERRORS[exc.code])
    except ValidationError as exc:
        form.add_error(None, exc.messages)
    else:
        if request is not None and result:
            submission_done(request, result if hasattr(result, "pk") else None)
        return result
    return None


def _form_page(request, form, *, title, back, status=200, multipart=False):
    context = {"form": form, "title": title, "back": back, "multipart": multipart}
    return render(request, "monitoring/form.html", context, status=400 if form.errors else status)


# --- Vulnerable points ---------------------------------------------------------------


@login_required
def point_list(request):
    _require(permissions.can_use(request.user))
    points = selectors.points_with_review_stages(request.user)
    can_add = permissions.writable_unit_ids(request.user) != frozenset()
    return render(request, "monitoring/point_list.html", {"points": points, "can_add": can_add})


def _point_form(request, point=None):
    units = selectors.writable_units(request.user)
    form = PointForm(request.POST or None, instance=point, units=units)
    if point is not None:
        form.fields["unit"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "unit"}
        unit = point.unit if point else form.cleaned_data["unit"]
        saved = _run(form, lambda: services.point_save(actor=request.user, unit=unit, point=point, **data), request)
        if saved:
            messages.success(request, _("Vulnerable point saved."))
            return redirect("monitoring:point_list")
    title = _("Edit vulnerable point") if point else _("New vulnerable point")
    return _form_page(request, form, title=title, back="monitoring:point_list")


@login_required
@idempotent("monitoring.point_form")
def point_create(request):
    _require(permissions.writable_unit_ids(request.user) != frozenset())
    return _point_form(request)


@login_required
@idempotent("monitoring.point_form")
def point_edit(request, pk):
    point = selectors.point_get_for_user(request.user, pk)
    _require(permissions.can_write_unit(request.user, point.unit_id))
    return _point_form(request, point)


@login_required
def risk_matrix(request):
    _require(permissions.can_see_region(request.user))
    elections = list(Election.objects.order_by("-voting_day"))
    election = next((e for e in elections if str(e.pk) == request.GET.get("election")), None)
    election = election or (elections[0] if elections else None)
    matrix = selectors.risk_matrix(request.user, election=election) if election else None
    return render(request, "monitoring/matrix.html", {"elections": elections, "election": election, "matrix": matrix})


# --- Reports ------------------------------------------------------------------------------


@login_required
def report_list(request):
    _require(permissions.can_use(request.user))
    page = Paginator(selectors.report_list_for_user(request.user), 50).get_page(request.GET.get("page"))
    units = selectors.writable_units(request.user)
    form = ReportStartForm(initial={"period": timezone.localdate()}, units=units)
    return render(request, "monitoring/report_list.html", {"page": page, "start_form": form})


@login_required
@require_POST
@idempotent("monitoring.report_start")
def report_start(request):
    units = selectors.writable_units(request.user)
    _require(units.exists())
    form = ReportStartForm(request.POST, units=units)
    if form.is_valid():
        report = services.report_start(
            actor=request.user, unit=form.cleaned_data["unit"], period_start=form.cleaned_data["period"]
        )
        submission_done(request, report)
        return redirect("monitoring:report_edit", report.pk)
    return _form_page(request, form, title=_("Start a report"), back="monitoring:report_list")


@login_required
def report_detail(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    context = {
        "report": report,
        **selectors.report_detail(report),
        "can_edit": rules.is_editable(report.status) and permissions.can_file_report(request.user, report.unit_id),
        "can_submit": rules.is_allowed(report.status, "SUBMITTED")
        and permissions.can_file_report(request.user, report.unit_id),
        "can_review": report.status == "SUBMITTED" and permissions.can_review(request.user),
        "can_evaluate": permissions.can_evaluate(request.user),
        "can_flag": permissions.can_flag_to_case(request.user, report.unit_id),
        "review_form": ReviewForm(),
    }
    return render(request, "monitoring/report_detail.html", context)


def _editable_report(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_file_report(request.user, report.unit_id))
    if not rules.is_editable(report.status):
        raise PermissionDenied(ERRORS["locked"])
    return report


@login_required
def report_edit(request, pk):
    report = _editable_report(request, pk)
    form = ReportForm(request.POST or None, instance=report)
    if request.method == "POST" and form.is_valid():
        if _run(form, lambda: services.report_update(actor=request.user, report=report, **form.cleaned_data)):
            messages.success(request, _("Draft saved."))
            return redirect("monitoring:report_detail", report.pk)
    context = {
        "report": report,
        "form": form,
        "watch_form": WatchForm(),
        "post_form": FlaggedPostForm(),
        "attachment_form": AttachmentForm(),
        **selectors.report_detail(report),
    }
    return render(request, "monitoring/report_edit.html", context, status=400 if form.errors else 200)


def _sub_add(request, pk, form_class, call, files=False):
    report = _editable_report(request, pk)
    form = form_class(request.POST, request.FILES if files else None)
    if form.is_valid() and _run(form, lambda: call(report, form.cleaned_data), request):
        return redirect("monitoring:report_edit", report.pk)
    return _form_page(request, form, title=str(report), back="monitoring:report_list", multipart=files)


@login_required
@require_POST
@idempotent("monitoring.watch_add")
def watch_add(request, pk):
    return _sub_add(request, pk, WatchForm, lambda r, d: services.watch_add(actor=request.user, report=r, **d))


@login_required
@require_POST
@idempotent("monitoring.post_add")
def post_add(request, pk):
    return _sub_add(
        request, pk, FlaggedPostForm, lambda r, d: services.flagged_post_add(actor=request.user, report=r, **d)
    )


@login_required
@require_POST
@idempotent("monitoring.attachment_add")
def attachment_add(request, pk):
    return _sub_add(
        request,
        pk,
        AttachmentForm,
        lambda r, d: services.attachment_add(actor=request.user, report=r, upload=d["file"]),
        files=True,
    )


@login_required
def attachment_download(request, pk):
    attachment = get_object_or_404(Attachment.objects.select_related("report"), pk=pk)
    selectors.report_get_for_user(request.user, attachment.report_id)
    return serve_private(attachment.file, name=f"lampiran-monitoring-{attachment.report_id}-{attachment.pk}")


@login_required
@require_POST
@idempotent("monitoring.post_to_case")
def post_to_case(request, pk):
    post = get_object_or_404(FlaggedPost.objects.select_related("report"), pk=pk)
    selectors.report_get_for_user(request.user, post.report_id)
    _require(permissions.can_flag_to_case(request.user, post.report.unit_id))
    try:
        case = services.flagged_post_to_case(actor=request.user, post=post)
    except services.MonitoringError as exc:
        messages.error(request, ERRORS[exc.code])
    except ViolationError as exc:  # the violation rules (e.g. a date in the future) refused it
        messages.error(request, VIOLATION_ERRORS[exc.code])
    else:
        submission_done(request, case)
        messages.success(request, _("Violation report %(number)s filed.") % {"number": case.number})
    return redirect("monitoring:report_detail", post.report_id)


@login_required
@require_POST
def report_submit(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_file_report(request.user, report.unit_id))
    try:
        services.report_submit(actor=request.user, report=report)
    except services.MonitoringError as exc:
        messages.error(request, ERRORS[exc.code])
        return redirect("monitoring:report_detail", pk)
    messages.success(request, _("Report submitted."))
    return redirect("monitoring:report_detail", pk)


@login_required
@require_POST
def report_review(request, pk):
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_review(request.user))
    form = ReviewForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        call = lambda: services.report_review(  # noqa: E731
            actor=request.user, report=report, to=data["decision"], comment=data["comment"]
        )
        if _run(form, call):
            messages.success(request, _("Review recorded."))
            return redirect("monitoring:report_detail", pk)
    return _form_page(request, form, title=str(report), back="monitoring:report_list")


@login_required
def version_detail(request, pk, number):
    report = selectors.report_get_for_user(request.user, pk)
    version = selectors.version_get(report, number)
    return render(request, "monitoring/version_detail.html", {"report": report, "version": version})


# --- Evaluations and the regional overview ------------------------------------------------------


@login_required
@idempotent("monitoring.evaluation")
def evaluation_edit(request, pk):
    """Evaluate the unit and period of report ``pk``."""
    report = selectors.report_get_for_user(request.user, pk)
    _require(permissions.can_evaluate(request.user))
    current = selectors.report_detail(report)["evaluation"]
    form = EvaluationForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.evaluation_record(  # noqa: E731
            actor=request.user, unit=report.unit, period_start=report.period_start, **form.cleaned_data
        )
        if _run(form, call, request):
            messages.success(request, _("Evaluation recorded."))
            return redirect("monitoring:report_detail", pk)
    return _form_page(
        request, form, title=_("Evaluation: %(report)s") % {"report": report}, back="monitoring:report_list"
    )


@login_required
def evaluation_list(request):
    _require(permissions.can_use(request.user))
    return render(
        request, "monitoring/evaluation_list.html", {"evaluations": selectors.evaluations_for_user(request.user)}
    )


@login_required
def overview(request):
    _require(permissions.can_see_region(request.user))
    status = request.GET.get("status", "")
    status = status if status in ("due", "done") else ""
    data = selectors.status_overview(request.user, count=3, status=status, page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    statuses = [("", _("All units")), ("due", _("Report still to file")), ("done", _("Report filed"))]
    return render(request, "monitoring/overview.html", {**data, "statuses": statuses, "query": query.urlencode()})


# --- Elections and stages ----------------------------------------------------------------------


@login_required
def election_list(request):
    _require(permissions.can_manage_elections(request.user))
    elections = selectors.elections_with_stage_counts().prefetch_related("stages")
    return render(request, "monitoring/election_list.html", {"elections": elections})


@login_required
@idempotent("monitoring.election_form")
def election_edit(request, pk=None):
    _require(permissions.can_manage_elections(request.user))
    election = get_object_or_404(Election, pk=pk) if pk else None
    form = ElectionForm(request.POST or None, instance=election)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.election_save(actor=request.user, election=election, **form.cleaned_data)  # noqa: E731
        if _run(form, call, request):
            return redirect("monitoring:election_list")
    return _form_page(request, form, title=_("Election"), back="monitoring:election_list")


@login_required
@idempotent("monitoring.stage_form")
def stage_edit(request, election_pk, pk=None):
    _require(permissions.can_manage_elections(request.user))
    election = get_object_or_404(Election, pk=election_pk)
    stage = get_object_or_404(election.stages, pk=pk) if pk else None
    form = StageForm(request.POST or None, instance=stage)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.stage_save(  # noqa: E731
            actor=request.user, election=election, stage=stage, **form.cleaned_data
        )
        if _run(form, call, request):
            return redirect("monitoring:election_list")
    return _form_page(
        request, form, title=_("Stage of %(election)s") % {"election": election}, back="monitoring:election_list"
    )
