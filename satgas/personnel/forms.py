import django_filters
from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import FilterForm, StyledFormMixin, style_form
from satgas.core.limits import TEXT_SHORT_MAX

from . import identity
from .models import EmploymentType, Person, PersonStatus, Unit
from .selectors import person_search, unit_choices


class UnitChoiceIterator(forms.models.ModelChoiceIterator):
    """A unit filter's options as ``(pk, name)`` read with ``values_list``: no Unit instance for each of the
    hundreds of units of a region (that was a third of a list page's time at 600 units)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class UnitChoiceField(forms.ModelChoiceField):
    iterator = UnitChoiceIterator


class UnitFilter(django_filters.ModelChoiceFilter):
    """Filter by one unit; set ``queryset`` to the units the user may read (``unit_choices``)."""

    field_class = UnitChoiceField


class PersonFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), method="search")
    unit = UnitFilter(label=_("Unit"), queryset=Unit.objects.none())
    employment_type = django_filters.ChoiceFilter(label=_("Type"), choices=EmploymentType.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=PersonStatus.choices)

    class Meta:
        model = Person
        fields = ["q", "unit", "employment_type", "status"]
        form = FilterForm

    def __init__(self, *args, units=None, with_status=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = unit_choices(units)
        if not with_status:
            # Before the form is built: a filter removed afterwards would still be in its cleaned data.
            del self.filters["status"]
        style_form(self.form)
        self.form.fields["q"].widget.attrs.update(
            {"placeholder": _("Name, NIP or NIK"), "type": "search", "autocomplete": "off"}
        )

    def search(self, queryset, name, value):
        return person_search(queryset, value)


class PersonForm(StyledFormMixin, forms.ModelForm):
    # The import's rule (identity.normalize_phone) decides; the typed value may be longer than the stored one.
    phone = forms.CharField(
        label=_("Phone"),
        max_length=80,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    # Longer than the stored 18/16 digits: people type numbers with spaces.
    nip = forms.CharField(
        label="NIP",
        max_length=30,
        required=False,
        help_text=_("18 digits; for PPPK the NI PPPK. Spaces are allowed."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    nik = forms.CharField(
        label="NIK",
        max_length=30,
        required=False,
        help_text=_("16 digits. Required for PPNPN."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    class Meta:
        model = Person
        fields = [
            "full_name",
            "employment_type",
            "nip",
            "nik",
            "unit",
            "position",
            "rank_grade",
            "email",
            "phone",
            "status",
        ]

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        if units is not None:
            self.fields["unit"].queryset = units
        if self.instance.pk:
            # A change of unit is a move with a date and a reason: its own form.
            del self.fields["unit"]

    def clean_nip(self):
        return identity.normalize_number(self.cleaned_data["nip"]) or None

    def clean_nik(self):
        return identity.normalize_number(self.cleaned_data["nik"]) or None

    def clean_phone(self):
        # The import's rule, in one place.
        return identity.normalize_phone(self.cleaned_data.get("phone"))


class PersonMoveForm(StyledFormMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("New unit"), queryset=Unit.objects.filter(is_active=True))
    moved_on = forms.DateField(
        label=_("Date of move"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(label=_("Reason / decree"), max_length=255, required=False)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("moved_on", timezone.localdate())
        if person is not None:
            self.fields["unit"].queryset = Unit.objects.filter(is_active=True).exclude(pk=person.unit_id)


class UnitForm(StyledFormMixin, forms.ModelForm):
    text_max_lengths = {"address": TEXT_SHORT_MAX}

    class Meta:
        model = Unit
        fields = [
            "code",
            "name",
            "unit_type",
            "unit_class",
            "parent",
            "address",
            "phone",
            "email",
            "head",
            "head_title",
            "is_active",
        ]
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parents = Unit.objects.all()
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
            self.fields["head"].queryset = Person.objects.filter(unit=self.instance, status=PersonStatus.ACTIVE)
        else:
            self.fields["head"].queryset = Person.objects.none()
            self.fields["head"].help_text = _("Can be chosen once the unit has personnel.")
        self.fields["parent"].queryset = parents

    def clean_code(self):
        return self.cleaned_data["code"].strip().upper()


class ImportUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("XLSX or CSV (comma or semicolon separated), with the header row of the template."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )
    strict = forms.BooleanField(label=_("Strict: import nothing if any row is invalid"), required=False)
    create_accounts = forms.BooleanField(
        label=_("Create a login for every person with an email address (they sign in with a code sent by email)"),
        required=False,
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SATGAS_IMPORT_MAX_BYTES
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."),
                params={"size": round(upload.size / 1_048_576, 1), "limit": round(limit / 1_048_576)},
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        return upload


class OwnEmailForm(StyledFormMixin, forms.Form):
    email = forms.EmailField(
        label=_("New email address"),
        max_length=254,
        help_text=_("A confirmation link is sent to this address; the change takes effect once you open it."),
    )
