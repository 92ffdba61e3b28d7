from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from satgas.core.exports import xlsx_response
from satgas.core.files import serve_private
from satgas.core.limits import text_param
from satgas.core.qr import qr_svg

from . import permissions, selectors, services
from .forms import AttendanceImportForm, CoverageFilter, MaterialUploadForm, PickForm, SessionFilter, SessionForm
from .models import AttendanceMethod

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


def checkin_url(session) -> str:
    return settings.SATGAS_SITE_URL + reverse("socialization:checkin", args=[session.checkin_code])


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
def session_create(request):
    _require(permissions.can_create_session(request.user))
    form = SessionForm(request.POST or None, units=selectors.units_for_new_session(request.user))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        session = services.session_create(actor=request.user, units=units, **data)
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
    if can_manage:
        url = checkin_url(session)
        context.update({"checkin_url": url, "checkin_qr": qr_svg(url)})
    return render(request, "socialization/session_detail.html", context)


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
def attendance_pick(request, pk):
    session = _managed_session(request, pk)
    persons = selectors.pickable_persons(session)
    if request.method == "POST":
        form = PickForm(request.POST, persons=persons)
        if form.is_valid():
            result = services.attendance_add(
                actor=request.user, session=session, persons=form.cleaned_data["person"], method=AttendanceMethod.PICKED
            )
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
def attendance_import(request, pk):
    session = _managed_session(request, pk)
    form = AttendanceImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = services.attendance_import(
            actor=request.user, session=session, numbers=form.cleaned_data["all_numbers"]
        )
        _report_added(request, result)
        if result.problems:
            messages.warning(
                request,
                ngettext(
                    "%(count)d number could not be added; see the list below.",
                    "%(count)d numbers could not be added; see the list below.",
                    result.problems,
                )
                % {"count": result.problems},
            )
        form = AttendanceImportForm()
    return render(
        request,
        "socialization/attendance_import.html",
        {"session": session, "form": form, "result": result, "units": list(session.units.all())},
    )


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
def material_upload(request, pk):
    session = _managed_session(request, pk)
    form = MaterialUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            material = services.material_upload(actor=request.user, session=session, upload=form.cleaned_data["file"])
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(request, _("“%(name)s” uploaded.") % {"name": material.original_name})
            return redirect("socialization:session_detail", pk=session.pk)
    return render(request, "socialization/material_upload.html", {"session": session, "form": form})


@login_required
def material_download(request, pk):
    material = selectors.material_get_for_user(request.user, pk)
    _require(permissions.can_download_material(request.user, material))
    kind = material.file_kind
    stem = slugify(material.original_name.rsplit(".", 1)[0])[:80] or "materi"
    return serve_private(material.file, download_name=f"{stem}.{kind.extension}", content_type=kind.content_type)


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
