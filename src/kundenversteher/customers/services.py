"""Writes of the customers app: one transaction each, each recording an event with customer_id.

``identify`` (a read) is re-exported here because the inbound pipeline calls
``customers.services.identify`` as its identification step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext

from kundenversteher.customers.errors import (
    CustomerNotFoundError,
    IdentityInUseError,
    InvalidCustomerDataError,
    InvalidStatusTransitionError,
    MergeNotAllowedError,
    OrderNotFoundError,
)
from kundenversteher.customers.identity import identify, normalise_identity
from kundenversteher.customers.models import (
    STANDARD_VAT_RATE,
    Contract,
    Customer,
    CustomerIdentity,
    Device,
    Invoice,
    Order,
    OrderLine,
    Product,
)
from kundenversteher.customers.types import OrderLineInput
from kundenversteher.events.services import record

__all__ = [
    "add_identity",
    "create_contract",
    "create_customer",
    "create_invoice",
    "create_order",
    "identify",
    "link_portal_user",
    "mark_invoice_paid",
    "merge_customers",
    "register_device",
    "update_customer",
    "update_order_status",
]

Actor = AbstractBaseUser | AnonymousUser | None

# Fields ``update_customer`` may change; workflow fields (merged_into, erased_at, user) have
# their own services.
UPDATABLE_FIELDS = frozenset(
    {
        "kind",
        "salutation",
        "first_name",
        "last_name",
        "company_role",
        "preferred_language",
        "tier",
        "street",
        "postcode",
        "city",
        "country",
    }
)

ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    Order.Status.RECEIVED: frozenset({Order.Status.CONFIRMED, Order.Status.CANCELLED}),
    Order.Status.CONFIRMED: frozenset(
        {Order.Status.IN_PRODUCTION, Order.Status.SHIPPED, Order.Status.CANCELLED}
    ),
    Order.Status.IN_PRODUCTION: frozenset({Order.Status.SHIPPED, Order.Status.CANCELLED}),
    Order.Status.SHIPPED: frozenset({Order.Status.DELIVERED, Order.Status.RETURNED}),
    Order.Status.DELIVERED: frozenset({Order.Status.RETURNED}),
    Order.Status.CANCELLED: frozenset(),
    Order.Status.RETURNED: frozenset(),
}


def _validate(
    instance: Customer | Order | Contract | Device | Invoice, *, exclude: Sequence[str] = ()
) -> None:
    try:
        instance.full_clean(exclude=list(exclude), validate_unique=False)
    except ValidationError as exc:
        raise InvalidCustomerDataError(
            gettext("Die Angaben sind unvollständig oder ungültig."),
            errors={field: [str(m) for m in msgs] for field, msgs in exc.message_dict.items()},
        ) from exc


def _next_customer_number() -> str:
    """Next free ``KD-`` number. Fixed width, so the string maximum is the numeric maximum."""
    highest = CustomerIdentity.objects.filter(kind=CustomerIdentity.Kind.CUSTOMER_NUMBER).aggregate(
        m=Max("value")
    )["m"]
    return f"KD-{(int(highest[3:]) + 1) if highest else 100001:06d}"


def _allot_customer_number(customer: Customer, *, attempts: int = 5) -> None:
    """Give the customer the next free number; a concurrent creator taking it first means retry.

    The unique (kind, value) index is the arbiter: the loser's insert fails in its savepoint and
    it reads the maximum again, which then includes the winner's committed number.
    """
    for _ in range(attempts - 1):
        try:
            _add_identity_row(
                customer,
                CustomerIdentity.Kind.CUSTOMER_NUMBER,
                _next_customer_number(),
                verified=True,
            )
        except IdentityInUseError:
            continue
        return
    _add_identity_row(
        customer, CustomerIdentity.Kind.CUSTOMER_NUMBER, _next_customer_number(), verified=True
    )


def _add_identity_row(
    customer: Customer, kind: str, raw: str, *, verified: bool
) -> tuple[CustomerIdentity, bool]:
    """Create (or find) a normalised identity inside the caller's transaction."""
    value = normalise_identity(kind, raw)
    existing = CustomerIdentity.objects.filter(kind=kind, value=value).first()
    if existing is not None:
        if existing.customer_id != customer.id:
            raise IdentityInUseError(
                gettext(
                    "%(kind)s %(value)s gehört bereits zu einem anderen Kunden (Nr. %(owner)s). "
                    "Führen Sie die Kunden ggf. zusammen."
                )
                % {
                    "kind": existing.get_kind_display(),
                    "value": value,
                    "owner": existing.customer_id,
                },
                owner_id=existing.customer_id,
            )
        if verified and not existing.verified:
            existing.verified = True
            existing.save(update_fields=["verified"])
        return existing, False
    try:
        # A savepoint, so a concurrent insert of the same value fails only this statement.
        with transaction.atomic():
            identity = CustomerIdentity.objects.create(
                customer=customer, kind=kind, value=value, verified=verified
            )
    except IntegrityError as exc:
        owner = CustomerIdentity.objects.get(kind=kind, value=value).customer_id
        raise IdentityInUseError(
            gettext("%(value)s wurde soeben einem anderen Kunden zugeordnet (Nr. %(owner)s).")
            % {"value": value, "owner": owner},
            owner_id=owner,
        ) from exc
    return identity, True


