from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from satgas.core.forms import StyledFormMixin
from satgas.core.limits import PAST_DATES, TEXT_NOTE_MAX, TEXT_SHORT_MAX
from satgas.elections.models import Election, ElectionStage

from . import rules
from .models import Evaluation, FlaggedPost, MonitoringReport, ReportStatus, SocialMediaWatch, VulnerablePoint

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


# The shared styling: Bootstrap classes plus aria-invalid/aria-describedby on errors.
BootstrapMixin = StyledFormMixin


class PointForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = VulnerablePoint
        fields = ["unit", "stage", "description", "likelihood", "impact", "mitigation", "owner", "status", "review_on"]
        widgets = {
            "review_on": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "mitigation": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.initial.setdefault("unit", units.first())
        # Reports are filed after their period: propose the last finished one.
        current_start, _end = rules.period_containing(timezone.localdate())
        self.initial.setdefault("period", rules.period_before(current_start)[0])
        self.fields["stage"].queryset = ElectionStage.objects.select_related("election").order_by(
            "-election__voting_day", "starts_on"
        )
        self.fields["stage"].label_from_instance = lambda s: f"{s.election.name}: {s.name} ({s.starts_on:%d %b %Y})"

    def _post_clean(self):  # the service validates and saves; the risk level is derived there
        pass


class ReportStartForm(BootstrapMixin, forms.Form):
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=None)
    period = forms.DateField(label=_("A day in the period"), widget=DATE)

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        if units.count() == 1:
            self.initial.setdefault("unit", units.first())
        # Reports are filed after their period: propose the last finished one.
        current_start, _end = rules.period_containing(timezone.localdate())
        self.initial.setdefault("period", rules.period_before(current_start)[0])


class ReportForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = MonitoringReport
        fields = ["activities", "other_media", "findings", "obstacles", "recommendations"]
        widgets = {f: forms.Textarea(attrs={"rows": 4}) for f in fields}

    def _post_clean(self):
        pass


class WatchForm(BootstrapMixin, forms.ModelForm):
    text_max_lengths = {"accounts": TEXT_SHORT_MAX}

    class Meta:
        model = SocialMediaWatch
        fields = ["platform", "accounts", "posts_reviewed"]
        widgets = {"accounts": forms.Textarea(attrs={"rows": 2})}

    def _post_clean(self):
        pass


class FlaggedPostForm(BootstrapMixin, forms.ModelForm):
    date_ranges = {"posted_on": PAST_DATES}

    url = forms.URLField(label=_("URL"), max_length=500, assume_scheme="https")

    class Meta:
        model = FlaggedPost
        fields = ["platform", "url", "posted_on", "description"]
        widgets = {"posted_on": DATE}

    def _post_clean(self):
        pass


class AttachmentForm(BootstrapMixin, forms.Form):
    file = forms.FileField(label=_("Attachment (PDF, JPEG, PNG, DOCX, XLSX)"))


class ReviewForm(BootstrapMixin, forms.Form):
    text_max_lengths = {"comment": TEXT_NOTE_MAX}

    decision = forms.ChoiceField(
        label=_("Decision"), choices=[(ReportStatus.ACCEPTED, _("Accept")), (ReportStatus.RETURNED, _("Return"))]
    )
    comment = forms.CharField(
        label=_("Comment (required when returning)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class EvaluationForm(BootstrapMixin, forms.ModelForm):
    text_max_lengths = {"notes": TEXT_NOTE_MAX}

    class Meta:
        model = Evaluation
        fields = ["score", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def _post_clean(self):
        pass


class ElectionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Election
        fields = ["name", "kind", "voting_day", "starts_on", "ends_on", "regulation"]
        widgets = {"voting_day": DATE, "starts_on": DATE, "ends_on": DATE}

    def _post_clean(self):
        pass


class StageForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = ElectionStage
        fields = ["name", "starts_on", "ends_on", "order"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def _post_clean(self):
        pass
