from django.urls import path

from . import public_views, views

app_name = "socialization"

urlpatterns = [
    path("", views.session_list, name="session_list"),
    path("tambah/", views.session_create, name="session_create"),
    path("<int:pk>/", views.session_detail, name="session_detail"),
    path("<int:pk>/ubah/", views.session_edit, name="session_edit"),
    path("<int:pk>/presensi-mandiri/", views.session_checkin_toggle, name="session_checkin_toggle"),
    path("<int:pk>/presensi-mandiri/layar/", views.checkin_screen, name="checkin_screen"),
    path("<int:pk>/presensi-mandiri/kode/", views.checkin_code, name="checkin_code"),
    path("<int:pk>/presensi-mandiri/poster/", views.checkin_poster, name="checkin_poster"),
    path("<int:pk>/presensi/pilih/", views.attendance_pick, name="attendance_pick"),
    path("<int:pk>/presensi/impor/", views.attendance_import, name="attendance_import"),
    path("<int:pk>/presensi/impor/<int:import_pk>/", views.attendance_import_result, name="attendance_import_result"),
    path(
        "<int:pk>/presensi/impor/<int:import_pk>/batal/",
        views.attendance_import_cancel,
        name="attendance_import_cancel",
    ),
    path(
        "<int:pk>/presensi/impor/<int:import_pk>/coba-lagi/",
        views.attendance_import_retry,
        name="attendance_import_retry",
    ),
    path("<int:pk>/presensi/<int:attendance_pk>/hapus/", views.attendance_remove, name="attendance_remove"),
    path("<int:pk>/materi/unggah/", views.material_upload, name="material_upload"),
    path("materi/<int:pk>/unduh/", views.material_download, name="material_download"),
    path("hadir/<slug:code>/", public_views.checkin, name="checkin"),
    path("cakupan/", views.coverage, name="coverage"),
    path("cakupan/<int:unit_pk>/", views.coverage_unit, name="coverage_unit"),
    path("cakupan/<int:unit_pk>/belum-hadir.xlsx", views.coverage_unit_export, name="coverage_unit_export"),
]
