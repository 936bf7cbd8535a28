"""Typed builders for CRM rows of the demo company Brenner Wärmetechnik GmbH."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model

from kundenversteher.customers import services
from kundenversteher.customers.models import (
    Contract,
    Customer,
    Device,
    Order,
    Organisation,
    Product,
    StockItem,
)
from kundenversteher.customers.types import OrderLineInput

BERLIN = ZoneInfo("Europe/Berlin")


def make_customer(
    last_name: str = "Schmidt",
    *,
    first_name: str = "Anna",
    email: str | None = None,
    phone: str | None = None,
    customer_number: str | None = None,
    postcode: str = "93047",
    city: str = "Regensburg",
    street: str = "Donaustraße 5",
    kind: str = Customer.Kind.B2C,
    organisation: Organisation | None = None,
) -> Customer:
    return services.create_customer(
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        customer_number=customer_number,
        postcode=postcode,
        city=city,
        street=street,
        kind=kind,
        organisation_id=organisation.id if organisation else None,
    )


def make_organisation(name: str = "Huber Haustechnik GmbH", *, vat_id: str = "") -> Organisation:
    return Organisation.objects.create(name=name, vat_id=vat_id, city="Landshut")


def make_product(
    sku: str = "WP-AIR-8",
    *,
    name_de: str = "Luft-Wasser-Wärmepumpe 8 kW",
    name_en: str = "Air-to-water heat pump 8 kW",
    category: str = Product.Category.HEAT_PUMP,
    price: str = "8990.00",
) -> Product:
    return Product.objects.create(
        sku=sku, name_de=name_de, name_en=name_en, category=category, price=Decimal(price)
    )


def make_stock(
    product: Product,
    *,
    quantity: int,
    warehouse: str = "Hauptlager",
    restock_date: date | None = None,
    restock_quantity: int = 0,
) -> StockItem:
    return StockItem.objects.create(
        product=product,
        warehouse=warehouse,
        quantity=quantity,
        restock_date=restock_date,
        restock_quantity=restock_quantity,
    )


def make_order(
    customer: Customer,
    *,
    number: int = 4711,
    product: Product | None = None,
    quantity: int = 1,
    ordered_at: datetime | None = None,
    promised_date: date | None = None,
) -> Order:
    if product is None:
        existing = Product.objects.filter(sku="WP-AIR-8").first()
        product = existing or make_product("WP-AIR-8")
    return services.create_order(
        customer_id=customer.id,
        number=number,
        lines=[OrderLineInput(product_id=product.id, quantity=quantity)],
        ordered_at=ordered_at or datetime(2026, 11, 2, 10, 0, tzinfo=BERLIN),
        promised_date=promised_date,
    )


def make_contract(
    customer: Customer,
    *,
    number: str = "WV-200123",
    start: date = date(2024, 1, 1),
    end: date | None = date(2026, 12, 31),
    notice_period_days: int = 90,
    type: str = Contract.Type.MAINTENANCE,
) -> Contract:
    return Contract.objects.create(
        number=number,
        customer=customer,
        type=type,
        start=start,
        end=end,
        notice_period_days=notice_period_days,
        monthly_fee=Decimal("19.90"),
    )


def make_device(
    customer: Customer,
    *,
    serial: str = "BW2301004567",
    product: Product | None = None,
    postcode: str = "93047",
) -> Device:
    return Device.objects.create(
        serial=serial,
        product=product or make_product(sku=f"M-{serial}"),
        owner=customer,
        street="Donaustraße 5",
        postcode=postcode,
        city="Regensburg",
        location="Heizungskeller",
        installed_on=date(2023, 5, 2),
        warranty_until=date(2028, 5, 2),
    )


def make_portal_user(username: str = "clara", *, email: str = "clara@example.de") -> Any:
    return get_user_model().objects.create_user(
        username=username, email=email, password="x-not-used-1234", first_name="Clara"
    )
