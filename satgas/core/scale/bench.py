"""What ``make bench`` measures on a seeded database: the pages, their SQL queries, the signing load,
and the personnel import against a raw ``COPY`` (used by the ``bench_pages`` and ``bench_import`` commands)."""

import csv
import datetime as dt
import io
import random
import statistics
import time

from django.conf import settings
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from satgas.accounts.models import User
from satgas.elections.models import Election
from satgas.oaths import services as oath_services
from satgas.oaths.models import Campaign, CampaignStatus, OathVersion, Signature
from satgas.oaths.tokens import invitation_token
from satgas.personnel.models import EmploymentType, Person, PersonStatus, Unit

from . import registry

ADMIN = "admin@satgas.test"
SEARCH = "santoso"  # a family name about one employee in 24 has
LOAD_CAMPAIGN = "Benchmark: beban penandatanganan"


def pages() -> dict[str, str]:
    """The measured pages (all as the regional admin), by name: the trivial view first."""
    campaign = (
        Campaign.objects.filter(election__name="Pemilu 2024", status=CampaignStatus.CLOSED).order_by("pk").first()
    )
    election = Election.objects.filter(name="Pemilu 2024").first()
    return {
        "ping": reverse("core:ping"),
        "dashboard": reverse("core:dashboard"),
        "personnel search": f"{reverse('personnel:person_list')}?q={SEARCH}",
        "oath compliance": reverse("oaths:campaign_detail", args=[campaign.pk]),
        "case list": reverse("violations:case_list"),
        "task-force overview": f"{reverse('taskforces:overview')}?election={election.pk}",
        "monitoring overview": reverse("monitoring:overview"),
    }


def _client(user) -> Client:
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    return client


def query_counts() -> dict[str, int]:
    """SQL queries of one request per page (the second request: caches warm), and of the signing GET/POST."""
    admin = User.objects.get(email=ADMIN)
    client = _client(admin)
    counts = {}
    for name, url in pages().items():
        client.get(url)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(queries)
    campaign = load_campaign()
    person = _signers(campaign, 1)[0]
    url = reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=person.pk)])
    anonymous = Client(HTTP_HOST="127.0.0.1")
    with CaptureQueriesContext(connection) as get_queries:
        anonymous.get(url)
    with CaptureQueriesContext(connection) as post_queries:
        response = anonymous.post(url, sign_data(person))
    assert response.status_code == 302, response.status_code
    Signature.objects.filter(campaign=campaign, person=person).delete()
    counts["signing GET"], counts["signing POST"] = len(get_queries), len(post_queries)
    return counts


def sign_data(person) -> dict:
    return {
        "identity_number": person.identity_number,
        "birth_date": person.birth_date.isoformat(),
        "typed_name": person.full_name,
        **{f"confirm_{n}": "on" for n in range(1, 8)},
    }


def load_campaign() -> Campaign:
    """An open campaign over every unit for the signing load (created once, its signatures kept)."""
    campaign = Campaign.objects.filter(title=LOAD_CAMPAIGN).first()
    admin = User.objects.get(email=ADMIN)
    if campaign is None:
        now = timezone.now()
        campaign = oath_services.campaign_create(
            actor=admin,
            title=LOAD_CAMPAIGN,
            version=OathVersion.objects.filter(status="PUBLISHED", commitments__order=7).first(),
            election=Election.objects.get(name="Pilkada 2024"),
            units=list(Unit.objects.filter(is_active=True)),
            employment_types=list(EmploymentType.values),
            opens_at=now - dt.timedelta(hours=1),
            closes_at=now + dt.timedelta(days=7),
        )
    if campaign.status != CampaignStatus.OPEN:
        campaign = oath_services.campaign_transition(actor=admin, campaign=campaign, to=CampaignStatus.OPEN)
    return campaign


def _signers(campaign: Campaign, count: int) -> list[Person]:
    """Active people who have not signed the load campaign, spread over the units (deterministic)."""
    qs = (
        Person.objects.filter(status=PersonStatus.ACTIVE, unit__is_active=True)
        .exclude(oath_signatures__campaign=campaign)
        .order_by("id")
    )
    ids = list(qs.values_list("id", flat=True))
    random.Random(9).shuffle(ids)
    chosen = set(ids[:count])
    return [p for p in Person.objects.filter(pk__in=chosen).order_by("id")]


def load_plan(*, sessions: int, signers: int) -> dict:
    """Everything the load generator needs: paths, logged-in session cookies of the admin, invitation links."""
    admin = User.objects.get(email=ADMIN)
    cookies = [_client(admin).cookies[settings.SESSION_COOKIE_NAME].value for _ in range(sessions)]
    campaign = load_campaign()
    sign = [
        {
            "path": reverse("oaths:invitation", args=[invitation_token(campaign_id=campaign.pk, person_id=p.pk)]),
            **sign_data(p),
        }
        for p in _signers(campaign, signers)
    ]
    return {
        "pages": pages(),
        "session_cookie": settings.SESSION_COOKIE_NAME,
        "csrf_cookie": settings.CSRF_COOKIE_NAME,
        "sessions": cookies,
        "sign": sign,
    }


# --- Import against COPY ----------------------------------------------------------------

