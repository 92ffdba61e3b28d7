"""A real SMTP server on loopback for tests (aiosmtpd)."""

import contextlib
import email
import socket

from aiosmtpd.controller import Controller


class _Inbox:
    def __init__(self):
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def smtp_server(inbox=None):
    """Yield ``(inbox, port)``; the server stops on exit. ``inbox`` is an aiosmtpd handler
    (default: one that accepts and keeps every message in ``inbox.messages``)."""
    inbox = inbox if inbox is not None else _Inbox()
    port = _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def text_of(message) -> str:
    if message.is_multipart():
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                return part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
    return message.get_payload(decode=True).decode(message.get_content_charset() or "utf-8")
