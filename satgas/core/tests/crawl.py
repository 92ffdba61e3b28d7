"""The crawl: every URL pattern the app defines, visited by a persona with typical and hostile input.

The patterns and their path values come from ``crawl_paths.py`` (every pattern ``get_resolver()`` knows,
filled with real ids of the demo data; an unfillable pattern fails the crawl with its name). Each is requested:

- GET plainly; for a page the persona may open, as a filter form sends it (every parameter, most empty), with
  ``page=2`` and a quoted search alone, then with ``generic_params()`` (every field a ``FilterSet`` declares
  and every key a view reads from ``request.GET``) all set to each of ``HOSTILE_VALUES``; and, for each GET
  form the page shows, with the form's own values and a hostile page number, then one field at a time made
  hostile (out-of-range dates and numbers, ids the field does not offer, NUL, very long text);
- with hostile path values (``crawl_paths.path_variants``: another unit's object, 0, a number beyond bigint,
  odd strings), as GET, and as POST too where the view accepts only POST;
- POST with an empty body and, for every POST form a crawled page shows for the pattern, the form filled the
  way a browser would (one request per submit button), then one field at a time made hostile.

The Django admin (only superusers reach it; demo personas are sent to its login) is requested plainly and its
forms sent as they are, not with hostile input: Django's code, our ModelAdmins' configuration.

Each request runs in a savepoint that is rolled back (destructive POSTs change nothing for the next one) and
the client's cookies are put back after it (a logout or a deactivation does not end the persona's session).
CSRF checks are off, as in every test client: the POSTs reach the views. Streamed downloads are read to the
end, inside the savepoint.

The result is one ``Hit`` per request (status, headers, inline code found in the HTML), which the tests in
``test_crawl.py`` judge: no 5xx, a Content-Security-Policy everywhere, no inline code, nothing cached.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import re
import traceback
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin, urlsplit

from django.db import transaction
from django.test import Client
from django.urls import resolve
from django.urls.exceptions import Resolver404
from django.utils import timezone

from satgas.core.tests.crawl_paths import HUGE, Demo, Pattern, UnfilledPattern, path_variants, url_patterns
from satgas.core.tests.demo_site import PERSONA_EMAILS

BASE_DIR = Path(__file__).resolve().parents[3]


# --- Query strings and bodies ----------------------------------------------------------------------


def _filterset_fields() -> set[str]:
    import django_filters

    from satgas import urls  # noqa: F401 - every app's views (and so their filters) imported

    names, todo = set(), [django_filters.FilterSet]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        names |= set(getattr(cls, "base_filters", {}))
    return names


def _request_get_keys() -> set[str]:
    """Every literal key a view reads from ``request.GET`` in the project's code."""
    keys = set()
    for path in (BASE_DIR / "satgas").rglob("*.py"):
        if "tests" in path.parts:
            continue
        text = path.read_text()
        keys |= set(re.findall(r"request\.GET(?:\.get|\.getlist)?\(\s*[\"'](\w+)[\"']", text))
        keys |= set(re.findall(r"request\.GET\[\s*[\"'](\w+)[\"']\s*\]", text))
    return keys


@functools.cache
def generic_params() -> list[str]:
    return sorted(_filterset_fields() | _request_get_keys() | {"page", "q", "unit", "status", "election", "year"})


HOSTILE_VALUES = ["-1", HUGE, "1e400", "9999-12-31", "0001-01-01", "x'\"<>)(;--", "\x00"]
TYPICAL_QUERIES = [{"page": "2"}, {"q": "x'\""}]
# Downloads (PDF, XLSX, CSV) take longer to make: fewer values, one of each kind.
DOWNLOAD_VALUES = [HUGE, "9999-12-31", "\x00"]
PAGE_VALUES = ["2", "999999", "abc", "-1", HUGE]
LONG_TEXT = "ü" * 5000
FIELD_VALUES = {
    "date": ["9999-12-31", "0001-01-01"],
    "datetime-local": ["9999-12-31T23:59", "0001-01-01T00:00"],
    "month": ["9999-12", "0000-01"],
    "time": ["25:61"],
    "number": [HUGE, "-1", "1e400"],
    "select": [HUGE, "x'\"<>"],
    "radio": [HUGE, "x'\"<>"],
    "checkbox": [HUGE, "x'\"<>"],
    "hidden": [HUGE, "x'\"<>", "\x00"],
}
TEXT_VALUES = ["\x00", LONG_TEXT]  # every other kind of field: text, textarea, search, email, url, ...


