"""Everything Mitra needs, read from the environment with defaults that serve local development.

production.py only tightens what must not have a default there; local.py and test.py only change what
a developer's machine or the test run needs.
"""

from __future__ import annotations

from pathlib import Path

from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

from mitra.env import env_bool, env_db, env_int, env_is_set, env_list, env_str

PLATFORM_ROOT = Path(__file__).resolve().parent.parent  # platform/mitra
REPO_ROOT = PLATFORM_ROOT.parent.parent
VAR_DIR = Path(env_str("MITRA_VAR_DIR", str(REPO_ROOT / "var")))

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-3f9c1b7e")
DEBUG = env_bool("DEBUG", False)

# --- Tenancy -------------------------------------------------------------------------------------------
# Regions are served on <slug>.<MITRA_DOMAIN>; MITRA_DOMAIN itself serves the control plane.
MITRA_DOMAIN = env_str("MITRA_DOMAIN", "localhost").strip().lower().rstrip(".")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [MITRA_DOMAIN, f".{MITRA_DOMAIN}"])
# The scheme and port people reach the platform on, used to build links (setup links, QR codes).
MITRA_PUBLIC_SCHEME = env_str("MITRA_PUBLIC_SCHEME", "http")
MITRA_PUBLIC_PORT = env_str("MITRA_PUBLIC_PORT", "8000")

SHARED_APPS = [
    "django_tenants",
    "tenants",
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "mitra",
    "shared_apps.audit",
    "shared_apps.console",
    "shared_apps.modules",
    "shared_apps.onboarding",
    "shared_apps.licensing",
    "shared_apps.reports",
]
# Auth, sessions and tokens are in both lists on purpose: every region schema has its own accounts,
# sessions and tokens, so a Brebes account exists nowhere else (DESIGN.md, isolation model).
TENANT_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "django.contrib.sessions",
    "rest_framework.authtoken",
    "shared_apps.audit",  # each schema keeps its own audit chain
    "tenant_apps.org",
    "tenant_apps.workspace",
    # Region modules: each declares itself (tenant_apps/base.py); licensing decides who may use it.
    "tenant_apps.eoffice",
    "tenant_apps.ekinerja",
]
INSTALLED_APPS = list(SHARED_APPS) + [app for app in TENANT_APPS if app not in SHARED_APPS]

TENANT_MODEL = "tenants.Region"
TENANT_DOMAIN_MODEL = "tenants.Domain"
PUBLIC_SCHEMA_URLCONF = "mitra.urls_public"
ROOT_URLCONF = "mitra.urls_tenants"
DATABASE_ROUTERS = ["django_tenants.routers.TenantSyncRouter"]
# Schemas are created by the provisioning service, never as a side effect of saving a Region.
TENANT_CREATION_FAKES_MIGRATIONS = False
# New region schemas are cloned from a migrated template schema (verified against it, with plain migrations as
# the fallback); off, every region is migrated from scratch.
MITRA_PROVISION_FROM_TEMPLATE = env_bool("MITRA_PROVISION_FROM_TEMPLATE", True)

MIDDLEWARE = [
    "mitra.health.HealthMiddleware",
    "shared_apps.audit.context.RequestIdMiddleware",
    "tenants.middleware.RegionMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mitra.locale_middleware.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The licence gate: module paths on a region host answer 403 unless licensed today (tenants/gate.py).
    "tenants.gate.ModuleGateMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tenants.context_processors.region",
                "tenant_apps.org.context_processors.region_menu",
            ],
        },
    },
]

WSGI_APPLICATION = "mitra.wsgi.application"
ASGI_APPLICATION = "mitra.asgi.application"

# --- Database ------------------------------------------------------------------------------------------
DATABASES = {"default": env_db("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/mitra")}
DATABASES["default"]["ENGINE"] = "django_tenants.postgresql_backend"
DATABASES["default"]["CONN_MAX_AGE"] = env_int("DATABASE_CONN_MAX_AGE", 60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (keys prefixed by the schema, so regions never read each other's entries) --------------------
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/1")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "mitra"),
    }
}

