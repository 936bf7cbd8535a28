from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class CasesConfig(AppConfig):
    name = "kundenversteher.cases"
    label = "cases"
    verbose_name = pgettext_lazy("App-Name", "Anliegen")
