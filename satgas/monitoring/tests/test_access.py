"""Permission matrix: every view × every persona, on unit A's objects (own unit for taskforce_a, other for _b)."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from satgas.monitoring import services
from satgas.monitoring.tests.factories import PointFactory, StageFactory

NOW = dt.datetime(2024, 2, 5, 3, 0, tzinfo=dt.UTC)
A, TA, TB, ST, LE, OU = "admin_user", "taskforce_a", "taskforce_b", "staff_a", "leader", "outsider"


def codes(admin, ta, tb, staff, leader, outsider):
    return dict(zip((A, TA, TB, ST, LE, OU), (admin, ta, tb, staff, leader, outsider), strict=True))


@pytest.fixture
def world(admin_user, taskforce_a, taskforce_b, unit_a, unit_b):
    with time_machine.travel(NOW, tick=False):
        report = services.report_start(actor=taskforce_a, unit=unit_a, period_start=dt.date(2024, 1, 1))
        submitted = services.report_start(actor=taskforce_a, unit=unit_a, period_start=dt.date(2023, 12, 1))
        post = services.flagged_post_add(
            actor=taskforce_a,
            report=report,
            platform="X",
            url="https://x.com/p/1",
            posted_on=dt.date(2024, 1, 3),
            description="Dukungan calon",
        )
        attachment = services.attachment_add(
            actor=taskforce_a, report=report, upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%%EOF\n")
        )
        services.report_submit(actor=taskforce_a, report=submitted)
        other = services.report_start(actor=taskforce_b, unit=unit_b, period_start=dt.date(2024, 1, 1))
    stage = StageFactory()
    point = PointFactory(unit=unit_a, stage=stage)
    return {
        "report": report,
        "submitted": submitted,
        "post": post,
        "attachment": attachment,
        "other": other,
        "point": point,
        "stage": stage,
        "unit_a": unit_a,
    }


VIEWS = [
    # name, method, args(world), data(world), expected
    ("report_list", "get", None, None, codes(200, 200, 200, 403, 200, 403)),
    (
        "report_start",
        "post",
        None,
        lambda w: {"unit": w["unit_a"].pk, "period": "2024-02-03"},
        codes(302, 302, 400, 403, 403, 403),
    ),
    ("report_detail", "get", lambda w: [w["report"].pk], None, codes(200, 200, 404, 404, 200, 404)),
    ("report_edit", "get", lambda w: [w["report"].pk], None, codes(200, 200, 404, 404, 403, 404)),
    (
        "watch_add",
        "post",
        lambda w: [w["report"].pk],
        lambda w: {"platform": "X", "accounts": "a", "posts_reviewed": 2},
        codes(302, 302, 404, 404, 403, 404),
    ),
    ("report_submit", "post", lambda w: [w["report"].pk], None, codes(302, 302, 404, 404, 403, 404)),
    (
        "report_review",
        "post",
        lambda w: [w["submitted"].pk],
        lambda w: {"decision": "ACCEPTED"},
        codes(302, 403, 404, 404, 403, 404),
    ),
    ("version_detail", "get", lambda w: [w["submitted"].pk, 1], None, codes(200, 200, 404, 404, 200, 404)),
    ("evaluation_edit", "get", lambda w: [w["report"].pk], None, codes(200, 403, 404, 404, 403, 404)),
    ("post_to_case", "post", lambda w: [w["post"].pk], None, codes(302, 302, 404, 404, 403, 404)),
    ("attachment_download", "get", lambda w: [w["attachment"].pk], None, codes(200, 200, 404, 404, 200, 404)),
    ("evaluation_list", "get", None, None, codes(200, 200, 200, 403, 200, 403)),
    ("overview", "get", None, None, codes(200, 403, 403, 403, 200, 403)),
    ("point_list", "get", None, None, codes(200, 200, 200, 403, 200, 403)),
    ("point_create", "get", None, None, codes(200, 200, 200, 403, 403, 403)),
    ("point_edit", "get", lambda w: [w["point"].pk], None, codes(200, 200, 404, 404, 403, 404)),
    ("risk_matrix", "get", None, None, codes(200, 403, 403, 403, 200, 403)),
    ("election_list", "get", None, None, codes(200, 403, 403, 403, 403, 403)),
    ("election_create", "get", None, None, codes(200, 403, 403, 403, 403, 403)),
    ("stage_create", "get", lambda w: [w["stage"].election_id], None, codes(200, 403, 403, 403, 403, 403)),
]


@pytest.mark.parametrize("name,method,args,data,expected", VIEWS, ids=[v[0] for v in VIEWS])
@time_machine.travel(NOW, tick=False)
def test_permission_matrix(client, persona, world, name, method, args, data, expected):
    persona_name, user = persona
    client.force_login(user)
    url = reverse(f"monitoring:{name}", args=args(world) if args else None)
    response = getattr(client, method)(url, data(world) if data else {})
    assert response.status_code == expected[persona_name], persona_name


@time_machine.travel(NOW, tick=False)
def test_lists_show_only_visible_units(client, world, taskforce_a, admin_user):
    client.force_login(taskforce_a)
    page = client.get(reverse("monitoring:report_list")).content.decode()
    assert f'data-report="{world["report"].pk}"' in page
    assert f'data-report="{world["other"].pk}"' not in page
    client.force_login(admin_user)
    page = client.get(reverse("monitoring:report_list")).content.decode()
    assert f'data-report="{world["other"].pk}"' in page


def test_point_form_for_other_unit_is_refused(client, taskforce_b, unit_a, world):
    client.force_login(taskforce_b)
    data = {
        "unit": unit_a.pk,
        "stage": world["stage"].pk,
        "description": "x",
        "likelihood": 2,
        "impact": 2,
        "status": "OPEN",
    }
    assert client.post(reverse("monitoring:point_create"), data).status_code == 400
    with pytest.raises(services.MonitoringError):
        services.point_save(
            actor=taskforce_b, unit=unit_a, stage=world["stage"], description="x", likelihood=1, impact=1, status="OPEN"
        )


def test_point_create_derives_the_risk_level(client, taskforce_a, unit_a, world):
    client.force_login(taskforce_a)
    data = {
        "unit": unit_a.pk,
        "stage": world["stage"].pk,
        "description": "Kampanye di grup",
        "likelihood": 5,
        "impact": 4,
        "status": "OPEN",
        "review_on": "2024-01-05",
    }
    assert client.post(reverse("monitoring:point_create"), data).status_code == 302
    point = unit_a.vulnerable_points.get(description="Kampanye di grup")
    assert point.risk_level == 3
    page = client.get(reverse("monitoring:point_list")).content.decode()
    assert f"{world['stage'].election.name}: {world['stage'].name}" in page  # the review date's stage
