"""Event: one row per thing that happened. Never updated, never deleted (except DSGVO erasure)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kundenversteher.lib.models import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

__all__ = ["AppendOnlyError", "Event", "EventQuerySet"]


class EventQuerySet(AppendOnlyQuerySet["Event"]):
    def for_case(self, case_id: int) -> EventQuerySet:
        return self.filter(case_id=case_id)

    def for_customer(self, customer_id: int) -> EventQuerySet:
        return self.filter(customer_id=customer_id)


class Event(AppendOnlyModel):
    class ActorKind(models.TextChoices):
        USER = "user", _("Benutzer")
        CUSTOMER = "customer", _("Kunde")
        SYSTEM = "system", _("System")
        API = "api", _("API")

    occurred_at = models.DateTimeField(_("Zeitpunkt"), db_index=True)
    kind = models.CharField(_("Art"), max_length=80, db_index=True)
    actor_kind = models.CharField(_("Art des Auslösers"), max_length=16, choices=ActorKind.choices)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Benutzer"),
    )
    actor_label = models.CharField(_("Auslöser"), max_length=200, blank=True)
    channel = models.CharField(_("Kanal"), max_length=32, blank=True)
    # Ids, not foreign keys: events sit below every app and must survive a merged case.
    case_id = models.BigIntegerField(_("Anliegen-ID"), null=True, blank=True, db_index=True)
    customer_id = models.BigIntegerField(_("Kunden-ID"), null=True, blank=True, db_index=True)
    subject_type = models.CharField(_("Objekttyp"), max_length=60, blank=True)
    subject_id = models.CharField(_("Objekt-ID"), max_length=64, blank=True)
    payload = models.JSONField(_("Daten"), default=dict, blank=True)

    objects: ClassVar[EventQuerySet] = EventQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        ordering = ["occurred_at", "id"]
        verbose_name = _("Ereignis")
        verbose_name_plural = _("Ereignisse")
        indexes = [models.Index(fields=["kind", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind}"
