"""URLs of the root domain: the control plane (console pages and the operators' API)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from mitra.auth_api import TokenObtainApi
from mitra.login import LoginView
from shared_apps.console import views as console_views
from shared_apps.modules import views as module_views
from shared_apps.modules.api.views import ModuleListApi

api_v1 = [
    path("auth/token/", TokenObtainApi.as_view(), name="api-token"),
    path("modules/", ModuleListApi.as_view(), name="api-modules"),
    path("agreements/", include("shared_apps.onboarding.api.urls")),
    path("licences/", include("shared_apps.licensing.api.urls")),
    path("regions/", include("shared_apps.console.api.urls")),
    path("reports/", include("shared_apps.reports.api.urls")),
]

urlpatterns = [
    path("", console_views.home, name="home"),
    path("masuk/", LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("modul/", module_views.catalogue, name="module-catalogue"),
    path("kerja-sama/", include("shared_apps.onboarding.urls")),
    path("lisensi/", include("shared_apps.licensing.urls")),
    path("wilayah/", include("shared_apps.console.urls")),
    path("laporan/", include("shared_apps.reports.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(urlconf="mitra.urls_public"), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
]
