from django.apps import AppConfig
from django.utils.translation import pgettext_lazy


class IntakeMailConfig(AppConfig):
    name = "kundenversteher.intake.mail"
    label = "intake_mail"
    verbose_name = pgettext_lazy("App-Name", "E-Mail-Postfächer")
