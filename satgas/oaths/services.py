"""Every change to oath texts, campaigns and signatures goes through here."""

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from satgas.core.email import email_enqueue
from satgas.core.files import SCAN_KINDS, check_upload, storage_name
from satgas.core.outbox import enqueue
from satgas.core.ratelimit import Guard
from satgas.core.services import audit_record
from satgas.personnel.models import PersonStatus

from . import rules, tokens
from .models import (
    Campaign,
    CampaignStatus,
    ConfirmMode,
    OathCommitment,
    OathDocument,
    OathVersion,
    Signature,
    SignatureMethod,
    VersionStatus,
)


class OathError(Exception):
    """A signing or campaign rule was broken; ``code`` says which (see views.ERRORS)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


# --- Texts -------------------------------------------------------------------


@transaction.atomic
def document_create(*, actor, kind: str, title: str) -> OathDocument:
    document = OathDocument(kind=kind, title=title)
    document.full_clean()
    document.save()
    audit_record(actor=actor, action="oath.document_created", target=document)
    return document


def _set_commitments(version: OathVersion, commitments: list[str]) -> None:
    version.commitments.all().delete()
    OathCommitment.objects.bulk_create(
        [OathCommitment(version=version, order=i, text=text.strip()) for i, text in enumerate(commitments, 1)]
    )


@transaction.atomic
def version_create(
    *, actor, document: OathDocument, title: str, preamble: str, closing: str, confirm_mode: str, commitments: list[str]
) -> OathVersion:
    last = document.versions.select_for_update().order_by("-number").values_list("number", flat=True).first() or 0
    version = OathVersion(
        document=document, number=last + 1, title=title, preamble=preamble, closing=closing, confirm_mode=confirm_mode
    )
    version.full_clean()
    version.save()
    _set_commitments(version, commitments)
    audit_record(actor=actor, action="oath.version_created", target=version)
    return version


@transaction.atomic
def version_update(*, actor, version: OathVersion, commitments: list[str], **fields) -> OathVersion:
    version = OathVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise OathError("version_published")
    for key, value in fields.items():
        setattr(version, key, value)
    version.full_clean()
    version.save()
    _set_commitments(version, commitments)
    audit_record(actor=actor, action="oath.version_updated", target=version)
    return version


@transaction.atomic
def version_publish(*, actor, version: OathVersion) -> OathVersion:
    version = OathVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_published:
        raise OathError("version_published")
    commitments = list(version.commitments.order_by("order"))
    if not commitments:
        raise OathError("version_empty")
    version.text_sha256 = version.compute_sha256(commitments)
    version.status = VersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.published_by = actor
    version.save()
    audit_record(
        actor=actor, action="oath.version_published", target=version, changes={"sha256": [None, version.text_sha256]}
    )
    return version


# --- Campaigns -----------------------------------------------------------------


def _check_campaign_fields(version: OathVersion, opens_at, closes_at, units, employment_types) -> None:
    if not version.is_published:
        raise OathError("version_not_published")
    if closes_at <= opens_at:
        raise OathError("window_invalid")
    if not units:
        raise OathError("no_units")
    if not employment_types:
        raise OathError("no_types")


@transaction.atomic
def campaign_create(
    *, actor, title: str, version: OathVersion, election, units, employment_types: list[str], opens_at, closes_at
) -> Campaign:
    _check_campaign_fields(version, opens_at, closes_at, units, employment_types)
    campaign = Campaign(
        title=title,
        version=version,
        election=election,
        employment_types=sorted(employment_types),
        opens_at=opens_at,
        closes_at=closes_at,
        created_by=actor,
    )
    campaign.full_clean()
    campaign.save()
    campaign.units.set(units)
    audit_record(actor=actor, action="oath.campaign_created", target=campaign)
    return campaign


@transaction.atomic
def campaign_update(*, actor, campaign: Campaign, units, **fields) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status != CampaignStatus.DRAFT and fields.get("version", campaign.version) != campaign.version:
        raise OathError("version_locked")
    for key, value in fields.items():
        setattr(campaign, key, value)
    campaign.employment_types = sorted(campaign.employment_types)
    _check_campaign_fields(campaign.version, campaign.opens_at, campaign.closes_at, units, campaign.employment_types)
    campaign.full_clean()
    campaign.save()
    campaign.units.set(units)
    audit_record(actor=actor, action="oath.campaign_updated", target=campaign)
    return campaign


@transaction.atomic
def campaign_transition(*, actor, campaign: Campaign, to: str) -> Campaign:
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if to not in rules.CAMPAIGN_TRANSITIONS.get(campaign.status, set()):
        raise OathError("transition_forbidden")
    if to == CampaignStatus.OPEN and campaign.closes_at <= timezone.now():
        raise OathError("window_over")
    before = campaign.status
    campaign.status = to
    if to == CampaignStatus.OPEN:
        campaign.opened_at = timezone.now()
    else:
        campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "opened_at", "closed_at"])
    audit_record(actor=actor, action="oath.campaign_status", target=campaign, changes={"status": [before, to]})
    return campaign


def campaign_close_expired(*, now=None) -> int:
    """Close open campaigns whose window has passed (periodic task)."""
    now = now or timezone.now()
    closed = 0
    for campaign in Campaign.objects.filter(status=CampaignStatus.OPEN, closes_at__lte=now):
        try:
            campaign_transition(actor=None, campaign=campaign, to=CampaignStatus.CLOSED)
            closed += 1
        except OathError:
            continue
    return closed


# --- Signing -------------------------------------------------------------------


def person_in_scope(campaign: Campaign, person) -> bool:
    return (
        person.status == PersonStatus.ACTIVE
        and person.employment_type in campaign.employment_types
        and campaign.units.filter(pk=person.unit_id).exists()
    )


# Wrong NIP/NIK or birth date on a signing page count per client *and* person (issue 13.8): a colleague typing
# wrong identities for someone's link only slows themself down; the owner, from their own phone, is held at most
# a minute by the per-person cap (satgas.core.ratelimit.Guard).
IDENTITY_GUARD = Guard("oath-identity", free=5, base=30, ceiling=3600, target_limit=30, target_block=60)


def _identity_target(campaign, person) -> str:
    return f"{campaign.pk}:{person.pk}"


def identity_wait(*, campaign, person, client: str) -> int:
    """Seconds ``client`` must wait before its next identity check for this person and campaign (0: now)."""
    return IDENTITY_GUARD.wait(client=client, target=_identity_target(campaign, person))


def identity_confirm(*, campaign, person, client: str, number: str, birth_date: dt.date | None) -> bool:
    """Check the signer's NIP/NIK and birth date; count failures per client and person (shared cache)."""
    target = _identity_target(campaign, person)
    if identity_matches(person, number=number, birth_date=birth_date):
        IDENTITY_GUARD.succeeded(client=client, target=target)
        return True
    IDENTITY_GUARD.failed(client=client, target=target)
    return False


