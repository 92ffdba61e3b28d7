"""Invitations and reminders to sign: at most one email per person per campaign per day."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from satgas.core.email import email_render

from . import selectors
from .models import Campaign, ReminderKind, ReminderLog
from .tokens import invitation_token


def invitation_url(campaign: Campaign, person) -> str:
    token = invitation_token(campaign_id=campaign.pk, person_id=person.pk)
    return settings.SATGAS_SITE_URL + reverse("oaths:invitation", args=[token])


def reminder_targets(campaign: Campaign, unit_ids=None) -> list[int]:
    """Ids of people in scope who have not signed and have an email address."""
    ids = selectors.campaign_unit_ids(campaign) if unit_ids is None else unit_ids
    return list(selectors.campaign_non_signers(campaign, ids).exclude(email="").values_list("pk", flat=True))


def _claim(campaign: Campaign, person, today) -> ReminderKind | None:
    """Record today's email for this person; ``None`` if one was already sent today."""
    kind = (
        ReminderKind.REMINDER
        if ReminderLog.objects.filter(campaign=campaign, person=person).exists()
        else ReminderKind.INVITATION
    )
    try:
        with transaction.atomic():
            ReminderLog.objects.create(campaign=campaign, person=person, sent_on=today, kind=kind)
    except IntegrityError:
        return None
    return kind


def send_reminders(campaign: Campaign, person_ids: list[int]) -> int:
    """Send the emails of one batch over one SMTP connection; returns how many were sent.

    The once-a-day claims and the sending share one transaction: if the mail
    server fails, the claims roll back and the task's retry sends them again.
    """
    today = timezone.localdate()
    non_signers = selectors.campaign_non_signers(campaign, selectors.campaign_unit_ids(campaign))
    with transaction.atomic():
        messages = []
        with translation.override(settings.LANGUAGE_CODE):
            for person in non_signers.filter(pk__in=person_ids).exclude(email=""):
                kind = _claim(campaign, person, today)
                if kind is None:
                    continue
                context = {
                    "name": person.full_name,
                    "campaign": campaign.title,
                    "document": str(campaign.version.document),
                    "closes_at": timezone.localtime(campaign.closes_at),
                    "url": invitation_url(campaign, person),
                    "is_reminder": kind == ReminderKind.REMINDER,
                }
                subject, text, html = email_render(template="oath_invitation", context=context)
                message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [person.email])
                message.attach_alternative(html, "text/html")
                messages.append(message)
        if not messages:
            return 0
        with get_connection(fail_silently=False) as connection:
            return connection.send_messages(messages) or 0
