from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", include("satgas.core.urls")),
    # allauth's own address management would add addresses nobody confirmed: a person changes theirs here.
    path("accounts/email/", RedirectView.as_view(pattern_name="personnel:own_email"), name="account_email"),
    path("accounts/", include("allauth.urls")),
    path("pengguna/", include("satgas.accounts.urls")),
    path("personel/", include("satgas.personnel.urls")),
    path("ikrar/", include("satgas.oaths.urls")),
    path("sosialisasi/", include("satgas.socialization.urls")),
    path("satgas/", include("satgas.taskforces.urls")),
    path("verifikasi/satgas/", include("satgas.taskforces.verify_urls")),
    path("verifikasi/laporan/", include("satgas.reports.public_urls")),
    path("verifikasi/", include("satgas.oaths.verify_urls")),
    path("pelanggaran/", include("satgas.violations.urls")),
    path("lapor/", include("satgas.violations.public_urls")),
    path("monitoring/", include("satgas.monitoring.urls")),
    path("laporan-semester/", include("satgas.reports.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("django-admin/", admin.site.urls),
]
