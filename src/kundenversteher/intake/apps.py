from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class IntakeConfig(AppConfig):
    name = "kundenversteher.intake"
    label = "intake"
    verbose_name = pgettext_lazy("App-Name", "Posteingang")
