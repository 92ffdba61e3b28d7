from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from satgas.accounts.roles import roles_for
from satgas.monitoring import selectors as monitoring_selectors
from satgas.personnel import selectors as personnel_selectors
from satgas.reports import selectors as reports_selectors

from . import selectors, services
from .health import details_allowed, run_checks_detailed
from .models import OutboxMessage


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
    if roles.is_regional_admin:
        context["background_work"] = selectors.background_work_summary(with_jobs=False)
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


def _require_regional_admin(request) -> None:
    if not roles_for(request.user).is_regional_admin:
        raise PermissionDenied


@login_required
def background_work(request):
    """Regional admins: background tasks that failed or are overdue, with Try again and Dismiss."""
    _require_regional_admin(request)
    context = {"rows": selectors.background_work_needing_attention(), **selectors.background_work_summary()}
    return render(request, "core/background_work.html", context)


@login_required
@require_POST
def background_work_action(request, pk, action):
    _require_regional_admin(request)
    message = get_object_or_404(OutboxMessage, pk=pk)
    if action == "retry":
        done = services.outbox_retry(actor=request.user, message=message)
        text = _("The task will run again shortly.")
    else:
        done = services.outbox_dismiss(actor=request.user, message=message)
        text = _("The task was dismissed; it will not run.")
    if done:
        messages.success(request, text)
    else:
        messages.info(request, _("This task finished meanwhile; nothing was changed."))
    return redirect("core:background_work")
