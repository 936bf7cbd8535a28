"""Typed builders for answer composition: Clara Schmidt, her order 4711, messages."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from kundenversteher.customers import services
from kundenversteher.customers.models import Customer, Invoice, Order, Product
from kundenversteher.intelligence.entities import extract_entities
from tests.customers.factories import make_customer, make_order, make_product

BERLIN = ZoneInfo("Europe/Berlin")
# Monday 23 November 2026, 18:00 in Berlin: "now" for every composition test.
NOW = datetime(2026, 11, 23, 18, 0, tzinfo=BERLIN)
COMPANY = "Brenner Wärmetechnik GmbH"


def make_clara(*, language: str = "de") -> Customer:
    customer = make_customer(
        "Schmidt",
        first_name="Clara",
        email="clara.schmidt@example.de",
        customer_number="KD-104711",
        street="Lindenstraße 12",
        postcode="82031",
        city="Grünwald",
    )
    services.update_customer(
        customer_id=customer.id, changes={"salutation": "frau", "preferred_language": language}
    )
    customer.refresh_from_db()
    return customer


def make_shipped_order(
    customer: Customer,
    *,
    number: int = 4711,
    product: Product | None = None,
    shipped_at: datetime = datetime(2026, 11, 22, 9, 30, tzinfo=BERLIN),
    carrier: str = "DHL",
    tracking_number: str = "00340434161094000471",
) -> Order:
    order = make_order(
        customer,
        number=number,
        product=product,
        ordered_at=datetime(2026, 11, 17, 10, 0, tzinfo=BERLIN),
    )
    services.update_order_status(order_id=order.id, status="confirmed")
    services.update_order_status(
        order_id=order.id,
        status="shipped",
        carrier=carrier,
        tracking_number=tracking_number,
        shipped_at=shipped_at,
    )
    return order


def make_invoice(order: Order, *, issued_on: date = date(2026, 11, 22)) -> Invoice:
    return services.create_invoice(order_id=order.id, issued_on=issued_on)


def make_spare_part(sku: str = "ET-CP300", *, price: str = "489.00") -> Product:
    return make_product(
        sku,
        name_de="Platine CP-300",
        name_en="Control board CP-300",
        category=Product.Category.SPARE_PART,
        price=price,
    )


def understanding_of(text: str) -> dict[str, Any]:
    """What intake stores beside a message, with entities extracted by the real extractor."""
    entities = extract_entities(text, today=NOW.date())
    return {
        "text": text,
        "entities": [{**asdict(e), "kind": e.kind.value} for e in entities],
        "schema": 1,
    }
