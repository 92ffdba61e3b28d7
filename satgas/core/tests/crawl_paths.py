"""Every URL pattern of the app, with its path parameters filled from the demo data (for the crawl, ``crawl.py``).

``url_patterns()`` walks ``get_resolver()`` recursively, so a new page is covered without touching this file.
Each pattern's path parameters come from ``PATH_VALUES`` (per URL name: real ids, codes and tokens of the demo
data, one the persona's unit owns and one of another unit) or, for parameters that mean the same everywhere,
``KWARG_VALUES``. A pattern whose parameters neither table fills makes the crawl fail with the pattern's name:
add it to a table (or, after review, to ``EXCLUDED`` with the reason). ``path_variants`` adds hostile values
(0, a number beyond bigint, odd strings) of each parameter the converter lets through.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from urllib.parse import urlsplit

from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from satgas.core.tests.demo_site import OTHER_UNIT, OWN_UNIT, PERSONA_EMAILS

HUGE = "99999999999999999999"  # beyond bigint (and beyond SQLite's 64-bit integers)

# Reviewed exclusions: URL name (or route) -> why it is not crawled. Keep this short.
EXCLUDED: dict[str, str] = {}

# --- URL patterns --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Pattern:
    label: str  # "namespace:name", or the route when the pattern has no name
    parts: tuple  # the RoutePattern/RegexPattern objects from the root to the view
    kwargs: tuple[str, ...]
    converters: dict
    named: bool
    callback: object

    @property
    def is_django_admin(self) -> bool:
        """Django's admin (superusers only): requested plainly, not with hostile input (see ``Crawler``)."""
        return str(self.parts[0]).startswith("django-admin/")

    def build(self, values: dict) -> str:
        path = "/"
        for part in self.parts:
            path += _fill(part, values)
        return path


