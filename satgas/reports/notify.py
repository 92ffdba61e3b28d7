"""Emails to the regional admins about reports (generated, delivery failed, schedule failed).

Sent through ``satgas.core.email.email_enqueue``: after the surrounding
transaction commits, by Celery.
"""

from django.conf import settings
from django.urls import reverse

from satgas.core.email import email_enqueue


def admin_emails() -> list[str]:
    from satgas.accounts.selectors import regional_admin_emails

    return regional_admin_emails()


def report_url(report) -> str:
    return f"{settings.SATGAS_SITE_URL}{reverse('reports:detail', args=[report.pk])}"


def notify_admins(report, template: str, **extra) -> None:
    recipients = admin_emails()
    if recipients:
        context = {"office": report.office.name, "period": str(report.period), "url": report_url(report), **extra}
        email_enqueue(to=recipients, template=template, context=context)


def dispatch_failed(*, office, semester, error: str) -> None:
    """The schedule could not make (or approve and queue) an office's report."""
    recipients = admin_emails()
    if recipients:
        context = {
            "office": office.name,
            "office_code": office.code,
            "period": str(semester),
            "error": error[:500],
            "url": f"{settings.SATGAS_SITE_URL}{reverse('reports:generate')}",
        }
        email_enqueue(to=recipients, template="semester_report_dispatch_failed", context=context)
