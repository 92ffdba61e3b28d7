"""Every URL pattern, for every persona, with typical and hostile input: no request crashes the server, and
every response defends the browser (Content-Security-Policy, no inline code, nothing personal cached).

The crawl (``crawl.py``) visits every pattern ``get_resolver()`` knows, filled with real ids of the demo data
(``seed_demo`` loaded once for the module, plus one record of every kind a URL points at), with hostile query
strings, path values and POST bodies. Each persona's crawl runs once and is judged by the tests below.
"""

import pytest

from satgas.core.tests.crawl import SUPERUSER, crawl
from satgas.core.tests.demo_site import demo_site

pytestmark = pytest.mark.django_db

# The demo personas and anonymous visitors everywhere; a superuser on the Django admin's pages.
PERSONAS = ["admin", "taskforce", "staff", "leader", "anonymous", "superuser"]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    from satgas.accounts.models import User

    private_root = tmp_path_factory.mktemp("private")
    with demo_site(django_db_blocker, private_root, every_kind=True):
        with django_db_blocker.unblock():
            User.objects.create_superuser(email=SUPERUSER, password="unused-0123456789", full_name="Super Admin")
        yield private_root


@pytest.fixture(autouse=True)
def _demo_private_root(_isolated_private_root, settings, site):
    """The demo's files stay readable (conftest gives each test an empty private root)."""
    settings.PRIVATE_ROOT = site


@pytest.fixture(scope="module")
def crawls():
    """Each persona's crawl, run by the first test that needs it."""
    return {}


@pytest.fixture
def hits(crawls, persona):
    if persona not in crawls:
        crawls[persona] = crawl(persona)
    return crawls[persona]


def _report(failures, what, limit=60):
    """``failures``: hits, or (hit, reason) pairs."""
    lines = [str(f) if not isinstance(f, tuple) else f"{f[0]} ({f[1]})" for f in failures[:limit]]
    if len(failures) > limit:
        lines.append(f"... and {len(failures) - limit} more")
    return f"{len(failures)} request(s) {what}:\n" + "\n".join(lines)


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_request_answers_a_server_error(hits, persona):
    assert len(hits) > (200 if persona == "superuser" else 500), f"the crawl made only {len(hits)} requests"
    failures = [hit for hit in hits if hit.status >= 500 and not _designed(hit)]
    assert not failures, _report(failures, "answered 5xx")


def _designed(hit) -> bool:
    """/healthz answers 503 by design when a check fails (README "Scaling and monitoring"): not a crash."""
    return hit.label == "core:healthz" and hit.status == 503 and not hit.error


def _policy(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


from satgas.core.files import FILE_CSP, FILE_CSP_INLINE_PDF  # noqa: E402

EXPECTED_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}


def _policy_problems(headers: dict) -> list[str]:
    header = headers.get("content-security-policy")
    if not header:
        return ["no Content-Security-Policy"]
    if header in (FILE_CSP, FILE_CSP_INLINE_PDF):
        # A private file (satgas.core.files.serve_private): stricter than a page's — it may load and run nothing
        # (default-src 'none'), sandboxed unless it is a PDF shown inline; its own inline styles are harmless.
        return []
    policy = _policy(header)
    problems = [
        f"{name} is {policy.get(name)}, not {values}"
        for name, values in EXPECTED_POLICY.items()
        if policy.get(name) != values
    ]
    problems += [f"{value} allowed" for value in ("'unsafe-inline'", "'unsafe-eval'") if value in header]
    return problems


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_response_carries_the_content_security_policy(hits, persona):
    failures = []
    for hit in hits:
        if hit.error:
            continue  # a crash: test_no_request_answers_a_server_error reports it
        problems = _policy_problems(hit.headers)
        if problems:
            failures.append((hit, "; ".join(problems)))
    assert not failures, _report(failures, "without the policy")


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_needs_inline_script_or_style(hits, persona):
    """No <script> without src, no <style>, no style="...", no on...= handler, no javascript: URL in any HTML
    the app sends (templates, allauth's and Django's pages, HTML written in Python such as form widgets)."""
    failures = []
    seen = set()
    for hit in hits:
        for finding in hit.inline:
            if (hit.label, finding) not in seen:
                seen.add((hit.label, finding))
                failures.append(f"[{persona}] {hit.label} {hit.method} {hit.path}: {finding[:160]}")
    assert not failures, f"{len(failures)} inline code finding(s):\n" + "\n".join(failures[:80])


@pytest.mark.parametrize("persona", PERSONAS)
def test_nothing_personal_is_cached(hits, persona):
    """Pages, files and redirects (every response the crawl sees: none is a static file) say no-store and
    private, for a persona and for anonymous visitors of the public pages alike."""
    failures = []
    for hit in hits:
        if hit.error:
            continue  # a crash: test_no_request_answers_a_server_error reports it
        directives = {d.strip().split("=")[0] for d in hit.headers.get("cache-control", "").split(",")}
        if not {"no-store", "private"} <= directives:
            failures.append((hit, f"Cache-Control: {hit.headers.get('cache-control', '(none)')}"))
    assert not failures, _report(failures, "cacheable")


def test_static_files_carry_the_policy_and_stay_cacheable(client):
    response = client.get("/static/css/satgas.css")
    assert response.status_code == 200
    headers = {key.lower(): value for key, value in response.headers.items()}
    assert not _policy_problems(headers), _policy_problems(headers)
    assert headers["x-content-type-options"] == "nosniff"
    assert "no-store" not in headers.get("cache-control", "")


def test_no_template_has_inline_script_or_style():
    """Templates the crawl may not render (a branch the demo data never takes, an htmx fragment) are read too.
    E-mails and PDF templates are not browser pages: they keep their styles."""
    from satgas.core.tests.crawl import BASE_DIR, parse

    root = BASE_DIR / "templates"
    failures = []
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root).as_posix()
        if relative.startswith(("emails/", "documents/")) or relative.endswith("_pdf.html"):
            continue
        failures += [f"{relative}: {finding}" for finding in parse(path.read_text()).inline]
    assert not failures, "\n".join(failures)
