from django.urls import path

from .signing_views import verify

urlpatterns = [
    path("", verify, name="verify_search"),
    path("<str:code>/", verify, name="verify"),
]
