"""Fault injection for the real-worker test, loaded only in that worker's processes:
``celery worker -I satgas.reports.tests.crash_injection`` with ``SATGAS_CRASH_MARKER=<path>``.

The worker process that first claims a report dies on the spot (``os._exit``: no exception, no
cleanup, exactly like a killed process) right after the claim committed — once: the marker file says
it happened. Without ``SATGAS_CRASH_MARKER`` nothing is patched.
"""

import os
from pathlib import Path

from satgas.reports import delivery

MARKER = os.environ.get("SATGAS_CRASH_MARKER", "")

if MARKER:
    _claim = delivery.claim

    def claim_then_die(**kwargs):
        token = _claim(**kwargs)
        marker = Path(MARKER)
        if token is not None and not marker.exists():
            marker.write_text(f"{os.getpid()} {kwargs.get('report_id')} {token}\n")
            os._exit(1)
        return token

    delivery.claim = claim_then_die
