import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from satgas.core.models import AuditEvent
from satgas.personnel.models import ImportStatus, Person, PersonnelImport, Placement, Unit
from satgas.personnel.tests.factories import PersonFactory, make_nik, make_nip


def _people(n, unit):
    return [PersonFactory(unit=unit) for _ in range(n)]


@pytest.mark.parametrize("rows", [3, 30])
def test_person_list_queries_do_not_grow_with_rows(
    client, admin_user, unit_a, unit_b, rows, django_assert_max_num_queries
):
    _people(rows, unit_a)
    _people(rows, unit_b)
    client.force_login(admin_user)
    # session, user, roles (2), count, page, unit filter choices + savepoints: flat whatever the row count.
    with django_assert_max_num_queries(9):
        response = client.get(reverse("personnel:person_list"), {"employment_type": "PNS"})
    assert response.status_code == 200
    assert len(response.context["page"]) == min(25, 2 * rows)


@pytest.mark.parametrize("rows", [3, 30])
def test_unit_list_and_detail_queries_are_flat(client, admin_user, unit_a, rows, django_assert_max_num_queries):
    people = _people(rows, unit_a)
    client.force_login(admin_user)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("personnel:unit_list")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("personnel:person_detail", args=[people[0].pk])).status_code == 200


def test_search_by_name_words_and_by_nip_with_spaces(client, admin_user, unit_a):
    budi = PersonFactory(unit=unit_a, full_name="Dr. Budi Santoso, S.H., M.H.", nip="198609262015051001")
    PersonFactory(unit=unit_a, full_name="Siti Rahayu")
    client.force_login(admin_user)

    def found(q):
        return [p.pk for p in client.get(reverse("personnel:person_list"), {"q": q}).context["page"]]

    assert found("budi santoso") == [budi.pk]
    assert found("19860926 201505") == [budi.pk]
    assert found("xyz") == []


def test_filters_by_unit_type_and_status(client, admin_user, unit_a, unit_b):
    a = PersonFactory(unit=unit_a)
    ppnpn = PersonFactory(unit=unit_b, ppnpn=True)
    retired = PersonFactory(unit=unit_b, status="RETIRED")
    client.force_login(admin_user)
    url = reverse("personnel:person_list")
    assert [p.pk for p in client.get(url, {"unit": unit_a.pk}).context["page"]] == [a.pk]
    assert [p.pk for p in client.get(url, {"employment_type": "PPNPN"}).context["page"]] == [ppnpn.pk]
    assert [p.pk for p in client.get(url, {"status": "RETIRED"}).context["page"]] == [retired.pk]


def test_create_person_with_a_bad_nip_explains_and_keeps_the_input(client, admin_user, unit_a):
    client.force_login(admin_user)
    data = {
        "full_name": "Agus Prasetyo",
        "employment_type": "PNS",
        "nip": "1.98609E+17",
        "unit": unit_a.pk,
        "status": "ACTIVE",
    }
    response = client.post(reverse("personnel:person_create"), data)
    assert response.status_code == 200
    assert "scientific" in response.content.decode() or "ilmiah" in response.content.decode()
    assert 'value="Agus Prasetyo"' in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Person.objects.exists()


def test_create_person_records_placement_and_audit(client, admin_user, unit_a):
    client.force_login(admin_user)
    data = {
        "full_name": "Agus Prasetyo",
        "employment_type": "PNS",
        "nip": "19860926 201505 1 001",
        "unit": unit_a.pk,
        "status": "ACTIVE",
        "email": "agus@example.test",
    }
    response = client.post(reverse("personnel:person_create"), data)
    person = Person.objects.get()
    assert response.status_code == 302
    assert person.nip == "198609262015051001"
    assert person.birth_date == dt.date(1986, 9, 26) and person.sex == "M"
    assert Placement.objects.get(person=person).unit == unit_a
    event = AuditEvent.objects.get(action="person.created")
    assert event.actor == admin_user and event.changes["nip"] == [None, "198609262015051001"]


