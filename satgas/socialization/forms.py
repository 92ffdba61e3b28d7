import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import FilterForm, InputRulesMixin, StyledFormMixin, style_form
from satgas.core.limits import BIRTH_DATES, TEXT_LIST_MAX, TEXT_NOTE_MAX
from satgas.elections.models import Election
from satgas.personnel.forms import UnitFilter
from satgas.personnel.models import Unit
from satgas.personnel.selectors import unit_choices

from .models import SocializationSession
from .parsing import numbers_from_text

DATETIME_INPUT = "%Y-%m-%dT%H:%M"


class SessionFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Search"), field_name="title", lookup_expr="icontains")
    unit = UnitFilter(label=_("Unit"), queryset=Unit.objects.none(), method="filter_unit")
    election = django_filters.ModelChoiceFilter(label=_("Election"), queryset=Election.objects.none())
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[("upcoming", _("Upcoming and running")), ("past", _("Past"))],
        method="filter_when",
        empty_label=_("All"),
    )

    class Meta:
        model = SocializationSession
        fields = ["q", "unit", "election", "when"]
        form = FilterForm

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["unit"].queryset = unit_choices(units)
        self.filters["election"].queryset = Election.objects.order_by("-voting_day")
        style_form(self.form)
        self.form.fields["q"].widget.attrs.update({"placeholder": _("Title"), "type": "search"})

    def filter_when(self, queryset, name, value):
        now = timezone.now()
        if value == "upcoming":
            return queryset.filter(ends_at__gte=now).order_by("starts_at", "id")
        if value == "past":
            return queryset.filter(ends_at__lt=now)
        return queryset

    def filter_unit(self, queryset, name, value):
        # A subquery rather than a join: each session is listed once and its counts stay right.
        through = SocializationSession.units.through
        return queryset.filter(Exists(through.objects.filter(socializationsession_id=OuterRef("pk"), unit=value)))


class SessionForm(StyledFormMixin, forms.ModelForm):
    text_max_lengths = {"notes": TEXT_NOTE_MAX}

    starts_at = forms.DateTimeField(
        label=_("Starts at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
    )
    ends_at = forms.DateTimeField(
        label=_("Ends at"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_INPUT)
    )
    units = forms.ModelMultipleChoiceField(
        label=_("For the units"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Their active staff are expected to attend."),
    )

    class Meta:
        model = SocializationSession
        fields = ["title", "election", "starts_at", "ends_at", "mode", "location_or_link", "speaker", "notes", "units"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["units"].queryset = units if units is not None else Unit.objects.filter(is_active=True)
        self.fields["election"].queryset = Election.objects.order_by("-voting_day")
        self.fields["election"].required = False
        if not self.instance.pk and units is not None and not self.is_bound:
            choices = list(units[:2])
            if len(choices) == 1:
                self.initial.setdefault("units", choices)

    def clean(self):
        data = super().clean()
        starts, ends = data.get("starts_at"), data.get("ends_at")
        if starts and ends and ends <= starts:
            self.add_error("ends_at", _("The session must end after it starts."))
        return data


class PickForm(InputRulesMixin, forms.Form):
    """The people ticked on the pick page; only active staff of the session's units are valid."""

    person = forms.ModelMultipleChoiceField(
        queryset=None,
        error_messages={
            "required": _("Tick at least one person."),
            "invalid_choice": _("Someone ticked is not an active employee of the session's units."),
            "invalid_pk_value": _("The list was changed; reload the page and try again."),
        },
    )

    def __init__(self, *args, persons=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = persons


class AttendanceImportForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"numbers": TEXT_LIST_MAX}

    numbers = forms.CharField(
        label=_("NIP / NIK numbers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("One per line, or separated by commas, semicolons or spaces. Copy them from an attendance sheet."),
    )
    file = forms.FileField(
        label=_("Or a spreadsheet"),
        required=False,
        help_text=_("XLSX or CSV with a column named “nip” or “nik” in the first row."),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv,text/csv"}),
    )

    def clean_file(self):
        # Only the size here: the file is read by a worker (satgas.core.spreadsheets, with its limits).
        upload = self.cleaned_data.get("file")
        if upload and upload.size > settings.SATGAS_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB."),
                params={
                    "size": round(upload.size / 1_048_576, 1),
                    "limit": round(settings.SATGAS_IMPORT_MAX_BYTES / 1_048_576),
                },
            )
        return upload

    def clean(self):
        data = super().clean()
        if not numbers_from_text(data.get("numbers", "")) and not data.get("file") and not self.errors:
            raise forms.ValidationError(_("Type or paste at least one NIP or NIK, or choose a file."))
        return data


class MaterialUploadForm(StyledFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, DOCX, PPTX, XLSX, JPEG or PNG."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.pptx,.xlsx,.jpg,.jpeg,.png"}),
    )


class CheckinForm(StyledFormMixin, forms.Form):
    date_ranges = {"birth_date": BIRTH_DATES}

    number = forms.CharField(
        label=_("NIP or NIK"),
        max_length=30,
        help_text=_("PNS and PPPK: your 18-digit NIP. PPNPN: your 16-digit NIK."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"})
    )
    # The pass given by scanning the code in the room (presence.form_pass), checked by the view.
    presence = forms.CharField(widget=forms.HiddenInput, required=False)


class CoverageFilter(StyledFormMixin, forms.Form):
    election = forms.ModelChoiceField(
        label=_("Election"),
        queryset=Election.objects.order_by("-voting_day"),
        required=False,
        empty_label=_("Any session"),
    )
