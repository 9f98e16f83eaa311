"""/api/v1/reports/… on the root domain (operators; mounted by mitra.urls_public)."""

from django.urls import path

from shared_apps.reports.api import views

urlpatterns = [
    path("metrics/", views.MetricListApi.as_view(), name="api-reports-metrics"),
    path("regions/", views.RegionTableApi.as_view(), name="api-reports-regions"),
    path("series/", views.SeriesApi.as_view(), name="api-reports-series"),
    path("overview/", views.OverviewApi.as_view(), name="api-reports-overview"),
    path("runs/", views.RunListCreateApi.as_view(), name="api-reports-runs"),
    path("runs/<str:run_id>/", views.RunDetailApi.as_view(), name="api-reports-run"),
    path("exports/", views.PlatformExportListCreateApi.as_view(), name="api-reports-exports"),
    path("exports/<str:export_id>/", views.PlatformExportDetailApi.as_view(), name="api-reports-export"),
    path("exports/<str:export_id>/download/", views.PlatformExportDownloadApi.as_view(), name="api-reports-download"),
]
