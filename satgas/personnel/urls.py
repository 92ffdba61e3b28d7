from django.urls import path, re_path

from . import views

app_name = "personnel"

urlpatterns = [
    path("", views.person_list, name="person_list"),
    re_path(r"^ekspor\.(?P<fmt>csv|xlsx)$", views.person_export, name="person_export"),
    path("tambah/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person_detail"),
    path("<int:pk>/ubah/", views.person_edit, name="person_edit"),
    path("<int:pk>/pindah/", views.person_move, name="person_move"),
    path("<int:pk>/email/batal/", views.email_change_cancel, name="email_change_cancel"),
    path("email-saya/", views.own_email, name="own_email"),
    path("email/konfirmasi/<str:token>/", views.email_confirm, name="email_confirm"),
    path("email/hentikan/<str:token>/", views.email_stop, name="email_stop"),
    path("unit/", views.unit_list, name="unit_list"),
    path("unit/tambah/", views.unit_form, name="unit_create"),
    path("unit/<int:pk>/ubah/", views.unit_form, name="unit_edit"),
    path("impor/", views.import_list, name="import_list"),
    re_path(r"^impor/templat\.(?P<fmt>csv|xlsx)$", views.import_template, name="import_template"),
    path("impor/<int:pk>/", views.import_detail, name="import_detail"),
    path("impor/<int:pk>/konfirmasi/", views.import_confirm, name="import_confirm"),
    path("impor/<int:pk>/batal/", views.import_cancel, name="import_cancel"),
    path("impor/<int:pk>/coba-lagi/", views.import_retry, name="import_retry"),
    path("impor/<int:pk>/kesalahan.csv", views.import_issues_csv, name="import_issues_csv"),
]
