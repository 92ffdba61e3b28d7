import datetime as dt

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from satgas.core.outbox import child_key, enqueue

from . import reminders, services
from .models import Campaign, CampaignStatus

BATCH = 100
# The lease of a reminder's claim (SATGAS_REMINDER_SEND_LEASE_SECONDS) must be longer than this.
REMINDER_TIME_LIMIT = 300


@shared_task(bind=True, acks_late=True, time_limit=300, soft_time_limit=280)
def oath_reminders_dispatch(self, campaign_id: int, unit_ids: list[int] | None = None) -> int:
    """Split the non-signers into batches, spread out in time (throttling). The batches wait in the outbox (not
    as broker ETA messages), all recorded in one transaction, with keys derived from this task's own outbox row:
    a dispatch run again after a crash adds no second set of batches."""
    campaign = Campaign.objects.filter(pk=campaign_id, status=CampaignStatus.OPEN).first()
    if campaign is None:
        return 0
    ids = reminders.reminder_targets(campaign, unit_ids)
    interval = settings.SATGAS_REMINDER_BATCH_INTERVAL_SECONDS
    with transaction.atomic():
        for index in range(0, len(ids), BATCH):
            enqueue(
                "satgas.oaths.tasks.oath_reminders_send",
                args=[campaign_id, ids[index : index + BATCH]],
                countdown=interval * index // BATCH,
                key=child_key(self.request, f"batch-{index // BATCH}"),
            )
    return len(ids)


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OSError,),  # smtplib's errors are OSErrors
    retry_backoff=60,
    max_retries=5,
    time_limit=REMINDER_TIME_LIMIT,
    soft_time_limit=REMINDER_TIME_LIMIT - 20,
)
def oath_reminders_send(self, campaign_id: int, person_ids: list[int]) -> int:
    """One batch; each message is claimed and recorded on its own, so a retried or redelivered batch sends only
    what was not sent (``reminders``). Claims held by another worker are looked at again after their lease."""
    campaign = Campaign.objects.select_related("version__document").filter(pk=campaign_id).first()
    if campaign is None or not campaign.is_signable():
        return 0
    batch = reminders.send_reminders(campaign, person_ids)
    if batch.retry_in and not self.request.is_eager:
        raise self.retry(countdown=batch.retry_in, max_retries=None)
    return batch.sent


@shared_task(acks_late=True, time_limit=300, soft_time_limit=280)
def oath_reminders_before_closing() -> int:
    """Daily: remind non-signers of campaigns that close within the configured days."""
    now = timezone.now()
    soon = now + dt.timedelta(days=settings.SATGAS_OATH_REMIND_DAYS_BEFORE)
    campaigns = Campaign.objects.filter(
        status=CampaignStatus.OPEN, opens_at__lte=now, closes_at__gt=now, closes_at__lte=soon
    )
    with transaction.atomic():
        for campaign_id in campaigns.values_list("pk", flat=True):
            enqueue(
                "satgas.oaths.tasks.oath_reminders_dispatch",
                args=[campaign_id, None],
                key=f"oath-reminders-before-closing:{campaign_id}:{timezone.localdate().isoformat()}",
            )
    return len(campaigns)


@shared_task(acks_late=True, time_limit=120, soft_time_limit=100)
def oath_campaigns_close_expired() -> int:
    return services.campaign_close_expired()
