"""Failed self check-ins counted per client IP in the shared cache (Redis in production)."""

from satgas.core.ratelimit import failure_record, failures_exceeded
from satgas.core.views import client_ip as core_client_ip

FAILURES_ALLOWED = 20
WINDOW_SECONDS = 10 * 60


def client_ip(request) -> str:
    """The client address, trusting proxies exactly as the login rate limits do (allauth settings)."""
    return core_client_ip(request) or "unknown"  # no usable address: such clients share one counter


def _key(ip: str) -> str:
    return f"socialization:checkin-failures:{ip}"


def is_blocked(ip: str) -> bool:
    return failures_exceeded(_key(ip), limit=FAILURES_ALLOWED)


def record_failure(ip: str) -> None:
    """Count one failed attempt; the window starts at the first failure."""
    failure_record(_key(ip), window_seconds=WINDOW_SECONDS)