def identity_matches(person, *, number: str, birth_date: dt.date | None) -> bool:
    from satgas.personnel.identity import normalize_number

    number = normalize_number(number)
    return bool(number) and number in {person.nip, person.nik} and birth_date == person.birth_date


def _new_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


@transaction.atomic
def oath_sign(
    *,
    campaign: Campaign,
    person,
    typed_name: str,
    confirmed: list[int],
    ip_address: str | None,
    user_agent: str,
    signed_by=None,
    drawn_signature: str = "",
    invitation_email: str = "",
    now=None,
) -> tuple[Signature, bool]:
    """Sign online. Returns ``(signature, created)``; signing twice returns the
    first signature (the database allows one valid signature per person per campaign).
    ``invitation_email``: the address the invitation link was sent to, kept as evidence. The person gets a
    confirmation at their confirmed address, with a "Bukan saya" link."""
    now = now or timezone.now()
    existing = Signature.objects.valid().filter(campaign=campaign, person=person).first()
    if existing:
        return existing, False
    if not campaign.is_signable(now):
        raise OathError("not_open" if now < campaign.closes_at else "closed")
    if not person_in_scope(campaign, person):
        raise OathError("not_in_scope")
    if not rules.typed_name_matches(typed_name, person.full_name):
        raise OathError("name_mismatch")
    version = campaign.version
    orders = list(version.commitments.order_by("order").values_list("order", flat=True))
    needed = orders if version.confirm_mode == ConfirmMode.EACH else [0]
    if sorted(set(confirmed)) != sorted(needed):
        raise OathError("not_confirmed")
    if len(drawn_signature) > 200_000 or (drawn_signature and not drawn_signature.startswith("data:image/png;base64,")):
        drawn_signature = ""
    try:
        with transaction.atomic():
            signature = Signature.objects.create(
                campaign=campaign,
                person=person,
                version=version,
                text_sha256=version.text_sha256,
                signed_at=now,
                method=SignatureMethod.ONLINE,
                typed_name=typed_name.strip()[:200],
                drawn_signature=drawn_signature,
                confirmed_commitments=sorted(set(confirmed)),
                ip_address=ip_address or None,
                user_agent=(user_agent or "")[:1000],
                verification_code=_new_code(),
                signed_by=signed_by if getattr(signed_by, "pk", None) else None,
                invitation_email=(invitation_email or "")[:254],
            )
            audit_record(actor=signed_by, action="oath.signed", target=person, note=str(campaign))
    except IntegrityError:
        # A second tab or a replayed request lost the race: the first one counts.
        return Signature.objects.valid().get(campaign=campaign, person=person), False
    _confirmation_enqueue(signature)
    return signature, True