def test_duplicate_nik_is_refused(client, admin_user, unit_a):
    existing = PersonFactory(unit=unit_a, ppnpn=True)
    client.force_login(admin_user)
    data = {"full_name": "Copy", "employment_type": "PPNPN", "nik": existing.nik, "unit": unit_a.pk, "status": "ACTIVE"}
    response = client.post(reverse("personnel:person_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["nik"]
    assert Person.objects.count() == 1


def test_taskforce_edits_own_unit_person_and_the_change_is_audited(client, taskforce_a, admin_user, unit_a):
    person = PersonFactory(unit=unit_a, position="Staf")
    client.force_login(taskforce_a)
    data = {
        "full_name": person.full_name,
        "employment_type": "PNS",
        "nip": person.nip,
        "position": "Kepala Regu",
        "status": "ACTIVE",
        "rank_grade": person.rank_grade,
    }
    assert client.post(reverse("personnel:person_edit", args=[person.pk]), data).status_code == 302
    person.refresh_from_db()
    assert person.position == "Kepala Regu"
    event = AuditEvent.objects.get(action="person.updated")
    assert event.actor == taskforce_a and event.changes == {"position": ["Staf", "Kepala Regu"]}
    client.force_login(admin_user)
    page = client.get(reverse("personnel:person_detail", args=[person.pk])).content.decode()
    assert "Kepala Regu" in page and "Jabatan: Staf → Kepala Regu" in page


def test_move_keeps_history(client, admin_user, unit_a, unit_b):
    person = PersonFactory(unit=unit_a)
    Placement.objects.create(person=person, unit=unit_a, started_on=dt.date(2020, 1, 1))
    client.force_login(admin_user)
    response = client.post(
        reverse("personnel:person_move", args=[person.pk]),
        {"unit": unit_b.pk, "moved_on": "2024-02-01", "reason": "SK Mutasi 12/2024"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.unit == unit_b
    history = list(person.placements.order_by("started_on").values_list("unit__code", "started_on", "ended_on"))
    assert history == [("LAPAS-A", dt.date(2020, 1, 1), dt.date(2024, 2, 1)), ("LAPAS-B", dt.date(2024, 2, 1), None)]
    assert AuditEvent.objects.get(action="person.moved").note == "SK Mutasi 12/2024"


def test_move_before_current_placement_is_refused(client, admin_user, unit_a, unit_b):
    person = PersonFactory(unit=unit_a)
    Placement.objects.create(person=person, unit=unit_a, started_on=dt.date(2023, 6, 1))
    client.force_login(admin_user)
    response = client.post(
        reverse("personnel:person_move", args=[person.pk]), {"unit": unit_b.pk, "moved_on": "2023-01-01"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["moved_on"]
    person.refresh_from_db()
    assert person.unit == unit_a


def test_xlsx_export_of_filtered_list(client, admin_user, unit_a, unit_b):
    PersonFactory(unit=unit_a, full_name='=HYPERLINK("http://x")', phone="+62 811 000")
    PersonFactory(unit=unit_b, full_name="Other Unit")
    client.force_login(admin_user)
    response = client.get(reverse("personnel:person_export", args=["xlsx"]), {"unit": unit_a.pk})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("nama", "jenis_pegawai", "nip")
    assert len(rows) == 2
    assert rows[1][0] == '\'=HYPERLINK("http://x")'
    assert rows[1][9] == "'+62 811 000"
    assert isinstance(rows[1][2], str) and len(rows[1][2]) == 18


def test_unit_create_and_edit(client, admin_user, region):
    client.force_login(admin_user)
    data = {
        "code": "rutan-pbg",
        "name": "Rutan Kelas IIB Purbalingga",
        "unit_type": "RUTAN",
        "unit_class": "IIB",
        "parent": region.pk,
        "is_active": "on",
    }
    assert client.post(reverse("personnel:unit_create"), data).status_code == 302
    unit = Unit.objects.get(code="RUTAN-PBG")
    assert unit.parent == region
    response = client.post(
        reverse("personnel:unit_edit", args=[region.pk]),
        {**data, "code": "KWJATENG", "name": "Kanwil", "unit_type": "KANWIL", "parent": unit.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["parent"]
    assert AuditEvent.objects.filter(action="unit.created").count() == 1


def _csv(rows):
    header = "nama;jenis_pegawai;nip;nik;kode_unit;jabatan;email\n"
    return (header + "\n".join(";".join(r) for r in rows) + "\n").encode("utf-8")


def test_import_through_the_ui_previews_then_applies(client, admin_user, unit_a, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = _csv(
        [
            ["Agus Santoso", "PNS", make_nip(serial=11), "", "LAPAS-A", "Staf", "agus@x.test"],
            ["Sri Lestari", "PPNPN", "", make_nik(female=True, serial=12), "lapas-a", "Pramubakti", ""],
            ["Rusak", "PNS", "1.98609E+17", "", "LAPAS-A", "", ""],
        ]
    )
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("personnel:import_list"), {"file": SimpleUploadedFile("pegawai.csv", content, "text/csv")}
        )
    record = PersonnelImport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("personnel:import_detail", args=[record.pk])
    record.refresh_from_db()
    assert record.status == ImportStatus.VALIDATED
    assert record.counts == {"created": 2, "updated": 0, "unchanged": 0, "invalid": 1}
    assert record.issues[0]["row"] == 4 and record.issues[0]["column"] == "nip"
    assert not Person.objects.exists(), "the preview must not write anything"
    page = client.get(reverse("personnel:import_detail", args=[record.pk])).content.decode()
    assert "1.98609E+17" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("personnel:import_confirm", args=[record.pk]))
    record.refresh_from_db()
    assert record.status == ImportStatus.APPLIED and record.applied_by == admin_user
    assert set(Person.objects.values_list("full_name", flat=True)) == {"Agus Santoso", "Sri Lestari"}
    # A second confirmation is refused, nothing is imported twice.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("personnel:import_confirm", args=[record.pk]))
    assert Person.objects.count() == 2


def test_import_of_an_unreadable_file_fails_with_a_message(
    client, admin_user, unit_a, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("personnel:import_list"),
            {"file": SimpleUploadedFile("scan.xlsx", b"%PDF-1.4 not a spreadsheet", "application/pdf")},
        )
    record = PersonnelImport.objects.get()
    assert record.status == ImportStatus.FAILED and record.failure
    assert record.failure in client.get(reverse("personnel:import_detail", args=[record.pk])).content.decode()


def test_strict_import_with_errors_cannot_be_applied(client, admin_user, unit_a, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = _csv(
        [["Agus", "PNS", make_nip(serial=21), "", "LAPAS-A", "", ""], ["Bad", "XYZ", "", "", "LAPAS-A", "", ""]]
    )
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("personnel:import_list"), {"file": SimpleUploadedFile("p.csv", content, "text/csv"), "strict": "on"}
        )
    record = PersonnelImport.objects.get()
    assert record.status == ImportStatus.VALIDATED and record.counts["invalid"] == 1
    page = client.get(reverse("personnel:import_detail", args=[record.pk])).content.decode()
    assert reverse("personnel:import_confirm", args=[record.pk]) not in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("personnel:import_confirm", args=[record.pk]))
    assert not Person.objects.exists()


def test_oversized_upload_is_refused_before_storing(client, admin_user, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.SATGAS_IMPORT_MAX_BYTES = 100
    client.force_login(admin_user)
    response = client.post(reverse("personnel:import_list"), {"file": SimpleUploadedFile("big.csv", b"x" * 200)})
    assert response.status_code == 200 and response.context["form"].errors["file"]
    assert not PersonnelImport.objects.exists()


def test_import_progress_fragment_polls_while_running(client, admin_user):
    record = PersonnelImport.objects.create(
        uploaded_by=admin_user, filename="f.csv", content=b"", status="VALIDATING", total_rows=1000, processed_rows=500
    )
    client.force_login(admin_user)
    html = client.get(reverse("personnel:import_detail", args=[record.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 1s"' in html and 'aria-valuenow="50"' in html
    assert "<html" not in html


def test_templates_download(client, admin_user):
    client.force_login(admin_user)
    xlsx = client.get(reverse("personnel:import_template", args=["xlsx"]))
    header = next(openpyxl.load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [h for h in header if h][:5] == ["nama", "jenis_pegawai", "nip", "nik", "kode_unit"]
    assert "nama" in client.get(reverse("personnel:import_template", args=["csv"])).content.decode("utf-8-sig")


def test_an_unexpected_error_marks_the_import_failed(admin_user, monkeypatch):
    from satgas.personnel import importing, services

    record = PersonnelImport.objects.create(uploaded_by=admin_user, filename="f.csv", content=b"nama\n")

    def explode(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(importing, "import_personnel_file", explode)
    with pytest.raises(RuntimeError):
        services.personnel_import_run(import_id=record.pk, apply=False)
    record.refresh_from_db()
    assert record.status == ImportStatus.FAILED and record.failure


def test_the_unit_filter_lists_the_readable_units_and_keeps_the_choice(client, admin_user, unit_a, unit_b):
    a = PersonFactory(unit=unit_a)
    PersonFactory(unit=unit_b)
    client.force_login(admin_user)
    response = client.get(reverse("personnel:person_list"), {"unit": unit_a.pk})
    assert [p.pk for p in response.context["page"]] == [a.pk]
    html = response.content.decode()
    assert f'<option value="{unit_a.pk}" selected>{unit_a.name}</option>' in html
    assert f'<option value="{unit_b.pk}">{unit_b.name}</option>' in html
    refused = client.get(reverse("personnel:person_list"), {"unit": 999999})
    assert "unit" in refused.context["filter"].form.errors
