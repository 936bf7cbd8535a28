"""Slot resolvers: the live CRM/ERP facts an answer template may use, per intent.

Every resolver sees only the identified customer's own data (``SlotContext.customer``, the
customer 360). A number the customer names that is not theirs is treated like an unknown one:
no answer, and nothing about the other customer leaks into the reason either.

A resolver returns ``Filled`` (values as display strings in the answer's language, ``None`` for
a fact that is not known, plus the situation ``variant`` that picks the template) or raises
``SlotUnavailable`` when the question cannot be answered from data at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from kundenversteher.cases.models import Case
from kundenversteher.cases.states import ACTIVE_STATUSES, Status
from kundenversteher.customers.models import Contract, Device, Order
from kundenversteher.customers.queries import (
    find_invoice,
    list_invoices,
    order_delivery_estimate,
    resolve_customer_id,
)
from kundenversteher.customers.types import (
    ContractInfo,
    CustomerContext,
    DeviceInfo,
    InvoiceInfo,
    OrderInfo,
)
from kundenversteher.knowledge.answers.addresses import PostalAddress, find_addresses
from kundenversteher.knowledge.answers.invoices import invoice_filename, render_invoice_pdf
from kundenversteher.knowledge.answers.rendering import format_day, format_money
from kundenversteher.knowledge.answers.types import ComposedAttachment

LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

# Slot names per group, for template validation and the admin's list of placeholders.
SLOT_GROUPS: dict[str, tuple[str, ...]] = {
    "customer": ("greeting", "salutation_name", "name", "customer_number", "email"),
    "company": ("name",),
    "order": (
        "number",
        "status",
        "ordered_on",
        "items",
        "total",
        "shipping_date",
        "carrier",
        "tracking_number",
        "expected_date",
    ),
    "invoice": ("number", "issued_on", "total", "order_number", "status"),
    "contract": (
        "number",
        "type",
        "start",
        "end",
        "notice_period_days",
        "notice_deadline",
        "earliest_end",
        "monthly_fee",
    ),
    "device": ("serial", "model", "status"),
    "open_case": ("number", "status", "received_on"),
    "portal": ("login_url", "link_minutes"),
    "address": ("street", "postcode", "city"),
}
BASE_GROUPS = ("customer", "company")


@dataclass(frozen=True, slots=True)
class SlotContext:
    customer: CustomerContext
    language: str  # "de" or "en"
    entities: tuple[Mapping[str, Any], ...]  # as stored by intelligence.serialise
    text: str  # the analysed message text
    now: datetime
    case_id: int | None
    company_name: str
    base_url: str
    link_minutes: int
    allow_loopback_links: bool  # DEBUG: a demo on 127.0.0.1 may link to itself

    @property
    def today(self) -> date:
        return timezone.localdate(self.now)

    def entity_values(self, kind: str) -> list[str]:
        values = [str(e.get("value") or e.get("text") or "") for e in self.entities]
        kinds = [str(e.get("kind", "")) for e in self.entities]
        return list(dict.fromkeys(v for v, k in zip(values, kinds, strict=True) if k == kind and v))


@dataclass(slots=True)
class Filled:
    values: dict[str, str | None]
    variant: str = ""
    attachments: tuple[ComposedAttachment, ...] = ()
    reasons: dict[str, str] = field(default_factory=dict)  # why a value is None


class SlotUnavailable(Exception):  # noqa: N818 - an expected outcome, not a failure
    def __init__(self, slots: Sequence[str], reason: str) -> None:
        super().__init__(reason)
        self.slots = tuple(slots)
        self.reason = reason


Resolver = Callable[[SlotContext], Filled]


def _label(choices: Any, value: str, language: str) -> str:
    with translation.override(language):
        return str(choices(value).label)


# --- customer and company (every template) ---------------------------------------------------

GREETINGS = {
    "de": {"herr": "Sehr geehrter Herr {last}", "frau": "Sehr geehrte Frau {last}"},
    "en": {"herr": "Dear Mr {last}", "frau": "Dear Ms {last}"},
}
PLAIN_GREETING = {"de": "Guten Tag {full}", "en": "Dear {full}"}
TITLES = {"de": {"herr": "Herr", "frau": "Frau"}, "en": {"herr": "Mr", "frau": "Ms"}}


def base_values(ctx: SlotContext) -> Filled:
    c = ctx.customer
    full = " ".join(part for part in (c.first_name, c.last_name) if part)
    last = c.last_name
    greeting: str | None
    salutation_name: str | None
    if c.salutation in GREETINGS[ctx.language] and last:
        greeting = GREETINGS[ctx.language][c.salutation].format(last=last)
        salutation_name = f"{TITLES[ctx.language][c.salutation]} {last}"
    else:
        greeting = PLAIN_GREETING[ctx.language].format(full=full) if full else None
        salutation_name = full or None
    return Filled(
        values={
            "customer.greeting": greeting,
            "customer.salutation_name": salutation_name,
            "customer.name": full or None,
            "customer.customer_number": c.customer_number or None,
            "customer.email": c.email or None,
            "company.name": ctx.company_name or None,
        },
        reasons={
            "company.name": "Der Firmenname ist nicht konfiguriert (KV_COMPANY_NAME).",
            "customer.email": "Für den Kunden ist keine E-Mail-Adresse hinterlegt.",
            "customer.customer_number": "Der Kunde hat keine Kundennummer.",
        },
    )


# --- orders: order_status, delivery_date --------------------------------------------------------

UNSHIPPED = frozenset({Order.Status.RECEIVED, Order.Status.CONFIRMED, Order.Status.IN_PRODUCTION})
SHIPPED = frozenset({Order.Status.SHIPPED, Order.Status.DELIVERED})
OPEN_ORDER = UNSHIPPED | {Order.Status.SHIPPED}


def _pick_order(ctx: SlotContext) -> OrderInfo:
    numbers = list(
        dict.fromkeys(
            int(v.lstrip("#")) for v in ctx.entity_values("order_number") if v.lstrip("#").isdigit()
        )
    )
    own = {order.number: order for order in ctx.customer.orders}
    if len(numbers) > 1:
        raise SlotUnavailable(
            ["order.number"],
            f"Mehrere Bestellnummern genannt ({', '.join(str(n) for n in numbers)}): "
            "welche gemeint ist, klärt ein Mitarbeiter.",
        )
    if numbers:
        if numbers[0] not in own:
            raise SlotUnavailable(
                ["order.number"],
                f"Bestellung {numbers[0]} ist bei diesem Kunden nicht bekannt.",
            )
        return own[numbers[0]]
    open_orders = [o for o in ctx.customer.orders if o.status in OPEN_ORDER]
    if len(open_orders) != 1:
        raise SlotUnavailable(
            ["order.number"],
            "Keine Bestellnummer genannt, und der Kunde hat nicht genau eine offene Bestellung "
            f"({len(open_orders)}).",
        )
    return open_orders[0]


def resolve_order(ctx: SlotContext) -> Filled:
    order = _pick_order(ctx)
    lang = ctx.language
    if order.status not in SHIPPED | UNSHIPPED:
        raise SlotUnavailable(
            ["order.status"],
            f"Bestellung {order.number} ist „{_label(Order.Status, order.status, 'de')}“: "
            "das beantwortet ein Mitarbeiter.",
        )
    values: dict[str, str | None] = {
        "order.number": str(order.number),
        "order.status": _label(Order.Status, order.status, lang),
        "order.ordered_on": format_day(timezone.localdate(order.ordered_at), lang),
        "order.items": ", ".join(f"{line.quantity} × {line.name}" for line in order.lines) or None,
        "order.total": format_money(order.total, lang),
    }
    reasons: dict[str, str] = {}
    if order.status in SHIPPED:
        if order.shipped_at is None:
            raise SlotUnavailable(
                ["order.shipping_date"],
                f"Bestellung {order.number} gilt als versandt, hat aber kein Versanddatum.",
            )
        values["order.shipping_date"] = format_day(timezone.localdate(order.shipped_at), lang)
        values["order.carrier"] = order.carrier or None
        values["order.tracking_number"] = order.tracking_number or None
        reasons["order.carrier"] = f"Bestellung {order.number}: kein Versanddienstleister."
        reasons["order.tracking_number"] = f"Bestellung {order.number}: keine Sendungsnummer."
        return Filled(values=values, variant="shipped", reasons=reasons)
    # Not shipped yet: the later of a promise still in the future and what stock allows. A
    # promise that stock cannot keep would be a wrong answer; a stale promise is no answer.
    estimate = order_delivery_estimate(order_id=order.id, today=ctx.today)
    promised = (
        order.promised_date if order.promised_date and order.promised_date >= ctx.today else None
    )
    candidates = [day for day in (estimate, promised) if day is not None]
    values["order.expected_date"] = format_day(max(candidates), lang) if candidates else None
    reasons["order.expected_date"] = (
        f"Bestellung {order.number}: weder ein gültiger Liefertermin noch ein Lagerbestand "
        "oder Wareneingang, aus dem sich einer ergibt."
    )
    return Filled(values=values, variant="in_progress", reasons=reasons)


# --- invoice_copy ---------------------------------------------------------------------------------


def _pick_invoice(ctx: SlotContext) -> InvoiceInfo:
    numbers = ctx.entity_values("invoice_number")
    if len(numbers) > 1:
        raise SlotUnavailable(["invoice.number"], "Mehrere Rechnungsnummern genannt.")
    if numbers:
        invoice = find_invoice(numbers[0])
        if invoice is None or resolve_customer_id(invoice.customer_id) != ctx.customer.id:
            raise SlotUnavailable(
                ["invoice.number"], f"Rechnung {numbers[0]} ist bei diesem Kunden nicht bekannt."
            )
        return invoice
    if ctx.entity_values("order_number"):
        order = _pick_order(ctx)
        invoices = list_invoices(customer_id=ctx.customer.id, order_id=order.id)
        if not invoices:
            raise SlotUnavailable(
                ["invoice.number"], f"Für Bestellung {order.number} gibt es keine Rechnung."
            )
        return invoices[0]
    invoices = list_invoices(customer_id=ctx.customer.id)
    if not invoices:
        raise SlotUnavailable(["invoice.number"], "Für diesen Kunden gibt es keine Rechnung.")
    return invoices[0]  # newest: "bitte schicken Sie mir die Rechnung" means the last one


def resolve_invoice(ctx: SlotContext) -> Filled:
    invoice = _pick_invoice(ctx)
    lang = ctx.language
    if not ctx.company_name:
        raise SlotUnavailable(
            ["company.name"], "Der Firmenname ist nicht konfiguriert (KV_COMPANY_NAME)."
        )
    pdf = render_invoice_pdf(invoice, language=lang, company_name=ctx.company_name)
    status = {"de": {"open": "offen", "paid": "bezahlt"}, "en": {"open": "open", "paid": "paid"}}
    return Filled(
        values={
            "invoice.number": invoice.number,
            "invoice.issued_on": format_day(invoice.issued_on, lang),
            "invoice.total": format_money(invoice.gross, lang),
            "invoice.order_number": str(invoice.order_number),
            "invoice.status": status[lang][invoice.status],
        },
        attachments=(
            ComposedAttachment(
                filename=invoice_filename(invoice), content_type="application/pdf", content=pdf
            ),
        ),
    )


# --- contract_info, contract_cancellation -------------------------------------------------------


def _pick_contract(ctx: SlotContext) -> ContractInfo:
    numbers = []
    for value in ctx.entity_values("contract_number"):
        match = re.fullmatch(r"WV[-\s]?(\d{6})", value.strip(), flags=re.IGNORECASE)
        numbers.append(f"WV-{match.group(1)}" if match else value)
    numbers = list(dict.fromkeys(numbers))
    own = {contract.number: contract for contract in ctx.customer.contracts}
    if len(numbers) > 1:
        raise SlotUnavailable(["contract.number"], "Mehrere Vertragsnummern genannt.")
    if numbers:
        if numbers[0] not in own:
            raise SlotUnavailable(
                ["contract.number"], f"Vertrag {numbers[0]} ist bei diesem Kunden nicht bekannt."
            )
        return own[numbers[0]]
    running = [
        c
        for c in ctx.customer.contracts
        if c.status in (Contract.Status.ACTIVE, Contract.Status.NOTICE_GIVEN)
    ]
    if len(running) != 1:
        raise SlotUnavailable(
            ["contract.number"],
            "Keine Vertragsnummer genannt, und der Kunde hat nicht genau einen laufenden Vertrag "
            f"({len(running)}).",
        )
    return running[0]


def resolve_contract(ctx: SlotContext) -> Filled:
    contract = _pick_contract(ctx)
    lang, today = ctx.language, ctx.today
    values: dict[str, str | None] = {
        "contract.number": contract.number,
        "contract.type": _label(Contract.Type, contract.type, lang),
        "contract.start": format_day(contract.start, lang),
        "contract.end": format_day(contract.end, lang) if contract.end else None,
        "contract.notice_period_days": str(contract.notice_period_days),
        "contract.monthly_fee": format_money(contract.monthly_fee, lang),
    }
    if contract.status == Contract.Status.ENDED or (contract.end and contract.end < today):
        raise SlotUnavailable(
            ["contract.end"], f"Vertrag {contract.number} ist beendet: das klärt ein Mitarbeiter."
        )
    if contract.status == Contract.Status.NOTICE_GIVEN:
        if contract.end is None:
            raise SlotUnavailable(
                ["contract.end"], f"Vertrag {contract.number} ist gekündigt, aber ohne Enddatum."
            )
        return Filled(values=values, variant="notice_given")
    if contract.end is None:
        # Open-ended: notice may be given any day and takes effect after the notice period.
        values["contract.earliest_end"] = format_day(
            today + timedelta(days=contract.notice_period_days), lang
        )
        return Filled(values=values, variant="open_ended")
    if not contract.auto_renew:
        return Filled(values=values, variant="expiring")
    deadline = contract.end - timedelta(days=contract.notice_period_days)
    if deadline < today:
        # The contract renews; by how long is not in our data, so no date is promised.
        raise SlotUnavailable(
            ["contract.notice_deadline"],
            f"Vertrag {contract.number}: die Kündigungsfrist zum {contract.end:%d.%m.%Y} ist "
            "verstrichen; die Verlängerung prüft ein Mitarbeiter.",
        )
    values["contract.notice_deadline"] = format_day(deadline, lang)
    return Filled(values=values, variant="fixed_term")


# --- repair_status ------------------------------------------------------------------------------

CASE_STATUS_TEXT = {
    "de": {
        Status.NEW: "eingegangen",
        Status.OPEN: "in Bearbeitung",
        Status.WAITING_CUSTOMER: "wir warten auf Ihre Antwort",
        Status.WAITING_THIRD_PARTY: "wir warten auf eine Rückmeldung (z. B. Hersteller)",
    },
    "en": {
        Status.NEW: "received",
        Status.OPEN: "in progress",
        Status.WAITING_CUSTOMER: "waiting for your reply",
        Status.WAITING_THIRD_PARTY: "waiting for a third party (e.g. the manufacturer)",
    },
}
REPAIR_STATES = frozenset({Device.Status.FAULT, Device.Status.IN_REPAIR})


def _pick_device(ctx: SlotContext) -> DeviceInfo | None:
    serials = [
        v.upper().replace(" ", "").replace("-", "") for v in ctx.entity_values("device_serial")
    ]
    serials = list(dict.fromkeys(serials))
    own = {device.serial: device for device in ctx.customer.devices}
    if len(serials) > 1:
        raise SlotUnavailable(["device.serial"], "Mehrere Seriennummern genannt.")
    if serials:
        if serials[0] not in own:
            raise SlotUnavailable(
                ["device.serial"], f"Gerät {serials[0]} ist bei diesem Kunden nicht bekannt."
            )
        return own[serials[0]]
    in_repair = [d for d in ctx.customer.devices if d.status in REPAIR_STATES]
    if len(in_repair) > 1:
        raise SlotUnavailable(
            ["device.serial"], "Mehrere Geräte des Kunden sind gestört oder in Reparatur."
        )
    return in_repair[0] if in_repair else None


def resolve_repair(ctx: SlotContext) -> Filled:
    lang = ctx.language
    device = _pick_device(ctx)
    if device is not None:
        return Filled(
            values={
                "device.serial": device.serial,
                # In the customer's preferred language (the customer 360 names products so).
                "device.model": device.model_name,
                "device.status": _label(Device.Status, device.status, lang),
            },
            variant="device",
        )
    # No device named or in repair: the customer's one other open case is what they ask about.
    cases = list(
        Case.objects.filter(
            customer_id=ctx.customer.id, status__in=[s.value for s in ACTIVE_STATUSES]
        )
        .exclude(id=ctx.case_id or 0)
        .values("number", "status", "received_at")[:2]
    )
    if len(cases) != 1:
        raise SlotUnavailable(
            ["device.serial", "open_case.number"],
            f"Kein Gerät in Reparatur und nicht genau ein anderes offenes Anliegen ({len(cases)}).",
        )
    case = cases[0]
    return Filled(
        values={
            "open_case.number": case["number"],
            "open_case.status": CASE_STATUS_TEXT[lang][Status(case["status"])],
            "open_case.received_on": format_day(timezone.localdate(case["received_at"]), lang),
        },
        variant="case",
    )


# --- password_reset -------------------------------------------------------------------------------


def resolve_portal(ctx: SlotContext) -> Filled:
    if not ctx.customer.has_portal_login:
        raise SlotUnavailable(
            ["portal.login_url"],
            "Der Kunde hat keinen Portalzugang: das richtet ein Mitarbeiter ein.",
        )
    if not ctx.customer.email:
        raise SlotUnavailable(
            ["customer.email"], "Für den Kunden ist keine E-Mail-Adresse hinterlegt."
        )
    base = ctx.base_url.strip().rstrip("/")
    host = urlsplit(base).hostname or ""
    if not base or (host in LOOPBACK_HOSTS and not ctx.allow_loopback_links):
        raise SlotUnavailable(
            ["portal.login_url"],
            "Die öffentliche Adresse des Portals ist nicht konfiguriert (KV_BASE_URL).",
        )
    try:
        path = reverse("portal:login")
    except NoReverseMatch:
        raise SlotUnavailable(
            ["portal.login_url"], "Das Kundenportal ist nicht eingerichtet."
        ) from None
    return Filled(
        values={"portal.login_url": base + path, "portal.link_minutes": str(ctx.link_minutes)}
    )


# --- address_change -------------------------------------------------------------------------------


def new_address(customer: CustomerContext, text: str) -> PostalAddress:
    """The one address in ``text`` that differs from the customer's current one."""
    found = find_addresses(text)
    current = {"street": customer.street, "postcode": customer.postcode, "city": customer.city}
    new = [a for a in found if not a.same_as(**current)]
    if not found:
        raise SlotUnavailable(
            ["address.street", "address.postcode", "address.city"],
            "Keine vollständige Anschrift (Straße, Hausnummer, PLZ, Ort) erkannt.",
        )
    if not new:
        raise SlotUnavailable(
            ["address.street"], "Die genannte Anschrift ist bereits beim Kunden hinterlegt."
        )
    if len(new) > 1:
        raise SlotUnavailable(
            ["address.street"],
            "Mehrere neue Anschriften genannt: welche gilt, klärt ein Mitarbeiter.",
        )
    return new[0]


