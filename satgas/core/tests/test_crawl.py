"""Every URL pattern, for every persona, with typical and hostile input: no request crashes the server.

The crawl (``crawl.py``) visits every pattern ``get_resolver()`` knows, filled with real ids of the demo data
(``seed_demo`` loaded once for the module, plus one record of every kind a URL points at), with hostile query
strings, path values and POST bodies. Each persona's crawl runs once and is judged by the tests below.
"""

import pytest

from satgas.core.tests.crawl import crawl
from satgas.core.tests.demo_site import demo_site

pytestmark = pytest.mark.django_db

PERSONAS = ["admin", "taskforce", "staff", "leader", "anonymous"]


@pytest.fixture(scope="module")
def site(django_db_setup, django_db_blocker, tmp_path_factory):
    private_root = tmp_path_factory.mktemp("private")
    with demo_site(django_db_blocker, private_root, every_kind=True):
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
    assert len(hits) > 500, f"the crawl made only {len(hits)} requests"
    failures = [hit for hit in hits if hit.status >= 500]
    assert not failures, _report(failures, "answered 5xx")

