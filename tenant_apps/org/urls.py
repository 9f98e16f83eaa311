"""Organisation pages on a region's host, mounted at /organisasi/."""

from django.urls import path

from tenant_apps.org import views

app_name = "org"

urlpatterns = [
    path("", views.tree, name="tree"),
    path("unit/", views.unit_list, name="unit-list"),
    path("jabatan/", views.position_list, name="position-list"),
    path("jabatan/<int:pk>/", views.position_detail, name="position-detail"),
    path("pegawai/", views.employee_list, name="employee-list"),
    path("pegawai/<int:pk>/", views.employee_detail, name="employee-detail"),
    path("pegawai/<int:pk>/aktivasi/", views.employee_activation, name="employee-activation"),
    path("plt-plh/tambah/", views.acting_create, name="acting-create"),
    path("plt-plh/<int:pk>/akhiri/", views.acting_end, name="acting-end"),
    path("impor/", views.import_upload, name="import"),
    path("impor/templat/<str:kind>.csv", views.import_template, name="import-template"),
    path("impor/<str:token>/", views.import_preview, name="import-preview"),
    path("ekspor/<str:kind>.csv", views.export, name="export"),
]
