"""The snapshot's numbers against a region counted by hand (tests/factories.hand_counted_region).

The region is built once for the module inside a transaction that is rolled back; the snapshots
(plain JSON) computed meanwhile are what the tests read.
"""

import datetime as dt
import json
from unittest import mock

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from satgas.personnel.tests.factories import PersonFactory, UnitFactory
from satgas.reports import figures
from satgas.reports.tests.factories import AFTER_2024_1, S2024_1, hand_counted_region

pytestmark = pytest.mark.django_db
OTHER = ""  # the unit code of the row summing units deactivated since


def _snapshot(office, now=AFTER_2024_1):
    with time_machine.travel(now, tick=False):
        return figures.snapshot(office=office, semester=S2024_1, now=now)


def _queries(office) -> int:
    with CaptureQueriesContext(connection) as queries:
        _snapshot(office)
    return len(queries)


@pytest.fixture(scope="module")
def computed(django_db_setup, django_db_blocker):
    from satgas.monitoring import models as monitoring_models
    from satgas.monitoring import rules as monitoring_rules

    with django_db_blocker.unblock(), transaction.atomic():
        region = UnitFactory(code="KWJATENG", name="Kanwil Jawa Tengah", unit_type="KANWIL", unit_class="")
        unit_a = UnitFactory(code="LAPAS-A", name="Lapas A", parent=region)
        unit_b = UnitFactory(code="LAPAS-B", name="Lapas B", parent=region)
        hand_counted_region(region, unit_a, unit_b)
        out = {"snapshot": _snapshot(region), "empty": None}
        # The monitoring app's own rules decide: move its due date and grade thresholds, the numbers follow.
        with mock.patch.object(monitoring_rules, "due_date", lambda period_end: period_end):
            out["all_due"] = _snapshot(region)
        with mock.patch.object(monitoring_models.Evaluation, "grade", property(lambda self: "E")):
            out["all_e"] = _snapshot(region)
        out["queries_small"] = _queries(region)
        for n in range(4):
            unit = UnitFactory(code=f"LAPAS-X{n}", name=f"Lapas X{n}", parent=region)
            for _ in range(5):
                PersonFactory(unit=unit)
        out["queries_large"] = _queries(region)
        empty = UnitFactory(code="KWKOSONG", name="Kanwil Kosong", unit_type="KANWIL", unit_class="")
        out["empty"] = _snapshot(empty)
        transaction.set_rollback(True)
    return out


@pytest.fixture
def snapshot(computed):
    return computed["snapshot"]


def rows(section, *keys):
    return {r["unit_code"]: tuple(r[k] for k in keys) for r in section["rows"]}


def test_scope_is_the_office_then_its_active_units(snapshot):
    assert [u["code"] for u in snapshot["units"]] == ["KWJATENG", "LAPAS-A", "LAPAS-B"]
    assert [u["code"] for u in snapshot["inactive_units"]] == ["LAPAS-TUTUP"]
    assert snapshot["period"] == {
        "code": "2024-1",
        "year": 2024,
        "half": 1,
        "roman": "I",
        "title": "Semester I Tahun 2024",
        "first_day": "2024-01-01",
        "last_day": "2024-06-30",
    }
    assert snapshot["office"]["head_name"] == "Dr. Tejo Harwanto, S.H., M.H."
    assert snapshot["office"]["head_title"] == "Kepala Kantor Wilayah"
    assert snapshot["office"]["website"] == "jateng.kemenkumham.go.id"


def test_personnel(snapshot):
    p = snapshot["personnel"]
    assert p["total"] == {"PNS": 7, "PPPK": 1, "PPNPN": 2, "total": 10}
    assert rows(p, "PNS", "PPPK", "PPNPN", "total") == {
        "KWJATENG": (1, 0, 0, 1),
        "LAPAS-A": (3, 1, 1, 5),
        "LAPAS-B": (2, 0, 1, 3),
        OTHER: (1, 0, 0, 1),  # the unit deactivated since still had an active employee
    }
    assert p["rows"][-1]["unit_name"] == "Unit lain (sudah nonaktif)"


def test_socialization(snapshot):
    s = snapshot["socialization"]
    assert s["total"] == {"sessions": 2, "active": 10, "attended": 4, "covered": 5, "percent": 50.0}
    assert rows(s, "sessions", "active", "attended", "covered", "percent") == {
        "KWJATENG": (1, 1, 1, 1, 100.0),  # the session starting 30 June 23:30 WIB belongs to 2024-1
        "LAPAS-A": (1, 5, 2, 3, 60.0),  # one attended in December 2023: covered, not attended this period
        "LAPAS-B": (1, 3, 1, 1, 33.3),  # the July session does not count
        OTHER: (0, 1, 0, 0, 0.0),
    }
    assert [(x["date"], x["units"], x["attendees"]) for x in s["sessions"]] == [
        ("2024-03-10", 2, 3),
        ("2024-06-30", 1, 1),
    ]


