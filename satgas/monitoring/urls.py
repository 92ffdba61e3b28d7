from django.urls import path

from . import views

app_name = "monitoring"

urlpatterns = [
    path("", views.report_list, name="report_list"),
    path("mulai/", views.report_start, name="report_start"),
    path("laporan/<int:pk>/", views.report_detail, name="report_detail"),
    path("laporan/<int:pk>/ubah/", views.report_edit, name="report_edit"),
    path("laporan/<int:pk>/medsos/", views.watch_add, name="watch_add"),
    path("laporan/<int:pk>/temuan/", views.post_add, name="post_add"),
    path("laporan/<int:pk>/lampiran/", views.attachment_add, name="attachment_add"),
    path("laporan/<int:pk>/kirim/", views.report_submit, name="report_submit"),
    path("laporan/<int:pk>/tinjau/", views.report_review, name="report_review"),
    path("laporan/<int:pk>/versi/<int:number>/", views.version_detail, name="version_detail"),
    path("laporan/<int:pk>/evaluasi/", views.evaluation_edit, name="evaluation_edit"),
    path("temuan/<int:pk>/lapor/", views.post_to_case, name="post_to_case"),
    path("lampiran/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("evaluasi/", views.evaluation_list, name="evaluation_list"),
    path("rekap/", views.overview, name="overview"),
    path("titik-rawan/", views.point_list, name="point_list"),
    path("titik-rawan/baru/", views.point_create, name="point_create"),
    path("titik-rawan/<int:pk>/", views.point_edit, name="point_edit"),
    path("titik-rawan/matriks/", views.risk_matrix, name="risk_matrix"),
    path("pemilu/", views.election_list, name="election_list"),
    path("pemilu/baru/", views.election_edit, name="election_create"),
    path("pemilu/<int:pk>/", views.election_edit, name="election_edit"),
    path("pemilu/<int:election_pk>/tahapan/baru/", views.stage_edit, name="stage_create"),
    path("pemilu/<int:election_pk>/tahapan/<int:pk>/", views.stage_edit, name="stage_edit"),
]
