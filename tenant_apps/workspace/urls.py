from django.urls import path

from tenant_apps.workspace import views

app_name = "workspace"

urlpatterns = [
    path("pengaturan/", views.settings_edit, name="settings"),
    path("logo/", views.logo, name="logo"),
    path("notifikasi/", views.notification_list, name="notifications"),
    path("notifikasi/baca-semua/", views.notification_read_all, name="notifications-read-all"),
    path("notifikasi/e-mail/", views.notification_email, name="notifications-email"),
    path("notifikasi/<str:notification_id>/baca/", views.notification_read, name="notification-read"),
]
