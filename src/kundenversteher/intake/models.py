"""Raw inbound messages and the steps of their processing.

The row is the truth, the task a nudge: an ``InboundMessage`` exists (and its original bytes are
on disk) before anything else happens, and its ``state`` says how far processing got.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from kundenversteher.cases.models import Case, Channel, Message
from kundenversteher.customers.models import Customer


class InboundState(models.TextChoices):
    RECEIVED = "received", _("empfangen")
    PROCESSING = "processing", _("in Verarbeitung")
    DONE = "done", _("abgelegt")
    # Automatic mail (auto-reply, out-of-office, bounce) with no case to link it to.
    IGNORED = "ignored", _("ignoriert (automatisch)")
    FAILED = "failed", _("fehlgeschlagen")


class InboundMessage(models.Model):
    """One delivery from outside, stored raw before it is parsed or understood."""

    channel = models.CharField(_("Kanal"), max_length=20, choices=Channel.choices)
    source = models.CharField(_("Quelle"), max_length=200)  # "imap:Service/INBOX", "webform"
    raw_path = models.CharField(_("Rohdatei"), max_length=255)  # relative to MEDIA_ROOT
    raw_sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    raw_size = models.PositiveBigIntegerField(_("Größe (Bytes)"))
    content_type = models.CharField(_("Inhaltstyp"), max_length=150)
    filename = models.CharField(_("Dateiname"), max_length=255, blank=True)
    meta = models.JSONField(_("Metadaten"), default=dict, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=500, blank=True, db_index=True)
    dedupe_key = models.CharField(_("Dublettenschlüssel"), max_length=500, unique=True)
    received_at = models.DateTimeField(_("empfangen am"), db_index=True)

    state = models.CharField(
        _("Status"),
        max_length=20,
        choices=InboundState.choices,
        default=InboundState.RECEIVED,
        db_index=True,
    )
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    # A run owns the row while its token is set; a run whose token was replaced (the row was
    # taken over after a lost worker) may not file anything.
    claim_token = models.CharField(max_length=32, blank=True)
    claimed_at = models.DateTimeField(_("übernommen am"), null=True, blank=True)
    processed_at = models.DateTimeField(_("verarbeitet am"), null=True, blank=True)

    automatic = models.CharField(_("automatische Nachricht"), max_length=20, blank=True)
    ocr_confidence = models.FloatField(_("OCR-Konfidenz"), null=True, blank=True)
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("Kunde"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case = models.ForeignKey(
        Case,
        verbose_name=_("Anliegen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    case_message = models.ForeignKey(
        Message,
        verbose_name=_("Nachricht im Anliegen"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("eingehende Nachricht")
        verbose_name_plural = _("eingehende Nachrichten")
        ordering = ("-received_at", "-id")
        indexes = [models.Index(fields=["state", "claimed_at"], name="intake_state_claimed")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.channel} {self.source}"


class InboundStep(models.Model):
    """What one pipeline step did to one inbound message (parse, identify, understand, …)."""

    class Status(models.TextChoices):
        OK = "ok", _("erfolgreich")
        SKIPPED = "skipped", _("übersprungen")
        FAILED = "failed", _("fehlgeschlagen")

    inbound = models.ForeignKey(
        InboundMessage, on_delete=models.CASCADE, related_name="steps", verbose_name=_("Nachricht")
    )
    name = models.CharField(_("Schritt"), max_length=40)
    status = models.CharField(_("Ergebnis"), max_length=10, choices=Status.choices)
    detail = models.JSONField(_("Details"), default=dict, blank=True)
    attempt = models.PositiveIntegerField(_("Versuch"), default=1)
    duration_ms = models.FloatField(_("Dauer (ms)"), default=0.0)
    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True)

    class Meta:
        verbose_name = _("Verarbeitungsschritt")
        verbose_name_plural = _("Verarbeitungsschritte")
        ordering = ("at", "id")

    def __str__(self) -> str:
        return f"{self.name}: {self.status}"


class MessageIdIndex(models.Model):
    """Message-ID → case, for inbound and outbound mail alike, so replies find their case."""

    message_id = models.CharField(_("Message-ID"), max_length=500, unique=True)
    case = models.ForeignKey(
        Case, on_delete=models.CASCADE, related_name="+", verbose_name=_("Anliegen")
    )
    created_at = models.DateTimeField(_("erstellt am"), auto_now_add=True)

    class Meta:
        verbose_name = _("Message-ID-Zuordnung")
        verbose_name_plural = _("Message-ID-Zuordnungen")

    def __str__(self) -> str:
        return f"{self.message_id} → {self.case_id}"
