"""Create forms are safe to send twice: a retry returns the first result instead of creating a second record.

Every create form carries a one-time token (``{% idempotency_token %}`` next to ``{% csrf_token %}``, a fresh one
each time the page is rendered). Its view is decorated with ``@idempotent("app.what")``:

- a POST whose token was already used (a double click, a browser resending after a 500 or a timeout, back and
  submit again) gets the first result: a redirect to the page the first request led to, or, for a result rendered
  in place (the violation receipt), the view's ``replay`` with the first object and secret;
- otherwise the token is claimed — a ``FormSubmission`` row, unique per (form, who, token) — in the same transaction
  as the view's writes. The view says what it created with ``submission_done(request, obj, secret=...)``; only then
  is the claim kept, with the redirect the view answered. A view that refused the input keeps nothing, so the same
  token may be sent again once corrected. A twin arriving while the first request runs waits on the unique index
  and then replays the first result.

"Who" is the signed-in user, or "anonymous": the token itself (256 random bits, only in the page the client was
given) is what binds a retry to the first request. A POST without a well-formed token is handled as before.

A secret to show again (a receipt code: stored elsewhere only as a hash) is kept encrypted with a key derived from
the token and ``SECRET_KEY``; the token is stored only hashed, so the database alone cannot reveal it, and it is
erased after ``SATGAS_FORM_SECRET_SECONDS`` (``purge``, hourly).
"""

import base64
import datetime as dt
import functools
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.contrib import messages
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import FormSubmission

TOKEN_FIELD = "idempotency_token"
_TOKEN = re.compile(r"[A-Za-z0-9_-]{32,100}")
REPLAY_MESSAGE = _("This form had already been sent and was saved once; here is the result.")


def token_new() -> str:
    return secrets.token_urlsafe(32)


def _owner(request) -> str:
    user = getattr(request, "user", None)
    return f"user:{user.pk}" if user is not None and user.is_authenticated else "anonymous"


def _token_hash(token: str) -> str:
    return hashlib.sha256(f"form-submission:{token}".encode()).hexdigest()


def _cipher(token: str) -> Fernet:
    key = hmac.new(settings.SECRET_KEY.encode(), f"form-submission-secret:{token}".encode(), hashlib.sha256).digest()
    return Fernet(base64.urlsafe_b64encode(key))


@dataclass
class _Pending:
    record: FormSubmission
    token: str
    done: bool = False
    obj: models.Model | None = None
    secret: str = ""


@dataclass
class FirstResult:
    """What the first request created, for a ``replay``: the object (None if deleted since) and the secret
    ("" once forgotten)."""

    obj: models.Model | None
    secret: str


def submission_done(request, obj: models.Model | None = None, *, secret: str = "") -> None:
    """Record that this request created ``obj`` (call it inside the view, after the service succeeded). ``secret``:
    text the replay may show again for a short time (a receipt code). Does nothing for a request without a token."""
    pending = getattr(request, "_form_submission", None)
    if pending is not None:
        pending.done, pending.obj, pending.secret = True, obj, secret


def _is_redirect(response) -> bool:
    return response.status_code in (301, 302, 303, 307, 308) and response.has_header("Location")


def _keep(pending: _Pending, response) -> None:
    record = pending.record
    if _is_redirect(response):
        record.result_url = response["Location"][:500]
    if pending.obj is not None and pending.obj.pk is not None:
        record.result_type = ContentType.objects.get_for_model(pending.obj)
        record.result_id = str(pending.obj.pk)
    if pending.secret:
        record.secret = _cipher(pending.token).encrypt(pending.secret.encode()).decode()
        record.secret_expires_at = timezone.now() + dt.timedelta(seconds=settings.SATGAS_FORM_SECRET_SECONDS)
    record.save()


def _first_result(record: FormSubmission, token: str) -> FirstResult:
    obj = None
    if record.result_type_id and record.result_id:
        model = record.result_type.model_class()
        obj = model._default_manager.filter(pk=record.result_id).first() if model else None
    secret = ""
    if record.secret and record.secret_expires_at and record.secret_expires_at > timezone.now():
        try:
            secret = _cipher(token).decrypt(record.secret.encode()).decode()
        except InvalidToken:
            secret = ""
    return FirstResult(obj=obj, secret=secret)


def _replay(request, record: FormSubmission, token: str, replay, args, kwargs):
    if record.result_url:
        messages.info(request, REPLAY_MESSAGE)
        return redirect(record.result_url)
    if replay is not None:
        return replay(request, _first_result(record, token), *args, **kwargs)
    messages.info(request, REPLAY_MESSAGE)
    return redirect(request.get_full_path())


def idempotent(scope: str, *, replay: Callable | None = None):
    """Make a create view safe to retry (see the module's docstring). ``scope`` names the form ("app.what");
    ``replay(request, first_result, *args, **kwargs)`` answers a retry when the view rendered its result in place
    instead of redirecting."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            token = request.POST.get(TOKEN_FIELD, "") if request.method == "POST" else ""
            if not _TOKEN.fullmatch(token):
                return view(request, *args, **kwargs)
            key = {"scope": scope, "owner": _owner(request), "token_hash": _token_hash(token)}
            first = FormSubmission.objects.filter(**key).first()
            if first is not None:
                return _replay(request, first, token, replay, args, kwargs)
            claimed = False
            try:
                with transaction.atomic():
                    pending = _Pending(record=FormSubmission.objects.create(**key), token=token)
                    claimed = True
                    request._form_submission = pending
                    try:
                        response = view(request, *args, **kwargs)
                    finally:
                        del request._form_submission
                    if pending.done:
                        _keep(pending, response)
                    else:  # the input was refused: the token stays usable
                        pending.record.delete()
                return response
            except IntegrityError:
                if claimed:
                    raise
            # A twin request with the same token committed first: answer with its result.
            return _replay(request, FormSubmission.objects.get(**key), token, replay, args, kwargs)

        wrapper.idempotent_scope = scope
        return wrapper

    return decorator


def purge(*, now=None) -> tuple[int, int]:
    """Forget expired secrets and drop old claims; ``(secrets erased, claims deleted)``."""
    now = now or timezone.now()
    erased = (
        FormSubmission.objects.filter(secret_expires_at__lte=now)
        .exclude(secret="")
        .update(secret="", secret_expires_at=None)
    )
    deleted, _ = FormSubmission.objects.filter(
        created_at__lt=now - dt.timedelta(days=settings.SATGAS_FORM_SUBMISSION_KEEP_DAYS)
    ).delete()
    return erased, deleted
