from django.urls import path

from .document_views import badge_verify

urlpatterns = [
    path("<str:code>/", badge_verify, name="taskforce_badge_verify"),
]
