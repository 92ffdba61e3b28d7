"""Accessibility in a real browser: axe-core (WCAG 2.0/2.1 A and AA) finds no
serious or critical violation on any page the navigation reaches, for every
role, on the public pages, on forms showing errors, and on a phone; the skip
link and the navigation work with the keyboard.

The demo data (``seed_demo``) is loaded once for the module and served by one
live server, so the pages are full of realistic rows; the database is flushed
afterwards (as after any transactional test) and the migration-seeded
categories are put back.
"""

import re
from urllib.parse import urlsplit

import pytest

from satgas.accounts.demo import DEMO_PASSWORD
from satgas.core.tests.browser import (
    AXE_SCRIPT,
    DESKTOP,
    PHONE,
    accessibility_problems,
    assert_accessible,
    close_contexts,
    login,
)
from satgas.core.tests.demo_site import CHECKIN_SESSION, PERSONA_EMAILS, demo_site

# Plain ``django_db``: each test runs in a transaction that is rolled back (logins, sessions), over the
# module's committed demo data. pytest-django's own ``live_server`` would force ``transactional_db``, whose
# flush after every test would mean seeding the demo again for each test.
pytestmark = [pytest.mark.django_db, pytest.mark.browser]

PERSONAS = PERSONA_EMAILS
# Links that are not pages: downloads, documents, the Django admin, language switching.
NOT_A_PAGE = re.compile(r"(\.(xlsx|csv|pdf)$|/pdf/|/unduh/|/pindaian/|^/django-admin/|^/i18n/|/accounts/logout/)")


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    """One live server over the demo data for the whole module."""
    from pytest_django.live_server_helper import LiveServer

    private_root = tmp_path_factory.mktemp("private")
    with demo_site(django_db_blocker, private_root):
        server = LiveServer("localhost")
        server.private_root = private_root
        server._live_server_modified_settings.enable()
        try:
            yield server
        finally:
            server._live_server_modified_settings.disable()
            server.stop()


@pytest.fixture(autouse=True)
def _demo_private_root(_isolated_private_root, settings, site):
    """The demo's evidence and materials stay readable (conftest gives each test an empty private root)."""
    settings.PRIVATE_ROOT = site.private_root


@pytest.fixture
def new_page(browser, request, site):
    """``new_page(viewport)``: a fresh page of its own context; screenshots when the test fails."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta", bypass_csp=True)
        context.set_default_timeout(15_000)
        # axe-core in every document up front: far cheaper than add_script_tag after each navigation
        # (assert_accessible still injects it itself when a page lacks it).
        context.add_init_script(path=str(AXE_SCRIPT))
        contexts.append(context)
        return context.new_page()

    yield make
    close_contexts(request, contexts)


def _path_pattern(url: str) -> str:
    return re.sub(r"\d+", "N", urlsplit(url).path)


def _nav_links(page) -> list[str]:
    """Every page the main navigation and the user menu link to (read from the DOM)."""
    return page.eval_on_selector_all(
        "#mainNav a.nav-link[href], #mainNav .dropdown-menu a.dropdown-item[href]",
        "links => links.map(a => a.href).filter(href => !href.endsWith('#'))",
    )


def _main_links(page, base_url) -> list[str]:
    """Same-site pages linked from the page's main content."""
    hrefs = page.eval_on_selector_all("main a[href]:not([download])", "links => links.map(a => a.href)")
    return [href for href in hrefs if href.startswith(base_url) and not NOT_A_PAGE.search(urlsplit(href).path)]


def _check(page, url, label, problems):
    response = page.goto(url)
    assert response is not None and response.status < 500, f"{label}: {url} answered {response and response.status}"
    if not response.headers.get("content-type", "").startswith("text/html"):
        return  # an image or a document opened inline
    found = accessibility_problems(page, label)
    if found:
        problems.append(found)


def _extra_pages(base_url) -> list[str]:
    """Pages the navigation reaches only through a filter: the demo's task forces belong to an older
    election than the one the overview shows first."""
    from satgas.taskforces.models import TaskForce

    task_force = TaskForce.objects.filter(unit__code="LAPAS-SMG").first()
    return [f"{base_url}/satgas/{task_force.pk}/"] if task_force else []


