"""Oath texts and campaigns: the regional office's and task forces' pages."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from satgas.core.exports import xlsx_response
from satgas.core.submissions import idempotent, submission_done
from satgas.personnel.forms import PersonFilter
from satgas.personnel.models import Unit
from satgas.personnel.selectors import person_find_by_identity

from . import permissions, selectors, services
from .forms import CampaignForm, PaperSignatureForm, VersionForm
from .models import CampaignStatus, OathVersion

ERRORS = {
    "version_published": gettext_lazy("A published version can never change; create a new version instead."),
    "version_empty": gettext_lazy("A version needs at least one commitment before it can be published."),
    "version_not_published": gettext_lazy("Only a published text can be signed; publish the version first."),
    "version_locked": gettext_lazy("The text of an opened campaign cannot be changed."),
    "window_invalid": gettext_lazy("The campaign must close after it opens."),
    "window_over": gettext_lazy("The closing time has passed; move it later before opening the campaign."),
    "no_units": gettext_lazy("Choose at least one unit."),
    "no_types": gettext_lazy("Choose at least one employment type."),
    "transition_forbidden": gettext_lazy("This change of status is not allowed."),
    "not_open": gettext_lazy("This campaign is not open for signing."),
    "closed": gettext_lazy("This campaign is closed; signing is no longer possible."),
    "not_in_scope": gettext_lazy("This person is not among the people asked to sign in this campaign."),
    "name_mismatch": gettext_lazy("The typed name does not match the name in the personnel registry."),
    "not_confirmed": gettext_lazy("Confirm every commitment to sign."),
    "paper_date_outside": gettext_lazy("The date on the paper form must fall within the campaign's window."),
    "already_signed": gettext_lazy("This person has already signed in this campaign."),
    "void_reason_required": gettext_lazy("Give the reason for voiding this signature."),
    "already_voided": gettext_lazy("This signature has already been voided."),
}


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- Texts -------------------------------------------------------------------


@login_required
def version_list(request):
    _require(permissions.can_manage_texts(request.user))
    return render(request, "oaths/version_list.html", {"versions": selectors.versions_all()})


@login_required
@idempotent("oaths.version_form")
def version_form(request, pk=None):
    _require(permissions.can_manage_texts(request.user))
    version = get_object_or_404(OathVersion, pk=pk) if pk else None
    if version and version.is_published:
        messages.error(request, ERRORS["version_published"])
        return redirect("oaths:version_detail", pk=version.pk)
    form = VersionForm(request.POST or None, instance=version, editing=bool(version))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("title", "preamble", "closing", "confirm_mode")}
        if version:
            version = services.version_update(
                actor=request.user, version=version, commitments=data["commitments"], **fields
            )
        else:
            document = data.get("document") or services.document_create(
                actor=request.user, kind=data["new_document_kind"], title=data["new_document_title"]
            )
            version = services.version_create(
                actor=request.user, document=document, commitments=data["commitments"], **fields
            )
        submission_done(request, version)
        messages.success(request, _("Draft saved. Check it, then publish it."))
        return redirect("oaths:version_detail", pk=version.pk)
    return render(request, "oaths/version_form.html", {"form": form, "version": version})


@login_required
def version_detail(request, pk):
    _require(permissions.can_manage_texts(request.user))
    version = get_object_or_404(OathVersion.objects.select_related("document", "published_by"), pk=pk)
    return render(
        request, "oaths/version_detail.html", {"version": version, "commitments": version.commitments.order_by("order")}
    )


@login_required
@require_POST
def version_publish(request, pk):
    _require(permissions.can_manage_texts(request.user))
    version = get_object_or_404(OathVersion, pk=pk)
    try:
        services.version_publish(actor=request.user, version=version)
        messages.success(request, _("Version published. It can no longer change."))
    except services.OathError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("oaths:version_detail", pk=pk)


# --- Campaigns -----------------------------------------------------------------


@login_required
def campaign_list(request):
    if not permissions.can_follow_campaigns(request.user):
        if permissions.can_sign(request.user):
            return redirect("oaths:my_oaths")
        raise PermissionDenied
    campaigns = list(selectors.campaigns_for_user(request.user))
    return render(
        request,
        "oaths/campaign_list.html",
        {
            "campaigns": campaigns,
            "can_manage": permissions.can_manage_campaigns(request.user),
            "can_manage_texts": permissions.can_manage_texts(request.user),
            "now": timezone.now(),
        },
    )


@login_required
@idempotent("oaths.campaign_form")
def campaign_form(request, pk=None):
    _require(permissions.can_manage_campaigns(request.user))
    campaign = selectors.campaign_get_for_user(request.user, pk) if pk else None
    form = CampaignForm(request.POST or None, instance=campaign)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        units = data.pop("units")
        try:
            if campaign:
                campaign = services.campaign_update(actor=request.user, campaign=campaign, units=units, **data)
            else:
                campaign = services.campaign_create(actor=request.user, units=units, **data)
        except services.OathError as exc:
            form.add_error(None, ERRORS[exc.code])
        else:
            submission_done(request, campaign)
            messages.success(request, _("Campaign saved."))
            return redirect("oaths:campaign_detail", pk=campaign.pk)
    return render(request, "oaths/campaign_form.html", {"form": form, "campaign": campaign})


@login_required
def campaign_detail(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    unit_ids = selectors.campaign_unit_ids(campaign, request.user)
    compliance = selectors.campaign_compliance(campaign, unit_ids, page=request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oaths/campaign_detail.html",
        {
            "campaign": campaign,
            "compliance": compliance,
            "page": compliance["page"],
            "query": query.urlencode(),
            "can_manage": permissions.can_manage_campaigns(request.user),
            "can_remind": permissions.can_send_reminders(request.user) and campaign.is_signable(),
            "can_record_paper": permissions.can_record_paper(request.user) and campaign.status != CampaignStatus.DRAFT,
            "flagged": selectors.campaign_flagged_count(campaign, unit_ids),
            "statuses": CampaignStatus,
        },
    )


@login_required
@require_POST
def campaign_transition(request, pk):
    _require(permissions.can_manage_campaigns(request.user))
    campaign = selectors.campaign_get_for_user(request.user, pk)
    try:
        services.campaign_transition(actor=request.user, campaign=campaign, to=request.POST.get("to", ""))
        messages.success(request, _("Campaign status changed."))
    except services.OathError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("oaths:campaign_detail", pk=pk)


@login_required
@require_POST
def campaign_remind(request, pk):
    _require(permissions.can_send_reminders(request.user))
    campaign = selectors.campaign_get_for_user(request.user, pk)
    unit_ids = selectors.campaign_unit_ids(campaign, request.user)
    try:
        services.campaign_send_reminders(actor=request.user, campaign=campaign, unit_ids=unit_ids)
        messages.success(
            request,
            _(
                "Reminders are being sent in the background to everyone who has not signed "
                "(each person at most once a day)."
            ),
        )
    except services.OathError as exc:
        messages.error(request, ERRORS[exc.code])
    return redirect("oaths:campaign_detail", pk=pk)


def _non_signers(request, campaign):
    unit_ids = selectors.campaign_unit_ids(campaign, request.user)
    qs = selectors.campaign_non_signers(campaign, unit_ids)
    person_filter = PersonFilter(
        request.GET or None, queryset=qs, units=Unit.objects.filter(pk__in=unit_ids), with_status=False
    )
    return person_filter, person_filter.qs


@login_required
def campaign_non_signers(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    person_filter, qs = _non_signers(request, campaign)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "oaths/non_signers.html",
        {"campaign": campaign, "filter": person_filter, "page": page, "query": query.urlencode()},
    )


@login_required
def campaign_non_signers_xlsx(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    _, qs = _non_signers(request, campaign)
    rows = (
        [p.full_name, p.employment_type, p.nip or "", p.nik or "", p.unit.name, p.position, p.email, p.phone]
        for p in qs.iterator(chunk_size=2000)
    )
    return xlsx_response(
        filename=f"belum-ikrar-{campaign.pk}.xlsx",
        sheet_title="Belum menandatangani",
        headers=["nama", "jenis_pegawai", "nip", "nik", "unit", "jabatan", "email", "telepon"],
        rows=rows,
        text_columns=(2, 3),
    )


@login_required
def campaign_signatures(request, pk):
    campaign = selectors.campaign_get_for_user(request.user, pk)
    flagged_only = request.GET.get("ditandai") == "1"
    qs = selectors.campaign_signatures(
        campaign, selectors.campaign_unit_ids(campaign, request.user), flagged_only=flagged_only
    )
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "oaths/signature_list.html",
        {
            "campaign": campaign,
            "page": page,
            "flagged_only": flagged_only,
            "query": "ditandai=1" if flagged_only else "",
        },
    )


@login_required
@idempotent("oaths.paper_signature")
def campaign_paper(request, pk):
    _require(permissions.can_record_paper(request.user))
    campaign = selectors.campaign_get_for_user(request.user, pk)
    form = PaperSignatureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        person = person_find_by_identity(form.cleaned_data["identity_number"])
        if person is None:
            form.add_error("identity_number", _("No employee has this NIP/NIK."))
        else:
            try:
                signature = services.oath_record_paper(
                    actor=request.user,
                    campaign=campaign,
                    person=person,
                    paper_signed_on=form.cleaned_data["paper_signed_on"],
                    scan=form.cleaned_data["scan"],
                )
            except services.OathError as exc:
                form.add_error(None, ERRORS[exc.code])
            except ValidationError as exc:
                form.add_error("scan", exc)
            else:
                submission_done(request, signature)
                messages.success(request, _("Paper signature of %(name)s recorded.") % {"name": person.full_name})
                return redirect("oaths:campaign_paper", pk=pk)
    return render(request, "oaths/paper_form.html", {"campaign": campaign, "form": form})


# --- Coverage ------------------------------------------------------------------


@login_required
def coverage(request):
    _require(permissions.can_follow_campaigns(request.user))
    return render(
        request,
        "oaths/coverage.html",
        selectors.coverage_table(user=request.user, election_id=request.GET.get("election")),
    )
