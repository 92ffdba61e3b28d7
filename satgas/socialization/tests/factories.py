import datetime as dt
import io
import zoneinfo

import factory
from django.core.files.uploadedfile import SimpleUploadedFile

from satgas.personnel.tests.factories import PersonFactory
from satgas.socialization.models import Attendance, AttendanceMethod, SessionMode, SocializationSession

WIB = zoneinfo.ZoneInfo("Asia/Jakarta")
# A fixed session time: 15 January 2024, 09:00–11:00 WIB.
SESSION_START = dt.datetime(2024, 1, 15, 9, 0, tzinfo=WIB)


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SocializationSession
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Sosialisasi Netralitas {n}")
    starts_at = SESSION_START
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + dt.timedelta(hours=2))
    mode = SessionMode.IN_PERSON
    location_or_link = "Aula Lapas"
    speaker = "Kepala Divisi Administrasi"

    @factory.post_generation
    def units(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.units.set(extracted)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    session = factory.SubFactory(SessionFactory)
    person = factory.SubFactory(PersonFactory)
    method = AttendanceMethod.PICKED
    recorded_at = factory.LazyAttribute(lambda o: o.session.starts_at)


def pdf_upload(name="materi.pdf") -> SimpleUploadedFile:
    content = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def xlsx_upload(rows, name="hadir.xlsx") -> SimpleUploadedFile:
    import openpyxl

    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    buffer = io.BytesIO()
    wb.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())
