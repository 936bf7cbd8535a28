"""Answer templates: per intent (and situation) and language, plain text with ``{{ slot }}``."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kundenversteher.lib.models import TimeStampedModel


class AnswerTemplate(TimeStampedModel):
    """One answer text. ``variant`` is the situation the slot resolver reports (an order that
    has shipped needs other words than one still waiting for stock); "" = the only one."""

    class Language(models.TextChoices):
        DE = "de", _("Deutsch")
        EN = "en", _("Englisch")

    intent = models.CharField(_("Anliegen-Art"), max_length=64, db_index=True)
    variant = models.CharField(_("Situation"), max_length=32, blank=True, default="")
    language = models.CharField(_("Sprache"), max_length=2, choices=Language.choices)
    subject = models.CharField(_("Betreff"), max_length=200)
    body = models.TextField(
        _("Text"), help_text=_("Platzhalter wie {{ order.number }}; siehe Liste der Platzhalter.")
    )
    active = models.BooleanField(_("aktiv"), default=True)
    version = models.PositiveIntegerField(_("Version"), default=1)

    class Meta:
        verbose_name = _("Antwortvorlage")
        verbose_name_plural = _("Antwortvorlagen")
        ordering = ("intent", "variant", "language")
        constraints = (
            models.UniqueConstraint(
                fields=["intent", "variant", "language"],
                name="knowledge_answers_template_unique",
            ),
        )

    def __str__(self) -> str:
        variant = f" / {self.variant}" if self.variant else ""
        return f"{self.intent}{variant} ({self.language})"
