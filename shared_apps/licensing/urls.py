"""Console pages for licences, mounted at /lisensi/ on the root domain."""

from django.urls import path

from shared_apps.licensing import views

app_name = "licensing"

urlpatterns = [
    path("", views.licence_list_view, name="list"),
    path("terbitkan/", views.licence_issue_view, name="issue"),
    path("<int:pk>/", views.licence_detail_view, name="detail"),
    path("<int:pk>/perbarui/", views.licence_renew_view, name="renew"),
    path("<int:pk>/perpanjang/", views.licence_extend_view, name="extend"),
    path("<int:pk>/modul/", views.licence_modules_view, name="modules"),
    path("<int:pk>/cabut/", views.licence_revoke_view, name="revoke"),
]