# --- Auth and sessions ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Host-only cookies: a session made on brebes.<domain> is never sent to another region's host.
SESSION_COOKIE_DOMAIN = None
CSRF_COOKIE_DOMAIN = None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60)

# --- Internationalisation ------------------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [PLATFORM_ROOT / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"  # stored in UTC; each region shows its own zone (WIB/WITA/WIT)
MITRA_DEFAULT_REGION_TIMEZONE = "Asia/Jakarta"

# --- Static and uploaded files -------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media/"
AWS_STORAGE_BUCKET_NAME = env_str("AWS_STORAGE_BUCKET_NAME", "")
if AWS_STORAGE_BUCKET_NAME:
    # S3 or an S3-compatible server kept in Indonesia: every endpoint is configurable.
    AWS_S3_ENDPOINT_URL = env_str("AWS_S3_ENDPOINT_URL", "") or None
    AWS_S3_REGION_NAME = env_str("AWS_S3_REGION_NAME", "ap-southeast-3")
    AWS_ACCESS_KEY_ID = env_str("AWS_ACCESS_KEY_ID", "") or None
    AWS_SECRET_ACCESS_KEY = env_str("AWS_SECRET_ACCESS_KEY", "") or None
    AWS_S3_ADDRESSING_STYLE = env_str("AWS_S3_ADDRESSING_STYLE", "path")
    AWS_S3_SIGNATURE_VERSION = "s3v4"
    AWS_QUERYSTRING_AUTH = True  # downloads are short-lived signed URLs
    AWS_QUERYSTRING_EXPIRE = env_int("AWS_QUERYSTRING_EXPIRE", 300)
    AWS_DEFAULT_ACL = None
    AWS_S3_FILE_OVERWRITE = False
    _default_storage = {"BACKEND": "tenants.storage.RegionS3Storage"}
else:
    _default_storage = {"BACKEND": "tenants.storage.RegionFileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 25 * 1024 * 1024

# --- Celery --------------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_BROKER_URL)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 4)
CELERY_TASK_ALWAYS_EAGER = False
# Where tasks go unless routed: one queue per test run keeps parallel runs (and the demo) apart.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TIMEZONE = "UTC"
# Periodic jobs (run by `celery -A mitra beat`). Times are UTC: 19:00 UTC is 02:00 WIB, outside office hours.
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "drop-terminated-regions": {
        "task": "tenants.drop_terminated_regions",
        "schedule": crontab(minute=0, hour=19),
    },
    # 17:05 UTC is 00:05 WIB: agreements and licences change state on the regions' new calendar day
    # (WITA/WIT regions are already past midnight; the selectors judge validity by each region's own date).
    "refresh-agreements": {"task": "onboarding.refresh_agreements", "schedule": crontab(minute=5, hour=17)},
    "expire-licences": {"task": "licensing.expire_licences", "schedule": crontab(minute=10, hour=17)},
    # 17:30 UTC is 00:30 WIB (01:30 WITA, 02:30 WIT): every region's day has just ended; collect it.
    "collect-adoption-snapshots": {"task": "reports.collect_daily", "schedule": crontab(minute=30, hour=17)},
    # 00:00 UTC on the 1st is 07:00 WIB: last month's figures are all collected; one PDF per region.
    "monthly-region-reports": {
        "task": "reports.monthly_region_reports",
        "schedule": crontab(minute=0, hour=0, day_of_month=1),
    },
}

# --- REST API ------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "mitra.api.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "mitra.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"login": "10/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mitra API",
    "DESCRIPTION": "Control plane and region APIs of Mitra.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
}

# --- Observability -------------------------------------------------------------------------------------
SENTRY_DSN = env_str("SENTRY_DSN", "")
SENTRY_ENVIRONMENT = env_str("SENTRY_ENVIRONMENT", "development")
SENTRY_TRACES_SAMPLE_RATE = float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0"))
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", f"Mitra <noreply@{MITRA_DOMAIN}>")

SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS: list[str] = []
MITRA_S3_CONFIGURED = env_is_set("AWS_STORAGE_BUCKET_NAME")
# Serve static files straight from the apps' folders unless collectstatic has filled STATIC_ROOT
# (production images run collectstatic at build time and leave this off).
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", not (STATIC_ROOT / "mitra").exists())
