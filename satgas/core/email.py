"""The one way SATGAS sends mail: a subject, a text and an HTML template.

``templates/emails/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``.
Call ``email_enqueue`` from services: it sends after the transaction commits,
through Celery.
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def email_render(*, template: str, context: dict) -> tuple[str, str, str]:
    subject = render_to_string(f"emails/{template}_subject.txt", context).strip()
    subject = " ".join(subject.splitlines())
    text = render_to_string(f"emails/{template}.txt", context)
    html = render_to_string(f"emails/{template}.html", context)
    return settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject, text, html


def email_send(*, to: list[str], template: str, context: dict, language: str | None = None) -> int:
    with translation.override(language or settings.LANGUAGE_CODE):
        subject, text, html = email_render(template=template, context=context)
    message = EmailMultiAlternatives(subject=subject, body=text, to=to, from_email=settings.DEFAULT_FROM_EMAIL)
    message.attach_alternative(html, "text/html")
    return message.send()


def email_enqueue(*, to: list[str], template: str, context: dict) -> None:
    """Send after commit via Celery; ``context`` must be JSON-serialisable."""
    from .tasks import send_templated_email

    transaction.on_commit(lambda: send_templated_email.delay(to=to, template=template, context=context))
