"""Switches, stored decisions and daily figures of the automatic answers."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kundenversteher.cases.models import Case, Message
from kundenversteher.knowledge.automation.types import Action, Mode, Outcome


class AutomationSettings(models.Model):
    """The one row of global switches (``load()`` creates it with the safe defaults)."""

    class ModeChoice(models.TextChoices):
        OFF = Mode.OFF.value, _("Aus (Kill-Switch: nichts wird automatisch beantwortet)")
        SHADOW = Mode.SHADOW.value, _("Schattenmodus (entscheiden und aufzeichnen, nichts senden)")
        LIVE = Mode.LIVE.value, _("Aktiv (automatische Antworten werden gesendet)")

    mode = models.CharField(
        _("Modus"), max_length=8, choices=ModeChoice.choices, default=ModeChoice.SHADOW
    )
    target_precision = models.FloatField(
        _("Ziel-Präzision"),
        default=0.95,
        help_text=_(
            "Anteil der automatischen Antworten, die stimmen sollen; die Schwellen je Absicht "
            "werden beim Training darauf eingestellt."
        ),
    )
    reopen_window_days = models.PositiveSmallIntegerField(
        _("Wiedereröffnungs-Fenster (Tage)"),
        default=7,
        help_text=_("Eine Kundenantwort innerhalb dieser Frist zählt gegen die Automatik."),
    )
    negative_sentiment_below = models.FloatField(_("Eskalation unter Stimmungswert"), default=-0.5)
    repeated_contact_limit = models.PositiveSmallIntegerField(
        _("Eskalation ab früheren Anliegen zum selben Thema (30 Tage)"), default=2
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Automatik-Einstellungen")
        verbose_name_plural = _("Automatik-Einstellungen")

    def __str__(self) -> str:
        return str(self.get_mode_display())

    @classmethod
    def load(cls) -> AutomationSettings:
        """The row (pk 1), created with the defaults on first use."""
        row, _created = cls.objects.get_or_create(pk=1)
        return row


class IntentAutomation(models.Model):
    """A per-intent switch and an optional stricter confidence (no row = switched on)."""

    intent = models.CharField(_("Absicht"), max_length=64, unique=True)
    enabled = models.BooleanField(_("Automatik an"), default=True)
    min_confidence = models.FloatField(
        _("Mindestsicherheit (strenger als das Modell)"),
        null=True,
        blank=True,
        help_text=_("Leer: die Schwelle des Modells für diese Absicht gilt."),
    )
    updated_at = models.DateTimeField(_("geändert am"), auto_now=True)

    class Meta:
        verbose_name = _("Automatik je Absicht")
        verbose_name_plural = _("Automatik je Absicht")
        ordering = ("intent",)

    def __str__(self) -> str:
        return self.intent


class AutomationDecision(models.Model):
    """What was decided for one customer message, why, and what came of it."""

    class ActionChoice(models.TextChoices):
        AUTO_ANSWER = Action.AUTO_ANSWER.value, _("automatisch beantworten")
        SUGGEST = Action.SUGGEST.value, _("Entwurf vorschlagen")
        ROUTE = Action.ROUTE.value, _("an Sachbearbeitung")

    class OutcomeChoice(models.TextChoices):
        PENDING = Outcome.PENDING.value, _("offen")
        ANSWERED = Outcome.ANSWERED.value, _("beantwortet")
        REOPENED = Outcome.REOPENED.value, _("wieder eröffnet")
        NOT_HELPED = Outcome.NOT_HELPED.value, _("hat nicht geholfen")

    case = models.ForeignKey(
        Case,
        on_delete=models.CASCADE,
        related_name="automation_decisions",
        verbose_name=pgettext_lazy("ein Anliegen", "Anliegen"),
    )
    message = models.ForeignKey(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Nachricht"),
    )
    action = models.CharField(_("Entscheidung"), max_length=16, choices=ActionChoice.choices)
    shadow = models.BooleanField(_("Schattenmodus"), default=False)
    intent = models.CharField(_("Absicht"), max_length=64, blank=True, db_index=True)
    channel = models.CharField(_("Kanal"), max_length=16, blank=True)
    confidence = models.FloatField(pgettext_lazy("Konfidenz", "Sicherheit"), null=True, blank=True)
    threshold = models.FloatField(_("Schwelle"), null=True, blank=True)
    # Whether the intent had an answer template: the denominator of the automation rate.
    standard = models.BooleanField(_("Standardanfrage"), default=False)
    new_case = models.BooleanField(_("erste Nachricht des Anliegens"), default=True)
    reasons = models.JSONField(_("Gründe"), default=list)
    draft_subject = models.CharField(_("Entwurf: Betreff"), max_length=300, blank=True)
    draft_body = models.TextField(_("Entwurf: Text"), blank=True)
    template_id = models.PositiveIntegerField(_("Vorlage"), null=True, blank=True)
    sent_message = models.OneToOneField(
        Message,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="automatic_answer",
        verbose_name=_("gesendete Antwort"),
    )
    sent_at = models.DateTimeField(_("gesendet am"), null=True, blank=True)
    outcome = models.CharField(
        _("Ergebnis"),
        max_length=16,
        choices=OutcomeChoice.choices,
        default=OutcomeChoice.PENDING,
    )
    outcome_at = models.DateTimeField(_("Ergebnis am"), null=True, blank=True)
    created_at = models.DateTimeField(_("entschieden am"), db_index=True)

    class Meta:
        verbose_name = _("Automatik-Entscheidung")
        verbose_name_plural = _("Automatik-Entscheidungen")
        ordering = ("-created_at", "-id")
        indexes = (models.Index(fields=["case", "-created_at"]),)

    def __str__(self) -> str:
        return f"{self.get_action_display()} ({self.intent})"


class AutomationDailyStat(models.Model):
    """Figures per day × intent × channel, recomputed by ``compute_daily_stats``."""

    day = models.DateField(_("Tag"))
    intent = models.CharField(_("Absicht"), max_length=64, blank=True)
    channel = models.CharField(_("Kanal"), max_length=16, blank=True)
    decided = models.PositiveIntegerField(_("entschieden"), default=0)
    standard = models.PositiveIntegerField(_("Standardanfragen"), default=0)
    auto_answered = models.PositiveIntegerField(_("automatisch beantwortet"), default=0)
    would_auto_answer = models.PositiveIntegerField(_("im Schattenmodus beantwortbar"), default=0)
    suggested = models.PositiveIntegerField(_("Entwurf vorgeschlagen"), default=0)
    routed = models.PositiveIntegerField(_("weitergeleitet"), default=0)
    reopened = models.PositiveIntegerField(_("wieder eröffnet"), default=0)
    not_helped = models.PositiveIntegerField(_("hat nicht geholfen"), default=0)
    corrected = models.PositiveIntegerField(_("Absicht korrigiert"), default=0)
    # Shadow mode: would-be answers whose intent an agent corrected (the answer would have been
    # wrong) — the precision to expect before switching on.
    shadow_corrected = models.PositiveIntegerField(
        _("im Schattenmodus: Absicht korrigiert"), default=0
    )
    computed_at = models.DateTimeField(_("berechnet am"))

    class Meta:
        verbose_name = _("Automatik-Tageswert")
        verbose_name_plural = _("Automatik-Tageswerte")
        ordering = ("-day", "intent", "channel")
        constraints = (
            models.UniqueConstraint(
                fields=("day", "intent", "channel"), name="automation_stat_day_intent_channel"
            ),
        )

    def __str__(self) -> str:
        return f"{self.day} {self.intent} {self.channel}"

    @property
    def precision(self) -> float | None:
        """Answers not reopened as unhelpful and whose intent no agent corrected / answers."""
        if not self.auto_answered:
            return None
        good = self.auto_answered - self.not_helped - self.corrected
        return max(good, 0) / self.auto_answered

    @property
    def shadow_precision(self) -> float | None:
        """Would-be answers whose intent no agent corrected / would-be answers (shadow mode)."""
        if not self.would_auto_answer:
            return None
        return max(self.would_auto_answer - self.shadow_corrected, 0) / self.would_auto_answer

    @property
    def automation_rate(self) -> float | None:
        """Answered automatically and not reopened within the window / standard requests."""
        if not self.standard:
            return None
        return max(self.auto_answered - self.reopened, 0) / self.standard
