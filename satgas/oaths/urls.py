from django.urls import path

from . import signing_views, views

app_name = "oaths"

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("saya/", signing_views.my_oaths, name="my_oaths"),
    path("cakupan/", views.coverage, name="coverage"),
    path("teks/", views.version_list, name="version_list"),
    path("teks/baru/", views.version_form, name="version_create"),
    path("teks/<int:pk>/", views.version_detail, name="version_detail"),
    path("teks/<int:pk>/ubah/", views.version_form, name="version_edit"),
    path("teks/<int:pk>/terbitkan/", views.version_publish, name="version_publish"),
    path("kampanye/baru/", views.campaign_form, name="campaign_create"),
    path("kampanye/<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("kampanye/<int:pk>/ubah/", views.campaign_form, name="campaign_edit"),
    path("kampanye/<int:pk>/status/", views.campaign_transition, name="campaign_transition"),
    path("kampanye/<int:pk>/pengingat/", views.campaign_remind, name="campaign_remind"),
    path("kampanye/<int:pk>/belum/", views.campaign_non_signers, name="campaign_non_signers"),
    path("kampanye/<int:pk>/belum.xlsx", views.campaign_non_signers_xlsx, name="campaign_non_signers_xlsx"),
    path("kampanye/<int:pk>/tanda-tangan/daftar/", views.campaign_signatures, name="campaign_signatures"),
    path("kampanye/<int:pk>/kertas/", views.campaign_paper, name="campaign_paper"),
    path("kampanye/<int:pk>/tanda-tangan/", signing_views.sign, name="sign"),
    path("undangan/<str:token>/", signing_views.invitation, name="invitation"),
    path("undangan/<str:token>/selesai/", signing_views.invitation_done, name="invitation_done"),
    path("undangan/<str:token>/pernyataan.pdf", signing_views.invitation_pdf, name="invitation_pdf"),
    path("pernyataan/<int:pk>/", signing_views.statement, name="statement"),
    path("pernyataan/<int:pk>/pdf/", signing_views.statement_pdf, name="statement_pdf"),
    path("pernyataan/<int:pk>/pindaian/", signing_views.paper_scan, name="paper_scan"),
    path("pernyataan/<int:pk>/batalkan/", signing_views.signature_void, name="signature_void"),
    path("bukan-saya/<str:token>/", signing_views.disown, name="disown"),
]
