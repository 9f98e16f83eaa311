"""Console pages for regions, mounted at /wilayah/ on the root domain (the dashboard is at /)."""

from django.urls import path

from shared_apps.console import views

app_name = "console"
urlpatterns = [
    path("", views.region_list_view, name="region-list"),
    path("baru/", views.region_register_view, name="region-register"),
    path("<slug:slug>/", views.region_detail_view, name="region-detail"),
    path("<slug:slug>/siapkan/", views.region_provision_view, name="region-provision"),
    path("<slug:slug>/tangguhkan/", views.region_suspend_view, name="region-suspend"),
    path("<slug:slug>/aktifkan-kembali/", views.region_resume_view, name="region-resume"),
    path("<slug:slug>/akhiri/", views.region_terminate_view, name="region-terminate"),
    path("<slug:slug>/ekspor/", views.region_export_view, name="region-export"),
    path("<slug:slug>/ekspor/<int:export_id>/unduh/", views.region_export_download_view, name="export-download"),
    path("<slug:slug>/penyiapan/<int:job_id>/status/", views.provisioning_job_status_view, name="job-status"),
    path("<slug:slug>/penyiapan/<int:job_id>/tautan/", views.setup_link_reveal_view, name="setup-link"),
]
