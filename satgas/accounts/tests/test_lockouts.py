"""Lockouts cannot be used against the victim (issue 13.8): wrong passwords typed for a colleague hold back the
client that typed them, not the colleague signing in from their own device."""

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from satgas.accounts.tests.factories import PASSWORD

ATTACKER, OWNER = "198.51.100.7", "203.0.113.20"
PRODUCTION_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip",
    "reset_password": "20/m/ip",
    "reset_password_from_key": "20/m/ip",
    "request_login_code": "20/m/ip",
}


@pytest.fixture(autouse=True)
def _limits(settings):
    from satgas.settings import base

    settings.ACCOUNT_RATE_LIMITS = base.ACCOUNT_RATE_LIMITS


def test_the_production_limits_are_per_ip_only():
    from satgas.settings import base

    assert base.ACCOUNT_RATE_LIMITS == PRODUCTION_LIMITS  # nothing keyed on the account ("/key")


def _login(client, email, password, ip):
    return client.post(reverse("account_login"), {"login": email, "password": password}, REMOTE_ADDR=ip)


def test_wrong_passwords_from_one_client_do_not_lock_the_owner_out(client, staff_a, django_user_model):
    from django.test import Client

    attacker = Client()
    for _ in range(8):
        assert _login(attacker, staff_a.email, "wrong-password", ATTACKER).status_code == 200
    response = _login(client, staff_a.email, PASSWORD, OWNER)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(staff_a.pk)


def test_the_guessing_client_backs_off_progressively(client, staff_a):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(6):
            _login(client, staff_a.email, "wrong-password", ATTACKER)
        refused = _login(client, staff_a.email, PASSWORD, ATTACKER)
        assert "_auth_user_id" not in client.session
        assert "30" in refused.content.decode()  # the wait is told
        clock.shift(31)
        _login(client, staff_a.email, "wrong-password", ATTACKER)  # the 7th failure: 60 s this time
        clock.shift(31)
        _login(client, staff_a.email, PASSWORD, ATTACKER)
        assert "_auth_user_id" not in client.session
        clock.shift(30)
        assert _login(client, staff_a.email, PASSWORD, ATTACKER).status_code == 302


def test_a_spread_attack_holds_the_account_at_most_a_minute(client, staff_a):
    from satgas.accounts.adapters import LOGIN_GUARD

    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for i in range(LOGIN_GUARD.target_limit):
            from django.test import Client

            _login(Client(), staff_a.email, "wrong-password", f"198.51.100.{i + 10}")
        _login(client, staff_a.email, PASSWORD, OWNER)
        assert "_auth_user_id" not in client.session
        clock.shift(61)
        assert _login(client, staff_a.email, PASSWORD, OWNER).status_code == 302


def test_a_client_the_owner_signed_in_from_is_not_held_by_the_cap(client, staff_a):
    from django.test import Client

    from satgas.accounts.adapters import LOGIN_GUARD

    assert _login(Client(), staff_a.email, PASSWORD, OWNER).status_code == 302  # the owner's usual device
    for i in range(LOGIN_GUARD.target_limit):
        _login(Client(), staff_a.email, "wrong-password", f"198.51.100.{i + 10}")
    assert _login(client, staff_a.email, PASSWORD, OWNER).status_code == 302


def test_code_requests_for_a_colleague_do_not_block_their_own_request(client, staff_a):
    from django.test import Client

    attacker = Client()
    for _ in range(6):
        attacker.post(reverse("account_request_login_code"), {"email": staff_a.email}, REMOTE_ADDR=ATTACKER)
    sent = len(mail.outbox)
    assert sent <= 3  # the flooding client is held back
    response = client.post(reverse("account_request_login_code"), {"email": staff_a.email}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302 and len(mail.outbox) == sent + 1
    assert mail.outbox[-1].to == [staff_a.email]


def test_codes_go_only_to_the_logins_own_address(client, staff_a):
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=staff_a, email="other@luar.test", verified=False, primary=False)
    client.post(reverse("account_request_login_code"), {"email": "other@luar.test"}, REMOTE_ADDR=OWNER)
    assert not [m for m in mail.outbox if _has_code(m)], "no sign-in code to an address other than the login's"
    from django.test import Client

    Client().post(reverse("account_request_login_code"), {"email": staff_a.email}, REMOTE_ADDR=OWNER)
    assert [m.to for m in mail.outbox if _has_code(m)] == [[staff_a.email]]


def _has_code(message) -> bool:
    import re

    return bool(re.search(r"\b[A-Z0-9]{4}-[A-Z0-9]{4}\b", message.body))


def test_a_broken_cache_lets_the_owner_in(client, staff_a, monkeypatch):
    from django.test import Client

    import satgas.core.ratelimit as ratelimit
    from satgas.core.tests.test_ratelimit import BrokenCache

    monkeypatch.setattr(ratelimit, "cache", BrokenCache())
    for _ in range(8):
        _login(Client(), staff_a.email, "wrong-password", ATTACKER)
    assert _login(client, staff_a.email, PASSWORD, ATTACKER).status_code == 302
