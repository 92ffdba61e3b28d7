"""The input rules hold in EVERY form of the project (issue 14.8, 14.9): each form class and filter is found by
walking the project's forms, so a new form or a new field is checked without touching this test.

- every text field refuses control characters (BEL, ESC, NUL...) with the message, single-line ones refuse line
  breaks and tabs too;
- every text field has a limit and refuses one character more;
- every date and date-time field refuses year 1 and year 2999.
"""

import importlib
import inspect

import django_filters
import pytest
from django import forms
from django.apps import apps
from django.utils import translation

from satgas.core.forms import SINGLE_LINE_MESSAGE, FilterForm, InputRulesMixin
from satgas.core.limits import DRAWN_SIGNATURE_MAX
from satgas.core.text import CONTROL_CHARACTERS_MESSAGE


def _project_classes(base, module_suffix: str) -> list[type]:
    importlib.import_module("satgas.urls")  # every view, and so every form and filter they use
    for app in apps.get_app_configs():
        if app.name.startswith("satgas."):
            try:
                importlib.import_module(f"{app.name}.{module_suffix}")
            except ModuleNotFoundError:
                pass
    found, stack = [], [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            stack.append(sub)
            module = sub.__module__
            if module.startswith("satgas.") and ".tests" not in module and sub not in found:
                found.append(sub)
    return sorted(found, key=lambda c: f"{c.__module__}.{c.__qualname__}")


FORM_CLASSES = _project_classes(forms.BaseForm, "forms")
FILTER_CLASSES = _project_classes(django_filters.FilterSet, "forms")


def _id(cls) -> str:
    return f"{cls.__module__.removeprefix('satgas.')}.{cls.__qualname__}"


@pytest.fixture
def form_arguments(region, unit_a, admin_user):
    """A value for every keyword argument a project form requires (name -> value)."""
    from satgas.accounts.models import User
    from satgas.oaths.tests.factories import COMMITMENTS, published_version
    from satgas.personnel.models import Person, Unit
    from satgas.personnel.tests.factories import PersonFactory
    from satgas.taskforces.tests.factories import add_members, make_taskforce
    from satgas.violations.tests.factories import report

    version = published_version(actor=admin_user, commitments=COMMITMENTS)
    person = PersonFactory(unit=unit_a)
    task_force = make_taskforce(unit=unit_a, actor=admin_user)
    return {
        "case": report(unit=unit_a)[0],
        "candidates": User.objects.all(),
        "version": version,
        "commitments": list(version.commitments.order_by("order")),
        "units": Unit.objects.all(),
        "offices": Unit.objects.filter(pk=region.pk),
        "persons": Person.objects.all(),
        "person": person,
        "members": add_members(task_force, roles=["MEMBER"], actor=admin_user),
        "offline": True,  # the report form with every field
    }


def _form(cls, arguments: dict, data=None):
    kwargs = {}
    for name, parameter in inspect.signature(cls.__init__).parameters.items():
        if parameter.kind is not inspect.Parameter.KEYWORD_ONLY:
            continue
        if name in arguments:
            kwargs[name] = arguments[name]
        elif parameter.default is inspect.Parameter.empty:
            pytest.fail(f"{_id(cls)} needs {name}=: add a value to form_arguments in this test")
    return cls(data, **kwargs) if data is not None else cls(**kwargs)


def _text_fields(form) -> list[str]:
    return [n for n, f in form.fields.items() if isinstance(f, forms.CharField) and not f.disabled]


def _date_fields(form) -> list[str]:
    return [n for n, f in form.fields.items() if isinstance(f, (forms.DateField, forms.DateTimeField))]


def _codes(form, name) -> set[str]:
    return {error.code for error in form.errors.as_data().get(name, [])}


def test_the_walk_finds_the_project_forms():
    names = {_id(c) for c in FORM_CLASSES}
    assert {"violations.forms.ReportForm", "personnel.forms.PersonForm", "monitoring.forms.PointForm"} <= names
    assert len(FORM_CLASSES) > 40
    assert {_id(c) for c in FILTER_CLASSES} >= {"personnel.forms.PersonFilter", "violations.forms.CaseFilter"}


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=_id)
def test_every_form_applies_the_input_rules(cls):
    assert issubclass(cls, InputRulesMixin), f"{_id(cls)}: inherit StyledFormMixin (or InputRulesMixin)"


