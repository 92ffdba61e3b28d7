"""Demo oath texts and campaigns (used by ``manage.py seed_demo``)."""

import datetime as dt
import random
import zoneinfo

from django.db import transaction
from django.utils import timezone

from satgas.accounts.models import User
from satgas.elections.models import Election
from satgas.personnel.models import Unit
from satgas.personnel.selectors import persons_in_scope

from . import services
from .models import Campaign, CampaignStatus, ConfirmMode, DocumentKind, OathDocument, Signature, SignatureMethod

JAKARTA = zoneinfo.ZoneInfo("Asia/Jakarta")

OATH_TITLE = "Ikrar Netralitas ASN dan PPNPN"
OATH_PREAMBLE = (
    "Kami, Aparatur Sipil Negara dan Pegawai Pemerintah Non Pegawai Negeri di lingkungan Kantor Wilayah "
    "Kementerian Hukum dan HAM Jawa Tengah, dalam menghadapi Pemilihan Umum dan Pemilihan Kepala Daerah "
    "Tahun 2024, dengan sungguh-sungguh berikrar:"
)
OATH_COMMITMENTS = [
    "Bersikap netral dan tidak terpengaruh oleh kepentingan maupun campur tangan kelompok atau partai politik "
    "mana pun dalam penyelenggaraan pemilihan umum.",
    "Menyebarluaskan prinsip netralitas kepada seluruh ASN dan PPNPN melalui berbagai kegiatan dan media.",
    "Menjaga suasana kerja yang kondusif bagi tegaknya netralitas secara terus-menerus.",
    "Mengawasi sikap dan perilaku ASN dan PPNPN selama masa pemilihan umum.",
    "Menindaklanjuti setiap dugaan pelanggaran netralitas dengan sanksi atau akibat hukum sesuai ketentuan "
    "peraturan perundang-undangan.",
    "Melaksanakan Surat Edaran Sekretaris Jenderal Nomor SEK-UM.01.01-1133 tanggal 23 November 2023 serta "
    "ketentuan kepemiluan dengan penuh tanggung jawab.",
    "Melaporkan hasil pembinaan dan pengawasan netralitas kepada Menteri melalui Sekretaris Jenderal.",
]
OATH_CLOSING = "Demikian ikrar ini kami ucapkan dengan penuh kesadaran dan tanggung jawab."

PACT_TITLE = "Pakta Integritas Netralitas Pemilu 2024"
PACT_PREAMBLE = "Saya yang bertanda tangan di bawah ini menyatakan dengan sesungguhnya bahwa saya:"
PACT_COMMITMENTS = [
    "Tidak akan memihak atau memberikan dukungan kepada peserta pemilihan umum dalam bentuk apa pun.",
    "Tidak akan menggunakan fasilitas negara untuk kepentingan peserta pemilihan umum.",
    "Tidak akan mengunggah, menanggapi, atau menyebarluaskan materi kampanye di media sosial.",
    "Bersedia menerima sanksi sesuai peraturan perundang-undangan apabila melanggar pakta ini.",
]
PACT_CLOSING = "Pakta integritas ini saya buat dengan sadar dan tanpa paksaan dari pihak mana pun."

DEMO_UNITS = ["LAPAS-SMG", "RUTAN-PBG", "LAPAS-KBK", "LAPAS-PP", "KANIM-CLP", "BAPAS-SMG"]


def _published_version(kind, title, preamble, commitments, closing, confirm_mode, admin):
    document, _ = OathDocument.objects.get_or_create(title=title, defaults={"kind": kind})
    version = document.versions.order_by("number").first()
    if version is None:
        version = services.version_create(
            actor=admin,
            document=document,
            title=title.upper() if kind == DocumentKind.OATH else title,
            preamble=preamble,
            closing=closing,
            confirm_mode=confirm_mode,
            commitments=commitments,
        )
    if not version.is_published:
        version = services.version_publish(actor=admin, version=version)
    return version


@transaction.atomic
def seed_oaths() -> None:
    admin = User.objects.get(email="admin@satgas.test")
    oath = _published_version(
        DocumentKind.OATH, OATH_TITLE, OATH_PREAMBLE, OATH_COMMITMENTS, OATH_CLOSING, ConfirmMode.EACH, admin
    )
    _published_version(
        DocumentKind.PACT, PACT_TITLE, PACT_PREAMBLE, PACT_COMMITMENTS, PACT_CLOSING, ConfirmMode.WHOLE, admin
    )
    election = Election.objects.filter(name="Pemilu 2024").first()
    units = list(Unit.objects.filter(code__in=DEMO_UNITS))
    if election is None or not units:
        return
    types = ["PNS", "PPPK", "PPNPN"]
    past, created = Campaign.objects.get_or_create(
        title="Ikrar Netralitas Pemilu 2024",
        defaults={
            "version": oath,
            "election": election,
            "employment_types": types,
            "created_by": admin,
            "opens_at": dt.datetime(2023, 12, 19, 8, 0, tzinfo=JAKARTA),
            "closes_at": dt.datetime(2024, 1, 31, 23, 59, tzinfo=JAKARTA),
            "status": CampaignStatus.CLOSED,
        },
    )
    if created:
        past.units.set(units)
        rng = random.Random(19)
        people = list(persons_in_scope(unit_ids=[u.pk for u in units]).order_by("id"))
        demo_staff = set(User.objects.exclude(person=None).values_list("person_id", flat=True))
        signatures = []
        for person in people:
            if person.pk in demo_staff or rng.random() > 0.8:
                continue
            signed_at = past.opens_at + dt.timedelta(minutes=rng.randint(0, 60 * 24 * 30))
            signatures.append(
                Signature(
                    campaign=past,
                    person=person,
                    version=oath,
                    text_sha256=oath.text_sha256,
                    signed_at=signed_at,
                    method=SignatureMethod.ONLINE,
                    typed_name=person.full_name,
                    confirmed_commitments=list(range(1, 8)),
                    user_agent="Mozilla/5.0 (demo)",
                    verification_code=services._new_code(),
                )
            )
        Signature.objects.bulk_create(signatures, batch_size=500)
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    upcoming, created = Campaign.objects.get_or_create(
        title="Penegasan Ikrar Netralitas (demo)",
        defaults={
            "version": oath,
            "election": election,
            "employment_types": types,
            "created_by": admin,
            "opens_at": now,
            "closes_at": now + dt.timedelta(days=30),
            "status": CampaignStatus.DRAFT,
        },
    )
    if created:
        upcoming.units.set(units)
