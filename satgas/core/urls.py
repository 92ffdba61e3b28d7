from django.urls import path, re_path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("healthz", views.healthz, name="healthz"),
    path("ping/", views.ping, name="ping"),
    path("pekerjaan-latar/", views.background_work, name="background_work"),
    re_path(
        r"^pekerjaan-latar/(?P<pk>[0-9]+)/(?P<action>retry|dismiss)/$",
        views.background_work_action,
        name="background_work_action",
    ),
]