def test_oaths(snapshot):
    o = snapshot["oaths"]
    assert [c["title"] for c in o["campaigns"]] == ["Ikrar Netralitas Pemilu 2024"]  # not the draft, not August's
    campaign = o["campaigns"][0]
    # A: a1, a2 online, a3 on paper on 28 June (typed in on 3 July); B: b1 (b2 signed on 3 July).
    assert (campaign["required"], campaign["signed"], campaign["percent"]) == (6, 4, 66.7)
    assert rows(campaign, "required", "signed", "percent") == {"LAPAS-A": (4, 3, 75.0), "LAPAS-B": (2, 1, 50.0)}
    assert campaign["kind_label"] == "Ikrar Netralitas"
    assert rows(o, "required", "signed", "percent") == {
        "KWJATENG": (0, 0, None),
        "LAPAS-A": (4, 3, 75.0),
        "LAPAS-B": (2, 1, 50.0),
    }


def test_taskforces_count_only_decreed_ones_as_formed(snapshot):
    t = snapshot["taskforces"]
    assert t["total"] == {
        "task_forces": 1,
        "drafts": 1,
        "active": 1,
        "complete": 1,
        "inaugurated": 1,
        "members": 3,
        "started": 4,
        "ended": 1,
        "replaced": 1,
        "units_without": 2,
        "current_leader": 1,
        "current_secretary": 1,
        "current_member": 1,
    }
    assert rows(t, "status", "members", "complete", "started", "ended", "inaugurated_on") == {
        "LAPAS-A": ("ACTIVE", 3, True, 4, 1, "2024-01-29"),
    }
    assert [(d["unit_code"], d["status"], d["members"]) for d in t["drafts"]] == [("LAPAS-B", "DRAFT", 1)]
    # Lapas B has only a draft: it is without a task force.
    assert [(u["unit_code"], u["has_draft"]) for u in t["units_without"]] == [("KWJATENG", False), ("LAPAS-B", True)]


def test_monitoring_counts_only_periods_already_due(snapshot):
    m = snapshot["monitoring"]
    assert len(m["periods"]) == 6 and m["periods"][0] == ["2024-01-01", "2024-01-31"]
    # On 1 July June's report is not due yet (due 10 July): five periods due per unit, one not yet.
    assert m["due_periods"] == 5
    assert m["total"] == {
        "due": 15,
        "not_yet_due": 3,
        "started": 5,
        "submitted": 4,
        "accepted": 1,
        "returned": 1,
        "missing": 12,  # Lapas B's June report, handed in early, does not make up for a due one
        "evaluations": 3,
        "posts_reviewed": 55,
        "flagged": 1,
        "flagged_to_case": 0,
        "average_score": 63.3,
        "submitted_percent": 20.0,
    }
    assert m["grades"] == {"A": 1, "B": 0, "C": 1, "D": 1, "E": 0}
    assert rows(m, "due", "not_yet_due", "started", "submitted", "missing", "evaluations", "average_score") == {
        "KWJATENG": (5, 1, 0, 0, 5, 0, None),
        "LAPAS-A": (5, 1, 3, 2, 3, 2, 75.0),
        "LAPAS-B": (5, 1, 2, 2, 4, 1, 40.0),
    }


def test_monitoring_follows_the_monitoring_apps_due_dates_and_grades(computed):
    due_now = computed["all_due"]["monitoring"]
    assert (due_now["total"]["due"], due_now["total"]["not_yet_due"], due_now["total"]["missing"]) == (18, 0, 14)
    assert computed["all_e"]["monitoring"]["grades"] == {"A": 0, "B": 0, "C": 0, "D": 0, "E": 3}


def test_the_draft_text_claims_no_report_that_is_not_due_yet(snapshot):
    from satgas.reports import narrative

    text = narrative.default_narrative(snapshot)
    assert "12 laporan monitoring unit yang telah jatuh tempo belum disampaikan" in text["obstacles"]
    assert "3 dari 15 laporan monitoring yang telah jatuh tempo" in text["summary"]
    assert "laporan 3 periode lainnya belum jatuh tempo" in text["summary"]
    assert "2 unit kerja belum memiliki satuan tugas yang ditetapkan" in text["obstacles"]
    assert "1 satuan tugas lain masih dalam penyusunan" in text["summary"]


