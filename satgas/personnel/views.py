from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from satgas.accounts import permissions as account_permissions
from satgas.accounts import selectors as account_selectors
from satgas.core.exports import XLSX_MIME, csv_response, xlsx_response
from satgas.core.selectors import audit_events_for
from satgas.core.submissions import idempotent, submission_done

from . import permissions, selectors, services, spreadsheets, tokens
from .forms import ImportUploadForm, OwnEmailForm, PersonFilter, PersonForm, PersonMoveForm, UnitForm
from .models import EmailChange, EmailChangeStatus, ImportStatus
from .selectors import own_person

EXPORT_HEADERS = [
    "nama",
    "jenis_pegawai",
    "nip",
    "nik",
    "kode_unit",
    "unit",
    "jabatan",
    "pangkat_golongan",
    "email",
    "telepon",
    "status",
]


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def _filtered_persons(request):
    units = selectors.units_for_user(request.user)
    qs = selectors.persons_for_user(request.user)
    person_filter = PersonFilter(request.GET or None, queryset=qs, units=units)
    return person_filter, person_filter.qs.order_by("full_name", "id")


@login_required
def person_list(request):
    _require(permissions.can_list_personnel(request.user))
    person_filter, qs = _filtered_persons(request)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "personnel/person_list.html",
        {
            "filter": person_filter,
            "page": page,
            "query": query.urlencode(),
            "can_create": permissions.can_create_person(request.user),
            "can_import": permissions.can_import(request.user),
        },
    )


