"""Report pages on the root domain (operators), mounted at /laporan/ by mitra.urls_public."""

from django.urls import path

from shared_apps.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("csv/<slug:table>/", views.dashboard_csv, name="csv"),
    path("pengumpulan/", views.run_list, name="runs"),
    path("pengumpulan/mulai/", views.run_start, name="run-start"),
    path("pengumpulan/<int:run_id>/", views.run_detail, name="run-detail"),
    path("ekspor/", views.platform_export_request, name="export-request"),
    path("ekspor/<int:export_id>/status/", views.platform_export_status, name="export-status"),
    path("ekspor/<int:export_id>/unduh/", views.platform_export_download, name="export-download"),
]
