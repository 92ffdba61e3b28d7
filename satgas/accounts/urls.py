from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("", views.user_list, name="user_list"),
    path("<int:pk>/", views.user_detail, name="user_detail"),
    path("<int:pk>/aktif/", views.user_set_active, name="user_set_active"),
    path("<int:pk>/peran/<int:assignment_pk>/hapus/", views.role_revoke, name="role_revoke"),
    path("personel/<int:person_pk>/buat/", views.account_create, name="account_create"),
]
