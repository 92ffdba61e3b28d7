from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from satgas.core.exports import xlsx_response
from satgas.core.files import serve_private
from satgas.core.limits import text_param
from satgas.core.qr import qr_svg
from satgas.core.submissions import idempotent, submission_done

from . import permissions, presence, selectors, services
from .forms import AttendanceImportForm, CoverageFilter, MaterialUploadForm, PickForm, SessionFilter, SessionForm
from .models import AttendanceImportStatus, AttendanceMethod, CheckinState

ATTENDANCE_PAGE_SIZE = 50
PICK_LIMIT = 300
COVERAGE_EXPORT_HEADERS = ["nama", "jenis_pegawai", "nip", "nik", "jabatan", "pangkat_golongan", "kode_unit", "unit"]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _managed_session(request, pk):
    """A visible session (404 otherwise) that the user may manage (403 otherwise)."""
    session = selectors.session_get_for_user(request.user, pk)
    _require(permissions.can_manage_session(request.user, session))
    return session


# --- Sessions ---------------------------------------------------------------------


@login_required
def session_list(request):
    _require(permissions.can_list_sessions(request.user))
    session_filter = SessionFilter(
        request.GET or None,
        queryset=selectors.session_list_for_user(request.user),
        units=selectors.session_units_visible_to(request.user),
    )
    page = Paginator(session_filter.qs, settings.SATGAS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "socialization/session_list.html",
        {
            "filter": session_filter,
            "page": page,
            "query": _query_without_page(request),
            "now": timezone.now(),
            "can_create": permissions.can_create_session(request.user),
            "can_view_coverage": permissions.can_view_coverage(request.user),
        },
    )


