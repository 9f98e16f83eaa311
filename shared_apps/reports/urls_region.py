"""The region's own report on its subdomain, mounted at /laporan/ by mitra.urls_tenants."""

from django.urls import path

from shared_apps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.region_report, name="region"),
    path("csv/<slug:table>/", views.region_csv, name="region-csv"),
    path("ekspor/", views.region_export_request, name="region-export-request"),
    path("ekspor/<int:export_id>/status/", views.region_export_status, name="region-export-status"),
    path("ekspor/<int:export_id>/unduh/", views.region_export_download, name="region-export-download"),
]
