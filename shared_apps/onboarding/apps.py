from django.apps import AppConfig


class OnboardingConfig(AppConfig):
    name = "shared_apps.onboarding"
    label = "onboarding"
    verbose_name = "Kerja sama (MoU/PKS)"
    default_auto_field = "django.db.models.BigAutoField"
