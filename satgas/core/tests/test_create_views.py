"""Every create form of the project is safe to send twice (issue 14.7).

- ``test_every_create_view_takes_a_token``: the project's URLs are walked; a view whose name or path says it
  creates (create, add, new, tambah, baru, lapor, impor, unggah...) or whose code calls a creating service
  (``services.*_create/_add/_record/_report/...``) must be ``@idempotent`` or listed in ``NOT_IDEMPOTENT`` with the
  reason. A new create view without the token fails here.
- ``test_create_form_sent_twice_creates_once``: each idempotent view (one per scope, all listed in ``CREATES``) is
  opened as a user would, its form's token read from the page, and the same form posted twice: one record, and the
  second answer leads to the same result (the same redirect, or the same page).
"""

import datetime as dt
import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from satgas.core.models import AuditEvent
from satgas.core.submissions import TOKEN_FIELD

# --- Which views create --------------------------------------------------------------------------------------------

CREATE_NAME = re.compile(r"create|_add|(^|_)new|import|upload|generate|^report$|report_start|to_case|_paper|checkin$")
CREATE_PATH = re.compile(r"(^|/)\^?(tambah|baru|lapor|impor|unggah|buat|kertas|hadir)/")
CREATE_SERVICE = re.compile(
    r"services\.\w*(_create|_add|_record|_report|_start|_upload|_import|_generate|_grant|_save|_replace|_set"
    r"|_to_case|_from_reporter|_to_reporter|_text_update|_assign|_move)\("
)
# Views that look like creates but are not idempotent, and why.
NOT_IDEMPOTENT = {
    "oaths:sign": "signing (the signature chain's own rules): one signature per person and campaign is a database "
    "constraint, and a retry is redirected to the same statement",
    "oaths:invitation": "the same signing page as oaths:sign, reached by the invitation link",
    "oaths:campaign_remind": "queues reminders; at most one per person, campaign and day is a database constraint",
    "personnel:import_template": "a download",
    "personnel:import_confirm": "a status change of an import: a second confirmation is refused",
    "personnel:import_cancel": "a status change of an import",
    "personnel:import_retry": "a status change of an import: a second request finds it running and is refused",
    "socialization:attendance_import_cancel": "a status change of an attendance list",
    "socialization:attendance_import_retry": "a status change of an attendance list: a second request is refused",
    "personnel:import_detail": "a page",
    "personnel:import_issues_csv": "a download",
    "violations:person_lookup": "suggestions for the report form (GET)",
    "socialization:attendance_import_result": "the result page of an attendance import (GET)",
}