@transaction.atomic
def oath_record_paper(*, actor, campaign: Campaign, person, paper_signed_on: dt.date, scan) -> Signature:
    """Record a signature made on the paper form, with the scan as evidence."""
    if campaign.status == CampaignStatus.DRAFT:
        raise OathError("not_open")
    if not person_in_scope(campaign, person):
        raise OathError("not_in_scope")
    local_open, local_close = (
        timezone.localtime(campaign.opens_at).date(),
        timezone.localtime(campaign.closes_at).date(),
    )
    if not local_open <= paper_signed_on <= local_close:
        raise OathError("paper_date_outside")
    if Signature.objects.valid().filter(campaign=campaign, person=person).exists():
        raise OathError("already_signed")
    kind = check_upload(scan, kinds=SCAN_KINDS, max_bytes=settings.SATGAS_UPLOAD_MAX_BYTES)
    signature = Signature(
        campaign=campaign,
        person=person,
        version=campaign.version,
        text_sha256=campaign.version.text_sha256,
        method=SignatureMethod.PAPER,
        typed_name=person.full_name,
        confirmed_commitments=[],
        verification_code=_new_code(),
        recorded_by=actor,
        paper_signed_on=paper_signed_on,
    )
    signature.paper_scan.save(storage_name("oath-scans", kind), scan, save=False)
    try:
        with transaction.atomic():
            signature.save()
    except IntegrityError:
        signature.paper_scan.delete(save=False)
        raise OathError("already_signed") from None
    audit_record(actor=actor, action="oath.paper_recorded", target=person, note=str(campaign))
    _confirmation_enqueue(signature)
    return signature


# --- After a signature: the person's confirmation, "Bukan saya", voiding ---------------------------------


def confirmed_address(person) -> str:
    """Where the person is told about their signature: their confirmed contact address, else their login's."""
    if person.email:
        return person.email
    from satgas.accounts.selectors import account_of

    account = account_of(person)
    return account.email if account else ""


