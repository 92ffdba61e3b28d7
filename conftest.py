"""Personas shared by every app's tests (STYLE.md: a regional admin, a
task-force member of unit A and of unit B, a staff member, a leader and an
outsider)."""

import pytest

from satgas.accounts.models import Role
from satgas.accounts.tests.factories import RoleAssignmentFactory, UserFactory
from satgas.personnel.tests.factories import PersonFactory, UnitFactory

# Real-browser fixtures (browser, open_page) for the journey tests.
pytest_plugins = ["satgas.core.tests.browser"]


@pytest.fixture(autouse=True)
def _isolated_private_root(settings, tmp_path):
    settings.PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Counters (rate limits, failed attempts) must not leak between tests."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def region(db):
    return UnitFactory(code="KWJATENG", name="Kanwil Jawa Tengah", unit_type="KANWIL", unit_class="")


@pytest.fixture
def unit_a(region):
    return UnitFactory(code="LAPAS-A", name="Lapas A", parent=region)


@pytest.fixture
def unit_b(region):
    return UnitFactory(code="LAPAS-B", name="Lapas B", parent=region)


@pytest.fixture
def admin_user(db):
    user = UserFactory(email="admin@uji.test")
    RoleAssignmentFactory(user=user, role=Role.REGIONAL_ADMIN)
    return user


@pytest.fixture
def taskforce_a(unit_a):
    user = UserFactory(email="satgas-a@uji.test", person=PersonFactory(unit=unit_a))
    RoleAssignmentFactory(user=user, role=Role.UNIT_TASKFORCE, unit=unit_a)
    return user


@pytest.fixture
def taskforce_b(unit_b):
    user = UserFactory(email="satgas-b@uji.test", person=PersonFactory(unit=unit_b))
    RoleAssignmentFactory(user=user, role=Role.UNIT_TASKFORCE, unit=unit_b)
    return user


@pytest.fixture
def staff_a(unit_a):
    return UserFactory(email="pegawai-a@uji.test", person=PersonFactory(unit=unit_a))


@pytest.fixture
def leader(db):
    user = UserFactory(email="pimpinan@uji.test")
    RoleAssignmentFactory(user=user, role=Role.LEADER)
    return user


@pytest.fixture
def outsider(db):
    return UserFactory(email="luar@uji.test")


PERSONAS = ["admin_user", "taskforce_a", "taskforce_b", "staff_a", "leader", "outsider"]


@pytest.fixture(params=PERSONAS)
def persona(request):
    """Parametrised persona name and user, for permission matrices."""
    return request.param, request.getfixturevalue(request.param)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Expose each phase's report on the item (browser fixtures screenshot failures)."""
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture
def celery_worker_on_redis():
    """A real Celery worker (in a thread) consuming from Redis; needs REDIS_URL."""
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings

    if not settings.REDIS_URL:
        pytest.skip("REDIS_URL not set: no broker for a real worker")

    from satgas.celery import app

    app.conf.task_always_eager = False
    app.conf.broker_url = settings.REDIS_URL
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        app.conf.task_always_eager = True
