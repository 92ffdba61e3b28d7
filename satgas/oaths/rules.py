"""Pure rules of signing: name matching, campaign transitions."""

import re
import unicodedata

from .models import CampaignStatus

# The one place that says how a campaign may move.
CAMPAIGN_TRANSITIONS: dict[str, set[str]] = {
    CampaignStatus.DRAFT: {CampaignStatus.OPEN},
    CampaignStatus.OPEN: {CampaignStatus.CLOSED},
    CampaignStatus.CLOSED: {CampaignStatus.OPEN},
}

_PREFIX_TITLES = {"dr", "drs", "dra", "ir", "prof", "h", "hj", "kh"}


def _words(name: str) -> list[str]:
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return re.findall(r"[a-z0-9']+", text)


def name_without_titles(full_name: str) -> list[str]:
    """``Dr. Budi Santoso, S.H., M.H.`` -> ``["budi", "santoso"]``."""
    words = _words(full_name.split(",")[0])
    while words and words[0] in _PREFIX_TITLES:
        words = words[1:]
    return words


def typed_name_matches(typed: str, full_name: str) -> bool:
    """The signer typed their name, with or without academic titles."""
    typed_words = _words(typed)
    return bool(typed_words) and (
        typed_words == _words(full_name)
        or typed_words == name_without_titles(full_name)
        or name_without_titles(typed) == name_without_titles(full_name)
    )
