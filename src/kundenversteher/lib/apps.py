from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LibConfig(AppConfig):
    name = "kundenversteher.lib"
    label = "kv_lib"
    verbose_name = _("Kundenversteher – Infrastruktur")
