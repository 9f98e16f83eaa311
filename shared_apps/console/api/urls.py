"""/api/v1/regions/… on the root domain (mounted by mitra.urls_public)."""

from django.urls import path

from shared_apps.console.api import views

# Slugs and ids are taken as strings and looked up by the selectors, so anything malformed is a JSON 404.
urlpatterns = [
    path("", views.RegionListCreateApi.as_view(), name="api-region-list"),
    path("<str:slug>/", views.RegionDetailApi.as_view(), name="api-region-detail"),
    path("<str:slug>/provision/", views.RegionProvisionApi.as_view(), name="api-region-provision"),
    path("<str:slug>/jobs/<str:job_id>/", views.ProvisioningJobApi.as_view(), name="api-region-job"),
    path("<str:slug>/jobs/<str:job_id>/setup-link/", views.SetupLinkApi.as_view(), name="api-region-setup-link"),
    path("<str:slug>/suspend/", views.RegionSuspendApi.as_view(), name="api-region-suspend"),
    path("<str:slug>/resume/", views.RegionResumeApi.as_view(), name="api-region-resume"),
    path("<str:slug>/terminate/", views.RegionTerminateApi.as_view(), name="api-region-terminate"),
    path("<str:slug>/export/", views.RegionExportApi.as_view(), name="api-region-export"),
    path("<str:slug>/exports/<str:export_id>/", views.RegionExportDetailApi.as_view(), name="api-region-export-detail"),
]
