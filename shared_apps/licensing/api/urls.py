"""/api/v1/licences/ on the root domain."""

from django.urls import path

from shared_apps.licensing.api import views

urlpatterns = [
    path("", views.LicenceListApi.as_view(), name="api-licence-list"),
    path("issue/", views.LicenceIssueApi.as_view(), name="api-licence-issue"),
    path("expiring/", views.LicenceExpiringApi.as_view(), name="api-licence-expiring"),
    path("<int:pk>/", views.LicenceDetailApi.as_view(), name="api-licence-detail"),
    path("<int:pk>/renew/", views.LicenceRenewApi.as_view(), name="api-licence-renew"),
    path("<int:pk>/extend/", views.LicenceExtendApi.as_view(), name="api-licence-extend"),
    path("<int:pk>/modules/", views.LicenceModulesApi.as_view(), name="api-licence-modules"),
    path("<int:pk>/revoke/", views.LicenceRevokeApi.as_view(), name="api-licence-revoke"),
]