def create_customer(
    *,
    last_name: str,
    first_name: str = "",
    kind: str = Customer.Kind.B2C,
    organisation_id: int | None = None,
    salutation: str = "",
    company_role: str = "",
    preferred_language: str = Customer.Language.DE,
    tier: str = "standard",
    street: str = "",
    postcode: str = "",
    city: str = "",
    country: str = "DE",
    email: str | None = None,
    phone: str | None = None,
    customer_number: str | None = None,
    by: Actor = None,
    channel: str = "",
) -> Customer:
    """Create a customer with its identities; a customer number is allotted when none is given."""
    with transaction.atomic():
        customer = Customer(
            kind=kind,
            organisation_id=organisation_id,
            salutation=salutation,
            first_name=first_name,
            last_name=last_name,
            company_role=company_role,
            preferred_language=preferred_language,
            tier=tier,
            street=street,
            postcode=postcode,
            city=city,
            country=country,
        )
        _validate(customer, exclude=["user", "merged_into"])
        customer.save()
        if customer_number:
            _add_identity_row(
                customer, CustomerIdentity.Kind.CUSTOMER_NUMBER, customer_number, verified=True
            )
        else:
            _allot_customer_number(customer)
        if email:
            _add_identity_row(customer, CustomerIdentity.Kind.EMAIL, email, verified=False)
        if phone:
            _add_identity_row(customer, CustomerIdentity.Kind.PHONE, phone, verified=False)
        record(
            "customer.created",
            actor=by,
            channel=channel,
            customer_id=customer.id,
            subject=customer,
            data={"kind": customer.kind},
        )
    return customer


def update_customer(*, customer_id: int, changes: Mapping[str, str], by: Actor = None) -> Customer:
    """Change contact data. Only ``UPDATABLE_FIELDS``; the event names the fields, not values."""
    unknown = set(changes) - UPDATABLE_FIELDS
    if unknown:
        raise InvalidCustomerDataError(
            gettext("Diese Felder können hier nicht geändert werden."),
            errors={field: [gettext("nicht änderbar")] for field in sorted(unknown)},
        )
    with transaction.atomic():
        customer = _lock_customer(customer_id)
        changed = [field for field, value in changes.items() if getattr(customer, field) != value]
        if not changed:
            return customer
        for field in changed:
            setattr(customer, field, changes[field])
        _validate(customer, exclude=["user", "merged_into"])
        customer.save(update_fields=[*changed, "updated_at"])
        record(
            "customer.updated",
            actor=by,
            customer_id=customer.id,
            subject=customer,
            data={"fields": sorted(changed)},
        )
    return customer


def add_identity(
    *, customer_id: int, kind: str, value: str, verified: bool = False, by: Actor = None
) -> CustomerIdentity:
    """Attach a normalised e-mail/phone/customer number. Adding an existing one is a no-op.

    Raises ``InvalidIdentityError`` for malformed values and ``IdentityInUseError`` when another
    customer already owns the value.
    """
    with transaction.atomic():
        customer = _lock_customer(customer_id)
        identity, created = _add_identity_row(customer, kind, value, verified=verified)
        if created:
            record(
                "customer.identity_added",
                actor=by,
                customer_id=customer.id,
                subject=identity,
                data={"kind": kind, "verified": verified},
            )
    return identity


