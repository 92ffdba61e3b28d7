"""Invitations and reminders to sign: at most one email per person per campaign per day, each recorded as sent as
soon as the mail server accepted it, so that a retried or redelivered batch never sends it again (issue 14.3).

Message by message, each step committed on its own (the ideas of ``satgas.reports.delivery``):

1. **Claim**: insert today's ``ReminderLog`` (CLAIMED, a fresh token, the address) — the database allows one per
   person, campaign and day, so two workers never both claim. If today's row exists: SENT → skip; a claim of a
   worker that died (CLAIMED or SENDING older than the lease, ``SATGAS_REMINDER_SEND_LEASE_SECONDS``, longer than
   the task's hard time limit) or an attempt interrupted after DATA (UNCERTAIN) → taken over with a conditional
   update on its token and sent; a younger claim → another worker is on it: the task comes back after the lease.
2. **Send** over the batch's one SMTP connection (``satgas.core.smtp.Transmitter``); just before DATA the row
   becomes SENDING (committed).
3. **Record**: the server accepted it (its 250 reply) → SENT with the time and the Message-ID.

A failure before DATA releases the claim (the row is deleted: nothing left) and stops the batch; the task
retries and sends the rest. A message whose acceptance was never seen — the connection dropped after DATA
started (UNCERTAIN), or the worker died while handing it over (SENDING) — is sent again, as SMTP clients do
(RFC 5321 §4.5.4, RFC 1047): only a message the server is known to have accepted is skipped, so nobody misses the
day's reminder. It carries the same Message-ID (stable per campaign, person and day), so in the rare case that
the server had stored the first copy before the connection died, the person's mail client shows it once.

Only a person's confirmed address is used (``Person.email``, see ``satgas.personnel.services``), read when the
message is built; the address is kept on the row and travels in the link, so the signature records where its
invitation went.
"""

import datetime as dt
import logging
import smtplib
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation

from satgas.core.email import email_render
from satgas.core.smtp import Progress, Transmitter, outgoing

from . import selectors
from .models import Campaign, ReminderKind, ReminderLog, ReminderStatus
from .tokens import invitation_token

logger = logging.getLogger(__name__)
R = ReminderStatus


def lease_seconds() -> int:
    return settings.SATGAS_REMINDER_SEND_LEASE_SECONDS


def invitation_url(campaign: Campaign, person, reminder_id: int | None = None) -> str:
    token = invitation_token(campaign_id=campaign.pk, person_id=person.pk, reminder_id=reminder_id)
    return settings.SATGAS_SITE_URL + reverse("oaths:invitation", args=[token])


def message_id(campaign: Campaign, person, day: dt.date) -> str:
    """Stable per campaign, person and day."""
    domain = urlsplit(settings.SATGAS_SITE_URL).hostname or "satgas.localhost"
    return f"<ikrar.{campaign.pk}.{person.pk}.{day:%Y%m%d}@{domain}>"


def reminder_targets(campaign: Campaign, unit_ids=None) -> list[int]:
    """Ids of people in scope who have not signed and have a (confirmed) email address."""
    ids = selectors.campaign_unit_ids(campaign) if unit_ids is None else unit_ids
    return list(selectors.campaign_non_signers(campaign, ids).exclude(email="").values_list("pk", flat=True))


@dataclass
class Batch:
    """What one run of a batch did: ``sent`` messages, and when to come back for claims other workers hold."""

    sent: int = 0
    retry_in: float | None = None


# --- The moves (each committed on its own) ------------------------------------------------------------------


def claim(*, campaign: Campaign, person, day: dt.date, now: dt.datetime) -> ReminderLog | None:
    """Today's claim for this person (a new one, or a dead worker's CLAIMED one taken over); ``None`` when there
    is nothing to send (sent, uncertain, taken by someone else). Raises ``Busy`` while another worker's claim is
    younger than the lease."""
    token = uuid.uuid4()
    kind = (
        ReminderKind.REMINDER
        if ReminderLog.objects.filter(campaign=campaign, person=person, sent_on__lt=day).exists()
        else ReminderKind.INVITATION
    )
    try:
        with transaction.atomic():
            return ReminderLog.objects.create(
                campaign=campaign,
                person=person,
                sent_on=day,
                kind=kind,
                email=person.email,
                status=R.CLAIMED,
                claim_token=token,
                claimed_at=now,
            )
    except IntegrityError:
        pass
    row = ReminderLog.objects.filter(campaign=campaign, person=person, sent_on=day).first()
    if row is None or row.status == R.SENT:
        return None
    if row.status != R.UNCERTAIN:  # an interrupted attempt is nobody's any more; a claim may be a live worker's
        age = (now - (row.claimed_at or row.created_at)).total_seconds()
        if age < lease_seconds():
            raise Busy(lease_seconds() - age + 1)
    if row.status in (R.SENDING, R.UNCERTAIN):
        # Its acceptance was never seen: sent again, with the same Message-ID (module docstring).
        logger.warning("Oath reminder %s was interrupted while handed to the server; sending it again", row.pk)
    taken = ReminderLog.objects.filter(pk=row.pk, status=row.status, claim_token=row.claim_token).update(
        status=R.CLAIMED, claim_token=token, claimed_at=now, email=person.email
    )
    if not taken:
        return None
    row.claim_token, row.claimed_at, row.email = token, now, person.email
    return row


