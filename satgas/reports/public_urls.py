from django.urls import path

from . import public_views

urlpatterns = [
    path("", public_views.verify, name="report_verify"),
]
