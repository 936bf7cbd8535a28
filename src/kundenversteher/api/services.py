"""Writes of the API app: tokens and webhook endpoints. One transaction and one event each."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from kundenversteher.api.errors import InvalidScopeError, OutboundNotAllowedError
from kundenversteher.api.models import ApiToken, Scope, WebhookDelivery, WebhookEndpoint
from kundenversteher.events import services as events
from kundenversteher.events.models import Event

TOKEN_PREFIX = "kv_"  # noqa: S105 - a marker, not a secret
# Only this many characters of a secret are kept in clear text, to recognise a token.
_SHOWN_PREFIX_LENGTH = 10
# last_used_at is written at most this often per token: one UPDATE per request would turn
# every read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def _validated_scopes(scopes: Iterable[str]) -> list[str]:
    wanted = list(dict.fromkeys(scopes))  # keep order, drop duplicates
    unknown = [s for s in wanted if s not in Scope.values]
    if unknown:
        raise InvalidScopeError(unknown)
    return wanted


def create_token(
    *,
    user: AbstractBaseUser,
    name: str,
    scopes: Iterable[str],
    expires_at: datetime | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret. The secret is not stored and never shown
    again; only its SHA-256 is kept (a random 256-bit secret needs no slow hash)."""
    checked = _validated_scopes(scopes)
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,  # type: ignore[misc]  # AUTH_USER_MODEL, typed as the base class
            name=name,
            prefix=secret[:_SHOWN_PREFIX_LENGTH],
            secret_hash=hash_secret(secret),
            scopes=checked,
            expires_at=expires_at,
        )
        events.record(
            "api.token_created",
            actor=user,
            subject=token,
            data={"name": name, "scopes": checked, "prefix": token.prefix},
        )
    return token, secret


def revoke_token(*, token_id: int, by: AbstractBaseUser | None) -> ApiToken:
    """Revoke a token; revoking twice keeps the first revocation time."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(id=token_id)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at", "updated_at"])
            events.record(
                "api.token_revoked", actor=by, subject=token, data={"prefix": token.prefix}
            )
    return token


def authenticate_token(*, secret: str) -> ApiToken | None:
    """The usable token for ``secret`` (not revoked, not expired), or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(secret_hash=hash_secret(secret)).first()
    if token is None or not token.is_usable() or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        # A plain UPDATE, no event: token use is bookkeeping, not a customer touchpoint.
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
        token.last_used_at = now
    return token


def is_loopback_url(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def ensure_outbound_allowed(*, url: str, outbound_allowed: bool) -> None:
    """Raise OutboundNotAllowedError unless outbound calls are enabled or the URL is loopback."""
    if urlsplit(url).scheme not in {"http", "https"}:
        raise OutboundNotAllowedError(url=url, reason="scheme")
    if not outbound_allowed and not is_loopback_url(url):
        raise OutboundNotAllowedError(url=url, reason="disabled")


def create_webhook_endpoint(
    *,
    name: str,
    url: str,
    event_kinds: Iterable[str],
    by: AbstractBaseUser | None,
    outbound_allowed: bool,
) -> tuple[WebhookEndpoint, str]:
    """Register an endpoint; returns it with its signing secret (shown once to the caller)."""
    ensure_outbound_allowed(url=url, outbound_allowed=outbound_allowed)
    kinds = list(dict.fromkeys(k.strip() for k in event_kinds if k.strip()))
    secret = "whsec_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            name=name,
            url=url,
            secret=secret,
            event_kinds=kinds,
            created_by=by,  # type: ignore[misc]
        )
        events.record(
            "api.webhook_created",
            actor=by,
            subject=endpoint,
            data={"name": name, "url": url, "event_kinds": kinds},
        )
    return endpoint, secret


def deactivate_webhook_endpoint(
    *, endpoint_id: int, by: AbstractBaseUser | None
) -> WebhookEndpoint:
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.select_for_update().get(id=endpoint_id)
        if endpoint.active:
            endpoint.active = False
            endpoint.save(update_fields=["active", "updated_at"])
            events.record("api.webhook_deactivated", actor=by, subject=endpoint, data={})
    return endpoint


def has_subscriber(kind: str) -> bool:
    """Whether any active endpoint subscribes to events of ``kind`` (checked per event)."""
    return any(
        "*" in kinds or kind in kinds
        for kinds in WebhookEndpoint.objects.filter(active=True).values_list(
            "event_kinds", flat=True
        )
    )


def plan_deliveries(*, event_id: int) -> list[int]:
    """Create one delivery per active endpoint subscribed to the event's kind.

    Idempotent: the (endpoint, event) pair is unique, so running twice creates nothing new.
    Returns the ids of deliveries created by this call (the ones that need a send task).
    """
    event = Event.objects.get(id=event_id)
    created_ids: list[int] = []
    with transaction.atomic():
        for endpoint in WebhookEndpoint.objects.filter(active=True).order_by("id"):
            if not endpoint.subscribes_to(event.kind):
                continue
            delivery, created = WebhookDelivery.objects.get_or_create(
                endpoint=endpoint, event=event
            )
            if created:
                created_ids.append(delivery.id)
    return created_ids


def start_delivery_attempt(*, delivery_id: int) -> int:
    """Count an attempt and return its number (1 for the first)."""
    now = timezone.now()
    WebhookDelivery.objects.filter(id=delivery_id).update(
        attempts=F("attempts") + 1, last_attempt_at=now, updated_at=now
    )
    return WebhookDelivery.objects.values_list("attempts", flat=True).get(id=delivery_id)


def finish_delivery(
    *,
    delivery_id: int,
    status: str,
    status_code: int | None = None,
    error: str = "",
) -> None:
    """Store the outcome of an attempt. Succeeded, failed and refused are final states."""
    now = timezone.now()
    changes: dict[str, object] = {
        "status": status,
        "last_status_code": status_code,
        "last_error": error[:2000],
        "updated_at": now,
    }
    if status == WebhookDelivery.Status.SUCCEEDED:
        changes["delivered_at"] = now
    WebhookDelivery.objects.filter(id=delivery_id).update(**changes)


def reset_failed_deliveries(*, delivery_ids: list[int]) -> list[int]:
    """Put failed deliveries back to pending with a fresh attempt budget; returns their ids."""
    with transaction.atomic():
        ids = list(
            WebhookDelivery.objects.select_for_update()
            .filter(id__in=delivery_ids, status=WebhookDelivery.Status.FAILED)
            .values_list("id", flat=True)
        )
        WebhookDelivery.objects.filter(id__in=ids).update(
            status=WebhookDelivery.Status.PENDING, attempts=0, updated_at=timezone.now()
        )
    return ids
