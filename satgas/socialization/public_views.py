"""The public self check-in page: no login; needs the code shown on the screen in the room (presence.py).

A number that is not an active employee's, a wrong date of birth and an employee of another unit get the same
answer (the same page, message and status), and each counts against the client: the page never tells whether a
NIP/NIK belongs to an employee. A retried check-in shows the first confirmation (``satgas.core.submissions``).
"""

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from satgas.core.submissions import idempotent, submission_done

from . import presence, ratelimit, selectors, services
from .forms import CheckinForm
from .models import CheckinState

IDENTITY_ERROR = gettext_lazy(
    "We could not check you in to this session with this NIP/NIK and date of birth. Check both and try again; "
    "if it still fails (for example because the session is for another unit), ask the organiser to record your "
    "attendance."
)


def _initials(full_name: str) -> str:
    """``Agus Prasetyo, S.H.`` -> ``Agus P.``: enough for the attendee, little for an onlooker."""
    words = full_name.split(",")[0].split()
    return " ".join(words[:1] + [f"{w[0]}." for w in words[1:]])


def _refusal(request, session, reason: str, *, status: int):
    return render(request, "socialization/checkin.html", {"session": session, "refused": reason}, status=status)


def _scan_again(request, session, reason: str):
    """No fresh code from the room: the fixed link, a printed poster, a forwarded link or an old photo."""
    return render(
        request,
        "socialization/checkin.html",
        {"session": session, "scan": reason, "code_seconds": settings.SATGAS_CHECKIN_CODE_SECONDS},
        status=200 if reason == "missing" else 403,
    )


def _done_page(request, session, person, *, created: bool):
    return render(
        request,
        "socialization/checkin_done.html",
        {"session": session, "display_name": _initials(person.full_name), "created": created},
    )


def _replay(request, first, code):
    """A retried check-in: the confirmation of the attendance the first request recorded."""
    if first.obj is None:
        return redirect(request.path)
    session = selectors.session_get_by_checkin_code(code)
    return _done_page(request, session, first.obj, created=True)


@never_cache
@idempotent("socialization.checkin", replay=_replay)
def checkin(request, code):
    session = selectors.session_get_by_checkin_code(code)
    now = timezone.now()
    state = session.checkin_state(now)
    if state != CheckinState.OPEN:
        return _refusal(request, session, state, status=403)
    device = presence.device_id(request)
    new_device = device is None
    if new_device:
        device = presence.new_device_id()
    response = _checkin(request, session, device=device, known_device=not new_device, now=now)
    if new_device:
        presence.set_device_cookie(response, device)
    return response


def _checkin(request, session, *, device: str, known_device: bool, now):
    ip = ratelimit.client_ip(request)
    if ratelimit.is_blocked(ip):
        return _refusal(request, session, "rate_limited", status=429)
    if request.method != "POST":
        room = request.GET.get("k", "")
        if not presence.room_code_valid(session, room, now):
            return _scan_again(request, session, "expired" if room else "missing")
        form = CheckinForm(initial={"presence": presence.form_pass(session, device)})
        return render(request, "socialization/checkin.html", {"session": session, "form": form})

    form = CheckinForm(request.POST)
    if not known_device or not presence.form_pass_valid(request.POST.get("presence", ""), session, device):
        # A form posted without scanning here, from another browser, or long after scanning.
        return _scan_again(request, session, "expired" if known_device else "no_device")
    if form.is_valid():
        try:
            person, created = services.attendance_self_checkin(
                session=session,
                number=form.cleaned_data["number"],
                birth_date=form.cleaned_data["birth_date"],
                device_id=device,
                now=now,
            )
        except services.CheckinRefused as exc:
            if exc.reason in ("identity", "not_in_units"):
                # One answer, counted each time: otherwise the page would tell which numbers are employees.
                ratelimit.record_failure(ip)
                form.add_error(None, IDENTITY_ERROR)
            elif exc.reason == "device_used":
                ratelimit.record_failure(ip)
                return _refusal(request, session, "device_used", status=403)
            else:
                return _refusal(request, session, exc.reason, status=403)
        else:
            submission_done(request, person)
            return _done_page(request, session, person, created=created)
    return render(request, "socialization/checkin.html", {"session": session, "form": form})
