from django.urls import path

from tenant_apps.eoffice import views

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
]