def merge_customers(*, source_id: int, target_id: int, by: Actor = None) -> Customer:
    """Fold the duplicate ``source`` into ``target``.

    Identities, orders, invoices, contracts and devices move to the target; blank contact fields
    of the target are filled from the source; the portal login moves when the target has none.
    The source row stays, marked ``merged_into``, so ids stored by other apps still resolve.
    """
    if source_id == target_id:
        raise MergeNotAllowedError(
            gettext("Ein Kunde kann nicht mit sich selbst zusammengeführt werden.")
        )
    with transaction.atomic():
        # Lock in id order so two concurrent merges of the same pair cannot deadlock.
        locked = {
            c.id: c
            for c in Customer.objects.select_for_update()
            .filter(id__in=[source_id, target_id])
            .order_by("id")
        }
        if source_id not in locked or target_id not in locked:
            raise CustomerNotFoundError(gettext("Kunde nicht gefunden."))
        source, target = locked[source_id], locked[target_id]
        for customer in (source, target):
            if customer.merged_into_id is not None:
                raise MergeNotAllowedError(
                    gettext("Kunde Nr. %(id)s wurde bereits mit Nr. %(target)s zusammengeführt.")
                    % {"id": customer.id, "target": customer.merged_into_id}
                )
            if customer.erased_at is not None:
                raise MergeNotAllowedError(
                    gettext("Kunde Nr. %(id)s wurde anonymisiert.") % {"id": customer.id}
                )
        moved = {
            "identities": CustomerIdentity.objects.filter(customer=source).update(customer=target),
            "orders": Order.objects.filter(customer=source).update(customer=target),
            "invoices": Invoice.objects.filter(customer=source).update(customer=target),
            "contracts": Contract.objects.filter(customer=source).update(customer=target),
            "devices": Device.objects.filter(owner=source).update(owner=target),
        }
        filled = []
        for field in ("salutation", "first_name", "company_role", "street", "postcode", "city"):
            if not getattr(target, field) and getattr(source, field):
                setattr(target, field, getattr(source, field))
                filled.append(field)
        if target.organisation_id is None and source.organisation_id is not None:
            target.organisation_id = source.organisation_id
            filled.append("organisation")
        if target.user_id is None and source.user_id is not None:
            user_id = source.user_id
            source.user = None
            source.save(update_fields=["user", "updated_at"])
            target.user_id = user_id
            filled.append("user")
        source.merged_into = target
        source.save(update_fields=["merged_into", "updated_at"])
        target.save(update_fields=[*filled, "updated_at"])
        record(
            "customer.merged",
            actor=by,
            customer_id=target.id,
            subject=target,
            data={"source_id": source.id, "moved": moved, "filled": filled},
        )
    return target


def create_order(
    *,
    customer_id: int,
    number: int,
    lines: Sequence[OrderLineInput],
    ordered_at: datetime | None = None,
    promised_date: date | None = None,
    by: Actor = None,
    channel: str = "",
) -> Order:
    """Create an order with its lines; the total is the sum of the lines."""
    if not lines:
        raise InvalidCustomerDataError(
            gettext("Eine Bestellung braucht mindestens eine Position."),
            errors={"lines": [gettext("leer")]},
        )
    with transaction.atomic():
        customer = _lock_customer(customer_id)
        products = Product.objects.in_bulk([line.product_id for line in lines])
        missing = sorted({line.product_id for line in lines} - set(products))
        if missing:
            raise InvalidCustomerDataError(
                gettext("Unbekannte Produkte."),
                errors={"lines": [gettext("Produkt %(id)s fehlt") % {"id": i} for i in missing]},
            )
        if any(line.quantity < 1 for line in lines):
            raise InvalidCustomerDataError(
                gettext("Mengen müssen mindestens 1 sein."),
                errors={"lines": [gettext("Menge < 1")]},
            )
        if Order.objects.filter(number=number).exists():
            raise InvalidCustomerDataError(
                gettext("Bestellnummer %(number)s ist bereits vergeben.") % {"number": number},
                errors={"number": [gettext("vergeben")]},
            )
        rows = [
            OrderLine(
                product=products[line.product_id],
                quantity=line.quantity,
                unit_price=(
                    line.unit_price
                    if line.unit_price is not None
                    else products[line.product_id].price
                ),
            )
            for line in lines
        ]
        order = Order(
            number=number,
            customer=customer,
            ordered_at=ordered_at or timezone.now(),
            promised_date=promised_date,
            total=sum((r.unit_price * r.quantity for r in rows), Decimal("0.00")),
        )
        _validate(order, exclude=["customer"])
        order.save()
        for row in rows:
            row.order = order
        OrderLine.objects.bulk_create(rows)
        record(
            "order.created",
            actor=by,
            channel=channel,
            customer_id=customer.id,
            subject=order,
            data={"number": number, "total": str(order.total), "lines": len(rows)},
        )
    return order


