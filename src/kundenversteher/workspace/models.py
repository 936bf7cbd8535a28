"""Workspace data: who of the staff is online (presence), nothing else.

Presence is personal data about employees: one row per user with the last sign of life and the
number of open connections — no history, no per-page tracking. (Performance monitoring of staff
needs the works council's consent in Germany, §87 (1) 6 BetrVG; this is a routing aid only.)
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AgentPresence(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="presence",
        verbose_name=_("Benutzer"),
    )
    last_seen = models.DateTimeField(_("zuletzt aktiv"), db_index=True)
    # Open websocket connections (tabs) across all web processes; a crashed process leaves a
    # count behind, so "online" also needs a recent last_seen (see presence.py).
    connections = models.PositiveIntegerField(_("offene Verbindungen"), default=0)

    class Meta:
        verbose_name = _("Anwesenheit")
        verbose_name_plural = _("Anwesenheiten")

    def __str__(self) -> str:
        return f"{self.user} ({self.connections})"
