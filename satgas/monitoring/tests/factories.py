import datetime as dt

import factory

from satgas.elections.models import Election, ElectionStage
from satgas.monitoring import rules
from satgas.monitoring.models import MonitoringReport, VulnerablePoint


class ElectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Election
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"Pemilu uji {n}")
    kind = "GENERAL"
    voting_day = dt.date(2024, 2, 14)
    starts_on = dt.date(2023, 1, 1)
    ends_on = dt.date(2024, 12, 31)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ElectionStage

    election = factory.SubFactory(ElectionFactory)
    name = factory.Sequence(lambda n: f"Tahapan {n}")
    starts_on = dt.date(2023, 11, 28)
    ends_on = dt.date(2024, 2, 10)


class PointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = VulnerablePoint

    stage = factory.SubFactory(StageFactory)
    description = "Pegawai menyukai unggahan kampanye."
    likelihood = 3
    impact = 3
    risk_level = factory.LazyAttribute(lambda o: rules.risk_level(likelihood=o.likelihood, impact=o.impact))


class ReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MonitoringReport

    period_start = dt.date(2024, 1, 1)
    period_end = factory.LazyAttribute(lambda o: rules.period_containing(o.period_start)[1])
    due_on = factory.LazyAttribute(lambda o: rules.due_date(o.period_end))
