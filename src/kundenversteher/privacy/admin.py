from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kundenversteher.privacy.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin[AuditEntry]):
    """Read-only: the audit log can be inspected, never edited."""

    list_display = ("at", "actor_label", "action", "model", "object_id", "object_repr")
    list_filter = ("action", "model")
    search_fields = ("actor_label", "model", "object_id", "object_repr")
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
