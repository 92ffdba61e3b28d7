from django.urls import path

from . import public_views

app_name = "violations_public"

urlpatterns = [
    path("", public_views.report, name="report"),
    path("status/", public_views.status, name="status"),
]
