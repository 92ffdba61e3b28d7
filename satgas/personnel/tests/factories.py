import datetime as dt
import random

import factory

from satgas.personnel.models import EmploymentType, Person, PersonStatus, Unit, UnitType


def make_nip(*, birth=dt.date(1986, 9, 26), appointed=(2015, 5), sex=1, serial=1) -> str:
    return f"{birth:%Y%m%d}{appointed[0]:04d}{appointed[1]:02d}{sex}{serial:03d}"


def make_pppk_number(*, birth=dt.date(1990, 3, 12), year=2022, code=21, sex=2, serial=7) -> str:
    return f"{birth:%Y%m%d}{year:04d}{code:02d}{sex}{serial:03d}"


def make_nik(*, province=33, regency=74, district=12, birth=dt.date(1992, 4, 5), female=False, serial=1) -> str:
    day = birth.day + (40 if female else 0)
    return f"{province:02d}{regency:02d}{district:02d}{day:02d}{birth:%m}{birth:%y}{serial:04d}"


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"UNIT-{n:03d}")
    name = factory.Sequence(lambda n: f"Lapas Uji {n}")
    unit_type = UnitType.LAPAS
    unit_class = "IIA"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    full_name = factory.Faker("name", locale="id_ID")
    employment_type = EmploymentType.PNS
    nip = factory.Sequence(lambda n: make_nip(serial=(n % 999) + 1, appointed=(2010 + n // 999 % 14, 1)))
    nik = None
    unit = factory.SubFactory(UnitFactory)
    position = "Pengelola Umum"
    rank_grade = "Penata Muda (III/a)"
    status = PersonStatus.ACTIVE

    class Params:
        ppnpn = factory.Trait(
            employment_type=EmploymentType.PPNPN,
            nip=None,
            nik=factory.Sequence(
                lambda n: make_nik(serial=n + 1, birth=dt.date(1980 + n % 20, 1 + n % 12, 1 + n % 28))
            ),
        )

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        person = model_class(*args, **kwargs)
        person.clean()  # derives birth date and sex from the NIP/NIK
        person.save()
        return person


def random_nip(rng: random.Random) -> str:
    birth = dt.date(rng.randint(1965, 2000), rng.randint(1, 12), rng.randint(1, 28))
    return make_nip(
        birth=birth,
        appointed=(min(birth.year + rng.randint(20, 30), 2023), rng.randint(1, 12)),
        sex=rng.choice([1, 2]),
        serial=rng.randint(1, 999),
    )
