from django.urls import path

from tenant_apps.eoffice import views

urlpatterns = [
    path("", views.home, name="home"),
]
