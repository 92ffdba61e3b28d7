"""Signed links about a change of contact address: confirm it (sent to the new address) and stop it (sent to the
previous one). Each salt serves one purpose only; a link carries the change's id and nothing else."""

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "satgas.personnel.email-change.confirm"
STOP_SALT = "satgas.personnel.email-change.stop"


def make(change_id: int, *, salt: str) -> str:
    return signing.TimestampSigner(salt=salt).sign(str(change_id))


def read(token: str, *, salt: str) -> int | None:
    """The change id of a genuine, unexpired token; ``None`` otherwise."""
    max_age = settings.SATGAS_EMAIL_CHANGE_MAX_AGE_DAYS * 86400
    try:
        value = signing.TimestampSigner(salt=salt).unsign(token, max_age=max_age)
    except signing.BadSignature:  # expired links are BadSignature too
        return None
    return int(value) if value.isdigit() else None