@login_required
def person_export(request, fmt):
    _require(permissions.can_export(request.user))
    _, qs = _filtered_persons(request)
    rows = (
        [
            p.full_name,
            p.employment_type,
            p.nip or "",
            p.nik or "",
            p.unit.code,
            p.unit.name,
            p.position,
            p.rank_grade,
            p.email,
            p.phone,
            p.get_status_display(),
        ]
        for p in qs.iterator(chunk_size=2000)
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        return csv_response(filename=f"personel-{stamp}.csv", headers=EXPORT_HEADERS, rows=rows)
    return xlsx_response(
        filename=f"personel-{stamp}.xlsx",
        sheet_title="Personel",
        headers=EXPORT_HEADERS,
        rows=rows,
        text_columns=(2, 3),
    )


@login_required
def person_detail(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    can_audit = permissions.can_view_audit(request.user, person)
    return render(
        request,
        "personnel/person_detail.html",
        {
            "person": person,
            "placements": selectors.placements_of(person),
            "audit_events": audit_events_for(person) if can_audit else None,
            "account": account_selectors.account_of(person),
            "can_edit": permissions.can_edit_person(request.user, person),
            "can_move": permissions.can_move_person(request.user, person),
            "can_manage_account": account_permissions.can_manage_accounts(request.user),
            "email_changes": selectors.email_changes_of(person)
            if permissions.can_see_email_changes(request.user, person)
            else None,
            "can_cancel_email_change": permissions.can_cancel_email_change(request.user, person),
        },
    )


@login_required
@idempotent("personnel.person_create")
def person_create(request):
    _require(permissions.can_create_person(request.user))
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        unit = data.pop("unit")
        person = services.person_create(actor=request.user, unit=unit, **data)
        submission_done(request, person)
        messages.success(request, _("%(name)s was added to the registry.") % {"name": person.full_name})
        return redirect("personnel:person_detail", pk=person.pk)
    return render(request, "personnel/person_form.html", {"form": form})


@login_required
def person_edit(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    _require(permissions.can_edit_person(request.user, person))
    form = PersonForm(request.POST or None, instance=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person, **form.cleaned_data)
        except services.PersonnelError as exc:
            form.add_error("email", EMAIL_ERRORS.get(str(exc), EMAIL_ERRORS["email_clear_admin_only"]))
        else:
            messages.success(request, _("Changes saved."))
            _tell_pending(request, person)
            return redirect("personnel:person_detail", pk=person.pk)
    return render(request, "personnel/person_form.html", {"form": form, "person": person})


EMAIL_ERRORS = {
    "email_clear_admin_only": gettext_lazy("Only a regional admin can remove an email address."),
    "email_change_not_pending": gettext_lazy(
        "This change of address is no longer waiting: it was confirmed, stopped or replaced, or its link expired."
    ),
}


def _tell_pending(request, person) -> None:
    pending = selectors.email_change_pending(person)
    if pending and pending.requested_by_id == request.user.pk and pending.new_email != person.email:
        messages.info(
            request,
            _(
                "The new address %(email)s takes effect once it is confirmed from that mailbox: a confirmation link "
                "was sent there, and the current address was told of the request."
            )
            % {"email": pending.new_email},
        )


@login_required
@require_POST
def email_change_cancel(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    _require(permissions.can_cancel_email_change(request.user, person))
    pending = selectors.email_change_pending(person)
    if pending is None:
        messages.error(request, EMAIL_ERRORS["email_change_not_pending"])
    else:
        services.email_change_cancel(change_id=pending.pk, actor=request.user, note="cancelled on the person page")
        messages.success(request, _("The change of address was cancelled; the current address stays."))
    return redirect("personnel:person_detail", pk=person.pk)


@login_required
def own_email(request):
    """A staff member asks for a new address of their own; it takes effect once confirmed from that mailbox."""
    _require(permissions.can_change_own_email(request.user))
    person = own_person(user=request.user)
    form = OwnEmailForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            change = services.email_change_request(
                actor=request.user, person=person, new_email=form.cleaned_data["email"]
            )
        except services.PersonnelError as exc:
            form.add_error("email", EMAIL_ERRORS.get(str(exc), EMAIL_ERRORS["email_clear_admin_only"]))
        else:
            if change is None:
                messages.info(request, _("This is already your address."))
            else:
                _tell_pending(request, person)
            return redirect("personnel:own_email")
    return render(
        request,
        "personnel/own_email.html",
        {"form": form, "person": person, "pending": selectors.email_change_pending(person)},
    )


@never_cache
def email_confirm(request, token):
    """The link sent to the new address: a page with a button (a mail scanner's GET changes nothing)."""
    return _email_link_page(request, token, salt=tokens.CONFIRM_SALT, confirm=True)


@never_cache
def email_stop(request, token):
    """The link sent to the previous address: stop a change the person did not ask for."""
    return _email_link_page(request, token, salt=tokens.STOP_SALT, confirm=False)


def _email_link_page(request, token, *, salt, confirm: bool):
    change_id = tokens.read(token, salt=salt)
    change = EmailChange.objects.select_related("person", "requested_by").filter(pk=change_id).first()
    context = {"change": change, "confirm": confirm, "done": False, "error": None}
    if change is None:
        context["error"] = _("This link is not valid or has expired.")
        return render(request, "personnel/email_link.html", context, status=404)
    if request.method == "POST":
        try:
            if confirm:
                services.email_change_confirm(change_id=change.pk, actor=_acting_person_user(request, change))
            else:
                services.email_change_cancel(
                    change_id=change.pk,
                    actor=_acting_person_user(request, change),
                    note="stopped from the previous address",
                )
        except services.PersonnelError as exc:
            context["error"] = EMAIL_ERRORS[str(exc)]
        else:
            context["done"] = True
    elif change.status != EmailChangeStatus.PENDING:
        context["error"] = EMAIL_ERRORS["email_change_not_pending"]
    return render(request, "personnel/email_link.html", context, status=409 if context["error"] else 200)


def _acting_person_user(request, change):
    """The person's own login when it is the one using the link; otherwise nobody (the link is the proof)."""
    user = request.user
    return user if user.is_authenticated and user.person_id == change.person_id else None


@login_required
@idempotent("personnel.person_move")
def person_move(request, pk):
    person = selectors.person_get_for_user(request.user, pk)
    _require(permissions.can_move_person(request.user, person))
    form = PersonMoveForm(request.POST or None, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_move(actor=request.user, person=person, **form.cleaned_data)
        except services.PersonnelError:
            form.add_error("moved_on", _("The date of the move cannot be before the start of the current placement."))
        else:
            submission_done(request, person)
            messages.success(
                request,
                _("%(name)s now belongs to %(unit)s.")
                % {"name": person.full_name, "unit": form.cleaned_data["unit"].name},
            )
            return redirect("personnel:person_detail", pk=person.pk)
    return render(request, "personnel/person_move.html", {"form": form, "person": person})


# --- Units ------------------------------------------------------------------


@login_required
def unit_list(request):
    _require(permissions.can_list_units(request.user))
    return render(
        request,
        "personnel/unit_list.html",
        {"tree": selectors.unit_tree(request.user), "can_manage": permissions.can_manage_units(request.user)},
    )


@login_required
@idempotent("personnel.unit_form")
def unit_form(request, pk=None):
    _require(permissions.can_manage_units(request.user))
    unit = selectors.unit_get_for_user(request.user, pk) if pk else None
    form = UnitForm(request.POST or None, instance=unit)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items()}
        if unit:
            services.unit_update(actor=request.user, unit=unit, **fields)
            messages.success(request, _("Unit saved."))
        else:
            unit = services.unit_create(actor=request.user, **fields)
            messages.success(request, _("Unit %(name)s created.") % {"name": unit.name})
        submission_done(request, unit)
        return redirect("personnel:unit_list")
    return render(request, "personnel/unit_form.html", {"form": form, "unit": unit})


# --- Imports ----------------------------------------------------------------


@login_required
@idempotent("personnel.import_start")
def import_list(request):
    _require(permissions.can_import(request.user))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        record = services.personnel_import_start(
            actor=request.user,
            filename=upload.name,
            content=upload.read(),
            strict=form.cleaned_data["strict"],
            create_accounts=form.cleaned_data["create_accounts"],
        )
        submission_done(request, record)
        return redirect("personnel:import_detail", pk=record.pk)
    imports = selectors.imports_for_user(request.user)[:20]
    return render(request, "personnel/import_list.html", {"form": form, "imports": imports})


@login_required
def import_detail(request, pk):
    _require(permissions.can_import(request.user))
    record = selectors.import_get_for_user(request.user, pk)
    template = "personnel/_import_status.html" if request.headers.get("HX-Request") else "personnel/import_detail.html"
    return render(request, template, {"record": record, "statuses": ImportStatus})


@login_required
@require_POST
def import_confirm(request, pk):
    _require(permissions.can_import(request.user))
    record = selectors.import_get_for_user(request.user, pk)
    try:
        services.personnel_import_confirm(actor=request.user, personnel_import=record)
    except services.PersonnelError:
        messages.error(request, _("This import has already been confirmed or cancelled."))
    return redirect("personnel:import_detail", pk=record.pk)


@login_required
@require_POST
def import_cancel(request, pk):
    _require(permissions.can_import(request.user))
    record = selectors.import_get_for_user(request.user, pk)
    try:
        services.personnel_import_cancel(actor=request.user, personnel_import=record)
        messages.info(request, _("Import cancelled; nothing was changed."))
    except services.PersonnelError:
        messages.error(request, _("This import can no longer be cancelled."))
    return redirect("personnel:import_list")


@login_required
@require_POST
def import_retry(request, pk):
    _require(permissions.can_import(request.user))
    record = selectors.import_get_for_user(request.user, pk)
    try:
        services.personnel_import_retry(actor=request.user, personnel_import=record)
        messages.info(request, _("The import was started again."))
    except services.PersonnelError:
        messages.error(request, _("This import is running or finished; it cannot be started again."))
    return redirect("personnel:import_detail", pk=record.pk)


@login_required
def import_issues_csv(request, pk):
    _require(permissions.can_import(request.user))
    record = get_object_or_404(selectors.imports_for_user(request.user).defer(None), pk=pk)
    rows = ([i["row"], i["column"], i["message"]] for i in record.issues)
    return csv_response(filename=f"kesalahan-impor-{record.pk}.csv", headers=["baris", "kolom", "pesan"], rows=rows)


@login_required
def import_template(request, fmt):
    _require(permissions.can_import(request.user))
    if fmt == "csv":
        response = HttpResponse(spreadsheets.template_csv(), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(spreadsheets.template_xlsx(), content_type=XLSX_MIME)
    response["Content-Disposition"] = f'attachment; filename="templat-impor-personel.{fmt}"'
    return response
