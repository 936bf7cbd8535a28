"""Reads of the customers app. Other apps get frozen dataclasses from ``types.py``."""

from __future__ import annotations

import functools
import re
from datetime import date, timedelta

import holidays
from django.db.models import Prefetch, Q, QuerySet, Sum
from django.utils.translation import gettext

from kundenversteher.customers.errors import CustomerNotFoundError
from kundenversteher.customers.identity import try_normalise
from kundenversteher.customers.models import (
    Contract,
    Customer,
    CustomerIdentity,
    Device,
    Invoice,
    Order,
    OrderLine,
    StockItem,
)
from kundenversteher.customers.types import (
    ContractInfo,
    CustomerContext,
    CustomerSummary,
    DeviceInfo,
    IdentityInfo,
    InvoiceInfo,
    OrderInfo,
    OrderLineInfo,
)

DEFAULT_SUBDIVISION = "BY"  # Bavaria: where the demo company ships from


# --- delivery dates -------------------------------------------------------------------------


@functools.cache
def _public_holidays(subdivision: str) -> holidays.HolidayBase:
    return holidays.country_holidays("DE", subdiv=subdivision, language="de")


def is_business_day(day: date, *, subdivision: str = DEFAULT_SUBDIVISION) -> bool:
    return day.weekday() < 5 and day not in _public_holidays(subdivision)


def add_business_days(start: date, days: int, *, subdivision: str = DEFAULT_SUBDIVISION) -> date:
    """The date ``days`` working days after ``start`` (weekends and public holidays skipped)."""
    current = start
    remaining = days
    while remaining > 0:
        current += timedelta(days=1)
        if is_business_day(current, subdivision=subdivision):
            remaining -= 1
    return current


def delivery_estimate(
    *,
    product_id: int,
    quantity: int,
    today: date,
    in_stock_days: int = 2,
    shipping_days: int = 2,
    subdivision: str = DEFAULT_SUBDIVISION,
) -> date | None:
    """Earliest delivery date for ``quantity`` units, or None when nobody knows.

    In stock (all warehouses together): ``in_stock_days`` working days from today. Otherwise
    the first restock that makes the quantity available, plus ``shipping_days`` working days.
    ``subdivision`` is the Bundesland whose public holidays the warehouse observes.
    """
    items = list(StockItem.objects.filter(product_id=product_id))
    if not items:
        return None
    available = sum(item.quantity for item in items)
    if available >= quantity:
        return add_business_days(today, in_stock_days, subdivision=subdivision)
    restocks = sorted(
        (item.restock_date, item.restock_quantity)
        for item in items
        if item.restock_date is not None and item.restock_quantity > 0
    )
    for restock_date, restock_quantity in restocks:
        available += restock_quantity
        if available >= quantity:
            # A restock announced for a past date that has not been booked yet counts as today.
            arrival = max(restock_date, today)
            return add_business_days(arrival, shipping_days, subdivision=subdivision)
    return None


def stock_level(*, product_id: int) -> int:
    total = StockItem.objects.filter(product_id=product_id).aggregate(q=Sum("quantity"))["q"]
    return int(total or 0)


# --- converting rows to frozen types -----------------------------------------------------------


def _contract_info(contract: Contract) -> ContractInfo:
    return ContractInfo(
        id=contract.id,
        number=contract.number,
        customer_id=contract.customer_id,
        type=contract.type,
        type_label=str(contract.get_type_display()),
        status=contract.status,
        status_label=str(contract.get_status_display()),
        start=contract.start,
        end=contract.end,
        notice_period_days=contract.notice_period_days,
        notice_deadline=(
            contract.end - timedelta(days=contract.notice_period_days) if contract.end else None
        ),
        auto_renew=contract.auto_renew,
        monthly_fee=contract.monthly_fee,
    )


def _order_info(order: Order, language: str = "de") -> OrderInfo:
    return OrderInfo(
        id=order.id,
        number=order.number,
        customer_id=order.customer_id,
        status=order.status,
        status_label=str(order.get_status_display()),
        ordered_at=order.ordered_at,
        promised_date=order.promised_date,
        shipped_at=order.shipped_at,
        carrier=order.carrier,
        tracking_number=order.tracking_number,
        total=order.total,
        lines=tuple(
            OrderLineInfo(
                sku=line.product.sku,
                name=line.product.name_for(language),
                quantity=line.quantity,
                unit_price=line.unit_price,
            )
            for line in order.lines.all()
        ),
    )


