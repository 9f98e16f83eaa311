from django.urls import path

from tenant_apps.ekinerja.api import views

urlpatterns = [
    path("", views.ModuleStatusApi.as_view(), name="ekinerja-api-status"),
]
