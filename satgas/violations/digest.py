"""The daily digest of overdue and due-soon cases, one email per handler."""

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from satgas.accounts.models import User
from satgas.core.email import email_enqueue

from . import selectors
from .models import DigestLog


def digest_send(*, today=None) -> int:
    """Claim a (handler, day) row, then queue the email; a second run the same day sends nothing."""
    today = today or timezone.localdate()
    items = selectors.digest_items(today=today, soon_days=settings.SATGAS_VIOLATION_DUE_SOON_DAYS)
    users = User.objects.in_bulk(list(items))
    sent = 0
    for user_id, cases in items.items():
        user = users.get(user_id)
        if user is None or not user.email:
            continue
        try:
            with transaction.atomic():
                DigestLog.objects.create(user=user, sent_on=today)
                email_enqueue(to=[user.email], template="violation_digest", context=_context(user, cases, today))
        except IntegrityError:  # already sent today
            continue
        sent += 1
    return sent


def _context(user, cases, today) -> dict:
    rows = [
        {
            "number": case.number,
            "unit": case.unit.name,
            "status": str(case.get_status_display()),
            "due_on": case.due_on.isoformat(),
            "overdue": case.due_on < today,
            "url": settings.SATGAS_SITE_URL + reverse("violations:case_detail", args=[case.pk]),
        }
        for case in cases
    ]
    return {
        "name": user.get_short_name(),
        "overdue": [r for r in rows if r["overdue"]],
        "due_soon": [r for r in rows if not r["overdue"]],
        "today": today.isoformat(),
    }