@pytest.mark.parametrize("cls", FILTER_CLASSES, ids=_id)
def test_every_filter_form_applies_the_input_rules(cls):
    assert issubclass(cls._meta.form, FilterForm), f"{_id(cls)}: set Meta.form = FilterForm"


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=_id)
def test_control_characters_are_refused_in_every_text_field(cls, form_arguments):
    with translation.override("en"):
        for name in _text_fields(_form(cls, form_arguments)):
            for bad in ("Nama\x07", "Nama\x1b[31m", "Na\x00ma", "Na\x9bma"):
                form = _form(cls, form_arguments, data={name: bad})
                assert not form.is_valid()
                assert str(CONTROL_CHARACTERS_MESSAGE) in form.errors.get(name, []), (name, bad, form.errors)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=_id)
def test_single_line_fields_refuse_line_breaks_and_tabs(cls, form_arguments):
    unbound = _form(cls, form_arguments)
    with translation.override("en"):
        for name in _text_fields(unbound):
            if isinstance(unbound.fields[name].widget, forms.Textarea):
                form = _form(cls, form_arguments, data={name: "baris satu\nbaris dua\tkolom"})
                assert "line_breaks" not in _codes(form, name)
                continue
            for bad in ("Agus\nPrasetyo", "Agus\tPrasetyo", "Agus\rPrasetyo"):
                form = _form(cls, form_arguments, data={name: bad})
                assert not form.is_valid()
                assert str(SINGLE_LINE_MESSAGE) in form.errors.get(name, []), (name, form.errors)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=_id)
def test_every_text_field_has_a_limit_and_refuses_one_character_more(cls, form_arguments):
    unbound = _form(cls, form_arguments)
    for name in _text_fields(unbound):
        limit = unbound.fields[name].max_length
        assert limit is not None and limit <= DRAWN_SIGNATURE_MAX, (name, limit)
        form = _form(cls, form_arguments, data={name: "x" * (limit + 1)})
        assert not form.is_valid()
        assert "max_length" in _codes(form, name), (name, form.errors)


@pytest.mark.parametrize("cls", FORM_CLASSES, ids=_id)
def test_every_date_field_refuses_implausible_years(cls, form_arguments):
    unbound = _form(cls, form_arguments)
    for name in _date_fields(unbound):
        suffix = "T10:00" if isinstance(unbound.fields[name], forms.DateTimeField) else ""
        early = _form(cls, form_arguments, data={name: f"0001-01-01{suffix}"})
        late = _form(cls, form_arguments, data={name: f"2999-12-31{suffix}"})
        assert not early.is_valid() and not late.is_valid()
        assert _codes(early, name) & {"date_too_early"}, (name, early.errors)
        assert _codes(late, name) & {"date_too_late", "date_in_future"}, (name, late.errors)


@pytest.mark.parametrize("cls", FILTER_CLASSES, ids=_id)
def test_filter_search_words_follow_the_rules(cls, rf, admin_user):
    with translation.override("en"):
        filterset = cls({}, queryset=cls._meta.model.objects.none())
        for name in _text_fields(filterset.form):
            bound = cls({name: "cari\x1b"}, queryset=cls._meta.model.objects.none())
            assert not bound.form.is_valid()
            assert str(CONTROL_CHARACTERS_MESSAGE) in bound.form.errors[name]
            long = cls({name: "x" * 1000}, queryset=cls._meta.model.objects.none())
            assert "max_length" in _codes(long.form, name)


# --- The examples, through the pages, and the database's own bounds --------------------------------------


