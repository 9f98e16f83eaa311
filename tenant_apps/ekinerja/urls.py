from django.urls import path

from tenant_apps.ekinerja import views

urlpatterns = [
    path("", views.home, name="home"),
]
