"""Webhook tasks: plan deliveries for an event, then send each one with retries.

``deliver_event_to_webhooks`` is a reaction (wiring.REACTIONS["*"]); ``send_webhook`` is a
durable task that retries with exponential backoff and leaves the delivery ``failed`` (visible
in the admin) after the last attempt.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings

from kundenversteher.api import services
from kundenversteher.api.errors import OutboundNotAllowedError
from kundenversteher.api.models import WebhookDelivery
from kundenversteher.api.signing import WebhookSendError, encode_body, post_signed
from kundenversteher.lib.tasks import PermanentTaskError, durable_task, enqueue_on_commit

WEBHOOK_MAX_ATTEMPTS = 6  # ~30 s, 1, 2, 4, 8 min: a receiver down for a quarter hour catches up
WEBHOOK_BASE_DELAY_SECONDS = 30.0
WEBHOOK_TIMEOUT_SECONDS = 10.0

_FINAL = {
    WebhookDelivery.Status.SUCCEEDED,
    WebhookDelivery.Status.FAILED,
    WebhookDelivery.Status.REFUSED,
}


@durable_task(max_attempts=3, base_delay_seconds=10.0)
def deliver_event_to_webhooks(event_id: int) -> dict[str, Any]:
    """Reaction to any event: one delivery per subscribed endpoint, each sent by its own task."""
    created = services.plan_deliveries(event_id=event_id)
    for delivery_id in created:
        enqueue_on_commit(send_webhook, delivery_id)
    return {"deliveries": created}


def webhook_payload(delivery: WebhookDelivery) -> dict[str, Any]:
    event = delivery.event
    return {
        "delivery_id": delivery.id,
        "event": {
            "id": event.id,
            "kind": event.kind,
            "occurred_at": event.occurred_at.isoformat(),
            "actor_kind": event.actor_kind,
            "channel": event.channel,
            "case_id": event.case_id,
            "customer_id": event.customer_id,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "data": event.payload,
        },
    }


@durable_task(max_attempts=WEBHOOK_MAX_ATTEMPTS, base_delay_seconds=WEBHOOK_BASE_DELAY_SECONDS)
def send_webhook(delivery_id: int) -> dict[str, Any]:
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event").filter(id=delivery_id).first()
    )
    if delivery is None:
        raise PermanentTaskError(f"webhook delivery {delivery_id} does not exist")
    if delivery.status in _FINAL:
        return {"status": "already_" + delivery.status}  # a redelivered task: nothing to do
    endpoint = delivery.endpoint
    if not endpoint.active:
        services.finish_delivery(
            delivery_id=delivery.id,
            status=WebhookDelivery.Status.FAILED,
            error="Endpunkt ist deaktiviert.",
        )
        return {"status": WebhookDelivery.Status.FAILED}
    try:
        services.ensure_outbound_allowed(
            url=endpoint.url, outbound_allowed=settings.KV_OUTBOUND_ALLOWED
        )
    except OutboundNotAllowedError as exc:
        services.finish_delivery(
            delivery_id=delivery.id, status=WebhookDelivery.Status.REFUSED, error=exc.message()
        )
        return {"status": WebhookDelivery.Status.REFUSED}

    attempt = services.start_delivery_attempt(delivery_id=delivery.id)
    try:
        status_code = post_signed(
            url=endpoint.url,
            secret=endpoint.secret,
            body=encode_body(webhook_payload(delivery)),
            event_kind=delivery.event.kind,
            delivery_id=delivery.id,
            timeout=WEBHOOK_TIMEOUT_SECONDS,
        )
    except WebhookSendError as exc:
        final = attempt >= WEBHOOK_MAX_ATTEMPTS
        services.finish_delivery(
            delivery_id=delivery.id,
            status=WebhookDelivery.Status.FAILED if final else WebhookDelivery.Status.RETRYING,
            status_code=exc.status_code,
            error=str(exc),
        )
        if final:
            raise PermanentTaskError(f"webhook delivery {delivery.id} failed: {exc}") from exc
        raise  # durable_task schedules the next attempt with backoff
    services.finish_delivery(
        delivery_id=delivery.id, status=WebhookDelivery.Status.SUCCEEDED, status_code=status_code
    )
    return {"status": WebhookDelivery.Status.SUCCEEDED, "attempt": attempt}
