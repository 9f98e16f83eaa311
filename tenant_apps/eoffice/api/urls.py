from django.urls import path

from tenant_apps.eoffice.api import admin_views, archive_views, views

# Ids are taken as strings and parsed by the selector, so a malformed id is a JSON 404, not an HTML page.
urlpatterns = [
    path("", views.ModuleStatusApi.as_view(), name="eoffice-api-status"),
    path("incoming/", views.IncomingLetterListRegisterApi.as_view(), name="eoffice-api-incoming"),
    path("incoming/<str:letter_id>/", views.IncomingLetterDetailApi.as_view(), name="eoffice-api-incoming-detail"),
    path(
        "incoming/<str:letter_id>/attachments/<str:attachment_id>/",
        views.IncomingAttachmentApi.as_view(),
        name="eoffice-api-incoming-attachment",
    ),
    path(
        "incoming/<str:letter_id>/dispositions/",
        views.IncomingDispositionTreeApi.as_view(),
        name="eoffice-api-incoming-dispositions",
    ),
    path(
        "incoming/<str:letter_id>/timeline/",
        views.IncomingTimelineApi.as_view(),
        name="eoffice-api-incoming-timeline",
    ),
    path("dispositions/", views.DispositionListCreateApi.as_view(), name="eoffice-api-dispositions"),
    path(
        "dispositions/instructions/",
        views.DispositionInstructionListApi.as_view(),
        name="eoffice-api-disposition-instructions",
    ),
    path(
        "dispositions/<str:disposition_id>/",
        views.DispositionDetailApi.as_view(),
        name="eoffice-api-disposition-detail",
    ),
    path("dispositions/<str:disposition_id>/forward/", views.DispositionForwardApi.as_view()),
    path("dispositions/<str:disposition_id>/start/", views.DispositionStartApi.as_view()),
    path("dispositions/<str:disposition_id>/complete/", views.DispositionCompleteApi.as_view()),
    path("dispositions/<str:disposition_id>/return/", views.DispositionReturnApi.as_view()),
    path("dispositions/<str:disposition_id>/cancel/", views.DispositionCancelApi.as_view()),
    path("outgoing/templates/", views.OutgoingTemplateListApi.as_view(), name="eoffice-api-outgoing-templates"),
    path("instructions/", admin_views.InstructionListCreateApi.as_view(), name="eoffice-api-instructions"),
    path("instructions/<str:instruction_id>/", admin_views.InstructionDetailApi.as_view()),
    path("numbers/", admin_views.IssuedNumberListReserveApi.as_view(), name="eoffice-api-numbers"),
    path("numbers/<str:number_id>/cancel/", admin_views.IssuedNumberCancelApi.as_view()),
    path("outgoing/", views.OutgoingLetterListCreateApi.as_view(), name="eoffice-api-outgoing"),
    path("outgoing/<str:letter_id>/", views.OutgoingLetterDetailApi.as_view(), name="eoffice-api-outgoing-detail"),
    path("outgoing/<str:letter_id>/submit/", views.OutgoingLetterSubmitApi.as_view()),
    path("outgoing/<str:letter_id>/review/", views.OutgoingLetterReviewApi.as_view()),
    path("outgoing/<str:letter_id>/sign/", views.OutgoingLetterSignApi.as_view()),
    path("outgoing/<str:letter_id>/pdf/", views.OutgoingLetterPdfApi.as_view(), name="eoffice-api-outgoing-pdf"),
    path(
        "outgoing/<str:letter_id>/timeline/",
        views.OutgoingTimelineApi.as_view(),
        name="eoffice-api-outgoing-timeline",
    ),
    path("search/", archive_views.ArchiveSearchApi.as_view(), name="eoffice-api-search"),
    path("archive/file/", archive_views.ArchiveFileApi.as_view(), name="eoffice-api-archive-file"),
    path(
        "classifications/",
        archive_views.ClassificationListCreateApi.as_view(),
        name="eoffice-api-classifications",
    ),
    path("classifications/<str:classification_id>/", archive_views.ClassificationDetailApi.as_view()),
    path("dossiers/", archive_views.DossierListOpenApi.as_view(), name="eoffice-api-dossiers"),
    path("dossiers/<str:dossier_id>/", archive_views.DossierDetailApi.as_view(), name="eoffice-api-dossier-detail"),
    path("dossiers/<str:dossier_id>/close/", archive_views.DossierCloseApi.as_view()),
    path("dossiers/<str:dossier_id>/reopen/", archive_views.DossierReopenApi.as_view()),
    path("dossiers/<str:dossier_id>/dispose/", archive_views.DossierDisposeApi.as_view()),
    path("dossiers/<str:dossier_id>/transfer/", archive_views.DossierTransferApi.as_view()),
    path("dossiers/<str:dossier_id>/items/<str:item_id>/dispose/", archive_views.DossierItemDisposeApi.as_view()),
]
