from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from satgas.accounts.roles import roles_for
from satgas.monitoring import selectors as monitoring_selectors
from satgas.personnel import selectors as personnel_selectors
from satgas.reports import selectors as reports_selectors

from .health import details_allowed, run_checks_detailed


@require_GET
@never_cache
def healthz(request):
    """200 when healthy or degraded, 503 when a critical check fails; ``checks`` and ``warnings`` (why) only for
    loopback or the monitoring token (``health.details_allowed``)."""
    status, checks, warnings = run_checks_detailed()
    body = {"status": status}
    if details_allowed(request):
        body.update(checks=checks, warnings=warnings)
    return JsonResponse(body, status=503 if status == "error" else 200)


@login_required
def ping(request):
    """The benchmarks' trivial page: the whole middleware stack and a logged-in session, nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def dashboard(request):
    roles = roles_for(request.user)
    context = {"summary": personnel_selectors.dashboard_summary(user=request.user)}
    context.update(monitoring_selectors.dashboard_panel(user=request.user))
    context.update(reports_selectors.dashboard_panel(request.user))
    if roles.is_staff_member:
        from satgas.oaths.selectors import campaigns_for_person

        context["own_person"] = personnel_selectors.own_person(user=request.user)
        context["oath_items"] = campaigns_for_person(context["own_person"])
    return render(request, "core/dashboard.html", context)


def client_ip(request) -> str | None:
    """The client's address, by the same rule as the login rate limits
    (allauth: REMOTE_ADDR, or the right-most untrusted X-Forwarded-For hop
    when ``SATGAS_TRUSTED_PROXY_COUNT`` proxies are configured)."""
    from allauth.core.internal.httpkit import get_client_ip

    try:
        return get_client_ip(request)
    except Exception:  # noqa: BLE001 - a header that does not match the proxy count
        return None
