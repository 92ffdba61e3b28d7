from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from satgas.core.limits import text_param
from satgas.core.submissions import idempotent, submission_done
from satgas.personnel.selectors import person_get_for_user

from . import permissions, selectors, services
from .forms import AccountCreateForm, RoleGrantForm
from .models import RoleAssignment, User

ERRORS = {
    "no_email": gettext_lazy("This person has no email address; enter one to create the account."),
    "already_has_account": gettext_lazy("This person already has an account."),
    "email_taken": gettext_lazy("Another account already uses this email address."),
    "unit_required": gettext_lazy("Choose the unit of this task-force member."),
    "cannot_revoke_own_admin": gettext_lazy("You cannot remove your own admin role; ask another admin."),
    "cannot_deactivate_self": gettext_lazy("You cannot deactivate your own account."),
}


def _require_admin(user):
    if not permissions.can_manage_accounts(user):
        raise PermissionDenied


@login_required
def user_list(request):
    _require_admin(request.user)
    search = text_param(request.GET, "q")
    page = Paginator(selectors.users_with_roles(search=search), 25).get_page(request.GET.get("page"))
    return render(request, "accounts/user_list.html", {"page": page, "search": search})


@login_required
@idempotent("accounts.role_grant")
def user_detail(request, pk):
    _require_admin(request.user)
    account = get_object_or_404(selectors.users_with_roles(), pk=pk)
    form = RoleGrantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = services.role_grant(actor=request.user, user=account, **form.cleaned_data)
            submission_done(request, assignment)
            messages.success(request, _("Role granted."))
            return redirect("accounts:user_detail", pk=account.pk)
        except services.AccountError as exc:
            form.add_error(None, ERRORS[exc.code])
    return render(request, "accounts/user_detail.html", {"account": account, "form": form})


@login_required
@require_POST
def role_revoke(request, pk, assignment_pk):
    _require_admin(request.user)
    assignment = get_object_or_404(RoleAssignment.objects.select_related("user", "unit"), pk=assignment_pk, user_id=pk)
    try:
        services.role_revoke(actor=request.user, assignment=assignment)
        messages.success(request, _("Role removed."))
    except services.AccountError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
def user_set_active(request, pk):
    _require_admin(request.user)
    account = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.account_set_active(actor=request.user, user=account, active=active)
        messages.success(request, _("Account activated.") if active else _("Account deactivated."))
    except services.AccountError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("accounts:user_detail", pk=pk)


@login_required
@require_POST
@idempotent("accounts.account_create")
def account_create(request, person_pk):
    _require_admin(request.user)
    person = person_get_for_user(request.user, person_pk)
    form = AccountCreateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid email address."))
        return redirect("personnel:person_detail", pk=person.pk)
    try:
        account = services.account_create_for_person(
            actor=request.user, person=person, email=form.cleaned_data["email"]
        )
        submission_done(request, account)
        messages.success(request, _("Account created; an email with sign-in instructions was sent."))
    except services.AccountError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("personnel:person_detail", pk=person.pk)
