"""Loopback SMTP servers that misbehave in the ways a delivery must survive (aiosmtpd), next to the
well-behaved one of ``satgas.core.tests.smtp``."""

import asyncio
import email

from satgas.core.tests.smtp import _free_port, smtp_server


class Inbox:
    """Accepts everything; ``refuse`` names recipients answered with 550 at RCPT; ``data_reply`` replaces
    the reply to the message ("554 ..." refuses it); ``hang`` seconds are waited *after* the message was
    stored and before replying, so a client with a shorter timeout gives up although the server has it."""

    def __init__(self, *, refuse=(), data_reply: str = "", hang: float = 0):
        self.messages: list[email.message.Message] = []
        self.refuse, self.data_reply, self.hang = set(refuse), data_reply, hang

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 No such user"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_reply:
            return self.data_reply
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        if self.hang:
            await asyncio.sleep(self.hang)
        return "250 Message accepted for delivery"


def mail_server(**behaviour):
    """``(inbox, port)`` of a loopback server behaving as asked (a context manager); it stops on exit."""
    return smtp_server(Inbox(**behaviour))


def use_smtp(settings, port: int, *, timeout: float = 5) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", port, timeout
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""


def unused_port() -> int:
    """A port nothing listens on (connecting is refused: a failure before DATA)."""
    return _free_port()
