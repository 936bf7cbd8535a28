from django.apps import AppConfig


class LibConfig(AppConfig):
    name = "kundenversteher.lib"
    label = "kv_lib"
    verbose_name = "Kundenversteher – Infrastruktur"
