"""The project's own AppConfig: its ready() installs the wiring (event → reactions)."""

from django.apps import AppConfig


class ProjectConfig(AppConfig):
    name = "kundenversteher"
    label = "kundenversteher"
    verbose_name = "Kundenversteher"

    def ready(self) -> None:
        from kundenversteher import wiring

        wiring.install()
