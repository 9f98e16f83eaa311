"""/api/v1/agreements/… (mounted by mitra.urls_public)."""

from django.urls import path

from shared_apps.onboarding.api import views

# Ids are taken as strings and parsed by the selector, so a malformed id is a JSON 404, not an HTML page.
urlpatterns = [
    path("", views.AgreementListCreateApi.as_view(), name="api-agreement-list"),
    path("<str:agreement_id>/", views.AgreementDetailApi.as_view(), name="api-agreement-detail"),
    path("<str:agreement_id>/sign/", views.AgreementSignApi.as_view(), name="api-agreement-sign"),
    path("<str:agreement_id>/activate/", views.AgreementActivateApi.as_view(), name="api-agreement-activate"),
    path("<str:agreement_id>/terminate/", views.AgreementTerminateApi.as_view(), name="api-agreement-terminate"),
    path("<str:agreement_id>/scan/", views.AgreementScanApi.as_view(), name="api-agreement-scan"),
]
