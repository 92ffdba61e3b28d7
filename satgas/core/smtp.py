"""Handing messages to the mail server while knowing how far it got: the ground of every exactly-once send (the
six-monthly report, oath reminders).

A message is built completely first (``outgoing``: the bytes that go on the wire). ``Transmitter`` sends one or
more of them over one connection and notes, per message, when the SMTP DATA phase started (``smtplib.SMTP.data``
is wrapped), calling ``before_data`` first so the caller can record it durably:

* a failure *before* DATA (connect, EHLO/STARTTLS/AUTH, MAIL FROM, RCPT refused) or an explicit refusal of the
  message (``SMTPDataError``) means the server does not have it: safe to send again;
* anything raised once DATA started (the connection dropped, a timeout waiting for the reply to the final ".")
  is ambiguous: the server may have accepted it. Callers never resend such a message blindly.

Backends other than SMTP (files, memory, console) cannot say how far they got: DATA counts as started before
they are called, so any of their failures is ambiguous.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.mail.message import sanitize_address

logger = logging.getLogger(__name__)


@dataclass
class Outgoing:
    """A message ready for the wire: nothing is left to build once its send is claimed."""

    message: EmailMessage
    from_email: str
    recipients: list[str]
    payload: bytes

    @property
    def message_id(self) -> str:
        return self.message.extra_headers.get("Message-ID", "")


def outgoing(message: EmailMessage) -> Outgoing:
    encoding = message.encoding or settings.DEFAULT_CHARSET
    return Outgoing(
        message=message,
        from_email=sanitize_address(message.from_email, encoding),
        recipients=[sanitize_address(address, encoding) for address in message.recipients()],
        payload=message.message().as_bytes(linesep="\r\n"),
    )


@dataclass
class Progress:
    """How far one message got: past ``data_started`` the server may have it."""

    data_started: bool = False
    refused: dict = field(default_factory=dict)


class Transmitter:
    """One connection of the configured backend for several messages (a context manager)."""

    def __init__(self):
        self.connection = get_connection(fail_silently=False)
        self.is_smtp = isinstance(self.connection, SMTPBackend)

    def __enter__(self):
        if self.is_smtp:
            self.connection.open()
        return self

    def __exit__(self, *exc_info):
        try:
            self.connection.close()
        except Exception:  # noqa: BLE001 - the messages were accepted, or the failure is already on its way up
            logger.warning("Closing the SMTP connection failed", exc_info=True)
        return False

    def send(self, item: Outgoing, progress: Progress, *, before_data: Callable[[], None] | None = None) -> dict:
        """Send ``item``; returns the recipients the server refused (``{address: "550 reason"}``) while accepting
        the message for the others. ``before_data`` runs just before the server may get the message."""
        if not self.is_smtp:
            progress.data_started = True  # no way to tell how far it got: any failure is ambiguous
            if before_data:
                before_data()
            self.connection.send_messages([item.message])
            return {}
        if self.connection.connection is None:
            self.connection.open()
        smtp = self.connection.connection
        data = smtp.data

        def data_watched(msg):
            progress.data_started = True
            if before_data:
                before_data()
            return data(msg)

        smtp.data = data_watched
        try:
            refused = smtp.sendmail(item.from_email, item.recipients, item.payload)
        finally:
            smtp.data = data
        progress.refused = {
            address: f"{code} {reply.decode(errors='replace') if isinstance(reply, bytes) else reply}".strip()
            for address, (code, reply) in (refused or {}).items()
        }
        return progress.refused


def transmit(item: Outgoing, progress: Progress) -> dict:
    """Send one message over its own connection (see ``Transmitter.send``)."""
    with Transmitter() as transmitter:
        return transmitter.send(item, progress)
