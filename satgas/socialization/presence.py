"""Self check-in needs presence: the code shown in the room, and one browser per person.

* **The room code.** The organiser's screen (``views.checkin_screen``) shows a QR code of the check-in link with
  a code ``<window>.<mac>``: the HMAC of the session and the current time window of
  ``SATGAS_CHECKIN_CODE_SECONDS`` (30 s). The code is accepted during its window and the next one only, so a
  photo of the screen shared in a chat group stops working within a minute. The session's fixed link alone
  (``/sosialisasi/hadir/<code>/``, printed or forwarded) only asks to scan the code in the room.
* **The form pass.** Scanning a valid code gives the check-in form a signed pass bound to the session and the
  browser, valid ``SATGAS_CHECKIN_PASS_SECONDS`` (10 minutes) so that typing the NIP and birth date takes the
  time it takes.
* **The device.** A random id in a long-lived signed cookie identifies the browser. One browser checks in one
  person per session (a database constraint); every identified attempt records the device, and check-ins from a
  device used for more than one person (in any session, or in a refused attempt) are flagged on the attendance
  list.
"""

import re
import secrets

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac

DEVICE_COOKIE = "satgas_device"
DEVICE_COOKIE_MAX_AGE = 2 * 365 * 24 * 3600
_DEVICE_SALT = "satgas.socialization.device"
_PASS_SALT = "satgas.socialization.checkin-pass"
_CODE_SALT = "satgas.socialization.room-code"
_DEVICE_ID = re.compile(r"^[0-9a-f]{32}$")


# --- The room code ---------------------------------------------------------------------------------


def _period() -> int:
    return max(5, int(settings.SATGAS_CHECKIN_CODE_SECONDS))


def window_at(now) -> int:
    return int(now.timestamp()) // _period()


def seconds_left(now) -> int:
    """Seconds until the code on the screen changes."""
    return _period() - int(now.timestamp()) % _period()


def _mac(session, window: int) -> str:
    return salted_hmac(_CODE_SALT, f"{session.pk}:{session.checkin_code}:{window}").hexdigest()[:20]


def room_code(session, now) -> str:
    window = window_at(now)
    return f"{window}.{_mac(session, window)}"


def room_code_valid(session, code: str, now) -> bool:
    """The code of the current window or of the previous one."""
    window_text, _, mac = (code or "").partition(".")
    if not window_text.isdigit() or len(window_text) > 12:
        return False
    window = int(window_text)
    current = window_at(now)
    return window in (current, current - 1) and constant_time_compare(mac, _mac(session, window))


def room_url(session, now) -> str:
    """What the QR code on the screen holds."""
    path = reverse("socialization:checkin", args=[session.checkin_code])
    return f"{settings.SATGAS_SITE_URL}{path}?k={room_code(session, now)}"


# --- The device ------------------------------------------------------------------------------------


def device_id(request) -> str | None:
    """The browser's id from its signed cookie, or ``None``."""
    value = request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=_DEVICE_SALT)
    return value if value and _DEVICE_ID.match(value) else None


def new_device_id() -> str:
    return secrets.token_hex(16)


def set_device_cookie(response, value: str) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE,
        value,
        salt=_DEVICE_SALT,
        max_age=DEVICE_COOKIE_MAX_AGE,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )


# --- The form pass ---------------------------------------------------------------------------------


def form_pass(session, device: str) -> str:
    return signing.dumps({"s": session.pk, "d": device}, salt=_PASS_SALT, compress=True)


def form_pass_valid(value: str, session, device: str | None) -> bool:
    if not value or not device:
        return False
    try:
        data = signing.loads(value, salt=_PASS_SALT, max_age=settings.SATGAS_CHECKIN_PASS_SECONDS)
    except signing.BadSignature:
        return False
    return isinstance(data, dict) and data.get("s") == session.pk and data.get("d") == device
