from django.urls import path

from . import views

app_name = "violations"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("ekspor.xlsx", views.case_export, name="case_export"),
    path("dasbor/", views.dashboard, name="dashboard"),
    path("lapor/", views.report_create, name="report_create"),
    path("lapor/terlapor/", views.person_lookup, name="person_lookup"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/status/", views.case_transition, name="case_transition"),
    path("<int:pk>/penanganan/", views.case_assign, name="case_assign"),
    path("<int:pk>/penanganan/<int:assignment_pk>/akhiri/", views.case_unassign, name="case_unassign"),
    path("<int:pk>/catatan/", views.case_note, name="case_note"),
    path("<int:pk>/pesan/", views.case_message, name="case_message"),
    path("<int:pk>/bukti/", views.case_evidence, name="case_evidence"),
    path("<int:pk>/klarifikasi/", views.case_clarification, name="case_clarification"),
    path("<int:pk>/sanksi/", views.case_sanction, name="case_sanction"),
    path("<int:pk>/pelapor/", views.case_reporter, name="case_reporter"),
    path("bukti/<int:pk>/", views.evidence_download, name="evidence_download"),
    path("klarifikasi/<int:pk>/lampiran/", views.clarification_attachment, name="clarification_attachment"),
]
