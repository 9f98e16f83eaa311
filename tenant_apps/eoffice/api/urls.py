from django.urls import path

from tenant_apps.eoffice.api import views

urlpatterns = [
    path("", views.ModuleStatusApi.as_view(), name="eoffice-api-status"),
]
