from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.archive, name="archive"),
    path("buat/", views.generate, name="generate"),
    path("verifikasi/", views.verify, name="verify"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/buat-ulang/", views.regenerate, name="regenerate"),
    path("<int:pk>/teks/", views.text_update, name="text_update"),
    path("<int:pk>/penerima/", views.recipients_update, name="recipients_update"),
    path("<int:pk>/setujui/", views.approve, name="approve"),
    path("<int:pk>/kirim/", views.send, name="send"),
    path("<int:pk>/versi/<int:number>/pdf/", views.version_pdf, name="version_pdf"),
    path("<int:pk>/versi/<int:number>/xlsx/", views.version_xlsx, name="version_xlsx"),
]
