"""Admin for tokens and webhooks. Workflow fields are read-only; actions call services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kundenversteher.api import services
from kundenversteher.api.models import ApiToken, WebhookDelivery, WebhookEndpoint
from kundenversteher.api.tasks import send_webhook
from kundenversteher.lib.tasks import enqueue_on_commit


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    """Tokens are created with ``kv_create_token`` (the secret is shown once, there)."""

    list_display = ["name", "prefix", "user", "scopes", "expires_at", "last_used_at", "revoked_at"]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = [
        "user",
        "name",
        "prefix",
        "scopes",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "created_at",
    ]
    exclude = ["secret_hash"]
    actions = ["revoke"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Ausgewählte Tokens widerrufen"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        user = request.user if request.user.is_authenticated else None
        for token_id in queryset.values_list("id", flat=True):
            services.revoke_token(token_id=token_id, by=user)
        self.message_user(request, _("Tokens widerrufen."), messages.SUCCESS)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    """Endpoints are registered through the API (POST /api/v1/webhooks/), which checks the
    outbound policy and shows the signing secret once."""

    list_display = ["name", "url", "event_kinds", "active", "created_at"]
    list_filter = ["active"]
    readonly_fields = ["name", "url", "event_kinds", "active", "created_by", "created_at"]
    actions = ["deactivate"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Ausgewählte Endpunkte deaktivieren"))
    def deactivate(self, request: HttpRequest, queryset: QuerySet[WebhookEndpoint]) -> None:
        user = request.user if request.user.is_authenticated else None
        for endpoint_id in queryset.values_list("id", flat=True):
            services.deactivate_webhook_endpoint(endpoint_id=endpoint_id, by=user)
        self.message_user(request, _("Endpunkte deaktiviert."), messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin[WebhookDelivery]):
    list_display = [
        "id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_attempt_at",
        "delivered_at",
    ]
    list_filter = ["status", "endpoint"]
    list_select_related = ["endpoint", "event"]
    readonly_fields = [
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "last_attempt_at",
        "delivered_at",
        "created_at",
    ]
    actions = ["retry"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Fehlgeschlagene Zustellungen erneut senden"))
    def retry(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        ids = services.reset_failed_deliveries(
            delivery_ids=list(queryset.values_list("id", flat=True))
        )
        for delivery_id in ids:
            enqueue_on_commit(send_webhook, delivery_id)
        self.message_user(
            request, _("%(n)d Zustellung(en) neu eingeplant.") % {"n": len(ids)}, messages.SUCCESS
        )
