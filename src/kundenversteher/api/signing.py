"""Webhook wire format: JSON body, HMAC-SHA256 signature over "<timestamp>.<body>".

Receivers verify with :func:`verify_signature` (or the same three lines in any language) and
reject timestamps older than a few minutes, which stops replays of captured requests.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

SIGNATURE_HEADER = "X-Kundenversteher-Signature"
TIMESTAMP_HEADER = "X-Kundenversteher-Timestamp"
EVENT_HEADER = "X-Kundenversteher-Event"
DELIVERY_HEADER = "X-Kundenversteher-Delivery"
USER_AGENT = "Kundenversteher-Webhooks/1"


class WebhookSendError(Exception):
    def __init__(self, message: str, *, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


def encode_body(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False, sort_keys=True).encode()


def sign(*, secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    *,
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> bool:
    """True if ``signature`` matches and ``timestamp`` is within the tolerance."""
    try:
        ts = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    if abs(current - ts) > tolerance_seconds:
        return False
    return hmac.compare_digest(sign(secret=secret, timestamp=ts, body=body), signature)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    # A redirect could lead to a host the outbound policy never approved: treat it as an error.
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


# No proxies from the environment: the policy check is about the URL we were given.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirect)


def post_signed(
    *,
    url: str,
    secret: str,
    body: bytes,
    event_kind: str,
    delivery_id: int,
    timeout: float = 10.0,
) -> int:
    """POST ``body`` signed with ``secret``; return the 2xx status or raise WebhookSendError.

    The caller has already checked the outbound policy for ``url``.
    """
    timestamp = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - scheme checked by ensure_outbound_allowed
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            EVENT_HEADER: event_kind,
            DELIVERY_HEADER: str(delivery_id),
            TIMESTAMP_HEADER: str(timestamp),
            SIGNATURE_HEADER: sign(secret=secret, timestamp=timestamp, body=body),
        },
    )
    try:
        with _OPENER.open(request, timeout=timeout) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        raise WebhookSendError(f"HTTP {exc.code}", status_code=exc.code) from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise WebhookSendError(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= status < 300:
        raise WebhookSendError(f"HTTP {status}", status_code=status)
    return status
