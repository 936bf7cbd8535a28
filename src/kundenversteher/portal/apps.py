from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class PortalConfig(AppConfig):
    name = "kundenversteher.portal"
    label = "portal"
    verbose_name = pgettext_lazy("App-Name", "Kundenportal")
