import pytest
from django.core.cache import cache

from satgas.accounts.models import Role
from satgas.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from satgas.core.files import private_storage
from satgas.socialization.models import SessionMaterial


@pytest.fixture(autouse=True)
def _material_storage_in_tmp(settings, monkeypatch):
    """The FileField builds its storage once at import; point it at this test's private root."""
    monkeypatch.setattr(SessionMaterial._meta.get_field("file"), "storage", private_storage())


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def leader_a(unit_a):
    """A unit leader (head of unit A): reads their unit only."""
    user = UserFactory(email="kalapas-a@uji.test")
    RoleAssignmentFactory(user=user, role=Role.LEADER, unit=unit_a)
    return user
