"""Every response and log line carries a request id (nginx's when it sends one)."""

import logging

from django.http import HttpResponse

from satgas.core.requestid import RequestIDFilter, RequestIDMiddleware, current_request_id


def test_each_response_gets_a_request_id(client, db):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_proxys_request_id_is_kept_and_a_malformed_one_replaced(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="4f1c2d3e-nginx").headers["X-Request-ID"] == "4f1c2d3e-nginx"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nInjected: 1")["X-Request-ID"]
    assert len(replaced) == 32 and "Injected" not in replaced


def test_log_records_inside_a_request_carry_its_id(rf):
    seen = {}

    def view(request):
        record = logging.LogRecord("satgas", logging.INFO, __file__, 1, "inside", None, None)
        RequestIDFilter().filter(record)
        seen["record"] = record.request_id
        seen["current"] = current_request_id()
        return HttpResponse("ok")

    response = RequestIDMiddleware(view)(rf.get("/", HTTP_X_REQUEST_ID="abc123"))
    assert seen == {"record": "abc123", "current": "abc123"} and response["X-Request-ID"] == "abc123"
    outside = logging.LogRecord("celery", logging.INFO, __file__, 1, "outside", None, None)
    RequestIDFilter().filter(outside)
    assert outside.request_id == "-"
