import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import InputRulesMixin, StyledFormMixin
from satgas.core.limits import TEXT_SHORT_MAX

from . import selectors
from .models import ReportStatus
from .periods import Semester, recent_semesters

FILE_MAX_BYTES = 50 * 1024 * 1024
PUBLIC_FILE_MAX_BYTES = 20 * 1024 * 1024


def semester_choices(count: int = 8) -> list[tuple[str, str]]:
    return [
        (str(s), f"{s} — {_('January–June') if s.half == 1 else _('July–December')} {s.year}")
        for s in recent_semesters(today=timezone.localdate(), count=count)
    ]


class GenerateForm(StyledFormMixin, forms.Form):
    office = forms.ModelChoiceField(label=_("Office"), queryset=None, empty_label=None)
    period = forms.ChoiceField(label=_("Period"))

    def __init__(self, *args, offices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["office"].queryset = offices
        self.fields["period"].choices = semester_choices()
        self.initial.setdefault("period", self.fields["period"].choices[0][0])

    def clean_period(self) -> Semester:
        try:
            return Semester.parse(self.cleaned_data["period"])
        except ValueError as exc:
            raise ValidationError(_("Choose a period: YEAR-1 (January–June) or YEAR-2 (July–December).")) from exc


class TextForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"tembusan": TEXT_SHORT_MAX}

    sifat = forms.CharField(label=_("Nature (Sifat)"), max_length=60)
    lampiran = forms.CharField(label=_("Enclosure (Lampiran)"), max_length=120)
    hal = forms.CharField(label=_("Subject (Hal)"), max_length=300)
    summary = forms.CharField(label=_("Summary"), widget=forms.Textarea(attrs={"rows": 6}), required=False)
    obstacles = forms.CharField(label=_("Obstacles"), widget=forms.Textarea(attrs={"rows": 3}), required=False)
    recommendations = forms.CharField(
        label=_("Recommendations"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    follow_up_plan = forms.CharField(
        label=_("Follow-up plan"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    tembusan = forms.CharField(
        label=_("Copies (Tembusan)"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One line per recipient of a copy."),
    )

    @classmethod
    def for_report(cls, report, data=None):
        initial = {**report.narrative, **report.letter, "tembusan": "\n".join(report.tembusan or [])}
        return cls(data, initial=initial)

    def clean_tembusan(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["tembusan"].splitlines() if line.strip()]


def _addresses(text: str) -> list[str]:
    items = [a.strip() for a in re.split(r"[,;\s]+", text or "") if a.strip()]
    bad = []
    for item in items:
        try:
            validate_email(item)
        except ValidationError:
            bad.append(item)
    if bad:
        raise ValidationError(_("Not an email address: %(items)s"), params={"items": ", ".join(bad)})
    return items


class RecipientsForm(StyledFormMixin, forms.Form):
    text_max_lengths = {"to": TEXT_SHORT_MAX, "cc": TEXT_SHORT_MAX}

    to = forms.CharField(
        label=_("To"), widget=forms.Textarea(attrs={"rows": 2}), help_text=_("Email addresses, separated by commas.")
    )
    cc = forms.CharField(label=_("Cc"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    @classmethod
    def for_report(cls, report, data=None):
        initial = {"to": ", ".join(report.recipients_to), "cc": ", ".join(report.recipients_cc)}
        return cls(data, initial=initial)

    def clean_to(self):
        addresses = _addresses(self.cleaned_data["to"])
        if not addresses:
            raise ValidationError(_("Give at least one address."))
        return addresses

    def clean_cc(self):
        return _addresses(self.cleaned_data["cc"])


class ApproveForm(InputRulesMixin, forms.Form):
    version = forms.IntegerField(min_value=1, widget=forms.HiddenInput)


class VerifyForm(StyledFormMixin, forms.Form):
    max_bytes = FILE_MAX_BYTES

    sha256 = forms.CharField(
        label=_("SHA-256"),
        required=False,
        max_length=100,
        help_text=_("The 64 hexadecimal characters, as shown in the archive or computed with sha256sum."),
    )
    document = forms.FileField(label=_("Or upload the PDF or XLSX"), required=False)

    def clean_sha256(self):
        text = self.cleaned_data["sha256"].strip()
        if not text:
            return ""
        value = selectors.normalise_sha256(text)
        if value is None:
            raise ValidationError(_("A SHA-256 is 64 characters 0–9 and a–f."))
        return value

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload and upload.size > self.max_bytes:
            raise ValidationError(_("The file is too large to be one of our reports."))
        return upload

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        if data.get("sha256") and data.get("document"):
            raise ValidationError(_("Give either a SHA-256 or a file, not both."))
        if not data.get("sha256") and not data.get("document"):
            raise ValidationError(_("Paste a SHA-256 or upload a file."))
        return data

    def digest(self) -> str:
        if self.cleaned_data.get("document"):
            return selectors.sha256_of_upload(self.cleaned_data["document"])
        return self.cleaned_data["sha256"]


class PublicVerifyForm(VerifyForm):
    """The same check for anyone, with a smaller upload."""

    max_bytes = PUBLIC_FILE_MAX_BYTES


class ArchiveFilterForm(StyledFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label=_("Status"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years"))] + [(y, y) for y in selectors.archive_years()]
        self.fields["status"].choices = [("", _("All statuses")), *ReportStatus.choices]
