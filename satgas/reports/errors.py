"""What a refused report action means, in words a user reads (views, the command).

Services raise ``ReportError(code)``; whoever shows the refusal looks the code
up in ``MESSAGES`` (``message(code)``), so the wording lives in one place.
"""

from django.utils.translation import gettext_lazy as _


class ReportError(Exception):
    """A report rule was broken; ``code`` says which (a key of ``MESSAGES``)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


MESSAGES = {
    "forbidden": _("You may not do this."),
    "mfa_required": _("Approving a report needs two-factor authentication: set it up in your account menu."),
    "not_an_office": _("Reports are made for a regional office (a unit at the top of the tree)."),
    "period_not_over": _("This period has not ended yet."),
    "sent": _("This report has been sent: its letter can no longer change."),
    "letter_field_required": _("Sifat, Lampiran and Hal cannot be empty."),
    "bad_address": _("One of the addresses is not valid."),
    "no_recipients": _("Give at least one recipient (To) before sending."),
    "transition_forbidden": _("This change of status is not allowed."),
    "no_version": _("Generate the report first."),
    "stale_version": _("A newer version was generated meanwhile: review it before approving."),
    "not_approved": _("The report must be approved before it is sent."),
    "no_signer": _(
        "The letter has no signer: record the head of the office (a person with a NIP) in the unit's record, "
        "then regenerate the report before approving it."
    ),
    "not_auto_approved": _(
        "The report is a draft: approve it in the application first, or pass --approve "
        "(or set SATGAS_REPORT_AUTO_SEND) to let the system approve it."
    ),
}


def message(code: str) -> str:
    return str(MESSAGES.get(code, code))