def _public_report(unit, **overrides):
    import datetime as dt

    from django.utils import timezone

    data = {
        "reported_description": "Petugas bagian umum",
        "unit": unit.pk,
        "incident_date": (timezone.localdate() - dt.timedelta(days=2)).isoformat(),
        "channel": "EVENT",
        "description": "Hadir di deklarasi calon.",
    }
    return {**data, **overrides}


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"description": "x" * 200_000}, "description", "paling banyak 10000 karakter"),
        ({"incident_date": "0001-01-01"}, "incident_date", "Isikan tanggal pada atau sesudah 1 Januari 2000."),
        ({"incident_date": "2999-01-01"}, "incident_date", "Tanggal tidak boleh melewati hari ini."),
        ({"description": "Bunyi\x07 dan \x1b[31mwarna"}, "description", "karakter kendali"),
        ({"reported_description": "Nama\x00"}, "reported_description", "karakter kendali"),
        ({"incident_place": "Aula\nlantai 2"}, "incident_place", "satu baris"),
    ],
    ids=["200k-description", "year-1", "far-future", "bel-esc", "nul", "line-break-in-one-line"],
)
def test_the_public_report_refuses_bad_input_with_a_message(client, unit_a, overrides, field, message):
    from django.urls import reverse

    from satgas.violations.models import Case

    response = client.post(reverse("violations_public:report"), _public_report(unit_a, **overrides))
    assert response.status_code == 200 and not Case.objects.exists()
    errors = " ".join(response.context["form"].errors[field])
    assert message in errors, errors
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_person_form_refuses_a_bell_in_a_name(client, admin_user, unit_a):
    from django.urls import reverse

    from satgas.personnel.models import Person

    client.force_login(admin_user)
    data = {"full_name": "Agus\x07 Prasetyo", "employment_type": "PPNPN", "unit": unit_a.pk, "status": "ACTIVE"}
    response = client.post(reverse("personnel:person_create"), data)
    assert response.status_code == 200 and not Person.objects.exists()
    assert "karakter kendali" in " ".join(response.context["form"].errors["full_name"])


def test_a_note_with_control_characters_is_answered_and_kept(client, admin_user, unit_a):
    from django.urls import reverse

    from satgas.violations.tests.factories import report

    case, _code = report(unit=unit_a)
    client.force_login(admin_user)
    response = client.post(reverse("violations:case_note", args=[case.pk]), {"note-body": "Catatan\x1b penting"})
    assert response.status_code == 400 and not case.notes.exists()
    page = response.content.decode()
    assert "karakter kendali" in page
    assert "\x1b" not in page and "Catatan penting</textarea>" in page  # shown again without the character


def test_the_database_keeps_the_most_important_bounds(unit_a):
    import datetime as dt

    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    from satgas.elections.models import Election
    from satgas.violations.models import Case
    from satgas.violations.tests.factories import report

    case, _code = report(unit=unit_a)
    for change in ({"incident_date": dt.date(1, 1, 1)}, {"description": "x" * 10_001}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Case.objects.filter(pk=case.pk).update(**change)
    with pytest.raises(ValidationError):
        Election(
            name="Pemilu 1",
            kind="GENERAL",
            voting_day=dt.date(1, 2, 14),
            starts_on=dt.date(1, 1, 1),
            ends_on=dt.date(1, 3, 1),
        ).full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        Election.objects.create(
            name="Pemilu 2999",
            kind="GENERAL",
            voting_day=dt.date(2999, 2, 14),
            starts_on=dt.date(2999, 1, 1),
            ends_on=dt.date(2999, 3, 1),
        )


def test_the_django_admin_forms_follow_the_rules_too(rf, admin_user):
    from django.contrib import admin

    admin_user.is_staff = admin_user.is_superuser = True
    request = rf.get("/django-admin/")
    request.user = admin_user
    for model, model_admin in admin.site._registry.items():
        assert issubclass(model_admin.get_form(request), InputRulesMixin), model
        for inline in model_admin.get_inline_instances(request):
            assert issubclass(inline.get_formset(request).form, InputRulesMixin), (model, inline)


def test_the_admin_refuses_a_control_character_in_an_election_name(client, admin_user):
    from django.urls import reverse

    from satgas.elections.models import Election

    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    data = {
        "name": "Pemilu\x07 2029",
        "kind": "GENERAL",
        "voting_day": "2029-02-14",
        "starts_on": "2028-01-01",
        "ends_on": "2029-12-31",
        "stages-TOTAL_FORMS": "0",
        "stages-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:elections_election_add"), data)
    assert response.status_code == 200 and not Election.objects.exists()
    assert "karakter kendali" in response.content.decode()
