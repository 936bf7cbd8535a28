"""Frozen result types that other apps receive from the customers app (never model instances)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum


class MatchMethod(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    CUSTOMER_NUMBER = "customer_number"
    CONTRACT_NUMBER = "contract_number"
    ORDER_NUMBER = "order_number"
    DEVICE_SERIAL = "device_serial"
    NAME_POSTCODE = "name_postcode"


@dataclass(frozen=True, slots=True)
class IdentityMatch:
    """Who wrote, and why we think so.

    ``customer_id`` is ``None`` when the evidence points at several customers equally; then
    ``candidates`` lists them and ``reason`` says why no choice was made, so an agent can decide.
    """

    customer_id: int | None
    method: MatchMethod
    reason: str
    confidence: float  # 0..1
    candidates: tuple[int, ...] = ()

    @property
    def ambiguous(self) -> bool:
        return self.customer_id is None


@dataclass(frozen=True, slots=True)
class OrderLineInput:
    product_id: int
    quantity: int
    unit_price: Decimal | None = None  # None: the product's current price


@dataclass(frozen=True, slots=True)
class IdentityInfo:
    kind: str
    value: str
    verified: bool


@dataclass(frozen=True, slots=True)
class ContractInfo:
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
    # Last day on which notice still ends the contract at ``end`` (None: open-ended contract).
    notice_deadline: date | None
    auto_renew: bool
    monthly_fee: Decimal


@dataclass(frozen=True, slots=True)
class OrderLineInfo:
    sku: str
    name: str
    quantity: int
    unit_price: Decimal


@dataclass(frozen=True, slots=True)
class OrderInfo:
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
    lines: tuple[OrderLineInfo, ...]


@dataclass(frozen=True, slots=True)
class DeviceInfo:
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


@dataclass(frozen=True, slots=True)
class CustomerSummary:
    id: int
    display_name: str
    kind: str
    customer_number: str
    postcode: str
    city: str


@dataclass(frozen=True, slots=True)
class CustomerContext:
    """Everything an agent or an answer template needs about one customer, fetched in one go."""

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
    email: str  # first verified e-mail, else the first one, else ""
    phone: str  # E.164, same rule
    has_portal_login: bool
    erased: bool
    identities: tuple[IdentityInfo, ...]
    contracts: tuple[ContractInfo, ...]
    orders: tuple[OrderInfo, ...]  # newest first
    devices: tuple[DeviceInfo, ...]


@dataclass(frozen=True, slots=True)
class InvoiceInfo:
    id: int
    number: str
    customer_id: int
    order_id: int
    order_number: int
    issued_on: date
    status: str
    status_label: str
    paid_on: date | None
    vat_rate: Decimal  # percent, e.g. 19.00
    net: Decimal
    tax: Decimal
    gross: Decimal
    lines: tuple[OrderLineInfo, ...]  # the order's lines, prices gross
    # Billing address as it stands on the customer record at reading time.
    billing_name: str
    billing_organisation: str
    billing_street: str
    billing_postcode: str
    billing_city: str
    customer_number: str
