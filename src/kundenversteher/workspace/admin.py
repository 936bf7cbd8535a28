from django.contrib import admin

from kundenversteher.workspace.models import AgentPresence


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin[AgentPresence]):
    list_display = ["user", "connections", "last_seen"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    ordering = ["-last_seen"]
    # Written by the websocket consumers only; the admin is for looking.
    readonly_fields = ["user", "connections", "last_seen"]

    def has_add_permission(self, request: object) -> bool:
        return False
