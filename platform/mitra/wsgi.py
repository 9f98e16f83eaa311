"""WSGI entry point: `gunicorn mitra.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "mitra.settings.production")

application = get_wsgi_application()
