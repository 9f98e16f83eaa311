"""/api/v1/reports/… on a region's subdomain (its admin and leaders; mounted by mitra.urls_tenants)."""

from django.urls import path

from shared_apps.reports.api import views

urlpatterns = [
    path("summary/", views.RegionSummaryApi.as_view(), name="api-reports-summary"),
    path("daily/", views.RegionDailyApi.as_view(), name="api-reports-daily"),
    path("units/", views.RegionUnitsApi.as_view(), name="api-reports-units"),
    path("exports/", views.RegionExportListCreateApi.as_view(), name="api-reports-exports"),
    path("exports/<str:export_id>/", views.RegionExportDetailApi.as_view(), name="api-reports-export"),
    path("exports/<str:export_id>/download/", views.RegionExportDownloadApi.as_view(), name="api-reports-download"),
]
