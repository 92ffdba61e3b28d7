"""Receipt codes of reporters, and the per-IP limits on wrong codes, attempts and reports.

A code is 20 random decimal digits from ``secrets`` (about 66 bits), shown once
to whoever filed the report and stored only as an HMAC-SHA256 keyed with
``SECRET_KEY``: a database leak does not reveal codes, and a code cannot be
checked offline without the key.
"""

import hashlib
import hmac
import secrets

from django.conf import settings

from satgas.core.ratelimit import failure_record, failures_exceeded

CODE_DIGITS = 20


def code_new() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def code_normalize(text: str) -> str:
    """Digits only: reporters may type the code with spaces or dashes."""
    return "".join(ch for ch in (text or "") if ch.isdigit())


def code_hash(code: str) -> str:
    message = f"violation-receipt:{code_normalize(code)}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def code_display(code: str) -> str:
    """``1234 5678 ...``: easier to copy by hand."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def _key(ip: str) -> str:
    return f"violations:receipt-failures:{ip}"


def is_blocked(ip: str) -> bool:
    return failures_exceeded(_key(ip), limit=settings.SATGAS_VIOLATION_RECEIPT_FAILURES)


def record_failure(ip: str) -> None:
    """Count one wrong code."""
    failure_record(_key(ip), window_seconds=settings.SATGAS_VIOLATION_RECEIPT_WINDOW_SECONDS)


# Anonymous reports: at most this many per client IP per hour (against flooding).
PUBLIC_REPORTS_PER_HOUR = 10


def public_attempts_blocked(ip: str) -> bool:
    """Every sent report form counts, valid or not (``SATGAS_VIOLATION_PUBLIC_ATTEMPTS`` per window): the form
    cannot be used to try numbers without limit."""
    return failures_exceeded(f"violations:public-attempts:{ip}", limit=settings.SATGAS_VIOLATION_PUBLIC_ATTEMPTS)


def record_public_attempt(ip: str) -> None:
    failure_record(
        f"violations:public-attempts:{ip}", window_seconds=settings.SATGAS_VIOLATION_PUBLIC_ATTEMPTS_WINDOW_SECONDS
    )


def public_reports_blocked(ip: str) -> bool:
    return failures_exceeded(f"violations:public-reports:{ip}", limit=PUBLIC_REPORTS_PER_HOUR)


def record_public_report(ip: str) -> None:
    failure_record(f"violations:public-reports:{ip}", window_seconds=3600)
