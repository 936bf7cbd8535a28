"""/api/v1/webhooks: register, list and deactivate endpoints; inspect their deliveries.

Admins only (scope webhooks:manage on tokens). A URL outside this machine is refused unless the
operator enabled outbound calls (KV_OUTBOUND_ALLOWED), and the answer says so.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from kundenversteher.api import services
from kundenversteher.api.auth import ensure_admin, requires
from kundenversteher.api.models import Scope, WebhookDelivery, WebhookEndpoint
from kundenversteher.api.schemas import (
    ErrorOut,
    WebhookCreatedOut,
    WebhookDeliveryOut,
    WebhookIn,
    WebhookOut,
    with_errors,
)

router = Router(tags=["webhooks"])
AUTH = requires(Scope.WEBHOOKS_MANAGE)


@router.get("/", response=with_errors({200: list[WebhookOut]}), auth=AUTH)
def list_webhooks(request: HttpRequest) -> list[WebhookEndpoint]:
    ensure_admin(request)
    return list(WebhookEndpoint.objects.order_by("id"))


@router.post("/", response=with_errors({201: WebhookCreatedOut, 400: ErrorOut}), auth=AUTH)
def create_webhook(request: HttpRequest, payload: WebhookIn) -> Status[WebhookEndpoint]:
    user = ensure_admin(request)
    # The model keeps the secret (signing needs it); this is the only response that shows it.
    endpoint, _secret = services.create_webhook_endpoint(
        name=payload.name,
        url=payload.url,
        event_kinds=payload.event_kinds,
        by=user,
        outbound_allowed=settings.KV_OUTBOUND_ALLOWED,
    )
    return Status(201, endpoint)


@router.post("/{endpoint_id}/deactivate", response=with_errors({200: WebhookOut}), auth=AUTH)
def deactivate_webhook(request: HttpRequest, endpoint_id: int) -> WebhookEndpoint:
    user = ensure_admin(request)
    get_object_or_404(WebhookEndpoint, id=endpoint_id)
    return services.deactivate_webhook_endpoint(endpoint_id=endpoint_id, by=user)


@router.get(
    "/{endpoint_id}/deliveries", response=with_errors({200: list[WebhookDeliveryOut]}), auth=AUTH
)
def list_deliveries(request: HttpRequest, endpoint_id: int) -> list[WebhookDelivery]:
    ensure_admin(request)
    get_object_or_404(WebhookEndpoint, id=endpoint_id)
    return list(WebhookDelivery.objects.filter(endpoint_id=endpoint_id).order_by("-id")[:100])
