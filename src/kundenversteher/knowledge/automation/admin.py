"""Admin: the global mode (kill switch), per-intent switches, decisions and daily figures.

Switch changes are audited (``AuditedModelAdmin``) and read fresh for every message, so "Aus"
stops the next automatic answer, including ones already decided but not yet sent.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.models import (
    AutomationDailyStat,
    AutomationDecision,
    AutomationSettings,
    IntentAutomation,
)
from kundenversteher.knowledge.automation.types import Mode
from kundenversteher.privacy.audit import AuditedModelAdmin


@admin.register(AutomationSettings)
class AutomationSettingsAdmin(AuditedModelAdmin[AutomationSettings]):
    list_display = ("mode", "target_precision", "reopen_window_days", "updated_at")
    actions = ("switch_off_now", "switch_to_shadow", "switch_to_live")
    fields = (
        "mode",
        "target_precision",
        "reopen_window_days",
        "negative_sentiment_below",
        "repeated_contact_limit",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        # The one row is created on first read (the list below): never offer an add form, which
        # would answer 403 once the list was opened (the admin index showed the link before).
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet[AutomationSettings]:
        AutomationSettings.load()  # the list is never empty: the kill switch is always there
        return super().get_queryset(request)

    def _switch(self, request: HttpRequest, mode: Mode) -> None:
        row = services.set_mode(mode=mode.value, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            gettext("Automatik-Modus jetzt: %(mode)s") % {"mode": row.get_mode_display()},
            messages.WARNING if mode is Mode.OFF else messages.SUCCESS,
        )

    @admin.action(description=_("Automatik sofort abschalten (Kill-Switch)"))
    def switch_off_now(self, request: HttpRequest, queryset: QuerySet[AutomationSettings]) -> None:
        self._switch(request, Mode.OFF)

    @admin.action(description=_("Schattenmodus (nur aufzeichnen)"))
    def switch_to_shadow(
        self, request: HttpRequest, queryset: QuerySet[AutomationSettings]
    ) -> None:
        self._switch(request, Mode.SHADOW)

    @admin.action(description=_("Automatische Antworten einschalten"))
    def switch_to_live(self, request: HttpRequest, queryset: QuerySet[AutomationSettings]) -> None:
        self._switch(request, Mode.LIVE)


@admin.register(IntentAutomation)
class IntentAutomationAdmin(AuditedModelAdmin[IntentAutomation]):
    list_display = ("intent", "enabled", "min_confidence", "updated_at")
    list_editable = ("enabled", "min_confidence")
    search_fields = ("intent",)


@admin.register(AutomationDecision)
class AutomationDecisionAdmin(admin.ModelAdmin[AutomationDecision]):
    """Read-only: decisions are facts; the case view shows them to agents."""

    list_display = ("created_at", "case", "intent", "channel", "action", "shadow", "outcome")
    list_filter = ("action", "shadow", "outcome", "intent", "channel")
    search_fields = ("case__number", "intent")
    list_select_related = ("case",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AutomationDecision._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AutomationDailyStat)
class AutomationDailyStatAdmin(admin.ModelAdmin[AutomationDailyStat]):
    list_display = (
        "day",
        "intent",
        "channel",
        "decided",
        "standard",
        "auto_answered",
        "would_auto_answer",
        "reopened",
        "not_helped",
        "precision",
        "automation_rate",
        "shadow_precision",
    )
    list_filter = ("intent", "channel")
    date_hierarchy = "day"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in AutomationDailyStat._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
