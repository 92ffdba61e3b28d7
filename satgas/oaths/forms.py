import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import StyledFormMixin
from satgas.core.limits import BIRTH_DATES, DRAWN_SIGNATURE_MAX, PAST_DATES
from satgas.elections.models import Election
from satgas.personnel.models import EmploymentType, Unit

from .models import Campaign, ConfirmMode, DocumentKind, OathDocument, OathVersion, VersionStatus


class VersionForm(StyledFormMixin, forms.ModelForm):
    document = forms.ModelChoiceField(label=_("Document"), queryset=OathDocument.objects.all(), required=False)
    new_document_kind = forms.ChoiceField(
        label=_("…or a new document of kind"), choices=[("", "—"), *DocumentKind.choices], required=False
    )
    new_document_title = forms.CharField(label=_("New document title"), max_length=200, required=False)
    commitments_text = forms.CharField(
        label=_("Commitments"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("One commitment per line, in order."),
    )

    class Meta:
        model = OathVersion
        fields = ["title", "preamble", "closing", "confirm_mode"]
        widgets = {"preamble": forms.Textarea(attrs={"rows": 3}), "closing": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            for name in ("document", "new_document_kind", "new_document_title"):
                del self.fields[name]
            self.initial["commitments_text"] = "\n".join(
                self.instance.commitments.order_by("order").values_list("text", flat=True)
            )

    def clean(self):
        data = super().clean()
        if "document" in self.fields and not data.get("document"):
            if not (data.get("new_document_kind") and data.get("new_document_title")):
                raise forms.ValidationError(_("Choose a document, or give the kind and title of a new one."))
        lines = [line.strip() for line in (data.get("commitments_text") or "").splitlines() if line.strip()]
        if not lines:
            self.add_error("commitments_text", _("Write at least one commitment."))
        data["commitments"] = lines
        return data


def _local_input(value):
    return timezone.localtime(value).strftime("%Y-%m-%dT%H:%M") if value else ""


class CampaignForm(StyledFormMixin, forms.ModelForm):
    units = forms.ModelMultipleChoiceField(
        label=_("Units"), queryset=Unit.objects.filter(is_active=True), widget=forms.CheckboxSelectMultiple
    )
    employment_types = forms.MultipleChoiceField(
        label=_("Employment types"),
        choices=EmploymentType.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=list(EmploymentType.values),
    )
    opens_at = forms.DateTimeField(
        label=_("Opens (WIB)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )
    closes_at = forms.DateTimeField(
        label=_("Closes (WIB)"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
    )

    class Meta:
        model = Campaign
        fields = ["title", "version", "election", "units", "employment_types", "opens_at", "closes_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = OathVersion.objects.filter(status=VersionStatus.PUBLISHED).select_related(
            "document"
        )
        self.fields["election"].queryset = Election.objects.all()
        for name in ("opens_at", "closes_at"):
            self.initial[name] = _local_input(getattr(self.instance, name, None)) or self.initial.get(name)
        if not self.instance.pk:
            now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            self.initial.setdefault("opens_at", _local_input(now))
            self.initial.setdefault("closes_at", _local_input(now + dt.timedelta(days=14)))
        else:
            self.initial["units"] = list(self.instance.units.values_list("pk", flat=True))
        if self.instance.pk and self.instance.status != "DRAFT":
            self.fields["version"].disabled = True

    def clean(self):
        data = super().clean()
        if data.get("opens_at") and data.get("closes_at") and data["closes_at"] <= data["opens_at"]:
            self.add_error("closes_at", _("The campaign must close after it opens."))
        return data


class SignForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"drawn_signature": DRAWN_SIGNATURE_MAX}
    date_ranges = {"birth_date": BIRTH_DATES}

    identity_number = forms.CharField(
        label=_("Your NIP or NIK"),
        max_length=30,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    birth_date = forms.DateField(
        label=_("Your date of birth"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    typed_name = forms.CharField(
        label=_("Type your full name to sign"),
        max_length=200,
        help_text=_("As in the personnel registry; academic titles may be left out."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    drawn_signature = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, version: OathVersion, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.version = version
        if version.confirm_mode == ConfirmMode.EACH:
            for commitment in commitments:
                self.fields[f"confirm_{commitment.order}"] = forms.BooleanField(
                    label=_("I commit to point %(n)s") % {"n": commitment.order},
                    required=True,
                    error_messages={"required": _("Tick every commitment to sign.")},
                )
        else:
            self.fields["confirm_0"] = forms.BooleanField(
                label=_("I have read the whole text and commit to it"),
                required=True,
                error_messages={"required": _("Tick the box to confirm you commit to the text.")},
            )
        # Field order: identity, confirmations, name.
        self.order_fields(["identity_number", "birth_date", *[n for n in self.fields if n.startswith("confirm_")]])
        from satgas.core.forms import style_form

        style_form(self)

    def confirmed(self) -> list[int]:
        return [
            int(name.split("_")[1])
            for name, value in self.cleaned_data.items()
            if name.startswith("confirm_") and value
        ]


class PaperSignatureForm(StyledFormMixin, forms.Form):
    date_ranges = {"paper_signed_on": PAST_DATES}

    identity_number = forms.CharField(label=_("NIP or NIK of the signer"), max_length=30)
    paper_signed_on = forms.DateField(
        label=_("Date on the paper form"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    scan = forms.FileField(label=_("Scan of the signed form"), help_text=_("PDF, JPEG or PNG."))


class VoidForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Reason for voiding"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept with the signature, with your name and the time. The person is asked to sign again."),
    )
