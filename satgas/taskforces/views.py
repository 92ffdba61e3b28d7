"""Task-force pages: the regional overview, a task force with its roster, and the admin's forms."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from satgas.core.exports import xlsx_response
from satgas.core.limits import parse_date_param
from satgas.core.selectors import audit_events_for
from satgas.core.submissions import idempotent, submission_done
from satgas.elections.models import Election
from satgas.personnel.selectors import person_find_by_identity

from . import permissions, rules, selectors, services
from .forms import (
    DecreeForm,
    DefaultsForm,
    EndForm,
    ImportForm,
    InaugurationForm,
    MemberForm,
    OverviewFilter,
    ReplaceForm,
    TaskForceCreateForm,
    TaskForceEditForm,
    TransitionForm,
)
from .models import DECREE_TITLES, MemberRole, TaskForceStatus

ERRORS = {
    "duplicate": gettext_lazy("This unit already has a task force for this election."),
    "ended": gettext_lazy("This task force has ended; it can no longer change."),
    "transition_forbidden": gettext_lazy("This change of status is not allowed."),
    "composition_unmet": gettext_lazy(
        "The composition is not met. Complete it, or record the reason for activating the task force anyway."
    ),
    "bad_pattern": gettext_lazy("Use only the tokens listed below, and include {nomor}."),
    "decree_numbered": gettext_lazy("This decree already has a number; decrees are not renumbered."),
    "decree_number_taken": gettext_lazy("Another task force already has this decree number."),
    "not_active": gettext_lazy("This employee is not active in the personnel registry."),
    "not_in_unit": gettext_lazy("This employee does not belong to the unit of the task force or one of its sub-units."),
    "already_member": gettext_lazy("This employee already holds a role in this task force."),
    "membership_ended": gettext_lazy("This membership has already ended."),
    "end_before_start": gettext_lazy("A membership cannot end before it starts."),
    "reason_required": gettext_lazy("Give a reason."),
    "unknown_number": gettext_lazy("No employee has this NIP/NIK."),
    "duplicate_line": gettext_lazy("This employee appears on an earlier line."),
    "bad_role": gettext_lazy("Unknown role: write ketua, sekretaris or anggota."),
    "not_active_taskforce": gettext_lazy("Only an active task force can be inaugurated."),
}
IMPORT_ERRORS = {**ERRORS, "duplicate": ERRORS["duplicate_line"]}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Overview ------------------------------------------------------------------


def _overview_filter(request):
    form = OverviewFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    election = data.get("election") or Election.objects.order_by("-voting_day").first()
    return form, election, data.get("unit_type", "")


def _overview_rows(request):
    form, election, unit_type = _overview_filter(request)
    rows = selectors.overview(request.user, election=election, unit_type=unit_type) if election else []
    return form, election, rows


@login_required
def overview(request):
    """Units 50 a page, each with its task force; the totals count every unit of the filter."""
    _require(permissions.can_view_taskforces(request.user))
    form, election, unit_type = _overview_filter(request)
    units = selectors.overview_units(request.user, unit_type=unit_type)
    page = Paginator(units, selectors.OVERVIEW_PAGE_SIZE).get_page(request.GET.get("page"))
    rows, totals = [], dict.fromkeys(STATUS_LABELS, 0)
    if election:
        rows = selectors.overview_rows(list(page.object_list), election=election)
        totals = selectors.overview_totals(units, election=election, unit_count=page.paginator.count)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "taskforces/overview.html",
        {
            "filter": form,
            "election": election,
            "rows": rows,
            "page": page,
            "totals": [(STATUS_LABELS[s], s, totals[s]) for s in STATUS_LABELS],
            "roles": MemberRole,
            "can_manage": permissions.can_manage_taskforces(request.user),
            "query": query.urlencode(),
        },
    )


STATUS_LABELS = rules.OVERVIEW_LABELS


@login_required
def overview_xlsx(request):
    _require(permissions.can_view_taskforces(request.user))
    _, election, rows = _overview_rows(request)
    out = []
    for r in rows:
        tf = r.task_force
        out.append(
            [
                r.unit.code,
                r.unit.name,
                r.unit.get_unit_type_display(),
                str(STATUS_LABELS[r.status]),
                *[r.counts.get(role, "") for role in MemberRole.values],
                *[r.required.get(role, "") for role in MemberRole.values],
                (tf.decree_number or "") if tf else "",
                "ya" if r.inaugurated else "tidak",
                "; ".join(m.person.full_name for m in r.flags),
            ]
        )
    return xlsx_response(
        filename=f"satgas-{election.pk if election else 0}.xlsx",
        sheet_title="Satgas",
        headers=[
            "kode_unit",
            "unit",
            "jenis_unit",
            "status",
            "ketua",
            "sekretaris",
            "anggota",
            "ketua_wajib",
            "sekretaris_wajib",
            "anggota_wajib",
            "nomor_sk",
            "dikukuhkan",
            "perlu_dicek",
        ],  # fmt: skip
        rows=out,
    )


# --- A task force --------------------------------------------------------------


@login_required
def taskforce_detail(request, pk):
    task_force = selectors.taskforce_get_for_user(request.user, pk)
    today = selectors.today()
    on = parse_date_param(request.GET.get("tanggal")) or today
    current = selectors.roster(task_force)
    members = current if on == today else selectors.roster(task_force, on=on)
    composition = selectors.composition(task_force, current)
    can_manage = permissions.can_manage_taskforces(request.user)
    return render(
        request,
        "taskforces/detail.html",
        {
            "task_force": task_force,
            "inauguration": getattr(task_force, "inauguration", None),
            "on": on,
            "today": today,
            "members": members,
            "composition": composition,
            "flags": selectors.flagged_members(task_force, current),
            "history": selectors.history(task_force),
            "statuses": TaskForceStatus,
            "can_manage": can_manage and task_force.status != TaskForceStatus.ENDED,
            "can_print_badges": permissions.can_print_badges(request.user),
            "audit_events": audit_events_for(task_force, limit=50) if can_manage else None,
        },
    )


@login_required
@idempotent("taskforces.taskforce_create")
def taskforce_create(request):
    _require(permissions.can_manage_taskforces(request.user))
    initial = {
        "term_starts_on": selectors.today(),
        **{k: request.GET[k] for k in ("unit", "election") if k in request.GET},
    }
    form = TaskForceCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            task_force = services.taskforce_create(actor=request.user, **form.cleaned_data)
        except services.TaskForceError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            submission_done(request, task_force)
            messages.success(request, _("Task force created as a draft. Add its members next."))
            return redirect("taskforces:detail", pk=task_force.pk)
    return render(request, "taskforces/form.html", {"form": form, "title": _("New task force")})


def _managed(request, pk):
    """The task force (404 when invisible), then 403 unless the user manages task forces."""
    task_force = selectors.taskforce_get_for_user(request.user, pk)
    _require(permissions.can_manage_taskforces(request.user))
    return task_force


@login_required
def taskforce_edit(request, pk):
    task_force = _managed(request, pk)
    form = TaskForceEditForm(request.POST or None, instance=task_force)
    if request.method == "POST" and form.is_valid():
        try:
            services.taskforce_update(actor=request.user, task_force=task_force, **form.cleaned_data)
        except services.TaskForceError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            messages.success(request, _("Task force saved."))
            return redirect("taskforces:detail", pk=pk)
    return render(
        request, "taskforces/form.html", {"form": form, "task_force": task_force, "title": _("Composition and term")}
    )


@login_required
@require_POST
def taskforce_transition(request, pk):
    task_force = _managed(request, pk)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("taskforces:detail", pk=pk)
    data = form.cleaned_data
    try:
        services.taskforce_transition(
            actor=request.user, task_force=task_force, to=data.get("to", ""), reason=data.get("reason", "")
        )
        messages.success(request, _("Task force status changed."))
    except services.TaskForceError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("taskforces:detail", pk=pk)


@login_required
@idempotent("taskforces.decree")
def decree_form(request, pk):
    task_force = _managed(request, pk)
    initial = {
        "number": task_force.decree_number or "",
        "decree_date": task_force.decree_date or selectors.today(),
        **selectors.default_signatory(task_force),
    }
    form = DecreeForm(request.POST or None, initial=initial)
    if task_force.decree_number:
        form.fields["number"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            services.decree_set(actor=request.user, task_force=task_force, **form.cleaned_data)
        except services.TaskForceError as exc:
            form.add_error("number" if exc.code.startswith("decree") else None, ERRORS[exc.code])
        except ValidationError as exc:  # model validation the form did not anticipate: show it, never a 500
            form.add_error(None, exc)
        else:
            submission_done(request, task_force)
            messages.success(request, _("Decree recorded."))
            return redirect("taskforces:detail", pk=pk)
    return render(
        request, "taskforces/form.html", {"form": form, "task_force": task_force, "title": _("Appointment decree")}
    )


@login_required
@idempotent("taskforces.inauguration")
def inauguration_form(request, pk):
    task_force = _managed(request, pk)
    members = selectors.roster(task_force)
    existing = getattr(task_force, "inauguration", None)
    initial = {
        "inaugurated": [str(m.pk) for m in members if m.inaugurated or not existing],
        "badges": [str(m.pk) for m in members if m.badge_issued or not existing],
        "mode": "IN_PERSON",
    }
    if existing:
        initial.update(held_on=existing.held_on, place=existing.place, mode=existing.mode, led_by=existing.led_by)
    form = InaugurationForm(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.inauguration_record(
                actor=request.user,
                task_force=task_force,
                held_on=data["held_on"],
                place=data["place"],
                mode=data["mode"],
                led_by=data["led_by"],
                inaugurated_ids=data["inaugurated"],
                badge_ids=data["badges"],
            )
        except services.TaskForceError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            submission_done(request, task_force)
            messages.success(request, _("Inauguration recorded."))
            return redirect("taskforces:detail", pk=pk)
    return render(
        request,
        "taskforces/inauguration_form.html",
        {"form": form, "task_force": task_force, "members": members, "titles": DECREE_TITLES},
    )


# --- Members -------------------------------------------------------------------


@login_required
@idempotent("taskforces.member_add")
def member_add(request, pk):
    task_force = _managed(request, pk)
    form = MemberForm(request.POST or None, initial={"started_on": selectors.today(), "role": MemberRole.MEMBER})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = person_find_by_identity(data["identity_number"])
        if person is None:
            form.add_error("identity_number", ERRORS["unknown_number"])
        else:
            try:
                membership = services.membership_add(
                    actor=request.user,
                    task_force=task_force,
                    person=person,
                    role=data["role"],
                    started_on=data["started_on"],
                )
            except services.TaskForceError as exc:
                form.add_error("identity_number", ERRORS[exc.code])
            else:
                submission_done(request, membership)
                messages.success(request, _("%(name)s added.") % {"name": person.full_name})
                return redirect("taskforces:detail", pk=pk)
    return render(request, "taskforces/form.html", {"form": form, "task_force": task_force, "title": _("Add a member")})


@login_required
@idempotent("taskforces.member_import")
def member_import(request, pk):
    task_force = _managed(request, pk)
    form = ImportForm(request.POST or None, initial={"started_on": selectors.today()})
    problems = None
    if request.method == "POST" and form.is_valid():
        try:
            outcome = services.members_import(
                actor=request.user,
                task_force=task_force,
                text=form.cleaned_data["lines"],
                started_on=form.cleaned_data["started_on"],
            )
        except services.TaskForceError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            if outcome.added:
                submission_done(request, task_force)
                messages.success(request, _("%(n)s members added.") % {"n": len(outcome.added)})
            if not outcome.problems:
                return redirect("taskforces:detail", pk=pk)
            problems = [(number, line, IMPORT_ERRORS[code]) for number, line, code in outcome.problems]
    return render(request, "taskforces/import.html", {"form": form, "task_force": task_force, "problems": problems})


@login_required
def member_end(request, pk):
    membership = selectors.membership_get_for_user(request.user, pk)
    _require(permissions.can_manage_taskforces(request.user))
    form = EndForm(request.POST or None, initial={"ended_on": selectors.today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_end(actor=request.user, membership=membership, **form.cleaned_data)
        except services.TaskForceError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            messages.success(request, _("Membership ended."))
            return redirect("taskforces:detail", pk=membership.task_force_id)
    return render(
        request,
        "taskforces/form.html",
        {"form": form, "task_force": membership.task_force, "membership": membership, "title": _("End a membership")},
    )


@login_required
@idempotent("taskforces.member_replace")
def member_replace(request, pk):
    membership = selectors.membership_get_for_user(request.user, pk)
    _require(permissions.can_manage_taskforces(request.user))
    form = ReplaceForm(request.POST or None, initial={"on": selectors.today(), "role": membership.role})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = person_find_by_identity(data["identity_number"])
        if person is None:
            form.add_error("identity_number", ERRORS["unknown_number"])
        else:
            try:
                replacement = services.membership_replace(
                    actor=request.user,
                    membership=membership,
                    person=person,
                    on=data["on"],
                    reason=data["reason"],
                    role=data["role"],
                )
            except services.TaskForceError as exc:
                form.add_error(None, ERRORS[exc.code])
            else:
                submission_done(request, replacement)
                messages.success(request, _("%(name)s replaces the member.") % {"name": person.full_name})
                return redirect("taskforces:detail", pk=membership.task_force_id)
    return render(
        request,
        "taskforces/form.html",
        {"form": form, "task_force": membership.task_force, "membership": membership, "title": _("Replace a member")},
    )


# --- Defaults ------------------------------------------------------------------


@login_required
def defaults_form(request):
    _require(permissions.can_manage_defaults(request.user))
    defaults = selectors.regional_defaults()
    form = DefaultsForm(request.POST or None, instance=defaults)
    if request.method == "POST" and form.is_valid():
        try:
            services.regional_defaults_update(actor=request.user, **form.cleaned_data)
        except services.TaskForceError as exc:
            form.add_error("decree_pattern", ERRORS[exc.code])
        else:
            messages.success(request, _("Defaults saved. They apply to task forces created from now on."))
            return redirect("taskforces:overview")
    return render(request, "taskforces/form.html", {"form": form, "title": _("Task-force defaults")})
