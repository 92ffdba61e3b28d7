"""The public verification of a report document: anyone (Biro SDM, an auditor) checks a PDF or XLSX by
its SHA-256 — or the file — and learns only the office, the period, the version, when it was generated
and whether (and when) that version was delivered. No content, no recipients.

Unknown hashes count against the client IP (``satgas.core.ratelimit``, in the shared cache); past
``VERIFY_FAILURES_ALLOWED`` in ``VERIFY_WINDOW_SECONDS`` the page answers 429.
"""

from django.shortcuts import render
from django.views.decorators.cache import never_cache

from satgas.core.ratelimit import failure_record, failures_exceeded
from satgas.core.views import client_ip

from . import selectors
from .forms import PublicVerifyForm

VERIFY_FAILURES_ALLOWED = 20
VERIFY_WINDOW_SECONDS = 15 * 60
TEMPLATE = "reports/public_verify.html"


def _key(ip: str) -> str:
    return f"reports:verify-failures:{ip}"


def verify_blocked(ip: str) -> bool:
    return failures_exceeded(_key(ip), limit=VERIFY_FAILURES_ALLOWED)


def verify_failure(ip: str) -> None:
    failure_record(_key(ip), window_seconds=VERIFY_WINDOW_SECONDS)


@never_cache
def verify(request):
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": PublicVerifyForm()})
    form = PublicVerifyForm(request.POST, request.FILES)
    context = {"form": form}
    ip = client_ip(request) or "unknown"  # no usable address: such clients share one counter
    if verify_blocked(ip):
        context["blocked"] = True
        return render(request, TEMPLATE, context, status=429)
    if not form.is_valid():
        return render(request, TEMPLATE, context, status=400)
    searched = form.digest()
    result = selectors.public_verification(searched)
    context.update(searched=searched, result=result)
    if result is None:
        verify_failure(ip)
        return render(request, TEMPLATE, context, status=404)
    return render(request, TEMPLATE, context)