def resolve_address(ctx: SlotContext) -> Filled:
    address = new_address(ctx.customer, ctx.text)
    return Filled(
        values={
            "address.street": address.street,
            "address.postcode": address.postcode,
            "address.city": address.city,
        }
    )


# Which resolver answers which intent, and which groups its templates may use.
INTENT_RESOLVERS: dict[str, Resolver] = {
    "order_status": resolve_order,
    "delivery_date": resolve_order,
    "invoice_copy": resolve_invoice,
    "password_reset": resolve_portal,
    "address_change": resolve_address,
    "contract_info": resolve_contract,
    "contract_cancellation": resolve_contract,
    "repair_status": resolve_repair,
}
INTENT_GROUPS: dict[str, tuple[str, ...]] = {
    "order_status": ("order",),
    "delivery_date": ("order",),
    "invoice_copy": ("invoice",),
    "password_reset": ("portal",),
    "address_change": ("address",),
    "contract_info": ("contract",),
    "contract_cancellation": ("contract",),
    "repair_status": ("device", "open_case"),
}
INTENT_VARIANTS: dict[str, tuple[str, ...]] = {
    "order_status": ("shipped", "in_progress"),
    "delivery_date": ("shipped", "in_progress"),
    "invoice_copy": ("",),
    "password_reset": ("",),
    "address_change": ("",),
    "contract_info": ("open_ended", "fixed_term", "expiring", "notice_given"),
    "contract_cancellation": ("open_ended", "fixed_term", "expiring", "notice_given"),
    "repair_status": ("device", "case"),
}


def allowed_slots(intent: str) -> list[str]:
    """Every placeholder a template for ``intent`` may use."""
    groups = (*BASE_GROUPS, *INTENT_GROUPS.get(intent, ()))
    return [f"{group}.{name}" for group in groups for name in SLOT_GROUPS[group]]