def update_order_status(
    *,
    order_id: int,
    status: str,
    carrier: str = "",
    tracking_number: str = "",
    shipped_at: datetime | None = None,
    by: Actor = None,
) -> Order:
    """Move an order along its life cycle. Setting the current status again changes nothing."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(id=order_id).first()
        if order is None:
            raise OrderNotFoundError(
                gettext("Bestellung %(id)s nicht gefunden.") % {"id": order_id}
            )
        if status == order.status:
            return order
        if status not in ORDER_TRANSITIONS.get(order.status, frozenset()):
            raise InvalidStatusTransitionError(
                gettext(
                    "Bestellung %(number)s: Statuswechsel von „%(from)s“ nach „%(to)s“ "
                    "ist nicht möglich."
                )
                % {
                    "number": order.number,
                    "from": order.get_status_display(),
                    "to": Order.Status(status).label if status in Order.Status.values else status,
                }
            )
        previous = order.status
        order.status = status
        fields = ["status", "updated_at"]
        if status == Order.Status.SHIPPED:
            order.shipped_at = shipped_at or timezone.now()
            order.carrier = carrier or order.carrier
            order.tracking_number = tracking_number or order.tracking_number
            fields += ["shipped_at", "carrier", "tracking_number"]
        order.save(update_fields=fields)
        record(
            "order.status_changed",
            actor=by,
            customer_id=order.customer_id,
            subject=order,
            data={"number": order.number, "from": previous, "to": status},
        )
    return order


def create_contract(
    *,
    customer_id: int,
    number: str,
    type: str,
    start: date,
    end: date | None = None,
    notice_period_days: int = 90,
    auto_renew: bool = True,
    monthly_fee: Decimal = Decimal("0.00"),
    by: Actor = None,
) -> Contract:
    """Conclude a contract (``number`` like ``WV-200123``)."""
    with transaction.atomic():
        customer = _lock_customer(customer_id)
        if Contract.objects.filter(number=number).exists():
            raise InvalidCustomerDataError(
                gettext("Vertragsnummer %(number)s ist bereits vergeben.") % {"number": number},
                errors={"number": [gettext("vergeben")]},
            )
        contract = Contract(
            number=number,
            customer=customer,
            type=type,
            start=start,
            end=end,
            notice_period_days=notice_period_days,
            auto_renew=auto_renew,
            monthly_fee=monthly_fee,
        )
        _validate(contract, exclude=["customer"])
        contract.save()
        record(
            "contract.created",
            actor=by,
            customer_id=customer.id,
            subject=contract,
            data={"number": number, "type": type},
        )
    return contract


def register_device(
    *,
    customer_id: int,
    serial: str,
    product_id: int,
    installed_on: date | None = None,
    warranty_until: date | None = None,
    street: str = "",
    postcode: str = "",
    city: str = "",
    location: str = "",
    by: Actor = None,
) -> Device:
    """Record a device installed at a customer's site (``serial`` like ``BW2301004567``)."""
    serial = serial.strip().upper()
    with transaction.atomic():
        customer = _lock_customer(customer_id)
        if Device.objects.filter(serial=serial).exists():
            raise InvalidCustomerDataError(
                gettext("Seriennummer %(serial)s ist bereits registriert.") % {"serial": serial},
                errors={"serial": [gettext("vergeben")]},
            )
        device = Device(
            serial=serial,
            product_id=product_id,
            owner=customer,
            installed_on=installed_on,
            warranty_until=warranty_until,
            street=street,
            postcode=postcode,
            city=city,
            location=location,
        )
        _validate(device, exclude=["owner", "product"])
        if not Product.objects.filter(id=product_id).exists():
            raise InvalidCustomerDataError(
                gettext("Unbekanntes Gerätemodell."),
                errors={"product": [gettext("Produkt %(id)s fehlt") % {"id": product_id}]},
            )
        device.save()
        record(
            "device.registered",
            actor=by,
            customer_id=customer.id,
            subject=device,
            data={"serial": serial},
        )
    return device


def link_portal_user(*, customer_id: int, user_id: int, by: Actor = None) -> Customer:
    """Give the customer their portal login (a user linked to no other customer)."""
    with transaction.atomic():
        customer = _lock_customer(customer_id)
        if customer.user_id == user_id:
            return customer
        holder = Customer.objects.filter(user_id=user_id).exclude(id=customer_id).first()
        if holder is not None:
            raise InvalidCustomerDataError(
                gettext("Dieser Zugang gehört bereits zu Kunde Nr. %(id)s.") % {"id": holder.id},
                errors={"user": [gettext("vergeben")]},
            )
        customer.user_id = user_id
        customer.save(update_fields=["user", "updated_at"])
        record(
            "customer.portal_user_linked",
            actor=by,
            customer_id=customer.id,
            subject=customer,
            data={"user_id": user_id},
        )
    return customer