@pytest.fixture(scope="module")
def checked_deeper():
    """Kinds of pages below the navigation already checked, per viewport, by an earlier persona's crawl."""
    return {"desktop": set(), "phone": set()}


def _crawl(page, base_url, label, *, depth, checked_deeper, follow=None):
    """Check the navigation's pages and, with ``depth=n``, one page of each kind n links away.

    Each persona's own navigation is always checked; deeper pages (details, forms) of a kind that an
    earlier persona's crawl already checked are skipped to keep the module fast. ``follow`` narrows
    which linked paths are followed.
    """
    problems = []
    _check(page, f"{base_url}/", f"{label} /", problems)
    seen = {"/"}
    queue = [(url, 0) for url in _nav_links(page)]
    queue += [(url, 1) for url in _extra_pages(base_url)]
    while queue:
        url, level = queue.pop(0)
        pattern = _path_pattern(url)
        if pattern in seen or NOT_A_PAGE.search(urlsplit(url).path) or (level and pattern in checked_deeper):
            continue
        seen.add(pattern)
        if level:
            checked_deeper.add(pattern)
        _check(page, url, f"{label} {urlsplit(url).path}", problems)
        if level < depth:
            links = _main_links(page, base_url)
            queue.extend((link, level + 1) for link in links if follow is None or follow(urlsplit(link).path))
    assert len(seen) > 3, f"{label}: the navigation reached too few pages: {sorted(seen)}"
    assert not problems, "\n\n".join(problems)
    return seen


@pytest.mark.parametrize(
    ("persona", "depth"),
    [("admin", 2), ("taskforce", 1), ("staff", 1), ("leader", 0)],
)
def test_every_page_of_the_navigation_is_accessible(new_page, site, checked_deeper, persona, depth):
    page = new_page()
    login(page, site.url, PERSONAS[persona], DEMO_PASSWORD)
    _crawl(page, site.url, persona, depth=depth, checked_deeper=checked_deeper["desktop"])


@pytest.mark.parametrize(("persona", "depth"), [("staff", 1), ("admin", 1)])
def test_pages_are_accessible_on_a_phone(new_page, site, checked_deeper, persona, depth):
    """Narrow screens: the collapsed menu, stacked tables and tables that scroll sideways (lists and the
    detail pages they open; the forms are single columns at every width)."""
    page = new_page(PHONE)
    login(page, site.url, PERSONAS[persona], DEMO_PASSWORD)
    _crawl(
        page,
        site.url,
        f"{persona}-phone",
        depth=depth,
        checked_deeper=checked_deeper["phone"],
        follow=lambda path: re.search(r"/\d+/$", path),
    )


@pytest.fixture(autouse=True)
def _room_codes_last_the_test(settings):
    """Check-in links carry the code of the room's screen, which changes every 30 s; here it outlasts the test."""
    settings.SATGAS_CHECKIN_CODE_SECONDS = 3600


def _open_checkin_code() -> str:
    """The path part after /sosialisasi/hadir/: the session's link with the room's current code, as scanned."""
    from django.utils import timezone

    from satgas.socialization import presence
    from satgas.socialization.models import SocializationSession

    session = SocializationSession.objects.get(title=CHECKIN_SESSION)
    return f"{session.checkin_code}/?k={presence.room_code(session, timezone.now())}"


def _public_urls():
    from satgas.oaths.models import Campaign, CampaignStatus, Signature
    from satgas.oaths.tokens import invitation_token
    from satgas.personnel.models import Person
    from satgas.socialization.models import SocializationSession
    from satgas.taskforces.models import Membership

    staff = Person.objects.get(user__email=PERSONAS["staff"])
    campaign = Campaign.objects.get(status=CampaignStatus.OPEN, units=staff.unit)
    urls = {
        "login": "/accounts/login/",
        "login by code": "/accounts/login/code/",
        "password reset": "/accounts/password/reset/",
        "violation report": "/lapor/",
        "receipt check": "/lapor/status/",
        "report verification": "/verifikasi/laporan/",
        "oath verification search": "/verifikasi/",
        "oath verification unknown": "/verifikasi/TIDAKADA/",
        "invitation": f"/ikrar/undangan/{invitation_token(campaign_id=campaign.pk, person_id=staff.pk)}/",
        "not found": "/tidak-ada/",
    }
    signature = Signature.objects.first()
    if signature:
        urls["oath verification"] = f"/verifikasi/{signature.verification_code}/"
    membership = Membership.objects.exclude(badge_code="").first()
    if membership:
        urls["badge verification"] = f"/verifikasi/satgas/{membership.badge_code}/"
    urls["self check-in"] = f"/sosialisasi/hadir/{_open_checkin_code()}"
    urls["self check-in, fixed link (scan the screen)"] = f"/sosialisasi/hadir/{_open_checkin_code().split('/')[0]}/"
    past = SocializationSession.objects.order_by("starts_at").first()
    urls["self check-in, over"] = f"/sosialisasi/hadir/{past.checkin_code}/"
    return urls


