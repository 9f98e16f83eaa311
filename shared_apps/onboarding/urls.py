"""Console pages for agreements, mounted at /kerja-sama/ on the root domain."""

from django.urls import path

from shared_apps.onboarding import views

app_name = "onboarding"
urlpatterns = [
    path("", views.agreement_list_view, name="list"),
    path("baru/", views.agreement_create_view, name="create"),
    path("<int:agreement_id>/", views.agreement_detail_view, name="detail"),
    path("<int:agreement_id>/ubah/", views.agreement_edit_view, name="edit"),
    path("<int:agreement_id>/pindaian/", views.agreement_scan_view, name="scan"),
    path("<int:agreement_id>/pindaian/unggah/", views.agreement_scan_upload_view, name="scan-upload"),
    path("<int:agreement_id>/<slug:action>/", views.agreement_action_view, name="action"),
]