IMPORT_HEADER = ["nama", "jenis_pegawai", "nip", "nik", "kode_unit", "jabatan", "pangkat_golongan", "email", "telepon"]
PERSON_COLUMNS = ["full_name", "employment_type", "nip", "nik", "birth_date", "sex", "unit_id", "position",
                  "rank_grade", "email", "phone", "status", "created_at", "updated_at"]  # fmt: skip


def _fresh_units(count: int) -> list[Unit]:
    taken = set(Unit.objects.filter(code__startswith="IMPOR").values_list("code", flat=True))
    run = 1
    while f"IMPOR{run}-01" in taken:
        run += 1
    root = Unit.objects.filter(parent=None).order_by("pk").first()
    return [
        Unit.objects.create(code=f"IMPOR{run}-{i:02d}", name=f"Unit impor {run}.{i}", unit_type="LAPAS", parent=root)
        for i in range(1, count + 1)
    ]


def import_rows(units: list[Unit], count: int, seed: int = 77) -> list[dict]:
    """``count`` new employees in the template's columns, with identity numbers not in the registry."""
    rng = random.Random(seed)
    nips = set(Person.objects.exclude(nip=None).values_list("nip", flat=True))
    niks = set(Person.objects.exclude(nik=None).values_list("nik", flat=True))
    rows = []
    for i in range(count):
        name, given, sex, birth = registry.random_person(rng)
        kind = registry._pick(rng, registry.KIND_SHARES)
        nip, nik = registry.new_identity(rng, kind, birth, sex, nips, niks)
        rows.append(
            {
                "nama": name,
                "jenis_pegawai": kind,
                "nip": nip or "",
                "nik": nik or "",
                "kode_unit": units[i % len(units)].code,
                "jabatan": "Pengelola Umum" if nip else "Pramubakti",
                "pangkat_golongan": "Penata Muda (III/a)" if nip else "",
                "email": f"{given.lower()}.impor{i}@pegawai.satgas.test",
                "telepon": f"08{rng.randint(10**9, 10**10 - 1)}",
            }
        )
    return rows


def _csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=IMPORT_HEADER, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def _copy_text(rows: list[dict], units: dict[str, int]) -> str:
    """The same rows as ``personnel_person`` stores them, in COPY's CSV format."""
    from satgas.personnel import identity

    now = timezone.now().isoformat()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in rows:
        info = identity.validate_for_type(row["jenis_pegawai"], row["nip"] or row["nik"])
        writer.writerow(
            [row["nama"], row["jenis_pegawai"], row["nip"] or "\\N", row["nik"] or "\\N", info.birth_date.isoformat(),
             info.sex, units[row["kode_unit"]], row["jabatan"], row["pangkat_golongan"], row["email"], row["telepon"],
             PersonStatus.ACTIVE, now, now]
        )  # fmt: skip
    return out.getvalue()


def import_vs_copy(*, rows: int, repeats: int = 3) -> dict:
    """Time ``import_personnel`` (parsing and validation included) of ``rows`` new employees into fresh units,
    then a raw ``COPY`` of the same rows into an empty scratch copy of ``personnel_person`` (PostgreSQL only;
    the median of ``repeats``). Everything is removed again afterwards."""
    from satgas.core.models import AuditEvent
    from satgas.personnel.importing import import_personnel_file
    from satgas.personnel.models import Placement

    admin = User.objects.get(email=ADMIN)
    units = _fresh_units(10)
    data = import_rows(units, rows)
    content = _csv(data)
    started = time.perf_counter()
    result = import_personnel_file(content=content, filename="bench.csv", actor=admin, dry_run=False, strict=False)
    import_seconds = time.perf_counter() - started
    assert result.created == rows and not result.invalid, result.counts()
    out = {
        "rows": rows,
        "import_seconds": import_seconds,
        "import_rows_per_second": rows / import_seconds,
        "database": connection.vendor,
    }
    if connection.vendor == "postgresql":
        text = _copy_text(data, {u.code: u.pk for u in units})
        timings = []
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("CREATE TEMP TABLE bench_person_copy (LIKE personnel_person INCLUDING ALL) ON COMMIT DROP")
            columns = ", ".join(PERSON_COLUMNS)
            for _ in range(repeats):
                cursor.execute("TRUNCATE bench_person_copy")
                t0 = time.perf_counter()
                cursor.cursor.copy_expert(
                    f"COPY bench_person_copy ({columns}) FROM STDIN WITH (FORMAT csv, NULL '\\N')", io.StringIO(text)
                )
                timings.append(time.perf_counter() - t0)
        copy_seconds = statistics.median(timings)
        out.update(
            copy_seconds=copy_seconds,
            copy_seconds_all=timings,
            copy_rows_per_second=rows / copy_seconds,
            ratio=(rows / import_seconds) / (rows / copy_seconds),
        )
    with transaction.atomic():
        people = Person.objects.filter(unit__in=units)
        ids = [str(pk) for pk in people.values_list("pk", flat=True)]
        for start in range(0, len(ids), 5000):
            AuditEvent.objects.filter(target_type__model="person", target_id__in=ids[start : start + 5000]).delete()
        Placement.objects.filter(person__unit__in=units).delete()
        people.delete()
        Unit.objects.filter(pk__in=[u.pk for u in units]).delete()
    return out
