"""The one way SATGAS sends mail: a subject, a text and an HTML template.

``templates/emails/<name>_subject.txt``, ``<name>.txt`` and ``<name>.html``.
Call ``email_enqueue`` from services: the message is recorded in the outbox in the caller's transaction and
sent by Celery after it commits (``satgas.core.outbox``: never lost when Redis is down).
"""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
    """Send after commit via Celery (through the outbox); ``context`` must be JSON-serialisable."""
    from .outbox import enqueue

    enqueue("satgas.core.tasks.send_templated_email", kwargs={"to": list(to), "template": template, "context": context})
