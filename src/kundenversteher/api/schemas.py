"""Shared request/response schemas of the API (resource-specific ones live beside them here too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    """Every refused request: a human-readable (German or English) message and a stable code."""

    detail: str
    code: str
    errors: dict[str, list[str]] | None = None


class FieldErrorOut(Schema):
    loc: list[str | int]
    msg: str
    type: str


class ValidationErrorOut(Schema):
    """422: one entry per invalid field, e.g. ``{"loc": ["body", "payload", "subject"], ...}``."""

    detail: list[FieldErrorOut]


# Responses every authenticated operation may give, documented once in the OpenAPI schema.
COMMON_ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    413: ErrorOut,
    422: ValidationErrorOut,
    429: ErrorOut,
}


def with_errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**COMMON_ERRORS, **ok}


class EventOut(Schema):
    id: int
    kind: str
    occurred_at: datetime
    actor_kind: str
    actor_label: str
    channel: str
    case_id: int | None
    customer_id: int | None
    subject_type: str
    subject_id: str
    payload: dict[str, Any]


class EventPage(Schema):
    items: list[EventOut]
    next_cursor: int | None = Field(
        None, description="Für die nächste Seite als ?after= übergeben; null = letzte Seite."
    )


class WebhookIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    url: str = Field(..., min_length=8, max_length=500)
    event_kinds: list[str] = Field(
        ..., min_length=1, description='z. B. ["case.created"] oder ["*"]'
    )


class WebhookOut(Schema):
    id: int
    name: str
    url: str
    event_kinds: list[str]
    active: bool
    created_at: datetime


class WebhookCreatedOut(WebhookOut):
    secret: str = Field(..., description="Signaturschlüssel; wird nur jetzt einmal angezeigt.")


class WebhookDeliveryOut(Schema):
    id: int
    event_id: int
    status: str
    attempts: int
    last_status_code: int | None
    last_error: str
    last_attempt_at: datetime | None
    delivered_at: datetime | None
