from django.urls import path

from tenant_apps.workspace import views

app_name = "workspace"

urlpatterns = [
    path("pengaturan/", views.settings_edit, name="settings"),
    path("logo/", views.logo, name="logo"),
]