def _device_info(device: Device, language: str = "de") -> DeviceInfo:
    return DeviceInfo(
        id=device.id,
        serial=device.serial,
        customer_id=device.owner_id,
        model_sku=device.product.sku,
        model_name=device.product.name_for(language),
        status=device.status,
        status_label=str(device.get_status_display()),
        street=device.street,
        postcode=device.postcode,
        city=device.city,
        location=device.location,
        installed_on=device.installed_on,
        warranty_until=device.warranty_until,
    )


def _lines_prefetch() -> Prefetch[str, QuerySet[OrderLine], str]:
    return Prefetch("lines", queryset=OrderLine.objects.select_related("product"))


# --- customer 360 -------------------------------------------------------------------------------


def resolve_customer_id(customer_id: int) -> int:
    """Follow merges: the id of the customer that now holds ``customer_id``'s data."""
    seen: set[int] = set()
    current: int | None = customer_id
    while current is not None and current not in seen:
        seen.add(current)
        row = Customer.objects.filter(id=current).values_list("merged_into_id", flat=True)
        if not row.exists():
            raise CustomerNotFoundError(
                gettext("Kunde Nr. %(id)s nicht gefunden.") % {"id": customer_id}
            )
        nxt = row.first()
        if nxt is None:
            return current
        current = nxt
    return customer_id


def get_customer_context(customer_id: int) -> CustomerContext:
    """The customer 360 in six queries. A merged duplicate's id yields the surviving customer.

    Raises ``CustomerNotFoundError``.
    """
    customer = (
        Customer.objects.select_related("organisation")
        .prefetch_related(
            "identities",
            "contracts",
            Prefetch(
                "orders",
                queryset=Order.objects.order_by("-ordered_at", "-number").prefetch_related(
                    _lines_prefetch()
                ),
            ),
            Prefetch("devices", queryset=Device.objects.select_related("product")),
        )
        .filter(id=customer_id)
        .first()
    )
    if customer is None:
        raise CustomerNotFoundError(
            gettext("Kunde Nr. %(id)s nicht gefunden.") % {"id": customer_id}
        )
    if customer.merged_into_id is not None:
        return get_customer_context(resolve_customer_id(customer.merged_into_id))
    language = customer.preferred_language
    identities = list(customer.identities.all())

    def first_of(kind: str) -> str:
        rows = [i for i in identities if i.kind == kind]
        rows.sort(key=lambda i: (not i.verified, i.id))
        return rows[0].value if rows else ""

    return CustomerContext(
        id=customer.id,
        kind=customer.kind,
        salutation=customer.salutation,
        first_name=customer.first_name,
        last_name=customer.last_name,
        display_name=customer.display_name,
        organisation_id=customer.organisation_id,
        organisation_name=customer.organisation.name if customer.organisation else "",
        company_role=customer.company_role,
        preferred_language=language,
        tier=customer.tier,
        street=customer.street,
        postcode=customer.postcode,
        city=customer.city,
        country=customer.country,
        customer_number=first_of(CustomerIdentity.Kind.CUSTOMER_NUMBER),
        email=first_of(CustomerIdentity.Kind.EMAIL),
        phone=first_of(CustomerIdentity.Kind.PHONE),
        has_portal_login=customer.user_id is not None,
        erased=customer.erased_at is not None,
        identities=tuple(IdentityInfo(i.kind, i.value, i.verified) for i in identities),
        contracts=tuple(_contract_info(c) for c in customer.contracts.all()),
        orders=tuple(_order_info(o, language) for o in customer.orders.all()),
        devices=tuple(_device_info(d, language) for d in customer.devices.all()),
    )


# --- lookups by number --------------------------------------------------------------------------


def find_order(number: int | str) -> OrderInfo | None:
    text = str(number).strip().lstrip("#")
    if not text.isdigit():
        return None
    order = (
        Order.objects.select_related("customer")
        .prefetch_related(_lines_prefetch())
        .filter(number=int(text))
        .first()
    )
    return _order_info(order, order.customer.preferred_language) if order else None


def find_contract(number: str) -> ContractInfo | None:
    match = re.fullmatch(r"WV-?(\d{6})", number.strip(), flags=re.IGNORECASE)
    if match is None:
        return None
    contract = Contract.objects.filter(number=f"WV-{match.group(1)}").first()
    return _contract_info(contract) if contract else None


def find_device(serial: str) -> DeviceInfo | None:
    device = (
        Device.objects.select_related("product", "owner")
        .filter(serial=serial.strip().upper())
        .first()
    )
    return _device_info(device, device.owner.preferred_language) if device else None