def field_hostile_values(field: Field, other_ids: list[str]) -> list[str]:
    """Values to put in one field, by its type; ``other_ids`` are ids the field does not offer."""
    values = FIELD_VALUES.get(field.kind, TEXT_VALUES)
    if field.kind in ("select", "radio", "checkbox"):
        values = values + other_ids
    return values


# --- HTML --------------------------------------------------------------------------------------------


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # input type, "select", "textarea", "button"
    value: str = ""
    checked: bool = False
    options: list = dataclasses.field(default_factory=list)  # (value, selected)


@dataclasses.dataclass
class Form:
    method: str
    action: str
    fields: list = dataclasses.field(default_factory=list)


INLINE_HANDLER = re.compile(r"^on[a-z]+$")


class PageParser(HTMLParser):
    """Forms (with their fields and values) and inline code (scripts, styles, handlers) of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.inline: list[str] = []
        self._form = None
        self._select = None
        self._option = None
        self._textarea = None
        self._script = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        for name, value in attrs:
            if name == "style":
                self.inline.append(f'<{tag} style="{value}">')
            elif INLINE_HANDLER.match(name):
                self.inline.append(f'<{tag} {name}="{value}">')
            elif name in ("href", "src", "action", "formaction") and (value or "").strip().lower().startswith(
                "javascript:"
            ):
                self.inline.append(f'<{tag} {name}="{value}">')
        if tag == "script":
            kind = (attributes.get("type") or "").lower()
            # Data blocks (json_script) are not executed: CSP lets them be.
            if not attributes.get("src") and kind not in ("application/json", "application/ld+json"):
                self._script = tag
        elif tag == "style":
            self.inline.append("<style> element")
        elif tag == "form":
            self._form = Form(method=(attributes.get("method") or "get").lower(), action=attributes.get("action") or "")
            self.forms.append(self._form)
        elif self._form is None or not attributes.get("name"):
            if tag == "option" and self._select is not None:
                self._option = [attributes.get("value"), "selected" in attributes, ""]
                self._select.options.append(self._option)
            return
        elif tag == "input":
            kind = (attributes.get("type") or "text").lower()
            if kind in ("submit", "image", "reset"):
                kind = "button"
            self._form.fields.append(
                Field(attributes["name"], kind, attributes.get("value") or "", "checked" in attributes)
            )
        elif tag == "button":
            if (attributes.get("type") or "submit").lower() == "submit":
                self._form.fields.append(Field(attributes["name"], "button", attributes.get("value") or ""))
        elif tag == "select":
            self._select = Field(attributes["name"], "select")
            self._form.fields.append(self._select)
        elif tag == "textarea":
            self._textarea = Field(attributes["name"], "textarea")
            self._form.fields.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None and data.strip():
            self.inline.append(f"inline <script>: {data.strip()[:80]}")
        if self._textarea is not None:
            self._textarea.value += data
        if self._option is not None:
            self._option[2] += data


def parse(html: str) -> PageParser:
    parser = PageParser()
    parser.feed(html)
    parser.close()
    return parser


def _filler(field: Field) -> str:
    today = timezone.localdate()
    return {
        "date": today.isoformat(),
        "datetime-local": f"{today.isoformat()}T09:00",
        "month": today.strftime("%Y-%m"),
        "time": "09:00",
        "number": "1",
        "email": "uji@example.com",
        "url": "https://example.com/uji",
        "tel": "081234567890",
        "password": "SatgasDemo2024!x",
    }.get(field.kind, "Uji")


def submissions(form: Form) -> list[dict]:
    """What a browser would send, once per submit button, with empty required-looking fields filled."""
    base: dict[str, list[str]] = {}
    radios_seen = set()
    for field in form.fields:
        if field.kind in ("button", "file"):
            continue
        if field.kind == "select":
            chosen = [value for value, selected, _text in field.options if selected and value is not None]
            if not chosen:
                chosen = [next((v for v, _s, _t in field.options if v), "")]
            base.setdefault(field.name, []).extend(chosen)
        elif field.kind == "checkbox":
            base.setdefault(field.name, []).append(field.value or "on")
        elif field.kind == "radio":
            if field.checked or field.name not in radios_seen:
                base[field.name] = [field.value]
            radios_seen.add(field.name)
        else:
            base.setdefault(field.name, []).append(field.value or ("" if field.kind == "hidden" else _filler(field)))
    buttons = [field for field in form.fields if field.kind == "button"]
    if not buttons:
        return [base]
    return [{**base, button.name: [button.value]} for button in buttons]


def _ids_not_offered(offered: set) -> list[str]:
    """Two small ids a choice field does not offer (objects the persona may not pick), if its values are ids."""
    numeric = {int(value) for value in offered if value and value.isdigit() and len(value) < 10}
    if not numeric:
        return []
    return [str(value) for value in range(1, 100) if value not in numeric][:2]


def variations(form: Form) -> list[tuple[str, dict]]:
    """``[(note, data)]``: the form as sent, then one field at a time made hostile (the others keep their
    values)."""
    bodies = [("as the form has it", body) for body in submissions(form)]
    base = bodies[0][1]
    seen = set()
    for field in form.fields:
        if field.kind in ("button", "file") or field.name == "csrfmiddlewaretoken" or field.name in seen:
            continue
        seen.add(field.name)
        option_values = {value for value, _s, _t in field.options} | {
            f.value for f in form.fields if f.name == field.name
        }
        for value in field_hostile_values(field, _ids_not_offered(option_values)):
            bodies.append((f"{field.name}={value[:30]!r}", {**base, field.name: [value]}))
    return bodies


# --- Running the crawl -------------------------------------------------------------------------------


@dataclasses.dataclass
class Hit:
    persona: str
    label: str
    method: str
    path: str
    query: str
    status: int
    headers: dict = dataclasses.field(default_factory=dict)
    error: str = ""  # the exception a view raised
    inline: list = dataclasses.field(default_factory=list)
    content_type: str = ""
    body: str = ""  # for a POST: the fields that are not as the form had them
    trace: str = ""  # the end of the traceback of ``error``

    def __str__(self):
        where = f"{self.method} {self.path}{'?' + self.query if self.query else ''}"
        if self.body:
            where += f" [{self.body}]"
        return f"[{self.persona}] {self.label}: {where} -> {self.error or self.status}"


class Crawler:
    def __init__(self, persona: str, user=None):
        self.persona = persona
        self.client = Client()
        if user is not None:
            self.client.force_login(user)
        self.hits: list[Hit] = []
        self.forms: dict[str, list[tuple[str, Form]]] = {}  # pattern label -> [(action path, form)]
        self.post_only: dict[str, bool] = {}  # pattern label -> its GET answered 405

    def request(self, label, method, path, *, query=None, data=None, note="") -> Hit:
        cookies = self.client.cookies
        self.client.cookies = type(cookies)(cookies)
        query_string = urlencode(query or {}, doseq=True)
        url = f"{path}?{query_string}" if query_string else path
        response, error, trace = None, "", ""
        try:
            with transaction.atomic():
                if method == "GET":
                    response = self.client.get(url)
                else:
                    response = self.client.post(url, data or {})
                if getattr(response, "streaming", False):
                    # A streamed download (an XLSX of thousands of rows) runs its queries while it is sent.
                    response.content_bytes = b"".join(response.streaming_content)
                transaction.set_rollback(True)
        except Exception as exc:  # noqa: BLE001 - every crash is a finding
            frames = traceback.extract_tb(exc.__traceback__)
            own = [f for f in frames if "/satgas/" in f.filename and "/tests/" not in f.filename] or frames
            where = f"{own[-1].filename}:{own[-1].lineno}"
            if own[-1] is not frames[-1]:
                where += f" (raised in {frames[-1].filename}:{frames[-1].lineno})"
            error = f"{type(exc).__name__}: {str(exc)[:200]} at {where}"
            trace = "".join(traceback.format_exception(exc)[-12:])
        finally:
            self.client.cookies = cookies
        hit = Hit(
            self.persona,
            label,
            method,
            path,
            query_string,
            status=response.status_code if response else 500,
            error=error,
            trace=trace,
            body=note if method == "POST" else "",
        )
        if response is not None:
            hit.headers = {key.lower(): value for key, value in response.headers.items()}
            hit.content_type = response.headers.get("Content-Type", "")
            if hit.content_type.startswith("text/html") and not getattr(response, "streaming", False):
                page = parse(response.content.decode(response.charset or "utf-8", "replace"))
                hit.inline = page.inline
                if method == "GET":
                    self._remember_forms(path, page.forms)
        self.hits.append(hit)
        return hit

    def _remember_forms(self, page_path, forms):
        for form in forms:
            action = urlsplit(urljoin(page_path, form.action or page_path)).path
            try:
                match = resolve(action)
            except Resolver404:
                continue
            label = match.view_name or match.route
            signature = (form.method, tuple(sorted(f.name for f in form.fields)))
            known = self.forms.setdefault(label, [])
            if all((f.method, tuple(sorted(x.name for x in f.fields))) != signature for _a, f in known):
                known.append((action, form))

    def get_all(self, pattern: Pattern, paths):
        for kind, path in paths:
            first = self.request(pattern.label, "GET", path)
            if kind == "real":
                self.post_only[pattern.label] = first.status == 405
            if kind != "real" or pattern.is_django_admin:
                continue
            if first.status in (403, 404, 405) or (first.status == 302 and "/login/" in first.headers["location"]):
                continue  # refused, or a POST-only view: the query string is never read
            download = not first.content_type.startswith("text/html")
            # As a browser sends a filter form (every field, most empty), then single parameters, then every
            # parameter with each hostile value.
            for query in TYPICAL_QUERIES:
                self.request(pattern.label, "GET", path, query=query)
            self.request(pattern.label, "GET", path, query=dict.fromkeys(generic_params(), ""))
            for value in DOWNLOAD_VALUES if download else HOSTILE_VALUES:
                self.request(pattern.label, "GET", path, query=dict.fromkeys(generic_params(), value))
            for _action, form in [f for f in self.forms.get(pattern.label, []) if f[1].method == "get"]:
                base = submissions(form)[0]
                for page in PAGE_VALUES:
                    self.request(pattern.label, "GET", path, query={**base, "page": page})
                for _note, query in variations(form):
                    self.request(pattern.label, "GET", path, query=query)

    def post_all(self, pattern: Pattern, paths):
        for kind, path in paths:
            if kind.startswith("hostile") and not self.post_only.get(pattern.label):
                continue  # the GETs tried these paths: a view looks its object up the same way for both methods
            self.request(pattern.label, "POST", path)
            if kind != "real":
                continue
            for action, form in [f for f in self.forms.get(pattern.label, []) if f[1].method == "post"]:
                # The Django admin's forms are sent as they are, not made hostile (Django's code).
                bodies = [("as the form has it", b) for b in submissions(form)] if pattern.is_django_admin else None
                for note, body in bodies or variations(form):
                    self.request(pattern.label, "POST", path, data=body, note=note)
                if action != path:  # the object the page's form points at
                    for body in submissions(form):
                        self.request(pattern.label, "POST", action, data=body, note="as the form has it")


SUPERUSER = "super@satgas.test"


def crawl(persona: str, *, patterns=None) -> list[Hit]:
    """Crawl every pattern as ``persona``: a key of PERSONA_EMAILS, "anonymous", or "superuser" (the Django
    admin's pages only, as a superuser: every list, form and page the admin has, with real objects)."""
    from satgas.accounts.models import User

    email = SUPERUSER if persona == "superuser" else PERSONA_EMAILS.get(persona)
    user = User.objects.get(email=email) if email else None
    crawler = Crawler(persona, user)
    demo = Demo()
    patterns = patterns if patterns is not None else url_patterns()
    if persona == "superuser":
        patterns = [pattern for pattern in patterns if pattern.is_django_admin]
    unfilled, planned = [], []
    for pattern in patterns:
        try:
            planned.append((pattern, path_variants(pattern, demo)))
        except UnfilledPattern as exc:
            unfilled.append(str(exc))
    if unfilled:
        raise UnfilledPattern("Patterns the crawl cannot fill:\n" + "\n".join(unfilled))
    # Thousands of 4xx (and any 5xx) would each log a line: the hits carry what the tests need.
    quiet = [logging.getLogger(name) for name in ("django.request", "django.security", "celery")]
    levels = [logger.level for logger in quiet]
    for logger in quiet:
        logger.setLevel(logging.CRITICAL)
    try:
        for pattern, paths in planned:
            crawler.get_all(pattern, paths)
        # POSTs last, once every page (and so every form) has been seen.
        for pattern, paths in planned:
            crawler.post_all(pattern, paths)
    finally:
        for logger, level in zip(quiet, levels, strict=True):
            logger.setLevel(level)
    return crawler.hits