def test_vulnerable_points(snapshot):
    points = snapshot["monitoring"]["points"]
    assert [(x["stage"], x["low"], x["medium"], x["high"], x["open"], x["total"]) for x in points["by_stage"]] == [
        ("Masa kampanye", 1, 0, 1, 1, 2),
        ("Pemungutan suara", 0, 1, 1, 1, 2),
    ]
    assert points["total"] == {"low": 1, "medium": 1, "high": 2, "total": 4, "open": 2}
    assert rows(points, "low", "medium", "high", "total") == {
        "KWJATENG": (0, 0, 0, 0),
        "LAPAS-A": (1, 1, 1, 3),
        "LAPAS-B": (0, 0, 1, 1),
    }


def test_violations(snapshot):
    v = snapshot["violations"]
    assert v["total"] == {
        "received": 6,
        "in_progress": 3,
        "proven": 1,
        "not_proven": 0,  # decided after the period ended
        "dismissed": 1,
        "referred": 1,
        "confidential": 1,
        "sanctions": 2,  # by decree date: one on a 2023 case, not the one of July
        "median_days_verification": 3.0,  # 2, 2, 4, 5
        "median_days_closure": 2.0,  # 2, 2, 33
    }
    assert rows(v, "received", "proven", "dismissed", "referred", "in_progress", "sanctions") == {
        "KWJATENG": (0, 0, 0, 0, 0, 0),
        "LAPAS-A": (3, 1, 1, 0, 1, 2),
        "LAPAS-B": (2, 0, 0, 1, 1, 0),  # the case of 1 July 00:30 WIB belongs to 2024-2
        OTHER: (1, 0, 0, 0, 1, 0),  # received by the unit deactivated since
    }
    assert [(c["kind"], c["name"], c["cases"]) for c in v["categories"]] == [
        ("ETHICS", "Uji etik", 2),
        ("DISCIPLINARY", "Uji disiplin", 1),
        ("", "Belum dikategorikan", 4),
    ]
    assert [(r["unit_code"], r["category"], r["cases"]) for r in v["by_unit_category"]] == [
        ("LAPAS-A", "Belum dikategorikan", 1),
        ("LAPAS-A", "Uji disiplin", 1),
        ("LAPAS-A", "Uji etik", 2),
        ("LAPAS-B", "Belum dikategorikan", 2),
        (OTHER, "Belum dikategorikan", 1),
    ]
    assert [(s["key"], s["count"]) for s in v["sanctions"]] == [("ETHICS:CLOSED", 1), ("DISCIPLINARY:MODERATE", 1)]
    assert [(o["key"], o["count"]) for o in v["outcomes"]] == [
        ("in_progress", 3),
        ("proven", 1),
        ("not_proven", 0),
        ("dismissed", 1),
        ("referred", 1),
    ]


@pytest.mark.parametrize(
    "section",
    ["personnel", "socialization", "oaths", "taskforces", "monitoring", "points", "violations"],
)
def test_the_rows_add_up_to_the_totals(snapshot, section):
    data = snapshot["monitoring"]["points"] if section == "points" else snapshot[section]
    if section == "oaths":
        for campaign in data["campaigns"]:
            assert sum(r["signed"] for r in campaign["rows"]) == campaign["signed"]
            assert sum(r["required"] for r in campaign["rows"]) == campaign["required"]
        return
    numeric = [k for k, v in data["total"].items() if isinstance(v, int) and not isinstance(v, bool)]
    # A session held for several units counts once in the total and once in each unit's row.
    numeric = [k for k in numeric if all(k in r for r in data["rows"]) and k != "sessions"]
    assert numeric
    for key in numeric:
        assert sum(r[key] for r in data["rows"]) == data["total"][key], key


def test_the_snapshot_is_plain_json(snapshot):
    assert json.loads(json.dumps(snapshot)) == snapshot


def test_an_empty_region_gives_empty_sections_not_errors(computed):
    data = computed["empty"]
    assert data["personnel"]["total"]["total"] == 0 and data["inactive_units"] == []
    assert data["oaths"]["campaigns"] == [] and data["violations"]["categories"] == []
    assert data["violations"]["total"]["median_days_verification"] is None
    assert data["taskforces"]["rows"] == [] and data["monitoring"]["total"]["average_score"] is None
    assert [r["unit_code"] for r in data["personnel"]["rows"]] == ["KWKOSONG"]  # no "other units" row


def test_the_number_of_queries_does_not_grow_with_units_or_people(computed):
    assert computed["queries_small"] == computed["queries_large"]
    assert computed["queries_large"] <= 30


def test_rounding_is_half_up():
    from satgas.reports.figures.common import pct

    assert pct(1, 8) == 12.5 and pct(1, 3) == 33.3 and pct(2, 3) == 66.7
    assert pct(5, 40) == 12.5 and pct(1, 16) == 6.3  # 6.25 -> 6.3, not 6.2
    assert dt  # noqa: B018 - keeps the datetime import for readers of the dates above
