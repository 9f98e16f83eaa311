from django.urls import path

from tenant_apps.eoffice import admin_views, archive_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("surat-masuk/", views.inbox, name="inbox"),
    path("surat-masuk/catat/", views.incoming_register, name="incoming-register"),
    path("surat-masuk/<str:letter_id>/", views.incoming_detail, name="incoming-detail"),
    path(
        "surat-masuk/<str:letter_id>/lampiran/<str:attachment_id>/",
        views.attachment_download,
        name="incoming-attachment",
    ),
    path("surat-masuk/<str:letter_id>/disposisi/", views.disposition_create_view, name="disposition-create"),
    path("disposisi/", views.disposition_inbox, name="dispositions"),
    path("disposisi/terlambat/", views.disposition_overdue, name="dispositions-overdue"),
    path("disposisi/<str:disposition_id>/", views.disposition_detail, name="disposition-detail"),
    path("disposisi/<str:disposition_id>/<str:action>/", views.disposition_action, name="disposition-action"),
    path("pengaturan/instruksi/", admin_views.instruction_list, name="instructions"),
    path("pengaturan/instruksi/<str:instruction_id>/", admin_views.instruction_edit, name="instruction-edit"),
    path("nomor/", admin_views.number_register, name="numbers"),
    path("nomor/<str:number_id>/batal/", admin_views.number_cancel, name="number-cancel"),
    path("surat-keluar/", views.outgoing_list, name="outgoing"),
    path("surat-keluar/buat/", views.outgoing_form, name="outgoing-create"),
    path("surat-keluar/<str:letter_id>/", views.outgoing_detail, name="outgoing-detail"),
    path("surat-keluar/<str:letter_id>/ubah/", views.outgoing_form, name="outgoing-edit"),
    path("surat-keluar/<str:letter_id>/pdf/", views.outgoing_pdf, name="outgoing-pdf"),
    path("surat-keluar/<str:letter_id>/aksi/<str:action>/", views.outgoing_action, name="outgoing-action"),
    path("arsip/", archive_views.search, name="archive"),
    path("arsip/berkas/", archive_views.dossier_list, name="archive-dossiers"),
    path("arsip/berkas/<str:dossier_id>/", archive_views.dossier_detail, name="archive-dossier"),
    path("arsip/berkas/<str:dossier_id>/<str:action>/", archive_views.dossier_action, name="archive-dossier-action"),
    path("arsip/berkaskan/<str:kind>/<str:letter_id>/", archive_views.file_letter, name="archive-file"),
    path("arsip/klasifikasi/", archive_views.classification_list, name="archive-classifications"),
    path(
        "arsip/klasifikasi/<str:classification_id>/",
        archive_views.classification_edit,
        name="archive-classification-edit",
    ),
]
