"""The public pages: an anonymous report, and its status with the receipt code.

Nothing here stores the reporter's IP address or browser; the IP only keys
short-lived counters in the cache (attempts and reports per hour, wrong codes).
The code travels in POST bodies only, never in a URL.

Whether a typed NIP/NIK belongs to an employee never changes the answer (the same
page, errors and status either way), and every sent form counts against the
client, so the form cannot be used to probe the registry.

Both forms are safe to send twice (``satgas.core.submissions``): a retried report
shows the receipt of the case the first request stored, with the same code; a
retried message is not stored twice.
"""

from functools import partial

from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from satgas.core.submissions import idempotent, submission_done
from satgas.core.views import client_ip

from . import receipts, services
from .forms import ReceiptForm, ReportForm
from .models import Intake
from .selectors import case_by_receipt
from .views import ERRORS, receipt_page, receipt_replay, report_from_form, report_page


@never_cache
@idempotent("violations.report_public", replay=partial(receipt_replay, public=True))
def report(request):
    form = ReportForm(request.POST or None, request.FILES or None, public=True)
    if request.method == "POST":
        ip = client_ip(request) or "unknown"
        if receipts.public_attempts_blocked(ip):
            form.add_error(None, _("Too many attempts from your connection. Try again in an hour."))
            return report_page(request, form=form, public=True, status=429)
        if receipts.public_reports_blocked(ip):
            form.add_error(None, _("Too many reports from your connection. Try again in an hour."))
            return report_page(request, form=form, public=True, status=429)
        receipts.record_public_attempt(ip)
        if form.is_valid():
            result = report_from_form(request, form, actor=None, intake=Intake.ANONYMOUS)
            if result:
                case, code = result
                submission_done(request, case, secret=code)
                receipts.record_public_report(ip)
                return receipt_page(request, case=case, code=code, public=True)
    return report_page(request, form=form, public=True)


def _status(request, *, send: bool):
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
            if body and send:
                try:
                    message = services.message_from_reporter(case=case, body=body)
                except services.ViolationError as exc:
                    context["error"] = ERRORS[exc.code]
                else:
                    submission_done(request, message)
                    context["sent"] = True
            elif body:  # a retry of a message already stored
                context["sent"] = True
            context.update(
                {
                    "case": case,
                    "messages_list": list(case.messages.order_by("created_at", "id")),
                    "code": form.cleaned_data["code"],
                    "reply_form": ReceiptForm(initial={"code": form.cleaned_data["code"]}),
                }
            )
    return render(request, "violations/status.html", context)


def _status_replay(request, first):
    """A retried message: the status page as the first request showed it, without storing the message again."""
    if first.obj is None:
        return redirect(request.path)
    return _status(request, send=False)


@never_cache
@idempotent("violations.reporter_message", replay=_status_replay)
def status(request):
    return _status(request, send=True)
