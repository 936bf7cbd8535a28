"""API tokens (stored hashed) and outbound webhooks with their delivery log."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kundenversteher.events.models import Event
from kundenversteher.lib.models import TimeStampedModel


class Scope(models.TextChoices):
    """What a token may do. The user's own permissions (team visibility) apply on top."""

    CASES_READ = "cases:read", _("Anliegen lesen")
    CASES_WRITE = "cases:write", _("Anliegen bearbeiten")
    CUSTOMERS_READ = "customers:read", _("Kunden lesen")
    CUSTOMERS_WRITE = "customers:write", _("Kunden anlegen und ändern")
    ORDERS_READ = "orders:read", _("Bestellungen lesen")
    DEVICES_READ = "devices:read", _("Geräte lesen")
    EVENTS_READ = "events:read", _("Ereignisse lesen")
    WEBHOOKS_MANAGE = "webhooks:manage", _("Webhooks verwalten")
    INTAKE_WRITE = "intake:write", _("Nachrichten einliefern")


class ApiToken(TimeStampedModel):
    """A bearer token acting as its user. Only the SHA-256 of the secret is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("Benutzer"),
    )
    name = models.CharField(_("Bezeichnung"), max_length=100)
    # The first characters of the secret, shown so people can tell their tokens apart.
    prefix = models.CharField(_("Präfix"), max_length=16, db_index=True)
    secret_hash = models.CharField(max_length=64, unique=True, editable=False)
    scopes = models.JSONField(_("Berechtigungen"), default=list)
    expires_at = models.DateTimeField(_("läuft ab am"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("zuletzt benutzt"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("widerrufen am"), null=True, blank=True)

    class Meta:
        verbose_name = _("API-Token")
        verbose_name_plural = _("API-Tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def is_usable(self, *, at: datetime | None = None) -> bool:
        now = at or timezone.now()
        return not self.revoked and (self.expires_at is None or self.expires_at > now)

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes


class WebhookEndpoint(TimeStampedModel):
    """An outside URL that receives events of the subscribed kinds, signed with ``secret``."""

    name = models.CharField(_("Bezeichnung"), max_length=100)
    url = models.URLField(_("URL"), max_length=500)
    # Kept in clear text: signing needs it. Shown once on creation, never in lists.
    secret = models.CharField(_("Signaturschlüssel"), max_length=100, editable=False)
    # Event kinds such as "case.created"; "*" subscribes to every kind.
    event_kinds = models.JSONField(_("Ereignisarten"), default=list)
    active = models.BooleanField(_("aktiv"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("angelegt von"),
    )

    class Meta:
        verbose_name = _("Webhook-Endpunkt")
        verbose_name_plural = _("Webhook-Endpunkte")

    def __str__(self) -> str:
        return f"{self.name} → {self.url}"

    def subscribes_to(self, kind: str) -> bool:
        return "*" in self.event_kinds or kind in self.event_kinds


class WebhookDelivery(TimeStampedModel):
    """One event sent to one endpoint; the row is the truth, the send task only a nudge."""

    class Status(models.TextChoices):
        PENDING = "pending", _("ausstehend")
        RETRYING = "retrying", _("wird wiederholt")
        SUCCEEDED = "succeeded", _("zugestellt")
        FAILED = "failed", _("endgültig fehlgeschlagen")
        REFUSED = "refused", _("abgelehnt (ausgehende Verbindungen nicht erlaubt)")

    endpoint = models.ForeignKey(
        WebhookEndpoint,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("Endpunkt"),
    )
    event = models.ForeignKey(
        Event, on_delete=models.PROTECT, related_name="+", verbose_name=_("Ereignis")
    )
    status = models.CharField(
        _("Status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("Versuche"), default=0)
    last_status_code = models.PositiveIntegerField(_("letzter HTTP-Status"), null=True, blank=True)
    last_error = models.TextField(_("letzter Fehler"), blank=True)
    last_attempt_at = models.DateTimeField(_("letzter Versuch"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("zugestellt am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Webhook-Zustellung")
        verbose_name_plural = _("Webhook-Zustellungen")
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event"], name="api_webhook_delivery_once_per_event"
            )
        ]

    def __str__(self) -> str:
        return f"{self.endpoint_id}/{self.event_id}: {self.status}"
