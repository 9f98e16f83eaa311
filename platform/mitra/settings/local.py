"""A developer's machine: debug pages, console e-mail, local files."""

from mitra.observability import init_sentry
from mitra.settings.base import *  # noqa: F403
from mitra.settings.base import env_bool

DEBUG = env_bool("DEBUG", True)

init_sentry()
