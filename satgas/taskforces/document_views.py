"""The task-force documents (decree, hand badges) and the public badge verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from satgas.core.pdf import render_pdf
from satgas.core.qr import qr_svg

from . import permissions, selectors
from .models import DECREE_TITLES
from .views import _require


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
def decree_pdf(request, pk):
    """The appointment decree with its annex of members."""
    task_force = selectors.taskforce_get_for_user(request.user, pk)
    if not task_force.decree_number:
        messages.error(request, _("Record the decree number and date first."))
        return redirect("taskforces:detail", pk=pk)
    # The annex lists the members appointed on the decree date (today's, if none had started by then).
    members = selectors.roster(task_force, on=task_force.decree_date) or selectors.roster(task_force)
    pdf = render_pdf(
        "taskforces/decree_pdf.html",
        {
            "task_force": task_force,
            "unit": task_force.unit,
            "members": members,
            "titles": DECREE_TITLES,
            "place": selectors.regional_defaults().decree_place,
        },
    )
    return _pdf(pdf, f"sk-satgas-{task_force.unit.code.lower()}-{task_force.pk}.pdf")


@login_required
def badges_pdf(request, pk):
    """One hand badge per current member, each with a QR code to its public verification."""
    task_force = selectors.taskforce_get_for_user(request.user, pk)
    _require(permissions.can_print_badges(request.user))
    badges = []
    for membership in selectors.roster(task_force):
        url = request.build_absolute_uri(reverse("taskforce_badge_verify", args=[membership.badge_code]))
        # Each QR code carries the same element id: make it unique within the document.
        qr = mark_safe(qr_svg(url).replace('id="qr-path"', f'id="qr-{membership.pk}"'))  # noqa: S308 - our own SVG
        badges.append({"m": membership, "title": DECREE_TITLES[membership.role], "url": url, "qr": qr})
    pdf = render_pdf("taskforces/badges_pdf.html", {"task_force": task_force, "badges": badges})
    return _pdf(pdf, f"lencana-satgas-{task_force.unit.code.lower()}-{task_force.pk}.pdf")


def badge_verify(request, code):
    """Public: only name, role, unit and validity; unknown codes answer 404."""
    membership = selectors.membership_by_badge_code(code)
    if membership is None:
        return render(request, "taskforces/verify.html", {"membership": None}, status=404)
    return render(
        request,
        "taskforces/verify.html",
        {
            "membership": membership,
            "valid": selectors.membership_valid(membership),
            "title": DECREE_TITLES[membership.role],
        },
    )
