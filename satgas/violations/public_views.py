"""The public pages: an anonymous report, and its status with the receipt code.

Nothing here stores the reporter's IP address or browser; the IP only keys a
short-lived counter of wrong codes in the cache (``receipts.record_failure``).
The code travels in POST bodies only, never in a URL.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from satgas.core.views import client_ip

from . import receipts, services
from .forms import ReceiptForm, ReportForm
from .models import Intake
from .selectors import case_by_receipt
from .views import ERRORS, receipt_page, report_from_form, report_page


@never_cache
def report(request):
    form = ReportForm(request.POST or None, request.FILES or None, public=True)
    if request.method == "POST":
        ip = client_ip(request) or "unknown"
        if receipts.public_reports_blocked(ip):
            form.add_error(None, _("Too many reports from your connection. Try again in an hour."))
            return report_page(request, form=form, public=True, status=429)
        if form.is_valid():
            result = report_from_form(request, form, actor=None, intake=Intake.ANONYMOUS)
            if result:
                receipts.record_public_report(ip)
                return receipt_page(request, case=result[0], code=result[1], public=True)
    return report_page(request, form=form, public=True)


@never_cache
def status(request):
    ip = client_ip(request) or "unknown"  # no usable address: such clients share one counter
    form = ReceiptForm(request.POST or None)
    context = {"form": form}
    if request.method == "POST":
        if receipts.is_blocked(ip):
            context["blocked"] = True
            return render(request, "violations/status.html", context, status=429)
        if form.is_valid():
            case = case_by_receipt(form.cleaned_data["code"])
            if case is None:
                receipts.record_failure(ip)
                form.add_error("code", _("This receipt code does not match any report."))
                return render(request, "violations/status.html", context, status=404)
            body = (form.cleaned_data.get("body") or "").strip()
            if body:
                try:
                    services.message_from_reporter(case=case, body=body)
                    context["sent"] = True
                except services.ViolationError as exc:
                    context["error"] = ERRORS[exc.code]
            context.update(
                {
                    "case": case,
                    "messages_list": list(case.messages.order_by("created_at", "id")),
                    "code": form.cleaned_data["code"],
                    "reply_form": ReceiptForm(initial={"code": form.cleaned_data["code"]}),
                }
            )
    return render(request, "violations/status.html", context)
