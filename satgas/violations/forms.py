import django_filters
from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import FilterForm, StyledFormMixin, style_form
from satgas.core.limits import PAST_DATES, TEXT_NOTE_MAX, TEXT_SHORT_MAX
from satgas.personnel.forms import UnitFilter
from satgas.personnel.models import Unit
from satgas.personnel.selectors import person_find_by_identity, unit_choices

from . import rules
from .models import (
    DISCIPLINE_FORMS,
    Case,
    CaseStatus,
    Channel,
    Clarification,
    ContractForm,
    DisciplineForm,
    DisciplineLevel,
    EthicsForm,
    Intake,
    Platform,
    SanctionKind,
    ViolationCategory,
)

EVIDENCE_HELP = _("Screenshots or documents: JPEG, PNG or PDF, at most 10 MB each, up to 10 files.")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


def _links(text: str) -> list[str]:
    validator = forms.URLField(assume_scheme="https")
    return [validator.clean(line.strip()) for line in (text or "").splitlines() if line.strip()]


class ReportForm(StyledFormMixin, forms.Form):
    """The report: used by the public form, signed-in staff and staff entering offline reports.

    Whether the typed NIP/NIK belongs to an employee never changes the answer: the unit is derived from the
    registry only for a person the user may already see there (``visible_persons``; nobody on the public form).
    """

    text_max_lengths = {"reported_description": TEXT_SHORT_MAX, "links_text": TEXT_NOTE_MAX}
    date_ranges = {"incident_date": PAST_DATES}

    intake = forms.ChoiceField(
        label=_("Received through"),
        choices=[(v, label) for v, label in Intake.choices if v != Intake.ANONYMOUS],
        initial=Intake.ONLINE,
        help_text=_("Choose paper, phone or in person when you record a report someone else made."),
    )
    reporter_name = forms.CharField(label=_("Reporter's name"), max_length=200, required=False)
    reporter_contact = forms.CharField(label=_("Reporter's contact (phone or email)"), max_length=200, required=False)
    reported_identity = forms.CharField(
        label=_("NIP or NIK of the reported person"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("If you know it. Otherwise describe the person below."),
    )
    reported_description = forms.CharField(
        label=_("Who is it?"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Name, position, anything that identifies the person."),
    )
    unit = forms.ModelChoiceField(
        label=_("Unit of the reported person"), queryset=Unit.objects.filter(is_active=True), required=False
    )
    incident_date = forms.DateField(
        label=_("Date of the incident"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    incident_place = forms.CharField(label=_("Place of the incident"), max_length=255, required=False)
    categories = forms.ModelMultipleChoiceField(
        label=_("What kind of violation?"),
        queryset=ViolationCategory.objects.filter(is_active=True),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    channel = forms.ChoiceField(label=_("Where did it happen?"), choices=Channel.choices)
    platform = forms.ChoiceField(label=_("Platform"), choices=[("", "—"), *Platform.choices], required=False)
    channel_url = forms.URLField(label=_("Link to the post"), max_length=500, required=False, assume_scheme="https")
    description = forms.CharField(label=_("What happened?"), widget=forms.Textarea(attrs={"rows": 5}))
    files = MultipleFileField(label=_("Evidence files"), required=False, help_text=EVIDENCE_HELP)
    links_text = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One link per line."),
    )
    confidential = forms.BooleanField(
        label=_("Treat this report as confidential"),
        required=False,
        help_text=_("Only the regional office and the assigned handlers will see it."),
    )

    def __init__(self, *args, public: bool = False, offline: bool = False, visible_persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.public = public
        self.visible_persons = None if public else visible_persons
        if self.visible_persons is None:
            # Nothing is derived from the registry: the unit is always asked for.
            self.fields["unit"].required = True
            self.fields["unit"].error_messages["required"] = _("Choose the unit of the reported person.")
        if not offline:
            for name in ("intake", "reporter_name", "reporter_contact"):
                del self.fields[name]
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("name")
        if not public:
            # Type a name, NIP or NIK; suggestions come from the part of the registry the user may read.
            self.fields["reported_identity"].help_text = _("Type a name, NIP or NIK and pick from the suggestions.")
            self.fields["reported_identity"].widget.attrs.update(
                {
                    "list": "reported-people",
                    "hx-get": reverse_lazy("violations:person_lookup"),
                    "hx-trigger": "input changed delay:300ms",
                    "hx-target": "#reported-people",
                }
            )
        style_form(self)

    def clean(self):
        data = super().clean()
        number = (data.get("reported_identity") or "").strip()
        person = person_find_by_identity(number) if number else None
        if number and person is None:
            # A typed name, or a number that matches nobody, goes into the description: the form never
            # tells a reporter whether a number belongs to an employee, and handlers can link the person later.
            label = "NIP/NIK" if number.replace(" ", "").isdigit() else _("Name")
            data["reported_description"] = f"{data.get('reported_description', '')}\n{label}: {number}".strip()
        data["reported_person"] = person
        if person is None and not (data.get("reported_description") or "").strip() and not self.errors:
            self.add_error("reported_description", _("Give the NIP/NIK or describe the reported person."))
        if not data.get("unit") and "unit" not in self.errors:
            if person is not None and self._may_see(person):
                data["unit"] = person.unit
            else:
                self.add_error("unit", _("Choose the unit of the reported person."))
        if data.get("channel") == Channel.SOCIAL_MEDIA and not data.get("platform"):
            self.add_error("platform", _("Choose the social-media platform."))
        try:
            data["links"] = _links(data.get("links_text", ""))
        except forms.ValidationError:
            self.add_error("links_text", _("Each line must be a web link (http or https)."))
        return data

    def _may_see(self, person) -> bool:
        return self.visible_persons is not None and self.visible_persons.filter(pk=person.pk).exists()


class TransitionForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"reason": TEXT_NOTE_MAX}

    to = forms.ChoiceField(label=_("Move to"))
    reason = forms.CharField(label=_("Why"), widget=forms.Textarea(attrs={"rows": 2}))
    forwarded_to = forms.CharField(
        label=_("Forwarded / referred to"),
        max_length=200,
        required=False,
        help_text=_("E.g. the staffing official (PPK), Bawaslu, BKN. Needed for follow-up and referral."),
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(CaseStatus.choices)
        self.fields["to"].choices = [(s, labels[s]) for s in CaseStatus.values if rules.is_allowed(case.status, s)]


class AssignForm(StyledFormMixin, forms.Form):
    handler = forms.ModelChoiceField(label=_("Handler"), queryset=None)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["handler"].queryset = candidates


class TextForm(StyledFormMixin, forms.Form):
    body = forms.CharField(label=_("Text"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


class ClarificationForm(StyledFormMixin, forms.ModelForm):
    text_max_lengths = {"attendees": TEXT_SHORT_MAX}
    date_ranges = {"held_on": PAST_DATES}

    attachment = forms.FileField(label=_("Attachment"), required=False, help_text=_("JPEG, PNG or PDF."))

    class Meta:
        model = Clarification
        fields = ["held_on", "place", "attendees", "minutes"]
        widgets = {
            "held_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "attendees": forms.Textarea(attrs={"rows": 2}),
            "minutes": forms.Textarea(attrs={"rows": 5}),
        }


class SanctionForm(StyledFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=SanctionKind.choices)
    ethics_form = forms.ChoiceField(label=_("Moral sanction"), choices=[("", "—"), *EthicsForm.choices], required=False)
    discipline_level = forms.ChoiceField(
        label=_("Discipline level"), choices=[("", "—"), *DisciplineLevel.choices], required=False
    )
    discipline_form = forms.ChoiceField(
        label=_("Disciplinary sanction"), choices=[("", "—"), *DisciplineForm.choices], required=False
    )
    contract_form = forms.ChoiceField(
        label=_("PPNPN contract sanction"), choices=[("", "—"), *ContractForm.choices], required=False
    )
    decree_number = forms.CharField(label=_("Decree number"), max_length=120)
    decree_date = forms.DateField(
        label=_("Decree date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    imposed_by = forms.CharField(label=_("Imposed by (name and position)"), max_length=200)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == SanctionKind.ETHICS and not data.get("ethics_form"):
            self.add_error("ethics_form", _("Choose the moral sanction."))
        if kind == SanctionKind.DISCIPLINARY:
            level, form = data.get("discipline_level"), data.get("discipline_form")
            if not level:
                self.add_error("discipline_level", _("Choose the level."))
            elif form not in DISCIPLINE_FORMS.get(level, []):
                self.add_error("discipline_form", _("Choose a sanction of the chosen level."))
        if kind == SanctionKind.CONTRACT and not data.get("contract_form"):
            self.add_error("contract_form", _("Choose the contract sanction."))
        return data


class EvidenceForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"links_text": TEXT_NOTE_MAX}

    files = MultipleFileField(label=_("Evidence files"), required=False, help_text=EVIDENCE_HELP)
    links_text = forms.CharField(
        label=_("Evidence links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line."),
    )

    def clean(self):
        data = super().clean()
        try:
            data["links"] = _links(data.get("links_text", ""))
        except forms.ValidationError:
            self.add_error("links_text", _("Each line must be a web link (http or https)."))
        return data


class ReceiptForm(StyledFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Receipt code"),
        max_length=40,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        help_text=_("The 20 digits you were shown when you sent the report."),
    )
    body = forms.CharField(
        label=_("Message to the handlers"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Number"), field_name="number", lookup_expr="icontains")
    status = django_filters.ChoiceFilter(label=_("Status"), choices=CaseStatus.choices)
    unit = UnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    categories = django_filters.ModelChoiceFilter(label=_("Category"), queryset=ViolationCategory.objects.all())
    intake = django_filters.ChoiceFilter(label=_("Received through"), choices=Intake.choices)
    overdue = django_filters.BooleanFilter(label=_("Overdue only"), method="filter_overdue", widget=forms.CheckboxInput)

    class Meta:
        model = Case
        fields = ["q", "status", "unit", "categories", "intake", "overdue"]
        form = FilterForm

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = unit_choices(units)
        style_form(self.form)

    def filter_overdue(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(status__in=rules.OPEN_STATUSES, due_on__lt=timezone.localdate())
