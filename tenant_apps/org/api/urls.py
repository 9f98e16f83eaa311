"""/api/v1/org/ on a region's host."""

from django.urls import path

from tenant_apps.org.api import views

urlpatterns = [
    path("units/", views.UnitListApi.as_view(), name="api-org-units"),
    path("positions/", views.PositionListApi.as_view(), name="api-org-positions"),
    path("positions/<int:pk>/official/", views.PositionOfficialApi.as_view(), name="api-org-position-official"),
    path("employees/", views.EmployeeListApi.as_view(), name="api-org-employees"),
]