def search_customers(q: str, *, limit: int = 20) -> list[CustomerSummary]:
    """Find customers by name, organisation, e-mail, phone or any of their numbers."""
    text = q.strip()
    if not text:
        return []
    condition = (
        Q(last_name__icontains=text)
        | Q(first_name__icontains=text)
        | Q(organisation__name__icontains=text)
        | Q(identities__value__icontains=text.lower())
        | Q(contracts__number__iexact=text)
        | Q(devices__serial__iexact=text)
    )
    words = text.split()
    if len(words) > 1:  # "Anna Schmidt" or "Schmidt Anna"
        condition |= Q(first_name__iexact=words[0], last_name__icontains=" ".join(words[1:])) | Q(
            last_name__iexact=words[0], first_name__icontains=" ".join(words[1:])
        )
    if text.lstrip("#").isdigit():
        condition |= Q(orders__number=int(text.lstrip("#")))
    if phone := try_normalise(CustomerIdentity.Kind.PHONE, text):
        condition |= Q(identities__kind=CustomerIdentity.Kind.PHONE, identities__value=phone)
    if number := try_normalise(CustomerIdentity.Kind.CUSTOMER_NUMBER, text):
        condition |= Q(identities__value=number)
    ids = list(
        Customer.objects.filter(condition, merged_into__isnull=True)
        .order_by("last_name", "first_name", "id")
        .values_list("id", flat=True)
        .distinct()[: limit * 3]
    )
    unique_ids = list(dict.fromkeys(ids))[:limit]
    customers = Customer.objects.select_related("organisation").prefetch_related(
        Prefetch(
            "identities",
            queryset=CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.CUSTOMER_NUMBER),
            to_attr="numbers",
        )
    )
    by_id = customers.in_bulk(unique_ids)
    return [
        CustomerSummary(
            id=c.id,
            display_name=c.display_name,
            kind=c.kind,
            customer_number=c.numbers[0].value if c.numbers else "",
            postcode=c.postcode,
            city=c.city,
        )
        for c in (by_id[i] for i in unique_ids)
    ]


# --- invoices -----------------------------------------------------------------------------------

INVOICE_NUMBER_PATTERN = re.compile(r"RE-?(\d{4})-?(\d{6})", flags=re.IGNORECASE)


def _invoice_info(invoice: Invoice) -> InvoiceInfo:
    customer = invoice.customer
    language = customer.preferred_language
    numbers = [
        i.value
        for i in customer.identities.all()
        if i.kind == CustomerIdentity.Kind.CUSTOMER_NUMBER
    ]
    return InvoiceInfo(
        id=invoice.id,
        number=invoice.number,
        customer_id=invoice.customer_id,
        order_id=invoice.order_id,
        order_number=invoice.order.number,
        issued_on=invoice.issued_on,
        status=invoice.status,
        status_label=str(invoice.get_status_display()),
        paid_on=invoice.paid_on,
        vat_rate=invoice.vat_rate,
        net=invoice.net,
        tax=invoice.tax,
        gross=invoice.gross,
        lines=_order_info(invoice.order, language).lines,
        billing_name=customer.full_name,
        billing_organisation=customer.organisation.name if customer.organisation else "",
        billing_street=customer.street,
        billing_postcode=customer.postcode,
        billing_city=customer.city,
        customer_number=sorted(numbers)[0] if numbers else "",
    )


def _invoices() -> QuerySet[Invoice]:
    return Invoice.objects.select_related(
        "order", "customer", "customer__organisation"
    ).prefetch_related(
        Prefetch("order__lines", queryset=OrderLine.objects.select_related("product")),
        "customer__identities",
    )


def find_invoice(number: str) -> InvoiceInfo | None:
    """The invoice ``RE-2026-001234`` (also written ``re2026001234``), or None."""
    match = INVOICE_NUMBER_PATTERN.fullmatch(number.strip())
    if match is None:
        return None
    invoice = _invoices().filter(number=f"RE-{match.group(1)}-{match.group(2)}").first()
    return _invoice_info(invoice) if invoice else None


def list_invoices(*, customer_id: int, order_id: int | None = None) -> list[InvoiceInfo]:
    """The customer's invoices, newest first (optionally only those of one order)."""
    rows = _invoices().filter(customer_id=customer_id)
    if order_id is not None:
        rows = rows.filter(order_id=order_id)
    return [_invoice_info(invoice) for invoice in rows.order_by("-issued_on", "-number")]


def order_delivery_estimate(*, order_id: int, today: date) -> date | None:
    """When all lines of an unshipped order can be delivered: the latest line estimate, or None
    when any line's availability is unknown (no stock row, no restock that covers it)."""
    lines = list(OrderLine.objects.filter(order_id=order_id).values_list("product_id", "quantity"))
    if not lines:
        return None
    estimates = [
        delivery_estimate(product_id=product_id, quantity=quantity, today=today)
        for product_id, quantity in lines
    ]
    known = [estimate for estimate in estimates if estimate is not None]
    return max(known) if len(known) == len(estimates) else None