def _lock_customer(customer_id: int) -> Customer:
    customer = Customer.objects.select_for_update().filter(id=customer_id).first()
    if customer is None:
        raise CustomerNotFoundError(
            gettext("Kunde Nr. %(id)s nicht gefunden.") % {"id": customer_id}
        )
    return customer


# --- invoices -------------------------------------------------------------------------------------

CENT = Decimal("0.01")
# An invoice is written when goods leave; a returned order keeps the invoice it had.
INVOICEABLE_ORDER_STATUSES = frozenset(
    {Order.Status.SHIPPED, Order.Status.DELIVERED, Order.Status.RETURNED}
)


def split_gross(gross: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal]:
    """(net, tax) of a gross amount; rounded half up to the cent, tax takes the remainder so
    that net + tax is exactly the gross the customer paid."""
    net = (gross * Decimal(100) / (Decimal(100) + vat_rate)).quantize(CENT, ROUND_HALF_UP)
    return net, gross - net


def _next_invoice_number(year: int) -> str:
    """Next free ``RE-<year>-`` number. Fixed width, so the string maximum is the numeric one."""
    prefix = f"RE-{year:04d}-"
    last = Invoice.objects.filter(number__startswith=prefix).aggregate(m=Max("number"))["m"]
    return f"{prefix}{(int(last[len(prefix) :]) if last else 0) + 1:06d}"


def create_invoice(
    *,
    order_id: int,
    issued_on: date,
    number: str | None = None,
    vat_rate: Decimal = STANDARD_VAT_RATE,
    by: Actor = None,
) -> Invoice:
    """Invoice a shipped order (one invoice per order); ``number`` None allots the next one of
    the year of ``issued_on``. The amounts come from the order's gross total."""
    with transaction.atomic():
        order = Order.objects.select_for_update().filter(id=order_id).first()
        if order is None:
            raise OrderNotFoundError(
                gettext("Bestellung %(id)s nicht gefunden.") % {"id": order_id}
            )
        if order.status not in INVOICEABLE_ORDER_STATUSES:
            raise InvalidCustomerDataError(
                gettext("Bestellung %(number)s ist noch nicht versandt und wird nicht berechnet.")
                % {"number": order.number},
                errors={"order": [gettext("nicht versandt")]},
            )
        if Invoice.objects.filter(order_id=order.id).exists():
            raise InvalidCustomerDataError(
                gettext("Für Bestellung %(number)s gibt es bereits eine Rechnung.")
                % {"number": order.number},
                errors={"order": [gettext("bereits berechnet")]},
            )
        net, tax = split_gross(order.total, vat_rate)
        invoice = Invoice(
            order=order,
            customer_id=order.customer_id,
            issued_on=issued_on,
            vat_rate=vat_rate,
            net=net,
            tax=tax,
            gross=order.total,
        )
        # Two writers may pick the same next number; the unique index decides, the loser retries.
        for _attempt in range(5):
            invoice.number = number or _next_invoice_number(issued_on.year)
            _validate(invoice, exclude=["order", "customer"])
            try:
                with transaction.atomic():
                    invoice.save()
                break
            except IntegrityError:
                if number is not None:
                    raise InvalidCustomerDataError(
                        gettext("Rechnungsnummer %(number)s ist bereits vergeben.")
                        % {"number": number},
                        errors={"number": [gettext("vergeben")]},
                    ) from None
        else:
            raise InvalidCustomerDataError(
                gettext("Keine freie Rechnungsnummer gefunden."), errors={"number": ["?"]}
            )
        record(
            "invoice.issued",
            actor=by,
            customer_id=order.customer_id,
            subject=invoice,
            data={"number": invoice.number, "order": order.number, "gross": str(invoice.gross)},
        )
    return invoice


def mark_invoice_paid(*, invoice_id: int, paid_on: date, by: Actor = None) -> Invoice:
    """Book the payment of an invoice. Marking a paid invoice again changes nothing."""
    with transaction.atomic():
        invoice = Invoice.objects.select_for_update().filter(id=invoice_id).first()
        if invoice is None:
            raise InvalidCustomerDataError(
                gettext("Rechnung nicht gefunden."), errors={"invoice": [str(invoice_id)]}
            )
        if invoice.status == Invoice.Status.PAID:
            return invoice
        invoice.status = Invoice.Status.PAID
        invoice.paid_on = paid_on
        invoice.save(update_fields=["status", "paid_on", "updated_at"])
        record(
            "invoice.paid",
            actor=by,
            customer_id=invoice.customer_id,
            subject=invoice,
            data={"number": invoice.number, "paid_on": paid_on.isoformat()},
        )
    return invoice