def _site(name: str, *args) -> str:
    return settings.SATGAS_SITE_URL + reverse(name, args=args)


def _confirmation_enqueue(signature: Signature) -> None:
    """The signed statement, sent to the person's confirmed address with a "Bukan saya" link."""
    address = confirmed_address(signature.person)
    if not address:
        return
    version = signature.version
    email_enqueue(
        to=[address],
        template="oath_signed",
        context={
            "name": signature.person.full_name,
            "campaign": signature.campaign.title,
            "document": str(version.document),
            "signed_at": timezone.localtime(signature.signed_at).strftime("%d-%m-%Y %H:%M"),
            "method": str(signature.get_method_display()),
            "text": version.canonical_text(),
            "text_sha256": signature.text_sha256,
            "code": signature.verification_code,
            "verify_url": _site("verify", signature.verification_code),
            "disown_url": _site("oaths:disown", tokens.disown_token(signature)),
        },
    )


@transaction.atomic
def signature_dispute(*, signature_id: int, code: str, ip_address: str | None) -> Signature | None:
    """ "Bukan saya": the person says they did not sign. Flags the signature (once) and alerts the regional
    admins; only an admin voids it. ``None`` when the link names no signature."""
    signature = (
        Signature.objects.select_for_update()
        .select_related("person__unit", "campaign")
        .filter(pk=signature_id, verification_code=code)
        .first()
    )
    if signature is None:
        return None
    if signature.disputed_at is not None or signature.voided_at is not None:
        return signature
    signature.disputed_at = timezone.now()
    signature.dispute_ip = ip_address or None
    signature.save(update_fields=["disputed_at", "dispute_ip"])
    audit_record(
        actor=None,
        action="oath.signature_disputed",
        target=signature.person,
        note=f"{signature.campaign} · {signature.verification_code}",
    )
    from satgas.accounts.selectors import regional_admin_emails

    admins = regional_admin_emails()
    if admins:
        email_enqueue(
            to=admins,
            template="oath_signature_disputed",
            context={
                "name": signature.person.full_name,
                "unit": signature.person.unit.name,
                "campaign": signature.campaign.title,
                "signed_at": timezone.localtime(signature.signed_at).strftime("%d-%m-%Y %H:%M"),
                "invitation_email": signature.invitation_email,
                "ip": signature.ip_address or "",
                "url": _site("oaths:statement", signature.pk),
            },
        )
    return signature


@transaction.atomic
def signature_void(*, actor, signature: Signature, reason: str) -> Signature:
    """A regional admin voids a signature (usually one flagged "Bukan saya"). It stays in the record with the
    reason, actor and time, stops counting, the verification page says it was voided, and the person is asked to
    sign again."""
    reason = (reason or "").strip()
    if not reason:
        raise OathError("void_reason_required")
    signature = Signature.objects.select_for_update().select_related("person", "campaign").get(pk=signature.pk)
    if signature.voided_at is not None:
        raise OathError("already_voided")
    signature.voided_at = timezone.now()
    signature.voided_by = actor
    signature.void_reason = reason[:2000]
    signature.full_clean(exclude=["paper_scan"])
    signature.save(update_fields=["voided_at", "voided_by", "void_reason"])
    audit_record(
        actor=actor,
        action="oath.signature_voided",
        target=signature.person,
        changes={"signature": [signature.verification_code, None]},
        note=f"{signature.campaign}: {reason}"[:2000],
    )
    return signature


# --- Reminders -----------------------------------------------------------------


@transaction.atomic
def campaign_send_reminders(*, actor, campaign: Campaign, unit_ids: list[int] | None = None) -> None:
    """Queue invitations/reminders to everyone in scope who has not signed."""
    if not campaign.is_signable():
        raise OathError("not_open")
    audit_record(actor=actor, action="oath.reminders_requested", target=campaign)
    enqueue("satgas.oaths.tasks.oath_reminders_dispatch", args=[campaign.pk, unit_ids])
