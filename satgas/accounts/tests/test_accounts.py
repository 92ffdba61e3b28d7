import re

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from satgas.accounts import services
from satgas.accounts.models import Role, RoleAssignment, User
from satgas.accounts.roles import roles_for
from satgas.accounts.tests.factories import PASSWORD, UserFactory
from satgas.core.models import AuditEvent
from satgas.core.tests.smtp import smtp_server, text_of
from satgas.personnel.tests.factories import PersonFactory


def test_login_with_email_and_password(client, staff_a):
    response = client.post(reverse("account_login"), {"login": "PEGAWAI-A@uji.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).context["user"] == staff_a


def test_wrong_password_is_refused(client, staff_a):
    response = client.post(reverse("account_login"), {"login": staff_a.email, "password": "wrong-password"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_public_signup_is_closed(client):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@x.test", "password1": "Sangat-Rahasia-99", "password2": "Sangat-Rahasia-99"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="new@x.test").exists()


def test_failed_logins_are_rate_limited(client, staff_a, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip"}
    for _ in range(3):
        assert client.post(reverse("account_login"), {"login": staff_a.email, "password": "nope"}).status_code == 200
    # Once limited, even the right password is refused until the window passes.
    response = client.post(reverse("account_login"), {"login": staff_a.email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_login_by_emailed_code(client, staff_a):
    client.post(reverse("account_request_login_code"), {"email": staff_a.email})
    assert len(mail.outbox) == 1
    code = re.search(r"\b([A-Z0-9]{4}-[A-Z0-9]{4})\b", mail.outbox[0].body).group(1)
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(staff_a.pk)


def test_admins_must_enrol_totp_when_required(client, admin_user, staff_a, settings):
    settings.SATGAS_REQUIRE_ADMIN_MFA = True
    client.force_login(admin_user)
    response = client.get(reverse("personnel:person_list"))
    assert response.status_code == 302 and response["Location"] == reverse("mfa_activate_totp")
    # The set-up page itself (and the re-authentication it asks for) stays reachable.
    activate = client.get(reverse("mfa_activate_totp"))
    assert activate.status_code == 200 or activate["Location"].startswith(reverse("account_reauthenticate"))
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    assert client.get(reverse("personnel:person_list")).status_code == 200
    client.force_login(staff_a)
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_totp_not_required_when_setting_is_off(client, admin_user, settings):
    settings.SATGAS_REQUIRE_ADMIN_MFA = False
    client.force_login(admin_user)
    assert client.get(reverse("personnel:person_list")).status_code == 200


def test_admin_creates_a_login_for_a_person_and_the_email_arrives_over_smtp(
    client, admin_user, unit_a, settings, django_capture_on_commit_callbacks
):
    person = PersonFactory(unit=unit_a, email="sri@pegawai.test", full_name="Sri Rahayu")
    client.force_login(admin_user)
    with smtp_server() as (inbox, port):
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("accounts:account_create", args=[person.pk]), {"email": "Sri@Pegawai.test"})
    assert response.status_code == 302
    user = User.objects.get(person=person)
    assert user.email == "sri@pegawai.test" and not user.has_usable_password()
    assert len(inbox.messages) == 1
    message = inbox.messages[0]
    assert message["X-Envelope-To"] == "sri@pegawai.test"
    assert "Sri Rahayu" in text_of(message) and "/accounts/login/code/" in text_of(message)
    assert AuditEvent.objects.filter(action="account.created", actor=admin_user).exists()


def test_account_creation_refuses_duplicates(admin_user, unit_a):
    person = PersonFactory(unit=unit_a)
    UserFactory(email="taken@x.test")
    with pytest.raises(services.AccountError) as exc:
        services.account_create_for_person(actor=admin_user, person=person, email="TAKEN@x.test")
    assert exc.value.code == "email_taken"
    services.account_create_for_person(actor=admin_user, person=person, email="free@x.test", notify=False)
    with pytest.raises(services.AccountError) as exc:
        services.account_create_for_person(actor=admin_user, person=person, email="other@x.test")
    assert exc.value.code == "already_has_account"


def test_admin_grants_and_revokes_a_unit_role(client, admin_user, staff_a, unit_a):
    client.force_login(admin_user)
    url = reverse("accounts:user_detail", args=[staff_a.pk])
    assert client.post(url, {"role": Role.UNIT_TASKFORCE}).context["form"].errors["unit"]
    client.post(url, {"role": Role.UNIT_TASKFORCE, "unit": unit_a.pk})
    staff_a = User.objects.get(pk=staff_a.pk)
    assert roles_for(staff_a).taskforce_unit_ids == {unit_a.pk}
    assignment = RoleAssignment.objects.get(user=staff_a)
    client.post(reverse("accounts:role_revoke", args=[staff_a.pk, assignment.pk]))
    assert not roles_for(User.objects.get(pk=staff_a.pk)).is_taskforce
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("id")) == ["role.granted", "role.revoked"]


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(client, admin_user):
    client.force_login(admin_user)
    assignment = RoleAssignment.objects.get(user=admin_user)
    client.post(reverse("accounts:role_revoke", args=[admin_user.pk, assignment.pk]))
    client.post(reverse("accounts:user_set_active", args=[admin_user.pk]), {"active": "0"})
    admin_user.refresh_from_db()
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists() and admin_user.is_active


@pytest.mark.parametrize("persona_name", ["taskforce_a", "staff_a", "leader", "outsider"])
def test_only_admins_manage_users(client, request, persona_name, staff_a):
    client.force_login(request.getfixturevalue(persona_name))
    assert client.get(reverse("accounts:user_list")).status_code == 403
    assert (
        client.post(reverse("accounts:user_detail", args=[staff_a.pk]), {"role": Role.REGIONAL_ADMIN}).status_code
        == 403
    )
    assert not RoleAssignment.objects.filter(user=staff_a).exists()


def test_user_list_queries_are_flat(client, admin_user, unit_a, django_assert_max_num_queries):
    for _ in range(20):
        UserFactory(person=PersonFactory(unit=unit_a))
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("accounts:user_list")).status_code == 200


def test_navigation_matches_the_role(client, admin_user, taskforce_a, staff_a, leader):
    def nav(user):
        client.force_login(user)
        html = client.get(reverse("core:dashboard")).content.decode()
        return {
            name
            for name, url in {
                "personnel": reverse("personnel:person_list"),
                "import": reverse("personnel:import_list"),
                "users": reverse("accounts:user_list"),
                "units": reverse("personnel:unit_list"),
            }.items()
            if f'href="{url}"' in html
        }

    assert nav(admin_user) == {"personnel", "import", "users", "units"}
    assert nav(taskforce_a) == {"personnel", "units"}
    assert nav(leader) == {"personnel", "units"}
    assert nav(staff_a) == set()


def test_ui_is_indonesian_by_default_and_english_on_request(client, db):
    assert 'lang="id"' in client.get(reverse("account_login")).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert 'lang="en"' in client.get(reverse("account_login")).content.decode()


def test_an_english_browser_still_gets_indonesian(client, db):
    response = client.get(reverse("account_login"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert 'lang="id"' in response.content.decode()
