import datetime as dt

import factory
from django.utils import timezone

from satgas.accounts.tests.factories import UserFactory
from satgas.elections.models import Election
from satgas.oaths import services
from satgas.oaths.models import Campaign, CampaignStatus, ConfirmMode, DocumentKind, OathDocument

COMMITMENTS = ["Bersikap netral.", "Menyosialisasikan netralitas.", "Melaporkan pelanggaran."]


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election
        django_get_or_create = ("name",)

    name = "Pemilu 2024"
    kind = "GENERAL"
    voting_day = dt.date(2024, 2, 14)
    starts_on = dt.date(2022, 6, 14)
    ends_on = dt.date(2024, 10, 20)


def published_version(*, actor=None, confirm_mode=ConfirmMode.EACH, commitments=COMMITMENTS, title="Ikrar Uji"):
    actor = actor or UserFactory()
    document, _ = OathDocument.objects.get_or_create(title=title, defaults={"kind": DocumentKind.OATH})
    version = services.version_create(
        actor=actor,
        document=document,
        title="IKRAR NETRALITAS",
        preamble="Kami berikrar:",
        closing="Demikian.",
        confirm_mode=confirm_mode,
        commitments=list(commitments),
    )
    return services.version_publish(actor=actor, version=version)


def open_campaign(*, units, actor=None, types=("PNS", "PPPK", "PPNPN"), version=None, hours_open=72, **kwargs):
    actor = actor or UserFactory()
    now = timezone.now()
    campaign = services.campaign_create(
        actor=actor,
        title=kwargs.get("title", "Kampanye Uji"),
        version=version or published_version(actor=actor),
        election=ElectionFactory(),
        units=units,
        employment_types=list(types),
        opens_at=kwargs.get("opens_at", now - dt.timedelta(hours=1)),
        closes_at=kwargs.get("closes_at", now + dt.timedelta(hours=hours_open)),
    )
    if kwargs.get("status", CampaignStatus.OPEN) == CampaignStatus.OPEN:
        campaign = services.campaign_transition(actor=actor, campaign=campaign, to=CampaignStatus.OPEN)
    return Campaign.objects.get(pk=campaign.pk)


def sign_data(person, *, version=None, **overrides):
    data = {
        "identity_number": person.identity_number,
        "birth_date": person.birth_date.isoformat(),
        "typed_name": person.full_name,
    }
    orders = range(1, len(COMMITMENTS) + 1) if version is None else version.commitments.values_list("order", flat=True)
    if version is not None and version.confirm_mode == ConfirmMode.WHOLE:
        data["confirm_0"] = "on"
    else:
        for order in orders:
            data[f"confirm_{order}"] = "on"
    data.update(overrides)
    return data
