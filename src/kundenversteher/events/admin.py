from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from kundenversteher.events.models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin[Event]):
    list_display = ["occurred_at", "kind", "actor_kind", "actor_label", "channel", "case_id"]
    list_filter = ["kind", "actor_kind", "channel"]
    search_fields = ["kind", "actor_label", "subject_id"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
