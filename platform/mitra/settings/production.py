"""Production: the same as base, but nothing that matters may fall back to a default."""

from django.core.exceptions import ImproperlyConfigured

from mitra.observability import init_sentry
from mitra.settings.base import *  # noqa: F403
from mitra.settings.base import env_bool, env_int, env_list, env_str

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")  # no default: refuse to start without one
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("dev-only"):
    raise ImproperlyConfigured("SECRET_KEY must be a random value of at least 50 characters")
MITRA_DOMAIN = env_str("MITRA_DOMAIN")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("Set ALLOWED_HOSTS (e.g. 'mitra.go.id,.mitra.go.id')")
MITRA_PUBLIC_SCHEME = "https"
MITRA_PUBLIC_PORT = env_str("MITRA_PUBLIC_PORT", "")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The health probes come from the orchestrator over plain HTTP inside the cluster.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [f"https://{MITRA_DOMAIN}", f"https://*.{MITRA_DOMAIN}"])
# Preload is a one-way door for a government domain; leave it to the operators to decide.
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = ["security.W021"]

init_sentry()