def _fill(part, values) -> str:
    if isinstance(part, RoutePattern):

        def sub(match):
            name = match.group("name")
            return part.converters[name].to_url(values[name]) if name in part.converters else str(values[name])

        return re.sub(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>", sub, part._route)
    assert isinstance(part, RegexPattern), part
    regex = part._regex
    out, i = "", 0
    while i < len(regex):
        match = re.compile(r"\(\?P<(\w+)>").match(regex, i)
        if match:
            depth, j = 1, match.end()
            while depth:
                depth += {"(": 1, ")": -1}.get(regex[j], 0) if regex[j - 1] != "\\" else 0
                j += 1
            out += str(values[match.group(1)])
            i = j
            continue
        char = regex[i]
        if char == "\\":
            out += regex[i + 1]
            i += 2
            continue
        if char not in "^$":
            out += char
        i += 1
    return out


def url_patterns() -> list[Pattern]:
    found = []

    def walk(resolver, parts, namespace):
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = namespace
                if entry.namespace:
                    ns = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
                walk(entry, parts + (entry.pattern,), ns)
            elif isinstance(entry, URLPattern):
                chain = parts + (entry.pattern,)
                kwargs, converters = [], {}
                for part in chain:
                    regex = part.regex.pattern
                    kwargs += re.findall(r"\(\?P<(\w+)>", regex)
                    converters.update(getattr(part, "converters", {}))
                if entry.name:
                    label = f"{namespace}:{entry.name}" if namespace else entry.name
                else:
                    label = "".join(str(p) for p in chain)
                found.append(Pattern(label, chain, tuple(kwargs), converters, bool(entry.name), entry.callback))

    walk(get_resolver(), (), None)
    return [pattern for pattern in found if pattern.label not in EXCLUDED]


# --- Path values from the demo data --------------------------------------------------------------


class Demo:
    """Real objects of the demo data: ``own`` ones belong to the task-force and staff personas' unit,
    ``other`` ones to another unit."""

    @functools.cached_property
    def own_unit(self):
        from satgas.personnel.models import Unit

        return Unit.objects.get(code=OWN_UNIT)

    @functools.cached_property
    def other_unit(self):
        from satgas.personnel.models import Unit

        return Unit.objects.get(code=OTHER_UNIT)

    def _pair(self, queryset, unit_field):
        own = queryset.filter(**{unit_field: self.own_unit}).order_by("pk").first()
        other = queryset.filter(**{unit_field: self.other_unit}).order_by("pk").first()
        assert own is not None and other is not None, f"no {queryset.model.__name__} in {OWN_UNIT} and {OTHER_UNIT}"
        return own, other

    def staff_person(self):
        from satgas.personnel.models import Person

        return Person.objects.get(user__email=PERSONA_EMAILS["staff"])

    def persons(self):
        from satgas.personnel.models import Person

        return self._pair(Person.objects.filter(user=None), "unit")

    def users(self):
        from satgas.accounts.models import User

        return User.objects.get(email=PERSONA_EMAILS["leader"]), User.objects.get(email=PERSONA_EMAILS["admin"])

    def role_assignments(self):
        from satgas.accounts.models import RoleAssignment

        leader, admin = self.users()
        return (
            {"pk": leader.pk, "assignment_pk": RoleAssignment.objects.filter(user=leader).first().pk},
            {"pk": admin.pk, "assignment_pk": RoleAssignment.objects.filter(user=leader).first().pk},
        )

    def imports(self):
        from satgas.personnel.models import PersonnelImport

        first = PersonnelImport.objects.order_by("pk").first()
        assert first is not None, "no personnel import in the crawl's data"
        return first, first

    def versions(self):
        from satgas.oaths.models import OathVersion

        return OathVersion.objects.order_by("pk").first(), OathVersion.objects.order_by("pk").last()

    def campaigns(self):
        from satgas.oaths.models import Campaign, CampaignStatus

        own = Campaign.objects.filter(status=CampaignStatus.OPEN, units=self.own_unit).order_by("pk").first()
        other = Campaign.objects.exclude(pk=own.pk).order_by("pk").first()
        return own, other

    def tokens(self):
        from satgas.oaths.tokens import invitation_token

        campaign = self.campaigns()[0]
        other = self.persons()[1]
        return (
            invitation_token(campaign_id=campaign.pk, person_id=self.staff_person().pk),
            invitation_token(campaign_id=campaign.pk, person_id=other.pk),
        )

    def signatures(self):
        from satgas.oaths.models import Signature

        return self._pair(Signature.objects.filter(method="ONLINE"), "person__unit")

    def paper_signatures(self):
        from satgas.oaths.models import Signature

        paper = Signature.objects.filter(method="PAPER").order_by("pk").first()
        assert paper is not None, "no paper signature in the crawl's data"
        return paper, self.signatures()[1]

    def sessions(self):
        from satgas.socialization.models import SocializationSession

        return self._pair(SocializationSession.objects.all(), "units")

    def attendances(self):
        own, other = self.sessions()
        return tuple(
            {"pk": session.pk, "attendance_pk": session.attendances.order_by("pk").first().pk}
            for session in (own, other)
        )

    def materials(self):
        from satgas.socialization.models import SessionMaterial

        material = SessionMaterial.objects.order_by("pk").first()
        assert material is not None, "no session material in the crawl's data"
        return material, material

    def checkin_codes(self):
        from satgas.socialization.models import SocializationSession

        open_now = SocializationSession.objects.filter(ends_at__gt=timezone.now()).order_by("pk").first()
        past = SocializationSession.objects.order_by("starts_at").first()
        return open_now.checkin_code, past.checkin_code

    def taskforces(self):
        from satgas.taskforces.models import TaskForce

        return self._pair(TaskForce.objects.all(), "unit")

    def memberships(self):
        from satgas.taskforces.models import Membership

        return self._pair(Membership.objects.filter(ended_on=None), "task_force__unit")

    def badge_codes(self):
        own, other = self.memberships()
        return own.badge_code, other.badge_code

    def verification_codes(self):
        own, other = self.signatures()
        return own.verification_code, other.verification_code

    def cases(self):
        from satgas.violations.models import Case

        return self._pair(Case.objects.all(), "unit")

    def case_assignments(self):
        from satgas.violations.models import Assignment

        own, other = self._pair(Assignment.objects.filter(ended_at=None), "case__unit")
        return ({"pk": own.case_id, "assignment_pk": own.pk}, {"pk": other.case_id, "assignment_pk": other.pk})

    def evidence(self):
        from satgas.violations.models import Evidence

        return self._pair(Evidence.objects.all(), "case__unit")

    def clarifications(self):
        from satgas.violations.models import Clarification

        return self._pair(Clarification.objects.exclude(attachment=""), "case__unit")

    def monitoring_reports(self):
        from satgas.monitoring.models import MonitoringReport

        return self._pair(MonitoringReport.objects.all(), "unit")

    def monitoring_versions(self):
        from satgas.monitoring.models import ReportVersion

        own, other = self._pair(ReportVersion.objects.all(), "report__unit")
        return ({"pk": own.report_id, "number": own.number}, {"pk": other.report_id, "number": other.number})

    def flagged_posts(self):
        from satgas.monitoring.models import FlaggedPost

        return self._pair(FlaggedPost.objects.all(), "report__unit")

    def attachments(self):
        from satgas.monitoring.models import Attachment

        return self._pair(Attachment.objects.all(), "report__unit")

    def points(self):
        from satgas.monitoring.models import VulnerablePoint

        return self._pair(VulnerablePoint.objects.all(), "unit")

    def elections(self):
        from satgas.elections.models import Election

        return Election.objects.order_by("pk").first(), Election.objects.order_by("pk").last()

    def stages(self):
        from satgas.elections.models import ElectionStage

        first, last = ElectionStage.objects.order_by("pk").first(), ElectionStage.objects.order_by("pk").last()
        return (
            {"election_pk": first.election_id, "pk": first.pk},
            {"election_pk": last.election_id, "pk": last.pk},
        )

    def semester_reports(self):
        from satgas.reports.models import SemesterReport

        report = SemesterReport.objects.order_by("pk").first()
        assert report is not None, "no six-monthly report in the crawl's data"
        return report, report

    def semester_versions(self):
        report = self.semester_reports()[0]
        return ({"pk": report.pk, "number": 1}, {"pk": report.pk, "number": 1})

    def units(self):
        return self.own_unit, self.other_unit

    def email_changes(self):
        """A pending change of address of a person of each unit (made here: the demo has none)."""
        from satgas.personnel.models import EmailChange, EmailChangeStatus

        out = []
        for person in self.persons():
            change = EmailChange.objects.filter(person=person, status=EmailChangeStatus.PENDING).first()
            out.append(change or EmailChange.objects.create(person=person, new_email=f"baru{person.pk}@uji.test"))
        return tuple(out)

    def email_change_people(self):
        return tuple(change.person for change in self.email_changes())

    def email_tokens(self, salt_name):
        from satgas.personnel import tokens

        salt = getattr(tokens, salt_name)
        return tuple(tokens.make(change.pk, salt=salt) for change in self.email_changes())

    def disown_tokens(self):
        from satgas.oaths.tokens import disown_token

        return tuple(disown_token(signature) for signature in self.signatures())

    def attendance_imports(self):
        """An attendance list of a session of each unit (made here: the demo has none)."""
        from satgas.socialization.models import AttendanceImport

        out = []
        for session in self.sessions():
            job = AttendanceImport.objects.filter(session=session).first() or AttendanceImport.objects.create(
                session=session, uploaded_by=self.users()[1], numbers_text="123"
            )
            out.append({"pk": session.pk, "import_pk": job.pk})
        return tuple(out)

    def outbox_actions(self):
        """A finished background task (the admin's retry/dismiss buttons answer it with a message)."""
        from satgas.core.models import OutboxMessage, OutboxStatus

        row = OutboxMessage.objects.order_by("pk").first() or OutboxMessage.objects.create(
            task_name="satgas.core.tasks.jobs_sweep", status=OutboxStatus.DONE, available_at=timezone.now()
        )
        return ({"pk": row.pk, "action": "retry"}, {"pk": row.pk, "action": "dismiss"})


def _pk(getter, name="pk"):
    """A provider giving ``{name: own.pk}`` and ``{name: other.pk}`` from a Demo method."""

    def provide(demo):
        return tuple({name: getattr(obj, "pk", obj)} for obj in getattr(demo, getter)())

    return provide


def _kw(getter):
    """A provider whose Demo method already gives the kwargs dicts."""
    return lambda demo: getattr(demo, getter)()


def _value(getter, name):
    return lambda demo: tuple({name: value} for value in getattr(demo, getter)())


# URL name -> provider of (own kwargs, other kwargs). Parameters named alike mean different things per
# URL (``pk``), hence a row per URL.
PATH_VALUES = {
    "accounts:user_detail": _pk("users"),
    "accounts:user_set_active": _pk("users"),
    "accounts:role_revoke": _kw("role_assignments"),
    "accounts:account_create": _pk("persons", "person_pk"),
    "personnel:person_detail": _pk("persons"),
    "personnel:person_edit": _pk("persons"),
    "personnel:person_move": _pk("persons"),
    "personnel:unit_edit": _pk("units"),
    "personnel:import_detail": _pk("imports"),
    "personnel:import_confirm": _pk("imports"),
    "personnel:import_cancel": _pk("imports"),
    "personnel:import_issues_csv": _pk("imports"),
    "oaths:version_detail": _pk("versions"),
    "oaths:version_edit": _pk("versions"),
    "oaths:version_publish": _pk("versions"),
    "oaths:campaign_detail": _pk("campaigns"),
    "oaths:campaign_edit": _pk("campaigns"),
    "oaths:campaign_transition": _pk("campaigns"),
    "oaths:campaign_remind": _pk("campaigns"),
    "oaths:campaign_non_signers": _pk("campaigns"),
    "oaths:campaign_non_signers_xlsx": _pk("campaigns"),
    "oaths:campaign_signatures": _pk("campaigns"),
    "oaths:campaign_paper": _pk("campaigns"),
    "oaths:sign": _pk("campaigns"),
    "oaths:invitation": _value("tokens", "token"),
    "oaths:invitation_done": _value("tokens", "token"),
    "oaths:invitation_pdf": _value("tokens", "token"),
    "oaths:statement": _pk("signatures"),
    "oaths:statement_pdf": _pk("signatures"),
    "oaths:paper_scan": _pk("paper_signatures"),
    "socialization:session_detail": _pk("sessions"),
    "socialization:session_edit": _pk("sessions"),
    "socialization:session_checkin_toggle": _pk("sessions"),
    "socialization:attendance_pick": _pk("sessions"),
    "socialization:attendance_import": _pk("sessions"),
    "socialization:attendance_remove": _kw("attendances"),
    "socialization:material_upload": _pk("sessions"),
    "socialization:material_download": _pk("materials"),
    "socialization:checkin": _value("checkin_codes", "code"),
    "socialization:coverage_unit": _pk("units", "unit_pk"),
    "socialization:coverage_unit_export": _pk("units", "unit_pk"),
    "taskforces:detail": _pk("taskforces"),
    "taskforces:edit": _pk("taskforces"),
    "taskforces:transition": _pk("taskforces"),
    "taskforces:decree": _pk("taskforces"),
    "taskforces:decree_pdf": _pk("taskforces"),
    "taskforces:badges_pdf": _pk("taskforces"),
    "taskforces:inauguration": _pk("taskforces"),
    "taskforces:member_add": _pk("taskforces"),
    "taskforces:member_import": _pk("taskforces"),
    "taskforces:member_end": _pk("memberships"),
    "taskforces:member_replace": _pk("memberships"),
    "taskforce_badge_verify": _value("badge_codes", "code"),
    "verify": _value("verification_codes", "code"),
    "violations:case_detail": _pk("cases"),
    "violations:case_transition": _pk("cases"),
    "violations:case_assign": _pk("cases"),
    "violations:case_unassign": _kw("case_assignments"),
    "violations:case_note": _pk("cases"),
    "violations:case_message": _pk("cases"),
    "violations:case_evidence": _pk("cases"),
    "violations:case_clarification": _pk("cases"),
    "violations:case_sanction": _pk("cases"),
    "violations:case_reporter": _pk("cases"),
    "violations:evidence_download": _pk("evidence"),
    "violations:clarification_attachment": _pk("clarifications"),
    "monitoring:report_detail": _pk("monitoring_reports"),
    "monitoring:report_edit": _pk("monitoring_reports"),
    "monitoring:watch_add": _pk("monitoring_reports"),
    "monitoring:post_add": _pk("monitoring_reports"),
    "monitoring:attachment_add": _pk("monitoring_reports"),
    "monitoring:report_submit": _pk("monitoring_reports"),
    "monitoring:report_review": _pk("monitoring_reports"),
    "monitoring:version_detail": _kw("monitoring_versions"),
    "monitoring:evaluation_edit": _pk("monitoring_reports"),
    "monitoring:post_to_case": _pk("flagged_posts"),
    "monitoring:attachment_download": _pk("attachments"),
    "monitoring:point_edit": _pk("points"),
    "monitoring:election_edit": _pk("elections"),
    "monitoring:stage_create": _pk("elections", "election_pk"),
    "monitoring:stage_edit": _kw("stages"),
    "core:background_work_action": _kw("outbox_actions"),
    "personnel:import_retry": _pk("imports"),
    "personnel:email_change_cancel": _pk("email_change_people"),
    "personnel:email_confirm": lambda demo: tuple({"token": t} for t in demo.email_tokens("CONFIRM_SALT")),
    "personnel:email_stop": lambda demo: tuple({"token": t} for t in demo.email_tokens("STOP_SALT")),
    "oaths:signature_void": _pk("signatures"),
    "oaths:disown": _value("disown_tokens", "token"),
    "socialization:checkin_screen": _pk("sessions"),
    "socialization:checkin_code": _pk("sessions"),
    "socialization:checkin_poster": _pk("sessions"),
    "socialization:attendance_import_result": _kw("attendance_imports"),
    "socialization:attendance_import_cancel": _kw("attendance_imports"),
    "socialization:attendance_import_retry": _kw("attendance_imports"),
    "reports:detail": _pk("semester_reports"),
    "reports:regenerate": _pk("semester_reports"),
    "reports:text_update": _pk("semester_reports"),
    "reports:recipients_update": _pk("semester_reports"),
    "reports:approve": _pk("semester_reports"),
    "reports:send": _pk("semester_reports"),
    "reports:version_pdf": _kw("semester_versions"),
    "reports:version_xlsx": _kw("semester_versions"),
}


def _admin_object(label):
    """The Django admin's object URLs: the first object of the model the URL name says."""
    from django.apps import apps

    for model in apps.get_models():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if label.startswith(prefix):
            obj = model._default_manager.order_by("pk").first()
            return str(obj.pk) if obj else "1"
    return "1"


# Parameters that mean the same wherever they appear: name -> provider(demo, pattern label) of values.
KWARG_VALUES = {
    # Export formats of the personnel list and the import template.
    "fmt": lambda demo, label: ["csv", "xlsx"],
    # allauth's e-mail confirmation and password-reset keys: nothing valid exists, the pages say so.
    "key": lambda demo, label: ["invalid-key-0"],
    "uidb36": lambda demo, label: ["1z"],
    # The Django admin.
    "app_label": lambda demo, label: ["accounts"],
    "object_id": lambda demo, label: [_admin_object(label)],
    "id": lambda demo, label: [_admin_object(label)],
    "content_type_id": lambda demo, label: ["1"],
    "url": lambda demo, label: ["tidak-ada/"],
}


class UnfilledPattern(AssertionError):
    pass


def path_variants(pattern: Pattern, demo: Demo) -> list[tuple[str, str]]:
    """``[(kind, path)]``: kind ``real`` (the persona's unit's object), ``other`` (another unit's object),
    then hostile values of each parameter in turn (``hostile:<kwarg>=<value>``)."""
    if not pattern.kwargs:
        return [("real", pattern.build({}))]
    if pattern.label in PATH_VALUES:
        own, other = PATH_VALUES[pattern.label](demo)
        variants = [("real", own), ("other", other)]
    elif all(name in KWARG_VALUES for name in pattern.kwargs):
        choices = {name: KWARG_VALUES[name](demo, pattern.label) for name in pattern.kwargs}
        variants = [("real", {name: values[0] for name, values in choices.items()})]
        for name, values in choices.items():
            variants += [("real", {**variants[0][1], name: value}) for value in values[1:]]
    else:
        missing = [name for name in pattern.kwargs if name not in KWARG_VALUES]
        raise UnfilledPattern(
            f"{pattern.label}: no value for {missing}: add the URL to PATH_VALUES in satgas/core/tests/crawl.py"
        )
    missing = set(pattern.kwargs) - set(variants[0][1])
    if missing:
        raise UnfilledPattern(f"{pattern.label}: PATH_VALUES gives no {sorted(missing)}")
    real = variants[0][1]
    for name in pattern.kwargs if not pattern.is_django_admin else ():
        converter = pattern.converters.get(name)
        numeric = converter is not None and type(converter).__name__ == "IntConverter"
        for value in ["0", HUGE] if numeric else ["0", "x'\"<>", "x\x00y", "a" * 300]:
            variants.append((f"hostile:{name}", {**real, name: value}))
    paths = []
    for kind, values in variants:
        path = pattern.build(values)
        try:
            match = resolve(urlsplit(path).path)
        except Resolver404:
            if kind.startswith("hostile"):
                continue  # the converter refuses the value: nothing to request
            raise UnfilledPattern(f"{pattern.label}: {path} built from {values} does not resolve") from None
        same = match.view_name == pattern.label if pattern.named else match.func is pattern.callback
        if kind == "real" and not same:
            raise UnfilledPattern(f"{pattern.label}: {path} resolves to {match.route}, another pattern")
        paths.append((kind, path))
    return paths
