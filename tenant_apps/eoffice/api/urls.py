from django.urls import path

from tenant_apps.eoffice.api import views

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
]
