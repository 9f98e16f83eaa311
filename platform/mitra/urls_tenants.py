"""URLs of a region's subdomain: the workspace, then every module the registry knows (the licence gate
decides per request whether the region may use it)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mitra.auth_api import TokenObtainApi
from mitra.login import LoginView
from tenant_apps.eoffice import verification as eoffice_verification
from tenant_apps.org import activation as org_activation
from tenant_apps.org import views as org_views
from tenant_apps.registry import all_modules
from tenant_apps.workspace import views as workspace_views

api_v1 = [path("auth/token/", TokenObtainApi.as_view(), name="api-token")]
api_v1 += [path("org/", include("tenant_apps.org.api.urls"))]
api_v1 += [path("reports/", include("shared_apps.reports.api.region_urls"))]
api_v1 += [path(f"{spec.code}/", include(spec.api_urls)) for spec in all_modules() if spec.api_urls]

urlpatterns = [
    path("", org_views.home, name="home"),
    path("masuk/", LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("kata-sandi/lupa/", workspace_views.PasswordResetView.as_view(), name="password_reset"),
    path("kata-sandi/lupa/terkirim/", workspace_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "kata-sandi/atur/<uidb64>/<token>/",
        workspace_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("kata-sandi/selesai/", workspace_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("tenant_apps.workspace.urls")),
    path("aktivasi/<str:token>/", org_activation.activate, name="activate"),
    path("verifikasi/<str:verification_id>/", eoffice_verification.verify, name="eoffice-verify"),
    path("organisasi/", include("tenant_apps.org.urls")),
    path("laporan/", include("shared_apps.reports.urls_region")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="mitra.urls_tenants"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
urlpatterns += [path(spec.url_prefix, include((spec.urls, spec.code))) for spec in all_modules()]
