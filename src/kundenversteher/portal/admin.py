"""Read-only list of login links, so support can answer "did the customer use the link?"."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from kundenversteher.portal.models import PortalLoginToken


@admin.register(PortalLoginToken)
class PortalLoginTokenAdmin(admin.ModelAdmin[PortalLoginToken]):
    list_display = ("user", "created_at", "expires_at", "used_at")
    list_filter = ("used_at",)
    search_fields = ("user__username", "user__email")
    # The hash is useless to a reader and is left out; links are issued only by the portal.
    exclude = ("token_hash",)
    readonly_fields = ("user", "created_at", "expires_at", "used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