def test_public_pages_are_accessible(new_page, site):
    page = new_page()
    problems = []
    for label, path in _public_urls().items():
        _check(page, f"{site.url}{path}", f"public {label}", problems)
    assert not problems, "\n\n".join(problems)


def _submit_without_browser_checks(page, form_selector):
    form = page.locator(form_selector)
    form.evaluate("form => { form.noValidate = true; }")
    with page.expect_navigation():
        form.locator("[type=submit]").last.click()


def _assert_errors_announced(page, label):
    """An alert sums up the errors; each invalid field says so and points at its message."""
    assert page.locator("main [role=alert]").first.is_visible(), f"{label}: no role=alert"
    invalid = page.locator("main [aria-invalid=true]")
    assert invalid.count() > 0, f"{label}: no field marked aria-invalid"
    for field in invalid.all():
        ids = (field.get_attribute("aria-describedby") or "").split()
        assert ids, f"{label}: {field.get_attribute('name')} is invalid without aria-describedby"
        texts = [page.locator(f"[id='{ident}']").inner_text().strip() for ident in ids]
        assert all(texts), f"{label}: {field.get_attribute('name')} points at missing or empty {ids}"
    assert_accessible(page, label)


def test_public_form_errors_are_announced_and_results_accessible(new_page, site):
    import datetime as dt

    from satgas.personnel.models import Unit

    page = new_page(PHONE)
    page.goto(f"{site.url}/accounts/login/")
    _submit_without_browser_checks(page, "main form[method=post]")
    _assert_errors_announced(page, "login, empty")

    page.goto(f"{site.url}/sosialisasi/hadir/{_open_checkin_code()}")
    _submit_without_browser_checks(page, "main form[method=post]")
    _assert_errors_announced(page, "self check-in, empty")

    page.goto(f"{site.url}/lapor/")
    _submit_without_browser_checks(page, "main form[method=post]")
    _assert_errors_announced(page, "public violation report, empty")
    # Corrected and sent: the receipt page, then the status page the receipt code opens.
    page.locator("select[name=unit]").select_option(str(Unit.objects.get(code="LAPAS-SMG").pk))
    page.fill("#id_incident_date", (dt.date.today() - dt.timedelta(days=1)).isoformat())
    page.locator("input[name=categories]").first.check()
    page.locator("select[name=channel]").select_option("SOCIAL_MEDIA")
    page.locator("select[name=platform]").select_option("FACEBOOK")
    page.fill("#id_reported_description", "Petugas bagian umum")
    page.fill("#id_description", "Membagikan materi kampanye di grup percakapan kantor.")
    _submit_without_browser_checks(page, "main form[method=post]")
    code = page.locator("[data-receipt-code]").inner_text().strip()
    assert_accessible(page, "violation receipt")
    page.goto(f"{site.url}/lapor/status/")
    page.fill("#id_code", code)
    _submit_without_browser_checks(page, "main form[method=post]")
    assert page.locator("[data-status]").is_visible()
    assert_accessible(page, "violation status with messages")