@login_required
@idempotent("socialization.session_create")
def session_create(request):
    _require(permissions.can_create_session(request.user))
    form = SessionForm(request.POST or None, units=selectors.units_for_new_session(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        session = services.session_create(actor=request.user, units=units, **data)
        submission_done(request, session)
        messages.success(request, _("Session “%(title)s” created.") % {"title": session.title})
        return redirect("socialization:session_detail", pk=session.pk)
    return render(request, "socialization/session_form.html", {"form": form})


@login_required
def session_edit(request, pk):
    session = _managed_session(request, pk)
    units = selectors.units_for_new_session(request.user, include=session)
    form = SessionForm(request.POST or None, instance=session, units=units)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        session = services.session_update(actor=request.user, session=session, units=data.pop("units"), **data)
        messages.success(request, _("Changes saved."))
        return redirect("socialization:session_detail", pk=session.pk)
    return render(request, "socialization/session_form.html", {"form": form, "session": session})


@login_required
def session_detail(request, pk):
    session = selectors.session_get_for_user(request.user, pk)
    can_manage = permissions.can_manage_session(request.user, session)
    can_view_attendance = permissions.can_view_attendance(request.user, session)
    context = {
        "session": session,
        "units": list(session.units.all()),
        "materials": list(selectors.materials_of(session)),
        "can_manage": can_manage,
        "can_view_attendance": can_view_attendance,
        "can_download": permissions.can_download_material(request.user, None),
        "now": timezone.now(),
        "checkin_state": session.checkin_state(timezone.now()),
    }
    if can_view_attendance:
        unit_ids = permissions.attendance_visible_unit_ids(request.user, session)
        attendances = selectors.attendances_for(session, unit_ids=unit_ids)
        context["attendance_page"] = Paginator(attendances, ATTENDANCE_PAGE_SIZE).get_page(request.GET.get("page"))
        context["attendance_partial"] = unit_ids is not None
    else:
        context["own_attended"] = selectors.has_attended(session, request.user.person_id)
    context["code_seconds"] = settings.SATGAS_CHECKIN_CODE_SECONDS
    return render(request, "socialization/session_detail.html", context)


# --- Self check-in in the room (presence.py) --------------------------------------------------------


def _room_state(session, now) -> dict:
    """What the screen in the room shows now: the QR code of the current room code, or why there is none."""
    state = session.checkin_state(now)
    if state == CheckinState.OPEN:
        return {
            "state": state,
            "qr": qr_svg(presence.room_url(session, now)),
            "refresh_in": presence.seconds_left(now),
            "message": "",
        }
    messages_by_state = {
        CheckinState.CLOSED: _("Self check-in is closed by the organiser."),
        CheckinState.NOT_YET: _("Self check-in opens at %(time)s WIB, 30 minutes before the session starts.")
        % {"time": timezone.localtime(session.checkin_opens_at).strftime("%H:%M")},
        CheckinState.OVER: _("Self check-in for this session is over."),
    }
    return {"state": state, "qr": "", "refresh_in": 15, "message": messages_by_state[state]}


@login_required
def checkin_screen(request, pk):
    """Full screen for the room's projector: the QR code changes by itself (static/js/checkin-screen.js)."""
    session = _managed_session(request, pk)
    context = {"session": session, "code_seconds": settings.SATGAS_CHECKIN_CODE_SECONDS}
    context.update(_room_state(session, timezone.now()))
    return render(request, "socialization/checkin_screen.html", context)


@login_required
@never_cache
def checkin_code(request, pk):
    """The screen's next code (JSON, read by the screen's script)."""
    session = _managed_session(request, pk)
    state = _room_state(session, timezone.now())
    return JsonResponse({**state, "qr": str(state["qr"]), "message": str(state["message"])})


@login_required
def checkin_poster(request, pk):
    """A printable poster for the door: where to check in, and no code (a poster cannot carry one that changes)."""
    session = _managed_session(request, pk)
    return render(
        request,
        "socialization/checkin_poster.html",
        {"session": session, "units": list(session.units.all()), "code_seconds": settings.SATGAS_CHECKIN_CODE_SECONDS},
    )


@login_required
@require_POST
def session_checkin_toggle(request, pk):
    session = _managed_session(request, pk)
    is_open = request.POST.get("open") == "1"
    services.session_set_checkin_open(actor=request.user, session=session, is_open=is_open)
    messages.success(request, _("Self check-in is open.") if is_open else _("Self check-in is closed."))
    return redirect("socialization:session_detail", pk=session.pk)


# --- Attendance ---------------------------------------------------------------------


def _report_added(request, result) -> None:
    if result.added:
        messages.success(
            request,
            ngettext(
                "%(count)d person added to the attendance.",
                "%(count)d people added to the attendance.",
                len(result.added),
            )
            % {"count": len(result.added)},
        )
    if result.already:
        messages.info(
            request,
            ngettext(
                "%(count)d person was already recorded; nothing changed for them.",
                "%(count)d people were already recorded; nothing changed for them.",
                len(result.already),
            )
            % {"count": len(result.already)},
        )


@login_required
@idempotent("socialization.attendance_pick")
def attendance_pick(request, pk):
    session = _managed_session(request, pk)
    persons = selectors.pickable_persons(session)
    if request.method == "POST":
        form = PickForm(request.POST, persons=persons)
        if form.is_valid():
            result = services.attendance_add(
                actor=request.user, session=session, persons=form.cleaned_data["person"], method=AttendanceMethod.PICKED
            )
            submission_done(request, session)
            _report_added(request, result)
            url = reverse("socialization:attendance_pick", args=[session.pk])
            query = request.POST.get("q", "").strip()
            return redirect(f"{url}?{urlencode({'q': query})}" if query else url)
        for error in form.errors.get("person", []):
            messages.error(request, error)
    text = text_param(request.GET if "q" in request.GET else request.POST, "q")
    matching = selectors.pickable_persons(session, text)
    shown = list(matching[: PICK_LIMIT + 1])
    return render(
        request,
        "socialization/attendance_pick.html",
        {
            "session": session,
            "persons": shown[:PICK_LIMIT],
            "truncated": len(shown) > PICK_LIMIT,
            "limit": PICK_LIMIT,
            "attended": selectors.attended_person_ids(session),
            "q": text,
        },
    )


@login_required
@idempotent("socialization.attendance_import")
def attendance_import(request, pk):
    session = _managed_session(request, pk)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.attendance_import_start(
            actor=request.user,
            session=session,
            numbers_text=form.cleaned_data["numbers"],
            upload=form.cleaned_data.get("file"),
        )
        submission_done(request, job)
        return redirect("socialization:attendance_import_result", pk=session.pk, import_pk=job.pk)
    return render(
        request,
        "socialization/attendance_import.html",
        {"session": session, "form": form, "units": list(session.units.all())},
    )


@login_required
def attendance_import_result(request, pk, import_pk):
    session = _managed_session(request, pk)
    job = selectors.attendance_import_get(session, import_pk)
    template = (
        "socialization/_attendance_import_status.html"
        if request.headers.get("HX-Request")
        else "socialization/attendance_import_result.html"
    )
    return render(
        request,
        template,
        {"session": session, "job": job, "outcome": job.outcome, "statuses": AttendanceImportStatus},
    )


@login_required
@require_POST
def attendance_import_cancel(request, pk, import_pk):
    session = _managed_session(request, pk)
    job = selectors.attendance_import_get(session, import_pk)
    try:
        services.attendance_import_cancel(actor=request.user, job=job)
        messages.info(request, _("The list was cancelled; no attendance was recorded from it."))
    except services.SocializationError:
        messages.error(request, _("This list has already been read; it can no longer be cancelled."))
    return redirect("socialization:attendance_import_result", pk=session.pk, import_pk=job.pk)


@login_required
@require_POST
def attendance_import_retry(request, pk, import_pk):
    session = _managed_session(request, pk)
    job = selectors.attendance_import_get(session, import_pk)
    try:
        services.attendance_import_retry(actor=request.user, job=job)
        messages.info(request, _("The list is being read again."))
    except services.SocializationError:
        messages.error(request, _("This list is being read or finished; it cannot be read again."))
    return redirect("socialization:attendance_import_result", pk=session.pk, import_pk=job.pk)


@login_required
@require_POST
def attendance_remove(request, pk, attendance_pk):
    session = _managed_session(request, pk)
    attendance = selectors.attendance_get(session, attendance_pk)
    services.attendance_remove(actor=request.user, attendance=attendance)
    messages.success(request, _("%(name)s was removed from the attendance.") % {"name": attendance.person.full_name})
    return redirect("socialization:session_detail", pk=session.pk)


# --- Materials -------------------------------------------------------------------------


@login_required
@idempotent("socialization.material_upload")
def material_upload(request, pk):
    session = _managed_session(request, pk)
    form = MaterialUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            material = services.material_upload(actor=request.user, session=session, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            submission_done(request, material)
            messages.success(request, _("“%(name)s” uploaded.") % {"name": material.original_name})
            return redirect("socialization:session_detail", pk=session.pk)
    return render(request, "socialization/material_upload.html", {"session": session, "form": form})


@login_required
def material_download(request, pk):
    material = selectors.material_get_for_user(request.user, pk)
    _require(permissions.can_download_material(request.user, material))
    return serve_private(material.file, name=f"materi-sosialisasi-{material.session_id}-{material.pk}")


# --- Coverage ------------------------------------------------------------------------------


def _election_filter(request) -> tuple[CoverageFilter, object]:
    form = CoverageFilter(request.GET or None)
    election = form.cleaned_data["election"] if form.is_bound and form.is_valid() else None
    return form, election


@login_required
def coverage(request):
    _require(permissions.can_view_coverage(request.user))
    form, election = _election_filter(request)
    rows, total = selectors.coverage_table(user=request.user, election=election)
    return render(
        request,
        "socialization/coverage.html",
        {"form": form, "election": election, "rows": rows, "total": total, "query": request.GET.urlencode()},
    )


@login_required
def coverage_unit(request, unit_pk):
    _require(permissions.can_view_coverage(request.user))
    unit = selectors.coverage_unit_get_for_user(request.user, unit_pk)
    form, election = _election_filter(request)
    missing = selectors.persons_not_attended(unit_id=unit.pk, election=election)
    page = Paginator(missing, settings.SATGAS_PAGE_SIZE).get_page(request.GET.get("page"))
    attended = selectors.attendance_coverage_by_unit(unit_ids=[unit.pk], election=election)[unit.pk]
    return render(
        request,
        "socialization/coverage_unit.html",
        {
            "unit": unit,
            "form": form,
            "election": election,
            "page": page,
            "attended": attended,
            "active": attended + page.paginator.count,
            "query": _query_without_page(request),
        },
    )


@login_required
def coverage_unit_export(request, unit_pk):
    _require(permissions.can_view_coverage(request.user))
    unit = selectors.coverage_unit_get_for_user(request.user, unit_pk)
    _, election = _election_filter(request)
    missing = selectors.persons_not_attended(unit_id=unit.pk, election=election)
    rows = (
        [p.full_name, p.employment_type, p.nip or "", p.nik or "", p.position, p.rank_grade, unit.code, unit.name]
        for p in missing.iterator(chunk_size=2000)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return xlsx_response(
        filename=f"belum-sosialisasi-{slugify(unit.code)}-{stamp}.xlsx",
        sheet_title="Belum sosialisasi",
        headers=COVERAGE_EXPORT_HEADERS,
        rows=rows,
        text_columns=(2, 3),
    )
