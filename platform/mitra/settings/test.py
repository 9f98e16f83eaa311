"""The test run: the same services as production (real PostgreSQL, broker, S3 server), faster hashing."""

import os

from mitra.settings.base import *  # noqa: F403
from mitra.settings.base import env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; never outside tests
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# Own Redis databases, so a running demo and a test run on one machine never share queues or cache.
CELERY_BROKER_URL = env_str("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/14")
CELERY_RESULT_BACKEND = CELERY_BROKER_URL
CACHES["default"]["LOCATION"] = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # noqa: F405
# Cache keys of their own per test run (like the database below): login throttle counters from one run must
# never lock an account in another run on the same machine. Server and worker processes a run starts
# inherit the environment, so they share the run's prefix.
os.environ.setdefault("TEST_CACHE_KEY_PREFIX", f"mitra-test-{os.getpid()}")
CACHES["default"]["KEY_PREFIX"] = os.environ["TEST_CACHE_KEY_PREFIX"]  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# One test database per pytest process, so parallel runs on one machine (a developer's and CI's) never
# create or drop each other's database.
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", f"test_mitra_{os.getpid()}")}  # noqa: F405
