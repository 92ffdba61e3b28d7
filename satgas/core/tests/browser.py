"""Real-browser fixtures: Playwright driving Debian's Chromium.

Playwright's own browser download cannot work here, so the project installs
Debian's ``chromium`` (``make test`` does) and points Playwright at it.
Screenshots of failing journeys go to ``test-artifacts/``.

``assert_accessible(page, label)`` runs axe-core (from ``node_modules``, never
a CDN) on the page and fails on serious or critical WCAG 2.1 A/AA violations.
"""

import os
import re
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SATGAS_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
BASE_DIR = Path(__file__).resolve().parents[3]
ARTIFACTS = BASE_DIR / "test-artifacts"
AXE_SCRIPT = BASE_DIR / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = ("serious", "critical")
PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}


def chromium_available() -> bool:
    return bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists())


@pytest.fixture(scope="session")
def browser():
    if not chromium_available():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} not installed (make test installs it)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls
    # the tests make around it are still synchronous.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def open_page(browser, request, live_server):
    """``open_page(viewport)`` gives a fresh page; failing tests leave a screenshot."""
    contexts = []

    def make(viewport=DESKTOP):
        context = browser.new_context(viewport=viewport, locale="id-ID", timezone_id="Asia/Jakarta")
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    close_contexts(request, contexts)


def close_contexts(request, contexts):
    """Close browser contexts, first screenshotting their pages if the test failed."""
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            ARTIFACTS.mkdir(exist_ok=True)
            for number, page in enumerate(context.pages):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{index}-{number}.png"), full_page=True)
        context.close()


def login(page, base_url, email, password):
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Sandi").fill(password)
    page.get_by_role("button", name="Masuk").click()
    page.wait_for_url(f"{base_url}/")


def axe_violations(page) -> list[dict]:
    """axe-core's WCAG 2.0/2.1 A and AA violations of the page as it is now."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: `make test` installs the npm packages (npm ci).")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's Content-Security-Policy (no inline scripts) does not
        # apply to it, as it would to an injected <script> tag.
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
        assert page.evaluate("typeof window.axe !== 'undefined'"), "axe-core did not load"
    return page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            return (await axe.run(document, options)).violations;
        }""",
        AXE_TAGS,
    )


def accessibility_problems(page, context_label: str, *, max_nodes: int = 3) -> str:
    """Serious/critical axe violations described for a failure message ('' when none).

    A screenshot of the page goes to ``test-artifacts/`` when there is any.
    """
    blocking = [v for v in axe_violations(page) if v.get("impact") in BLOCKING_IMPACTS]
    if not blocking:
        return ""
    lines = [f"{context_label} ({page.url}): {len(blocking)} serious/critical accessibility violation(s)"]
    for violation in blocking:
        count = len(violation["nodes"])
        lines.append(f"  [{violation['impact']}] {violation['id']}: {violation['help']} ({count} node(s))")
        for node in violation["nodes"][:max_nodes]:
            target = " ".join(str(part) for part in node.get("target", []))
            lines.append(f"      {target}: {node.get('html', '')[:200]}")
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", context_label).strip("-")[:120] or "page"
    page.screenshot(path=str(ARTIFACTS / f"axe-{name}.png"), full_page=True)
    return "\n".join(lines)


def assert_accessible(page, context_label: str) -> None:
    """Fail listing every serious or critical axe-core violation of the page."""
    problems = accessibility_problems(page, context_label)
    assert not problems, problems
