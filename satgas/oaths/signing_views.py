"""The staff journey (sign, download the statement) and public verification."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from satgas.accounts.roles import roles_for
from satgas.core.limits import text_param
from satgas.core.pdf import render_pdf
from satgas.core.qr import qr_svg
from satgas.core.ratelimit import wait_message
from satgas.core.views import client_ip
from satgas.personnel.models import Person
from satgas.personnel.selectors import own_person

from . import permissions, selectors, services
from .forms import SignForm, VoidForm
from .models import Campaign, ReminderLog, Signature
from .tokens import InvitationError, disown_read, invitation_read
from .views import ERRORS


@login_required
def my_oaths(request):
    roles = roles_for(request.user)
    if not roles.is_staff_member:
        raise PermissionDenied
    person = own_person(user=request.user)
    return render(request, "oaths/my_oaths.html", {"items": selectors.campaigns_for_person(person)})


def _sign_page(
    request, *, campaign: Campaign, person: Person, done_url, signed_by=None, token=None, invitation_email=""
):
    """Shared by the logged-in and the invitation-link journeys."""
    existing = Signature.objects.valid().filter(campaign=campaign, person=person).first()
    if existing:
        return redirect(done_url(existing))
    if not campaign.is_signable():
        return _refusal(request, ERRORS["not_open" if campaign.status != "CLOSED" else "closed"], campaign=campaign)
    if not services.person_in_scope(campaign, person):
        return _refusal(request, ERRORS["not_in_scope"], campaign=campaign)
    version = campaign.version
    commitments = list(version.commitments.order_by("order"))
    form = SignForm(request.POST or None, version=version, commitments=commitments)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = client_ip(request) or "unknown"
        wait = services.identity_wait(campaign=campaign, person=person, client=client)
        if wait:
            response = _refusal(request, wait_message(wait), status=429, campaign=campaign)
            response["Retry-After"] = str(wait)
            return response
        if not services.identity_confirm(
            campaign=campaign,
            person=person,
            client=client,
            number=data["identity_number"],
            birth_date=data["birth_date"],
        ):
            form.add_error(None, _("The NIP/NIK and date of birth do not match our records for this invitation."))
        else:
            try:
                signature, _created = services.oath_sign(
                    campaign=campaign,
                    person=person,
                    typed_name=data["typed_name"],
                    confirmed=form.confirmed(),
                    ip_address=client_ip(request),
                    user_agent=request.headers.get("User-Agent", ""),
                    signed_by=signed_by,
                    drawn_signature=data.get("drawn_signature", ""),
                    invitation_email=invitation_email,
                )
            except services.OathError as exc:
                field = "typed_name" if exc.code == "name_mismatch" else None
                form.add_error(field, ERRORS[exc.code])
            else:
                return redirect(done_url(signature))
    return render(
        request,
        "oaths/sign.html",
        {
            "campaign": campaign,
            "version": version,
            "commitments": commitments,
            "form": form,
            "person": person,
            "token": token,
            "commitment_fields": [
                (c, form[f"confirm_{c.order}"]) for c in commitments if f"confirm_{c.order}" in form.fields
            ],
        },
    )


def _refusal(request, message, *, status=403, campaign=None):
    return render(request, "oaths/refused.html", {"message": message, "campaign": campaign}, status=status)


@login_required
@never_cache
def sign(request, pk):
    roles = roles_for(request.user)
    if not roles.is_staff_member:
        raise PermissionDenied
    person = own_person(user=request.user)
    # Campaigns the person is not asked to sign (drafts, other units or types) do not exist for them.
    campaign = get_object_or_404(selectors.campaigns_to_sign_for(person), pk=pk)
    return _sign_page(
        request,
        campaign=campaign,
        person=person,
        signed_by=request.user,
        done_url=lambda s: reverse("oaths:statement", args=[s.pk]),
    )


def _from_token(request, token):
    """``(campaign, person, address the link was sent to, refusal)``."""
    try:
        invitation = invitation_read(token)
    except InvitationError as exc:
        message = (
            _("This invitation link has expired. Ask your unit's task force for a new one.")
            if exc.code == "expired"
            else _("This invitation link is not valid. Open the link exactly as it was sent to you.")
        )
        return None, None, "", _refusal(request, message, status=410 if exc.code == "expired" else 404)
    campaign = Campaign.objects.select_related("version__document").filter(pk=invitation.campaign_id).first()
    person = Person.objects.select_related("unit").filter(pk=invitation.person_id).first()
    if campaign is None or person is None:
        return None, None, "", _refusal(request, _("This invitation link is not valid."), status=404)
    sent_to = ""
    if invitation.reminder_id:
        sent_to = (
            ReminderLog.objects.filter(pk=invitation.reminder_id, campaign=campaign, person=person)
            .values_list("email", flat=True)
            .first()
        )
        if sent_to is None:
            return None, None, "", _refusal(request, _("This invitation link is not valid."), status=404)
        if sent_to.lower() != (person.email or "").lower():
            # The person's confirmed address changed since: the link belongs to an address that is not theirs.
            message = _(
                "This invitation link was sent to an email address that is no longer yours in the registry. "
                "Ask your unit's task force for a new invitation."
            )
            return None, None, "", _refusal(request, message, status=410)
    return campaign, person, sent_to, None


@never_cache
def invitation(request, token):
    campaign, person, sent_to, refusal = _from_token(request, token)
    if refusal:
        return refusal
    return _sign_page(
        request,
        campaign=campaign,
        person=person,
        token=token,
        signed_by=request.user if request.user.is_authenticated and request.user.person_id == person.pk else None,
        done_url=lambda s: reverse("oaths:invitation_done", args=[token]),
        invitation_email=sent_to,
    )


@never_cache
def invitation_done(request, token):
    campaign, person, _sent_to, refusal = _from_token(request, token)
    if refusal:
        return refusal
    signature = get_object_or_404(Signature.objects.valid(), campaign=campaign, person=person)
    return render(
        request,
        "oaths/statement.html",
        {"signature": signature, "pdf_url": reverse("oaths:invitation_pdf", args=[token])},
    )


def _pdf_response(request, signature: Signature) -> HttpResponse:
    verify_url = request.build_absolute_uri(reverse("verify", args=[signature.verification_code]))
    pdf = render_pdf(
        "oaths/statement_pdf.html",
        {
            "signature": signature,
            "person": signature.person,
            "commitments": signature.version.commitments.order_by("order"),
            "verify_url": verify_url,
            "qr": qr_svg(verify_url),
        },
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="pernyataan-ikrar-{signature.verification_code}.pdf"'
    return response


@never_cache
def invitation_pdf(request, token):
    campaign, person, _sent_to, refusal = _from_token(request, token)
    if refusal:
        return refusal
    return _pdf_response(
        request,
        get_object_or_404(Signature.objects.valid().select_related("version"), campaign=campaign, person=person),
    )


@login_required
def statement(request, pk):
    signature = selectors.signature_get_for_user(request.user, pk)
    return render(
        request,
        "oaths/statement.html",
        {
            "signature": signature,
            "pdf_url": reverse("oaths:statement_pdf", args=[pk]),
            "show_evidence": permissions.can_see_signature_evidence(request.user),
            "can_void": permissions.can_void_signatures(request.user) and not signature.is_voided,
            "void_form": VoidForm(),
        },
    )


@login_required
@require_POST
def signature_void(request, pk):
    if not permissions.can_void_signatures(request.user):
        raise PermissionDenied
    signature = selectors.signature_get_for_user(request.user, pk)
    form = VoidForm(request.POST)
    if not form.is_valid():
        messages.error(request, ERRORS["void_reason_required"])
    else:
        try:
            services.signature_void(actor=request.user, signature=signature, reason=form.cleaned_data["reason"])
        except services.OathError as exc:
            messages.error(request, ERRORS[exc.code])
        else:
            messages.success(
                request,
                _("The signature was voided. %(name)s is asked to sign again.") % {"name": signature.person.full_name},
            )
    return redirect("oaths:statement", pk=pk)


@never_cache
def disown(request, token):
    """ "Bukan saya" from the confirmation email: a page with a button; only the POST flags (mail scanners open
    links). No login; the link names one signature and can do nothing else."""
    found = disown_read(token)
    signature = (
        Signature.objects.select_related("person", "campaign").filter(pk=found[0], verification_code=found[1]).first()
        if found
        else None
    )
    if signature is None:
        return render(request, "oaths/disown.html", {"signature": None}, status=404)
    done = False
    if request.method == "POST":
        signature = services.signature_dispute(
            signature_id=signature.pk, code=signature.verification_code, ip_address=client_ip(request)
        )
        done = True
    return render(request, "oaths/disown.html", {"signature": signature, "done": done})


@login_required
def statement_pdf(request, pk):
    return _pdf_response(request, selectors.signature_get_for_user(request.user, pk))


@login_required
def paper_scan(request, pk):
    from satgas.core.files import serve_private

    signature = selectors.signature_get_for_user(request.user, pk)
    if not signature.paper_scan or not permissions.can_follow_campaigns(request.user):
        raise PermissionDenied
    return serve_private(signature.paper_scan, name=f"pindaian-ikrar-{signature.pk}")


def verify(request, code=None):
    code = code or text_param(request.GET, "kode", max_length=64)
    if not code:
        return render(request, "oaths/verify.html", {"searched": False})
    signature = selectors.signature_by_code(code)
    return render(
        request,
        "oaths/verify.html",
        {"searched": True, "signature": signature, "code": code},
        status=200 if signature else 404,
    )
