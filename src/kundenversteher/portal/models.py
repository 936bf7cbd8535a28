"""Portal state: single-use magic-link tokens for customer logins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PortalLoginToken(models.Model):
    """One login link. Only the SHA-256 of the random token is stored: a database leak yields
    no usable link. ``used_at`` is set once, by a conditional UPDATE, when the link is redeemed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="portal_login_tokens",
        verbose_name=_("Benutzer"),
    )
    token_hash = models.CharField(_("Token-Prüfsumme"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("erstellt am"))
    expires_at = models.DateTimeField(_("gültig bis"), db_index=True)
    used_at = models.DateTimeField(_("eingelöst am"), null=True, blank=True)

    class Meta:
        verbose_name = _("Anmeldelink")
        verbose_name_plural = _("Anmeldelinks")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"
