from django.apps import AppConfig


class MitraConfig(AppConfig):
    name = "mitra"
    verbose_name = "Mitra"

    def ready(self) -> None:
        from mitra import checks  # noqa: F401  (registers the system checks)
