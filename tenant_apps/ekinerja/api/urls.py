from django.urls import path

from tenant_apps.ekinerja.api import views

# Ids are taken as strings and parsed by the selectors, so a malformed id is a JSON 404, not an HTML page.
urlpatterns = [
    path("", views.ModuleStatusApi.as_view(), name="ekinerja-api-status"),
    path("skp/", views.SkpListCreateApi.as_view(), name="ekinerja-api-skp"),
    path("skp/<str:skp_id>/", views.SkpDetailApi.as_view(), name="ekinerja-api-skp-detail"),
    path("skp/<str:skp_id>/rhk/", views.RhkCreateApi.as_view()),
    path("skp/<str:skp_id>/rhk/<str:rhk_id>/", views.RhkDeleteApi.as_view()),
    path("skp/<str:skp_id>/rhk/<str:rhk_id>/indicators/", views.IndicatorCreateApi.as_view()),
    path("skp/<str:skp_id>/indicators/<str:indicator_id>/", views.IndicatorDeleteApi.as_view()),
    path("skp/<str:skp_id>/behaviours/", views.BehaviourApi.as_view()),
    path("skp/<str:skp_id>/submit/", views.SkpSubmitApi.as_view()),
    path("skp/<str:skp_id>/approve/", views.SkpApproveApi.as_view()),
    path("skp/<str:skp_id>/return/", views.SkpReturnApi.as_view()),
    path("skp/<str:skp_id>/pdf/", views.SkpPdfApi.as_view(), name="ekinerja-api-skp-pdf"),
    path("skp/<str:skp_id>/appraisals/", views.AppraisalSaveApi.as_view()),
    path("appraisals/<str:appraisal_id>/", views.AppraisalDetailApi.as_view()),
    path("appraisals/<str:appraisal_id>/complete/", views.AppraisalCompleteApi.as_view()),
    path("cascade/", views.CascadeApi.as_view()),
    path("activities/", views.ActivityListCreateApi.as_view(), name="ekinerja-api-activities"),
    path("activities/<str:entry_id>/", views.ActivityDetailApi.as_view()),
    path("activities/<str:entry_id>/evidence/", views.ActivityEvidenceApi.as_view()),
    path("activities/<str:entry_id>/evidence/<str:evidence_id>/", views.EvidenceFileApi.as_view()),
    path("eoffice-work/", views.EofficeWorkApi.as_view()),
    path("validation/", views.ValidationQueueApi.as_view(), name="ekinerja-api-validation"),
    path("reports/fill-rate/", views.FillRateApi.as_view()),
    path("reports/distribution/", views.DistributionApi.as_view()),
    path("settings/", views.SettingsApi.as_view()),
    path("catalogue/", views.CatalogueApi.as_view()),
    path("unit-performance/", views.UnitPerformanceApi.as_view()),
]