def test_oath_signing_errors_are_announced(new_page, site):
    from satgas.oaths.models import Campaign, CampaignStatus
    from satgas.oaths.services import person_in_scope
    from satgas.oaths.tokens import invitation_token
    from satgas.personnel.models import Person

    campaign = Campaign.objects.get(status=CampaignStatus.OPEN)
    # Not a demo account's person: the staff persona's invitation stays unsigned for the other tests.
    signer = next(
        person
        for person in Person.objects.filter(unit__code="LAPAS-SMG", user=None).order_by("pk")
        if person_in_scope(campaign, person) and not person.oath_signatures.filter(campaign=campaign).exists()
    )
    page = new_page(PHONE)
    page.goto(f"{site.url}/ikrar/undangan/{invitation_token(campaign_id=campaign.pk, person_id=signer.pk)}/")
    _submit_without_browser_checks(page, "#sign-form")
    _assert_errors_announced(page, "oath signing, empty")

    page.fill("#id_identity_number", "199001012015031001")
    page.fill("#id_birth_date", "1990-01-01")
    for checkbox in page.locator("input[type=checkbox][name^=confirm_]").all():
        checkbox.check()
    page.fill("#id_typed_name", signer.full_name)
    _submit_without_browser_checks(page, "#sign-form")
    assert page.locator("main [role=alert]").first.is_visible()
    assert_accessible(page, "oath signing, wrong identity")

    page.fill("#id_identity_number", signer.identity_number)
    page.fill("#id_birth_date", signer.birth_date.isoformat())
    for checkbox in page.locator("input[type=checkbox][name^=confirm_]").all():
        checkbox.check()
    page.fill("#id_typed_name", signer.full_name)
    _submit_without_browser_checks(page, "#sign-form")
    page.wait_for_url("**/selesai/")
    assert_accessible(page, "oath signed")


def test_personnel_edit_errors_are_announced(new_page, site):
    from satgas.personnel.models import Person

    page = new_page()
    login(page, site.url, PERSONAS["admin"], DEMO_PASSWORD)
    person = Person.objects.filter(unit__code="LAPAS-SMG").order_by("pk").first()
    page.goto(f"{site.url}/personel/{person.pk}/ubah/")
    page.fill("#id_full_name", "")
    _submit_without_browser_checks(page, "main form[method=post]")
    _assert_errors_announced(page, "personnel edit, empty name")


def _tab_to(page, selector, *, limit=40):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never received focus with Tab")


def test_skip_link_and_navigation_work_with_the_keyboard(new_page, site):
    page = new_page()
    login(page, site.url, PERSONAS["staff"], DEMO_PASSWORD)
    page.goto(f"{site.url}/")
    # The skip link is the first Tab stop, becomes visible and moves focus to the main content.
    page.keyboard.press("Tab")
    skip = page.locator("a[href='#main']")
    assert page.evaluate("document.activeElement.getAttribute('href')") == "#main"
    assert skip.is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    # The user menu is reached with Tab, opens with Enter, closes with Escape and gives focus back to its toggle.
    toggle = page.locator("#mainNav .dropdown-toggle")
    _tab_to(page, "#mainNav .dropdown-toggle")
    page.keyboard.press("Enter")
    menu = page.locator("#mainNav .dropdown-menu")
    menu.wait_for(state="visible")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert_accessible(page, "user menu open")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.classList.contains('dropdown-item')")
    page.keyboard.press("Escape")
    menu.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.classList.contains('dropdown-toggle')")

    # A navigation link is reached with Tab and followed with Enter.
    page.goto(f"{site.url}/")
    _tab_to(page, "#mainNav a.nav-link[href*='/sosialisasi/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "/sosialisasi/" in page.url

    # On a phone the collapsed menu opens from its toggle with the keyboard.
    phone = new_page(PHONE)
    login(phone, site.url, PERSONAS["staff"], DEMO_PASSWORD)
    _tab_to(phone, ".navbar-toggler")
    assert phone.locator(".navbar-toggler").get_attribute("aria-expanded") == "false"
    phone.keyboard.press("Enter")
    phone.locator("#mainNav").wait_for(state="visible")
    phone.locator("#mainNav.show:not(.collapsing)").wait_for()
    assert phone.locator(".navbar-toggler").get_attribute("aria-expanded") == "true"
    assert_accessible(phone, "phone menu open")
    _tab_to(phone, "#mainNav a.nav-link[href*='/sosialisasi/']")
    with phone.expect_navigation():
        phone.keyboard.press("Enter")
    assert "/sosialisasi/" in phone.url
