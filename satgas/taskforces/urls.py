from django.urls import path

from . import document_views, views

app_name = "taskforces"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("ekspor.xlsx", views.overview_xlsx, name="overview_xlsx"),
    path("pengaturan/", views.defaults_form, name="defaults"),
    path("baru/", views.taskforce_create, name="create"),
    path("<int:pk>/", views.taskforce_detail, name="detail"),
    path("<int:pk>/ubah/", views.taskforce_edit, name="edit"),
    path("<int:pk>/status/", views.taskforce_transition, name="transition"),
    path("<int:pk>/sk/", views.decree_form, name="decree"),
    path("<int:pk>/sk.pdf", document_views.decree_pdf, name="decree_pdf"),
    path("<int:pk>/lencana.pdf", document_views.badges_pdf, name="badges_pdf"),
    path("<int:pk>/pengukuhan/", views.inauguration_form, name="inauguration"),
    path("<int:pk>/anggota/tambah/", views.member_add, name="member_add"),
    path("<int:pk>/anggota/impor/", views.member_import, name="member_import"),
    path("anggota/<int:pk>/akhiri/", views.member_end, name="member_end"),
    path("anggota/<int:pk>/ganti/", views.member_replace, name="member_replace"),
]
