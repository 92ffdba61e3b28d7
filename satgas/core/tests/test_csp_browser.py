"""The Content-Security-Policy in a real browser: no page of the app, the signing canvas, htmx or the Django
admin trips it.

Chromium enforces the policy the server sends (no ``bypass_csp``); every ``securitypolicyviolation`` event
and every "Content Security Policy" console message fails the test with the page, the directive and the
blocked source. The demo data (``seed_demo``) is loaded once for the module and served by one live server, as
in the accessibility tests.
"""

import re
import threading

import pytest

from satgas.accounts.demo import DEMO_PASSWORD
from satgas.core.tests.browser import DESKTOP, PHONE, close_contexts, login
from satgas.core.tests.demo_site import OWN_UNIT, PERSONA_EMAILS, demo_site

pytestmark = [pytest.mark.django_db, pytest.mark.browser]

SUPERUSER = "super@satgas.test"
NOT_A_PAGE = re.compile(r"(\.(xlsx|csv|pdf)$|/pdf/|/unduh/|/pindaian/|^/i18n/|/accounts/logout/)")
WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.effectiveDirective + " blocked " + (e.blockedURI || "inline") + " at "
    + (e.sourceFile || "") + ":" + e.lineNumber + " " + (e.sample || ""));
});
"""


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    from django.db import connections
    from pytest_django.live_server_helper import LiveServer

    private_root = tmp_path_factory.mktemp("private")
    with demo_site(django_db_blocker, private_root):
        with django_db_blocker.unblock():
            _seed_for_browser()
        server = LiveServer("localhost")
        server.private_root = private_root
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()
            connections.close_all()


def _seed_for_browser():
    """Committed, so that the live server sees them on PostgreSQL too: a superuser for the Django admin and
    an import still being checked (its page polls with htmx)."""
    from django_celery_beat.models import CrontabSchedule, PeriodicTask

    from satgas.accounts.models import User
    from satgas.personnel.models import ImportStatus, PersonnelImport

    User.objects.create_superuser(email=SUPERUSER, password=DEMO_PASSWORD, full_name="Super Admin")
    schedule, _ = CrontabSchedule.objects.get_or_create(minute="0", hour="8", timezone="Asia/Jakarta")
    PeriodicTask.objects.create(name="uji", task="satgas.oaths.tasks.oath_reminders_before_closing", crontab=schedule)
    PersonnelImport.objects.create(
        uploaded_by=User.objects.get(email=PERSONA_EMAILS["admin"]),
        filename="pegawai-besar.xlsx",
        content=b"",
        status=ImportStatus.VALIDATING,
        total_rows=1000,
        processed_rows=370,
    )


@pytest.fixture(autouse=True)
def _demo_private_root(_isolated_private_root, settings, site):
    settings.PRIVATE_ROOT = site.private_root


class Watched:
    """A page whose policy violations are collected (page events and console messages)."""

    def __init__(self, page):
        self.page = page
        self.console: list[str] = []
        page.on(
            "console",
            lambda message: (
                self.console.append(message.text)
                if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text
                else None
            ),
        )
        self.problems: list[str] = []

    def goto(self, url):
        response = self.page.goto(url)
        assert response is not None and response.status < 500, f"{url} answered {response and response.status}"
        assert response.headers.get("content-security-policy"), f"{url}: no Content-Security-Policy"
        self.collect(url)
        return response

    def collect(self, label):
        # Violations are reported asynchronously: give the event loop a moment.
        self.page.wait_for_timeout(50)
        events = self.page.evaluate("window.__csp || []")
        self.page.evaluate("window.__csp = []")
        found = events + self.console
        self.console.clear()
        self.problems += [f"{label}: {problem}" for problem in found]

    def assert_clean(self):
        assert not self.problems, "Content-Security-Policy violations:\n" + "\n".join(self.problems)


@pytest.fixture
def watched(browser, request, site):
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta")
        context.set_default_timeout(15_000)
        context.add_init_script(WATCH)
        contexts.append(context)
        return Watched(context.new_page())

    yield make
    close_contexts(request, contexts)


def _nav_links(page) -> list[str]:
    return page.eval_on_selector_all(
        "#mainNav a.nav-link[href], #mainNav .dropdown-menu a.dropdown-item[href]",
        "links => links.map(a => a.href).filter(href => !href.endsWith('#'))",
    )


def _main_links(page, base_url) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]:not([download])", "links => links.map(a => a.href)")
    return [h for h in hrefs if h.startswith(base_url) and not _not_a_page(h.removeprefix(base_url))]


def _not_a_page(path: str) -> bool:
    return bool(NOT_A_PAGE.search(path.split("?")[0]))


@pytest.mark.parametrize("persona", ["admin", "taskforce", "staff", "leader"])
def test_the_main_pages_trip_no_policy(watched, site, persona):
    """The navigation's pages and one page of each kind they link to (details, forms, lists)."""
    page = watched()
    login(page.page, site.url, PERSONA_EMAILS[persona], DEMO_PASSWORD)
    page.collect("login")
    page.goto(f"{site.url}/")
    seen, queue = set(), [(url, 0) for url in _nav_links(page.page)]
    while queue:
        url, level = queue.pop(0)
        kind = re.sub(r"\d+", "N", url.split("?")[0])
        if kind in seen or _not_a_page(url.removeprefix(site.url)):
            continue
        seen.add(kind)
        page.goto(url)
        if level == 0:
            queue += [(link, 1) for link in _main_links(page.page, site.url)]
    assert len(seen) > 5, sorted(seen)
    page.assert_clean()


