"""The `mitra` console script: this project's manage.py, installed on PATH."""

import os
import sys

DEFAULT_SETTINGS = "mitra.settings.local"


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    from django.core.management import execute_from_command_line

    execute_from_command_line(argv if argv is not None else sys.argv)
