"""Personal invitation links: signed, expiring, bound to one person and one campaign."""

from django.conf import settings
from django.core import signing

SALT = "satgas.oaths.invitation"


class InvitationError(Exception):
    def __init__(self, code: str):
        super().__init__(code)
        self.code = code  # "invalid" or "expired"


def invitation_token(*, campaign_id: int, person_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign(f"{campaign_id}.{person_id}")


def invitation_read(token: str) -> tuple[int, int]:
    """``(campaign_id, person_id)`` of a genuine, unexpired token."""
    max_age = settings.SATGAS_INVITATION_MAX_AGE_DAYS * 86400
    try:
        value = signing.TimestampSigner(salt=SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired:
        raise InvitationError("expired") from None
    except signing.BadSignature:
        raise InvitationError("invalid") from None
    campaign_id, _, person_id = value.partition(".")
    if not (campaign_id.isdigit() and person_id.isdigit()):
        raise InvitationError("invalid")
    return int(campaign_id), int(person_id)