def _open_invitation(page, site):
    from satgas.oaths.models import Campaign, CampaignStatus
    from satgas.oaths.services import person_in_scope
    from satgas.oaths.tokens import invitation_token
    from satgas.personnel.models import Person

    campaign = Campaign.objects.get(status=CampaignStatus.OPEN)
    signer = next(
        person
        for person in Person.objects.filter(unit__code=OWN_UNIT, user=None).order_by("pk")
        if person_in_scope(campaign, person) and not person.oath_signatures.filter(campaign=campaign).exists()
    )
    page.goto(f"{site.url}/ikrar/undangan/{invitation_token(campaign_id=campaign.pk, person_id=signer.pk)}/")
    return campaign, signer


def test_signing_with_a_drawn_signature_trips_no_policy(watched, site):
    """On a phone: the invitation page, a signature drawn on the canvas and sent, the signer's statement."""
    from satgas.oaths.models import Signature

    page = watched(PHONE)
    campaign, signer = _open_invitation(page, site)
    browser_page = page.page
    browser_page.fill("#id_identity_number", signer.identity_number)
    browser_page.fill("#id_birth_date", signer.birth_date.isoformat())
    for checkbox in browser_page.locator("input[type=checkbox][name^=confirm_]").all():
        checkbox.check()
    browser_page.fill("#id_typed_name", signer.full_name)
    browser_page.locator("details summary").click()
    canvas = browser_page.locator("#signature-pad")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    browser_page.mouse.move(box["x"] + 20, box["y"] + 30)
    browser_page.mouse.down()
    for step in range(1, 12):
        browser_page.mouse.move(box["x"] + 20 + step * 20, box["y"] + 30 + (step % 3) * 25)
    browser_page.mouse.up()
    page.collect("signature drawn")
    with browser_page.expect_navigation():
        browser_page.locator("#sign-submit").click()
    browser_page.wait_for_url("**/selesai/")
    page.collect("signed")
    signature = Signature.objects.get(campaign=campaign, person=signer)
    assert signature.drawn_signature.startswith("data:image/png;base64,")
    page.assert_clean()


def _committed(change):
    """Make ``change`` visible to the live server: on PostgreSQL from another connection (the test's own
    transaction is never committed); SQLite's in-memory test database is one connection the server shares."""
    from django.db import connection, connections

    if connection.vendor == "sqlite":
        change()
        return

    def run():
        try:
            change()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=30)


def test_htmx_polling_trips_no_policy(watched, site):
    """The import page of a running import polls with htmx and swaps in the result when the check is done."""
    from satgas.personnel.models import ImportStatus, PersonnelImport

    record = PersonnelImport.objects.get(filename="pegawai-besar.xlsx")
    page = watched()
    login(page.page, site.url, PERSONA_EMAILS["admin"], DEMO_PASSWORD)
    with page.page.expect_request(lambda request: request.headers.get("hx-request") == "true", timeout=10_000):
        page.goto(f"{site.url}/personel/impor/{record.pk}/")
    assert page.page.locator(".progress-bar.satgas-w-37").is_visible()
    _committed(
        lambda: PersonnelImport.objects.filter(pk=record.pk).update(
            status=ImportStatus.VALIDATED, processed_rows=1000, counts={"created": 1000}
        )
    )
    page.page.locator("[data-count=created]").wait_for(timeout=10_000)
    page.collect("import swapped by htmx")
    page.assert_clean()


def test_the_django_admin_works_under_the_policy(watched, site):
    """A superuser signs in to the Django admin and opens lists, a search, change forms with admin widgets
    (date/time shortcuts, filter_horizontal, the periodic-task form of django-celery-beat)."""
    from django_celery_beat.models import PeriodicTask

    from satgas.accounts.models import User

    page = watched()
    page.goto(f"{site.url}/django-admin/login/")
    page.page.fill("#id_username", SUPERUSER)
    page.page.fill("#id_password", DEMO_PASSWORD)
    with page.page.expect_navigation():
        page.page.locator("input[type=submit]").click()
    page.collect("admin login")
    user = User.objects.get(email=PERSONA_EMAILS["admin"])
    for path in [
        "/django-admin/",
        "/django-admin/accounts/user/?q=satgas",
        f"/django-admin/accounts/user/{user.pk}/change/",
        "/django-admin/personnel/person/",
        "/django-admin/django_celery_beat/periodictask/",
        f"/django-admin/django_celery_beat/periodictask/{PeriodicTask.objects.order_by('pk').first().pk}/change/",
        "/django-admin/django_celery_beat/periodictask/add/",
    ]:
        page.goto(f"{site.url}{path}")
        assert page.page.locator("#content").is_visible(), path
    # django-celery-beat's crontab help, moved to a static script, still says the schedule in words.
    page.page.locator("#id_crontab").select_option(index=1)
    assert "Translation:" in page.page.locator(".field-crontab .help").inner_text()
    page.collect("crontab chosen")
    page.assert_clean()
