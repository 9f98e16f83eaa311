"""Mitra's Django project package. The Celery app is exported so that `celery -A mitra` finds it."""

from mitra.celery_app import app as celery_app

__all__ = ["celery_app"]
