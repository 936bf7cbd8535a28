"""Shared request/response schemas of the API (resource-specific ones live beside them here too)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from django.utils import timezone
from ninja import Field, Schema
from pydantic import AfterValidator

from kundenversteher.cases.access import CUSTOMER_ROLE, role_of


def _assume_local_time(value: datetime) -> datetime:
    # A time without offset means German local time (Europe/Berlin), as users read it.
    return timezone.make_aware(value) if timezone.is_naive(value) else value


LocalDatetime = Annotated[datetime, AfterValidator(_assume_local_time)]
"""Query/body times: ISO 8601 with offset, or without one meaning Europe/Berlin."""


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


# --- cases and messages ---------------------------------------------------------------------

CaseStatus = Literal["new", "open", "waiting_customer", "waiting_third_party", "resolved", "closed"]
CasePriority = Literal["low", "normal", "high", "urgent"]
CaseChannel = Literal[
    "email", "letter", "fax", "web_form", "chat", "social", "api", "phone", "device"
]
CaseOrdering = Literal["created", "-created", "updated", "-updated", "due", "priority"]


class AttachmentOut(Schema):
    id: int
    original_filename: str
    content_type: str
    size: int
    sha256: str


class MessageOut(Schema):
    id: int
    case_id: int
    direction: str
    channel: str
    author_id: int | None
    author_label: str
    body_text: str
    body_html: str
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Any) -> list[Any]:
        return list(obj.attachments.all())


class CaseOut(Schema):
    id: int
    number: str
    subject: str
    status: str
    priority: str
    channel: str
    language: str
    intent: str
    intent_confidence: float | None
    sentiment: str
    urgency: str
    team_id: int | None
    assignee_id: int | None
    customer_id: int | None
    tags: list[str]
    first_response_due: datetime | None
    next_response_due: datetime | None
    resolution_due: datetime | None
    merged_into_id: int | None
    version: int = Field(..., description="Für Änderungen mit expected_version (409 bei Konflikt).")
    created_at: datetime
    updated_at: datetime


class CaseDetailOut(CaseOut):
    messages: list[MessageOut]

    @staticmethod
    def resolve_messages(obj: Any, context: dict[str, Any] | None = None) -> list[Any]:
        messages = list(obj.messages.all())
        request = (context or {}).get("request")
        if request is not None and role_of(request.user) == CUSTOMER_ROLE:
            # Internal notes are for staff only.
            messages = [m for m in messages if m.direction != "note"]
        return messages


class CasePage(Schema):
    items: list[CaseOut]
    count: int
    limit: int
    offset: int


class MessagePage(Schema):
    items: list[MessageOut]
    count: int
    limit: int
    offset: int


class CaseIn(Schema):
    subject: str = Field(..., min_length=1, max_length=300)
    channel: CaseChannel = "api"
    customer_id: int | None = None
    body_text: str = Field("", max_length=100_000)
    body_html: str = Field("", max_length=500_000)
    author_label: str = Field("", max_length=200)
    priority: CasePriority = "normal"
    intent: str = Field("", max_length=64)
    language: str = Field("de", min_length=2, max_length=8)
    tags: list[str] = Field(default_factory=list, max_length=50)
    route: bool = Field(True, description="Nach dem Anlegen automatisch einem Team zuweisen.")


class MessageIn(Schema):
    body_text: str = Field(..., min_length=1, max_length=100_000)
    body_html: str = Field("", max_length=500_000)
    direction: Literal["inbound", "outbound"] = "outbound"
    channel: CaseChannel | None = None


class NoteIn(Schema):
    body_text: str = Field(..., min_length=1, max_length=20_000)


class StatusIn(Schema):
    status: CaseStatus
    expected_version: int | None = Field(None, ge=1)


class AssignIn(Schema):
    agent_id: int | None = Field(..., description="null gibt das Anliegen frei")
    expected_version: int = Field(..., ge=1)


class MergeIn(Schema):
    target_id: int = Field(..., description="Das Anliegen, das bestehen bleibt")


# --- customers, orders, devices -------------------------------------------------------------


class CustomerSummaryOut(Schema):
    id: int
    display_name: str
    kind: str
    customer_number: str
    postcode: str
    city: str


class CustomerPage(Schema):
    items: list[CustomerSummaryOut]
    count: int
    limit: int
    offset: int


class IdentityOut(Schema):
    kind: str
    value: str
    verified: bool


class ContractOut(Schema):
    id: int
    number: str
    customer_id: int
    type: str
    type_label: str
    status: str
    status_label: str
    start: date
    end: date | None
    notice_period_days: int
    notice_deadline: date | None
    auto_renew: bool
    monthly_fee: Decimal


class OrderLineOut(Schema):
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


class OrderOut(Schema):
    id: int
    number: int
    customer_id: int
    status: str
    status_label: str
    ordered_at: datetime
    promised_date: date | None
    shipped_at: datetime | None
    carrier: str
    tracking_number: str
    total: Decimal


class OrderDetailOut(OrderOut):
    lines: list[OrderLineOut]


class OrderPage(Schema):
    items: list[OrderOut]
    count: int
    limit: int
    offset: int


class DeviceOut(Schema):
    id: int
    serial: str
    customer_id: int
    model_sku: str
    model_name: str
    status: str
    status_label: str
    street: str
    postcode: str
    city: str
    location: str
    installed_on: date | None
    warranty_until: date | None


class DevicePage(Schema):
    items: list[DeviceOut]
    count: int
    limit: int
    offset: int


class CustomerDetailOut(Schema):
    id: int
    kind: str
    salutation: str
    first_name: str
    last_name: str
    display_name: str
    organisation_id: int | None
    organisation_name: str
    company_role: str
    preferred_language: str
    tier: str
    street: str
    postcode: str
    city: str
    country: str
    customer_number: str
    email: str
    phone: str
    has_portal_login: bool
    erased: bool
    identities: list[IdentityOut]
    contracts: list[ContractOut]
    orders: list[OrderDetailOut]
    devices: list[DeviceOut]


class CustomerIn(Schema):
    last_name: str = Field(..., min_length=1, max_length=100)
    first_name: str = Field("", max_length=100)
    kind: Literal["b2c", "b2b"] = "b2c"
    organisation_id: int | None = None
    salutation: Literal["", "herr", "frau", "divers"] = ""
    company_role: str = Field("", max_length=100)
    preferred_language: Literal["de", "en"] = "de"
    street: str = Field("", max_length=200)
    postcode: str = Field("", max_length=10)
    city: str = Field("", max_length=100)
    country: str = Field("DE", min_length=2, max_length=2)
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=40)
    customer_number: str | None = Field(None, description="KD-123456; sonst vergeben")


# --- tokens (self-service in the browser) ---------------------------------------------------

ScopeName = Literal[
    "cases:read",
    "cases:write",
    "customers:read",
    "customers:write",
    "orders:read",
    "devices:read",
    "events:read",
    "webhooks:manage",
]


class TokenIn(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    scopes: list[ScopeName] = Field(..., min_length=1)
    expires_at: LocalDatetime | None = None


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    scopes: list[str]
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    created_at: datetime


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="Das Token selbst; wird nur jetzt einmal angezeigt.")
