from django import forms
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import InputRulesMixin, StyledFormMixin
from satgas.core.limits import TEXT_LIST_MAX
from satgas.elections.models import Election
from satgas.personnel.models import Unit, UnitType

from . import rules
from .models import InaugurationMode, MemberRole, RegionalDefaults, TaskForce

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NUMBER = forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"})


class TaskForceCreateForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TaskForce
        fields = ["unit", "election", "term_starts_on", "term_ends_on"]
        widgets = {"term_starts_on": DATE, "term_ends_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = Unit.objects.filter(is_active=True).order_by("name")
        self.fields["election"].queryset = Election.objects.all()


class TaskForceEditForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = TaskForce
        fields = ["required_leaders", "required_secretaries", "required_members", "term_starts_on", "term_ends_on"]
        widgets = {"term_starts_on": DATE, "term_ends_on": DATE}

    def clean(self):
        data = super().clean()
        start, end = data.get("term_starts_on"), data.get("term_ends_on")
        if start and end and end < start:
            self.add_error("term_ends_on", _("The term cannot end before it starts."))
        return data


class DefaultsForm(StyledFormMixin, forms.ModelForm):
    class Meta:
        model = RegionalDefaults
        fields = ["leaders", "secretaries", "members", "decree_pattern", "decree_place"]

    def clean_decree_pattern(self):
        pattern = self.cleaned_data["decree_pattern"]
        try:
            rules.check_pattern(pattern)
        except rules.PatternError:
            raise forms.ValidationError(
                _("Use only the tokens listed below, and include {nomor}."), code="bad_pattern"
            ) from None
        return pattern


class DecreeForm(StyledFormMixin, forms.Form):
    number = forms.CharField(
        label=_("Decree number"),
        max_length=120,
        required=False,
        help_text=_("Leave empty to take the next number of the year from the regional pattern."),
    )
    decree_date = forms.DateField(label=_("Decree date"), widget=DATE)
    signatory_name = forms.CharField(label=_("Signed by"), max_length=200)
    signatory_nip = forms.CharField(label=_("NIP of the signatory"), max_length=30, required=False, widget=NUMBER)
    signatory_title = forms.CharField(label=_("Position of the signatory"), max_length=200)

    def clean_signatory_nip(self):
        from satgas.personnel.identity import validate_nip

        value = self.cleaned_data["signatory_nip"]
        return validate_nip(value).number if value.strip() else ""


class MemberForm(StyledFormMixin, forms.Form):
    identity_number = forms.CharField(label=_("NIP or NIK"), max_length=30, widget=NUMBER)
    role = forms.ChoiceField(label=_("Role in the task force"), choices=MemberRole.choices)
    started_on = forms.DateField(label=_("Member from"), widget=DATE)


class ImportForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"lines": TEXT_LIST_MAX}

    lines = forms.CharField(
        label=_("Members"),
        widget=forms.Textarea(attrs={"rows": 12, "class": "font-monospace"}),
        help_text=_(
            "One member per line: NIP or NIK, a semicolon, and the role (ketua, sekretaris or anggota). "
            "Example: 198609262015051001; ketua"
        ),
    )
    started_on = forms.DateField(label=_("Members from"), widget=DATE)


class EndForm(StyledFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("Member until (exclusive)"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class ReplaceForm(StyledFormMixin, forms.Form):
    identity_number = forms.CharField(label=_("NIP or NIK of the new member"), max_length=30, widget=NUMBER)
    role = forms.ChoiceField(label=_("Role in the task force"), choices=MemberRole.choices)
    on = forms.DateField(label=_("Replacement date"), widget=DATE)
    reason = forms.CharField(label=_("Reason"), max_length=255)


class InaugurationForm(StyledFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    place = forms.CharField(label=_("Place"), max_length=200)
    mode = forms.ChoiceField(label=_("Attendance of the unit"), choices=InaugurationMode.choices)
    led_by = forms.CharField(label=_("Led by"), max_length=200)
    inaugurated = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)
    badges = forms.MultipleChoiceField(required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(str(m.pk), m.person.full_name) for m in members]
        self.fields["inaugurated"].choices = self.fields["badges"].choices = choices


class TransitionForm(InputRulesMixin, forms.Form):
    to = forms.CharField()
    reason = forms.CharField(required=False, max_length=2000, widget=forms.Textarea)  # a text area on the page


class OverviewFilter(StyledFormMixin, forms.Form):
    election = forms.ModelChoiceField(label=_("Election"), queryset=Election.objects.all(), required=False)
    unit_type = forms.ChoiceField(label=_("Unit type"), choices=[("", _("All")), *UnitType.choices], required=False)
