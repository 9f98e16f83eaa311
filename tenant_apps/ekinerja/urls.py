from django.urls import path

from tenant_apps.ekinerja import views

# Ids are taken as strings and parsed by the selectors, so a malformed id is a 404.
urlpatterns = [
    path("", views.home, name="home"),
    path("skp/", views.skp_list, name="skp-list"),
    path("skp/buat/", views.skp_create_view, name="skp-create"),
    path("skp/<str:skp_id>/", views.skp_detail, name="skp-detail"),
    path("skp/<str:skp_id>/rhk/", views.rhk_add_view, name="rhk-add"),
    path("skp/<str:skp_id>/rhk/<str:rhk_id>/hapus/", views.rhk_delete_view, name="rhk-delete"),
    path("skp/<str:skp_id>/rhk/<str:rhk_id>/indikator/", views.indicator_add_view, name="indicator-add"),
    path("skp/<str:skp_id>/indikator/<str:indicator_id>/hapus/", views.indicator_delete_view, name="indicator-delete"),
    path("skp/<str:skp_id>/perilaku/", views.behaviour_view, name="behaviour"),
    path("skp/<str:skp_id>/pdf/", views.skp_pdf, name="skp-pdf"),
    path("skp/<str:skp_id>/penilaian/", views.appraisal_view, name="appraisal"),
    path("skp/<str:skp_id>/aksi/<str:action>/", views.skp_action, name="skp-action"),
    path("kaskade/", views.cascade, name="cascade"),
    path("aktivitas/", views.activities, name="activities"),
    path("aktivitas/dari-eoffice/", views.activity_from_eoffice, name="activity-from-eoffice"),
    path("aktivitas/<str:entry_id>/hapus/", views.activity_delete, name="activity-delete"),
    path("aktivitas/<str:entry_id>/bukti/<str:evidence_id>/", views.evidence_download, name="evidence-download"),
    path("validasi/", views.validation, name="validation"),
    path("laporan/", views.report, name="report"),
    path("pengaturan/", views.settings_view, name="settings"),
]
