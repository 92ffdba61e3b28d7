"""Signed links, each salt serving one purpose only.

* Invitation links: expiring, bound to one person and one campaign, and (since issue 13.1) to the reminder that
  carried them, so the signature records the address the link was sent to; a link sent to an address that is no
  longer the person's stops working.
* "Bukan saya" links, in the confirmation sent after a signature: bound to one signature (its id and verification
  code); they do not expire (a forged signature may be noticed late) and can only flag that signature.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing

SALT = "satgas.oaths.invitation"
DISOWN_SALT = "satgas.oaths.signature-disown"


class InvitationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "invalid" or "expired"


@dataclass(frozen=True)
class Invitation:
    campaign_id: int
    person_id: int
    reminder_id: int | None  # None: a link made before links named their reminder, or by a benchmark


def invitation_token(*, campaign_id: int, person_id: int, reminder_id: int | None = None) -> str:
    value = f"{campaign_id}.{person_id}" + (f".{reminder_id}" if reminder_id else "")
    return signing.TimestampSigner(salt=SALT).sign(value)


def invitation_read(token: str) -> Invitation:
    """The invitation of a genuine, unexpired token."""
    max_age = settings.SATGAS_INVITATION_MAX_AGE_DAYS * 86400
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationError("expired") from None
    except signing.BadSignature:
        raise InvitationError("invalid") from None
    parts = value.split(".")
    if len(parts) not in (2, 3) or not all(part.isdigit() for part in parts):
        raise InvitationError("invalid")
    return Invitation(int(parts[0]), int(parts[1]), int(parts[2]) if len(parts) == 3 else None)


def disown_token(signature) -> str:
    return signing.Signer(salt=DISOWN_SALT).sign(f"{signature.pk}.{signature.verification_code}")


def disown_read(token: str) -> tuple[int, str] | None:
    """``(signature id, verification code)`` of a genuine token; ``None`` otherwise."""
    try:
        value = signing.Signer(salt=DISOWN_SALT).unsign(token)
    except signing.BadSignature:
        return None
    pk, _, code = value.partition(".")
    return (int(pk), code) if pk.isdigit() and code else None
