"""A request id on every log line and response, to follow one request through the logs.

nginx sends its ``$request_id`` as ``X-Request-ID`` (see deploy/nginx/satgas.conf),
so its access log, gunicorn's and the application's lines share the id; without
a proxy the middleware makes one up. The id is echoed in the response header.
"""

import logging
import re
import uuid
from contextvars import ContextVar

_request_id: ContextVar[str] = ContextVar("satgas_request_id", default="-")
_VALID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def current_request_id() -> str:
    return _request_id.get()


class RequestIDFilter(logging.Filter):
    """Adds ``record.request_id`` ("-" outside a request, e.g. in Celery workers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


class RequestIDMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _VALID.match(incoming) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response