def _walk(resolver, prefix="", namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield f"{namespace}{pattern.name}", prefix + str(pattern.pattern), pattern.callback


def project_views():
    for name, path, callback in _walk(get_resolver()):
        view = inspect.unwrap(callback)
        if view.__module__.startswith("satgas."):
            yield name, path, callback, view


def _creates(name: str, path: str, view) -> bool:
    short = name.split(":")[-1]
    try:
        source = inspect.getsource(view)
    except (OSError, TypeError):
        source = ""
    return bool(CREATE_NAME.search(short) or CREATE_PATH.search(path) or CREATE_SERVICE.search(source))


def test_every_create_view_takes_a_token():
    missing = [
        f"{name} ({path})"
        for name, path, callback, view in project_views()
        if _creates(name, path, view) and not hasattr(callback, "idempotent_scope") and name not in NOT_IDEMPOTENT
    ]
    assert not missing, (
        "these views create records but take no idempotency token: decorate them with "
        "@idempotent(...) (satgas.core.submissions), put {% idempotency_token %} in their form, call "
        f"submission_done() on success and add them to CREATES in this test: {missing}"
    )


def test_the_walk_sees_the_create_views():
    names = {name for name, path, callback, view in project_views() if _creates(name, path, view)}
    assert {"violations_public:report", "personnel:person_create", "monitoring:watch_add", "reports:generate"} <= names
    assert "violations:case_list" not in names and "personnel:person_detail" not in names


# --- Each create view, sent twice -----------------------------------------------------------------------------------


@dataclass
class Create:
    url_name: str
    persona: str | None  # None: anonymous
    prepare: Callable  # (world) -> Setup


@dataclass
class Setup:
    data: Callable[[], dict]  # a fresh copy each time (uploaded files are read once)
    count: Callable[[], int]  # the records this form creates
    args: list = field(default_factory=list)
    page: str | None = None  # where the form is shown (default: the view's own URL)
    page_post: dict | None = None  # shown in answer to a POST (the reply form of /lapor/status/)


class World:
    """The fixtures a create form needs, made on first use."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return self._request.getfixturevalue(name)


def _pdf(name="berkas.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n", "application/pdf")


def _png(name="bukti.png"):
    from satgas.violations.tests.factories import png

    return png(name)


def _past(days=3) -> str:
    return (timezone.localdate() - dt.timedelta(days=days)).isoformat()


def _model(label):
    from django.apps import apps

    return apps.get_model(label)


def _count(label, **filters):
    return lambda: _model(label).objects.filter(**filters).count()


def _case(w, status=None):
    from satgas.violations.tests.factories import case_at, report

    return case_at(status, unit=w.unit_a) if status else report(unit=w.unit_a)[0]


def _report_data(w):
    return {
        "reported_description": "Petugas bagian umum",
        "unit": w.unit_a.pk,
        "incident_date": _past(),
        "channel": "EVENT",
        "description": "Hadir di deklarasi calon.",
    }


def _monitoring_report(w):
    from satgas.monitoring import services

    return services.report_start(actor=w.taskforce_a, unit=w.unit_a, period_start=dt.date(2024, 1, 1))


def _task_force(w, active=False):
    from satgas.taskforces.tests.factories import active_taskforce, make_taskforce

    return active_taskforce(unit=w.unit_a, actor=w.admin_user) if active else make_taskforce(unit=w.unit_a)


def _session(w, *, now=False):
    from satgas.socialization.tests.factories import SessionFactory

    if now:
        start = timezone.now() - dt.timedelta(minutes=10)
        return SessionFactory(units=[w.unit_a], starts_at=start, ends_at=start + dt.timedelta(hours=2))
    return SessionFactory(units=[w.unit_a])


def _person(w, **kwargs):
    from satgas.personnel.tests.factories import PersonFactory

    return PersonFactory(unit=w.unit_a, **kwargs)


def _semester_report(w):
    from satgas.reports.tests.factories import ensure_head, generate

    ensure_head(w.region)
    return generate(office=w.region, actor=w.admin_user).report


# personnel, accounts


def person_create(w):
    from satgas.personnel.tests.factories import make_nip

    data = {"full_name": "Agus Prasetyo", "employment_type": "PNS", "nip": make_nip(serial=901), "status": "ACTIVE"}
    return Setup(data=lambda: {**data, "unit": w.unit_a.pk}, count=_count("personnel.Person", nip=data["nip"]))


def unit_create(w):
    data = {"code": "RUTAN-X", "name": "Rutan X", "unit_type": "RUTAN", "unit_class": "IIB", "is_active": "on"}
    return Setup(data=lambda: {**data, "parent": w.region.pk}, count=_count("personnel.Unit", code="RUTAN-X"))


def person_move(w):
    person = _person(w)
    return Setup(
        args=[person.pk],
        data=lambda: {"unit": w.unit_b.pk, "moved_on": timezone.localdate().isoformat(), "reason": "Mutasi"},
        count=_count("personnel.Placement", person=person),
    )


def import_start(w):
    content = b"nama,jenis_pegawai,nip,kode_unit\nAgus,PNS,198609262015051001,LAPAS-A\n"
    return Setup(
        data=lambda: {"file": SimpleUploadedFile("pegawai.csv", content, "text/csv")},
        count=_count("personnel.PersonnelImport"),
    )


def role_grant(w):
    from satgas.accounts.tests.factories import UserFactory

    account = UserFactory()
    return Setup(
        args=[account.pk], data=lambda: {"role": "LEADER", "unit": ""}, count=_count("accounts.RoleAssignment")
    )


def account_create(w):
    person = _person(w, email="")
    return Setup(
        args=[person.pk],
        page=reverse("personnel:person_detail", args=[person.pk]),
        data=lambda: {"email": "agus.baru@uji.test"},
        count=_count("accounts.User", email="agus.baru@uji.test"),
    )


# oaths


def version_create(w):
    data = {
        "new_document_kind": "OATH",
        "new_document_title": "Ikrar Baru",
        "title": "IKRAR",
        "confirm_mode": "EACH",
        "commitments_text": "Satu.\nDua.",
    }
    return Setup(data=lambda: data, count=_count("oaths.OathVersion"))


def campaign_create(w):
    from satgas.oaths.tests.factories import ElectionFactory, published_version

    version, election = published_version(actor=w.admin_user), ElectionFactory()
    data = {
        "title": "Ikrar 2026",
        "version": version.pk,
        "election": election.pk,
        "units": [w.unit_a.pk],
        "employment_types": ["PNS"],
        "opens_at": "2026-11-22T08:00",
        "closes_at": "2026-12-22T16:00",
    }
    return Setup(data=lambda: data, count=_count("oaths.Campaign"))


def paper_signature(w):
    from satgas.oaths.tests.factories import open_campaign

    campaign, person = open_campaign(units=[w.unit_a], actor=w.admin_user), _person(w)
    signed_on = timezone.localdate(campaign.opens_at).isoformat()
    return Setup(
        args=[campaign.pk],
        data=lambda: {"identity_number": person.nip, "paper_signed_on": signed_on, "scan": _pdf("pindaian.pdf")},
        count=_count("oaths.Signature"),
    )


# socialization


def session_create(w):
    data = {
        "title": "Sosialisasi Netralitas",
        "starts_at": "2024-01-15T09:00",
        "ends_at": "2024-01-15T11:00",
        "mode": "IN_PERSON",
        "location_or_link": "Aula",
    }
    return Setup(data=lambda: {**data, "units": [w.unit_a.pk]}, count=_count("socialization.SocializationSession"))


def attendance_pick(w):
    session, person = _session(w), _person(w)
    return Setup(args=[session.pk], data=lambda: {"person": [person.pk]}, count=_count("socialization.Attendance"))


def attendance_import(w):
    # The list is read by a worker: the request creates the import job.
    session, person = _session(w), _person(w)
    return Setup(
        args=[session.pk], data=lambda: {"numbers": person.nip}, count=_count("socialization.AttendanceImport")
    )


def material_upload(w):
    session = _session(w)
    return Setup(args=[session.pk], data=lambda: {"file": _pdf()}, count=_count("socialization.SessionMaterial"))


def checkin(w):
    from django.utils import timezone

    from satgas.socialization import presence

    session, person = _session(w, now=True), _person(w)
    # The form is shown to a browser that scanned the code on the room's screen (its hidden fields carry the pass).
    page = reverse("socialization:checkin", args=[session.checkin_code])
    return Setup(
        args=[session.checkin_code],
        page=f"{page}?k={presence.room_code(session, timezone.now())}",
        data=lambda: {"number": person.nip, "birth_date": person.birth_date.isoformat()},
        count=_count("socialization.Attendance"),
    )


# task forces


def taskforce_create(w):
    from satgas.oaths.tests.factories import ElectionFactory

    election = ElectionFactory()
    return Setup(
        data=lambda: {"unit": w.unit_a.pk, "election": election.pk, "term_starts_on": "2024-01-22"},
        count=_count("taskforces.TaskForce"),
    )


def decree(w):
    task_force = _task_force(w)
    data = {"number": "", "decree_date": "2024-01-22", "signatory_name": "Kakanwil", "signatory_title": "Kepala"}
    return Setup(
        args=[task_force.pk], data=lambda: data, count=_count("taskforces.TaskForce", decree_number__isnull=False)
    )


def inauguration(w):
    task_force = _task_force(w, active=True)
    data = {"held_on": "2024-01-29", "place": "Aula", "mode": "IN_PERSON", "led_by": "Kakanwil"}
    return Setup(args=[task_force.pk], data=lambda: data, count=_count("taskforces.Inauguration"))


def member_add(w):
    task_force, person = _task_force(w), _person(w)
    data = {"identity_number": person.nip, "role": "MEMBER", "started_on": "2024-01-22"}
    return Setup(args=[task_force.pk], data=lambda: data, count=_count("taskforces.Membership"))


def member_import(w):
    task_force, person = _task_force(w), _person(w)
    data = {"lines": f"{person.nip}; anggota", "started_on": "2024-01-22"}
    return Setup(args=[task_force.pk], data=lambda: data, count=_count("taskforces.Membership"))


def member_replace(w):
    from satgas.taskforces.tests.factories import add_members

    task_force = _task_force(w)
    (membership,) = add_members(task_force, roles=["MEMBER"])
    person = _person(w)
    data = {"identity_number": person.nip, "role": "MEMBER", "on": "2024-02-01", "reason": "Pindah tugas"}
    return Setup(args=[membership.pk], data=lambda: data, count=_count("taskforces.Membership"))


# violations


def report_public(w):
    return Setup(data=lambda: _report_data(w), count=_count("violations.Case"))


def report_signed_in(w):
    return Setup(data=lambda: {**_report_data(w), "intake": "ONLINE"}, count=_count("violations.Case"))


def reporter_message(w):
    from satgas.violations.tests.factories import report

    case, code = report(unit=w.unit_a)
    return Setup(
        page=reverse("violations_public:status"),
        page_post={"code": code},
        data=lambda: {"code": code, "body": "Ada bukti tambahan."},
        count=_count("violations.Message", case=case),
    )


def _on_case(view_field: str, data: dict, label: str, status=None):
    def prepare(w):
        case = _case(w, status)
        return Setup(
            args=[case.pk],
            page=reverse("violations:case_detail", args=[case.pk]) if view_field else None,
            data=lambda: dict(data) if not callable(data) else data(w, case),
            count=_count(label, case=case),
        )

    return prepare


def case_assign(w):
    from satgas.violations.selectors import handler_candidates

    case = _case(w)
    handler = handler_candidates(case).first()
    return Setup(
        args=[case.pk],
        page=reverse("violations:case_detail", args=[case.pk]),
        data=lambda: {"handler": handler.pk},
        count=_count("violations.Assignment", case=case),
    )


def case_evidence(w):
    case = _case(w)
    return Setup(
        args=[case.pk],
        page=reverse("violations:case_detail", args=[case.pk]),
        data=lambda: {"files": [_png()], "links_text": "https://x.com/p/1"},
        count=lambda: case.evidence.count() + case.links.count(),
    )


def case_clarification(w):
    case = _case(w, "CLARIFICATION")
    data = {"held_on": _past(1), "attendees": "Terlapor", "minutes": "Mengakui."}
    return Setup(args=[case.pk], data=lambda: data, count=_count("violations.Clarification", case=case))


def case_sanction(w):
    case = _case(w, "PROVEN")
    data = {
        "kind": "ETHICS",
        "ethics_form": "CLOSED",
        "decree_number": "SK-1",
        "decree_date": _past(1),
        "imposed_by": "Sekretaris Jenderal",
    }
    return Setup(args=[case.pk], data=lambda: data, count=_count("violations.Sanction", case=case))


# monitoring


def report_start(w):
    return Setup(
        page=reverse("monitoring:report_list"),
        data=lambda: {"unit": w.unit_a.pk, "period": "2024-01-15"},
        count=_count("monitoring.MonitoringReport"),
    )


def _on_report(url_field: str, data, label: str):
    def prepare(w):
        report = _monitoring_report(w)
        return Setup(
            args=[report.pk],
            page=reverse("monitoring:report_edit", args=[report.pk]),
            data=lambda: data(),
            count=_count(label, report=report),
        )

    return prepare


def post_to_case(w):
    from satgas.monitoring import services

    report = _monitoring_report(w)
    post = services.flagged_post_add(
        actor=w.taskforce_a, report=report, platform="X", url="https://x.com/p/1", posted_on=dt.date(2024, 1, 3),
        description="Unggahan dukungan",
    )  # fmt: skip
    return Setup(
        args=[post.pk],
        page=reverse("monitoring:report_detail", args=[report.pk]),
        data=lambda: {},
        count=_count("violations.Case"),
    )


def point_create(w):
    from satgas.monitoring.tests.factories import StageFactory

    stage = StageFactory()
    data = {"stage": stage.pk, "description": "Kampanye di grup", "likelihood": 3, "impact": 4, "status": "OPEN"}
    return Setup(data=lambda: {**data, "unit": w.unit_a.pk}, count=_count("monitoring.VulnerablePoint"))


def election_create(w):
    data = {"name": "Pilkada 2029", "kind": "REGIONAL", "voting_day": "2029-11-28"}
    data.update({"starts_on": "2029-01-01", "ends_on": "2029-12-31"})
    return Setup(data=lambda: data, count=_count("elections.Election", name="Pilkada 2029"))


def stage_create(w):
    from satgas.monitoring.tests.factories import ElectionFactory

    election = ElectionFactory()
    return Setup(
        args=[election.pk],
        data=lambda: {"name": "Kampanye", "starts_on": "2023-10-01", "ends_on": "2023-11-24", "order": 1},
        count=_count("elections.ElectionStage", election=election),
    )


def evaluation(w):
    report = _monitoring_report(w)
    return Setup(args=[report.pk], data=lambda: {"score": "82", "notes": "Baik"}, count=_count("monitoring.Evaluation"))


# six-monthly reports


def report_generate(w):
    from satgas.reports.forms import semester_choices
    from satgas.reports.tests.factories import ensure_head

    ensure_head(w.region)
    period = semester_choices()[0][0]
    return Setup(data=lambda: {"office": w.region.pk, "period": period}, count=_count("reports.SemesterReportVersion"))


def report_regenerate(w):
    report = _semester_report(w)
    return Setup(
        args=[report.pk],
        page=reverse("reports:detail", args=[report.pk]),
        data=lambda: {},
        count=_count("reports.SemesterReportVersion", report=report),
    )


def report_text(w):
    report = _semester_report(w)
    data = {"sifat": "Biasa", "lampiran": "Satu berkas", "hal": "Laporan", "summary": "Ringkasan baru."}
    return Setup(
        args=[report.pk],
        page=reverse("reports:detail", args=[report.pk]),
        data=lambda: data,
        count=_count("reports.SemesterReportVersion", report=report),
    )


CREATES = [
    Create("personnel:person_create", "admin_user", person_create),
    Create("personnel:unit_create", "admin_user", unit_create),
    Create("personnel:person_move", "admin_user", person_move),
    Create("personnel:import_list", "admin_user", import_start),
    Create("accounts:user_detail", "admin_user", role_grant),
    Create("accounts:account_create", "admin_user", account_create),
    Create("oaths:version_create", "admin_user", version_create),
    Create("oaths:campaign_create", "admin_user", campaign_create),
    Create("oaths:campaign_paper", "admin_user", paper_signature),
    Create("socialization:session_create", "admin_user", session_create),
    Create("socialization:attendance_pick", "admin_user", attendance_pick),
    Create("socialization:attendance_import", "admin_user", attendance_import),
    Create("socialization:material_upload", "admin_user", material_upload),
    Create("socialization:checkin", None, checkin),
    Create("taskforces:create", "admin_user", taskforce_create),
    Create("taskforces:decree", "admin_user", decree),
    Create("taskforces:inauguration", "admin_user", inauguration),
    Create("taskforces:member_add", "admin_user", member_add),
    Create("taskforces:member_import", "admin_user", member_import),
    Create("taskforces:member_replace", "admin_user", member_replace),
    Create("violations_public:report", None, report_public),
    Create("violations:report_create", "taskforce_a", report_signed_in),
    Create("violations_public:status", None, reporter_message),
    Create("violations:case_note", "admin_user", _on_case("page", {"note-body": "Catatan."}, "violations.Note")),
    Create(
        "violations:case_message",
        "admin_user",
        _on_case("page", {"message-body": "Terima kasih."}, "violations.Message"),
    ),
    Create("violations:case_evidence", "admin_user", case_evidence),
    Create("violations:case_assign", "admin_user", case_assign),
    Create("violations:case_clarification", "admin_user", case_clarification),
    Create("violations:case_sanction", "admin_user", case_sanction),
    Create("monitoring:report_start", "taskforce_a", report_start),
    Create(
        "monitoring:watch_add",
        "taskforce_a",
        _on_report(
            "page", lambda: {"platform": "X", "accounts": "@akun", "posts_reviewed": 3}, "monitoring.SocialMediaWatch"
        ),
    ),
    Create(
        "monitoring:post_add",
        "taskforce_a",
        _on_report(
            "page",
            lambda: {"platform": "X", "url": "https://x.com/p/2", "posted_on": "2024-01-09", "description": "d"},
            "monitoring.FlaggedPost",
        ),
    ),
    Create(
        "monitoring:attachment_add",
        "taskforce_a",
        _on_report("page", lambda: {"file": _pdf()}, "monitoring.Attachment"),
    ),
    Create("monitoring:post_to_case", "taskforce_a", post_to_case),
    Create("monitoring:point_create", "taskforce_a", point_create),
    Create("monitoring:election_create", "admin_user", election_create),
    Create("monitoring:stage_create", "admin_user", stage_create),
    Create("monitoring:evaluation_edit", "admin_user", evaluation),
    Create("reports:generate", "admin_user", report_generate),
    Create("reports:regenerate", "admin_user", report_regenerate),
    Create("reports:text_update", "admin_user", report_text),
]


def _scope(url_name: str) -> str:
    for name, _path, callback, _view in project_views():
        if name == url_name:
            return getattr(callback, "idempotent_scope", None)
    raise AssertionError(f"no URL named {url_name}")


def test_every_idempotent_view_is_sent_twice_here():
    scopes = {getattr(c, "idempotent_scope", None) for _n, _p, c, _v in project_views()} - {None}
    covered = {_scope(c.url_name) for c in CREATES}
    assert scopes <= covered, f"add a Create(...) to CREATES for: {sorted(scopes - covered)}"


def _forms(html: str):
    return re.findall(r"<form\b([^>]*)>(.*?)</form>", html, flags=re.S)


def hidden_fields_for(html: str, *, action: str, page: str) -> dict:
    """The hidden inputs (other than the token) of the form that posts to ``action``."""
    for attrs, body in _forms(html):
        target = re.search(r'action="([^"]*)"', attrs)
        target = target.group(1).split("#")[0] if target and target.group(1) else page.split("?")[0]
        if 'method="post"' in attrs.lower() and target == action:
            found = re.findall(r'<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"', body)
            return {name: value for name, value in found if name not in (TOKEN_FIELD, "csrfmiddlewaretoken")}
    return {}


def token_for(html: str, *, action: str, page: str) -> str:
    """The token of the form that posts to ``action`` on a page at ``page``."""
    for attrs, body in _forms(html):
        if 'method="post"' not in attrs.lower():
            continue
        target = re.search(r'action="([^"]*)"', attrs)
        target = target.group(1).split("#")[0] if target and target.group(1) else page.split("?")[0]
        if target == action:
            found = re.search(rf'name="{TOKEN_FIELD}" value="([^"]+)"', body)
            assert found, f"the form posting to {action} has no {{% idempotency_token %}}"
            return found.group(1)
    raise AssertionError(f"no form posting to {action} on {page}")


@pytest.fixture
def fast_pdf(monkeypatch):
    from satgas.reports import documents

    monkeypatch.setattr(documents, "render_letter_pdf", lambda **kwargs: b"%PDF-1.4\n% uji\n%%EOF\n")


@pytest.mark.parametrize("create", CREATES, ids=lambda c: c.url_name)
def test_create_form_sent_twice_creates_once(db, client, request, create, fast_pdf):
    world = World(request)
    if create.persona:
        client.force_login(getattr(world, create.persona))
    setup = create.prepare(world)
    url = reverse(create.url_name, args=setup.args)
    page_url = setup.page or url
    shown = client.post(page_url, setup.page_post) if setup.page_post else client.get(page_url)
    assert shown.status_code == 200, shown.status_code
    token = token_for(shown.content.decode(), action=url, page=page_url)
    hidden = hidden_fields_for(shown.content.decode(), action=url, page=page_url)

    before = setup.count()
    first = client.post(url, {**hidden, **setup.data(), TOKEN_FIELD: token})
    assert first.status_code in (200, 302), (first.status_code, first.content.decode()[:2000])
    created, events_after = setup.count(), AuditEvent.objects.count()
    assert created > before, "the first request created nothing"
    second = client.post(url, {**hidden, **setup.data(), TOKEN_FIELD: token})
    assert setup.count() == created, "the retry created a second record"
    assert AuditEvent.objects.count() == events_after, "the retry wrote again"
    if first.status_code == 302:
        assert second.status_code == 302 and second["Location"] == first["Location"]
    else:  # a result shown in place: the retry shows it again, or leads back to the form's page
        assert second.status_code in (200, 302)
        if second.status_code == 302:
            assert second["Location"] == url
        first_html, second_html = first.content.decode(), second.content.decode()
        code = re.search(r"data-receipt-code>([^<]+)<", first_html)
        if code:
            assert code.group(1) in second_html