class Busy(Exception):  # noqa: N818 - a state, not an error
    """Another worker's claim is younger than the lease: come back after ``retry_in`` seconds."""

    def __init__(self, retry_in: float):
        super().__init__(retry_in)
        self.retry_in = retry_in


def _move(row: ReminderLog, source: str, **fields) -> bool:
    return bool(ReminderLog.objects.filter(pk=row.pk, status=source, claim_token=row.claim_token).update(**fields))


def release(row: ReminderLog) -> None:
    """The attempt failed before the server could have the message: nothing is left, a retry claims afresh."""
    ReminderLog.objects.filter(pk=row.pk, status=R.CLAIMED, claim_token=row.claim_token).delete()


# --- The message ----------------------------------------------------------------------------------------------


def reminder_email(campaign: Campaign, person, row: ReminderLog) -> EmailMultiAlternatives:
    context = {
        "name": person.full_name,
        "campaign": campaign.title,
        "document": str(campaign.version.document),
        "closes_at": timezone.localtime(campaign.closes_at),
        "url": invitation_url(campaign, person, row.pk),
        "is_reminder": row.kind == ReminderKind.REMINDER,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject, text, html = email_render(template="oath_invitation", context=context)
    message = EmailMultiAlternatives(
        subject,
        text,
        settings.DEFAULT_FROM_EMAIL,
        [row.email],
        headers={"Message-ID": message_id(campaign, person, row.sent_on)},
    )
    message.attach_alternative(html, "text/html")
    return message


# --- One batch ----------------------------------------------------------------------------------------------


def send_reminders(campaign: Campaign, person_ids: list[int], *, now: dt.datetime | None = None) -> Batch:
    """Send the emails of one batch over one SMTP connection, each claimed and recorded on its own (module
    docstring). Raises the mail server's failure after releasing (or, past DATA, marking) the message in hand, so
    the task retries the rest."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    non_signers = selectors.campaign_non_signers(campaign, selectors.campaign_unit_ids(campaign))
    people = list(non_signers.filter(pk__in=person_ids).exclude(email=""))
    batch = Batch()
    if not people:
        return batch
    with Transmitter() as transmitter:
        for person in people:
            try:
                row = claim(campaign=campaign, person=person, day=today, now=now)
            except Busy as busy:
                batch.retry_in = max(batch.retry_in or 0, busy.retry_in)
                continue
            if row is None:
                continue
            try:
                item = outgoing(reminder_email(campaign, person, row))
            except Exception:
                release(row)
                raise
            progress = Progress()
            try:
                transmitter.send(item, progress, before_data=lambda row=row: _move(row, R.CLAIMED, status=R.SENDING))
            except smtplib.SMTPRecipientsRefused as exc:
                # The server refused this address (before DATA): nothing was delivered; tomorrow's run tries again.
                release(row)
                logger.warning("Oath reminder to %s refused: %s", row.email, exc.recipients)
                continue
            except BaseException as exc:
                if progress.data_started and not isinstance(exc, smtplib.SMTPDataError):
                    # Acceptance unknown: the task's retry sends it again with the same Message-ID.
                    _move(row, R.SENDING, status=R.UNCERTAIN)
                    logger.error("Oath reminder %s interrupted after DATA started: %s", row.pk, exc)
                else:
                    _move(row, R.SENDING, status=R.CLAIMED)  # refused outright: the server does not have it
                    release(row)
                raise
            if progress.refused:
                # The server refused this address: nothing was delivered; tomorrow's run tries again.
                _move(row, R.SENDING, status=R.CLAIMED)
                release(row)
                logger.warning("Oath reminder to %s refused: %s", row.email, progress.refused)
                continue
            _move(row, R.SENDING, status=R.SENT, sent_at=timezone.now(), message_id=item.message_id)
            batch.sent += 1
    return batch
