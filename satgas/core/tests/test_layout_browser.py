"""The page frame fits the viewport: no sideways scrolling on desktops or phones."""

import pytest

from satgas.accounts.models import Role
from satgas.accounts.tests.factories import PASSWORD, RoleAssignmentFactory, UserFactory
from satgas.core.tests.browser import DESKTOP, PHONE, login
from satgas.personnel.tests.factories import PersonFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("viewport", [DESKTOP, {"width": 1200, "height": 900}, PHONE], ids=["1280", "1200", "phone"])
def test_the_widest_menu_fits_without_sideways_scrolling(open_page, live_server, unit_a, viewport):
    # A regional admin who is also a leader and an employee sees every menu item.
    user = UserFactory(email="semua@uji.test", person=PersonFactory(unit=unit_a, full_name="Dr. Pegawai Uji, S.H."))
    RoleAssignmentFactory(user=user, role=Role.REGIONAL_ADMIN)
    RoleAssignmentFactory(user=user, role=Role.LEADER)
    page = open_page(viewport)
    login(page, live_server.url, user.email, PASSWORD)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at {viewport['width']}px"
