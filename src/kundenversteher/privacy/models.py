"""The audit log: who changed which configuration when, and data-subject requests served."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kundenversteher.lib.models import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

# The audit log's own name for the shared append-only error.
AuditLogImmutableError = AppendOnlyError


class AuditEntryQuerySet(AppendOnlyQuerySet["AuditEntry"]):
    pass


class AuditEntry(AppendOnlyModel):
    """One change. ``changes`` maps field → ``[old, new]``; secret fields appear as ``"***"``."""

    class Action(models.TextChoices):
        ADD = "add", _("angelegt")
        CHANGE = "change", _("geändert")
        DELETE = "delete", _("gelöscht")
        EXPORT = "export", _("Datenauskunft erteilt")
        ERASE = "erase", _("personenbezogene Daten gelöscht")

    at = models.DateTimeField(_("Zeitpunkt"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Benutzer"),
    )
    # Kept as text too: the entry must still say who it was after the user is deleted.
    actor_label = models.CharField(_("Benutzername"), max_length=150, blank=True)
    model = models.CharField(_("Objektart"), max_length=100, db_index=True)  # "cases.team"
    object_id = models.CharField(_("Objekt-ID"), max_length=64, db_index=True)
    object_repr = models.CharField(_("Objekt"), max_length=200, blank=True)
    action = models.CharField(_("Aktion"), max_length=8, choices=Action.choices)
    changes = models.JSONField(_("Änderungen"), default=dict, blank=True)

    objects: ClassVar[AuditEntryQuerySet] = AuditEntryQuerySet.as_manager()  # type: ignore[assignment]

    class Meta:
        verbose_name = _("Protokolleintrag")
        verbose_name_plural = _("Änderungsprotokoll")
        ordering = ("-at", "-id")
        indexes = (models.Index(fields=["model", "object_id"]),)

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.model}#{self.object_id}"
