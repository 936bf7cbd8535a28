from datetime import date
from decimal import Decimal

import pytest

from kundenversteher.customers import queries, services
from kundenversteher.customers.errors import InvalidCustomerDataError
from kundenversteher.customers.models import Invoice
from kundenversteher.events.models import Event
from tests.customers.factories import make_customer, make_order, make_product


def _shipped_order(number: int = 4711, price: str = "8990.00"):
    customer = make_customer(email=f"kunde{number}@example.de")
    product = make_product(f"SKU-{number}", price=price)
    order = make_order(customer, number=number, product=product)
    services.update_order_status(order_id=order.id, status="confirmed")
    services.update_order_status(order_id=order.id, status="shipped", carrier="DHL")
    return customer, order


def test_invoice_numbers_count_up_per_year(db):
    _, first = _shipped_order(4711)
    _, second = _shipped_order(4712)
    _, third = _shipped_order(4713)

    a = services.create_invoice(order_id=first.id, issued_on=date(2026, 11, 20))
    b = services.create_invoice(order_id=second.id, issued_on=date(2026, 11, 21))
    c = services.create_invoice(order_id=third.id, issued_on=date(2027, 1, 4))

    assert [a.number, b.number, c.number] == ["RE-2026-000001", "RE-2026-000002", "RE-2027-000001"]


def test_invoice_splits_the_gross_order_total_into_net_and_vat(db):
    _, order = _shipped_order(4711, price="8990.00")

    invoice = services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))

    assert (invoice.gross, invoice.net, invoice.tax) == (
        Decimal("8990.00"),
        Decimal("7554.62"),
        Decimal("1435.38"),
    )
    assert Event.objects.filter(kind="invoice.issued", customer_id=order.customer_id).count() == 1


def test_an_order_not_yet_shipped_is_not_invoiced(db):
    customer = make_customer()
    order = make_order(customer)

    with pytest.raises(InvalidCustomerDataError):
        services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))
    assert Invoice.objects.count() == 0


def test_an_order_is_invoiced_once(db):
    _, order = _shipped_order()
    services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))

    with pytest.raises(InvalidCustomerDataError):
        services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 21))
    assert Invoice.objects.count() == 1


def test_find_invoice_accepts_the_compact_spelling_and_returns_lines(db):
    customer, order = _shipped_order()
    services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))

    info = queries.find_invoice("re2026000001")

    assert info is not None
    assert info.number == "RE-2026-000001"
    assert info.order_number == 4711
    assert info.customer_id == customer.id
    assert [(line.sku, line.quantity, line.unit_price) for line in info.lines] == [
        ("SKU-4711", 1, Decimal("8990.00"))
    ]
    assert info.billing_street == "Donaustraße 5"
    assert queries.find_invoice("RE-2026-000002") is None
    assert queries.find_invoice("4711") is None


def test_list_invoices_shows_only_the_customers_own_newest_first(db):
    customer, first = _shipped_order(4711)
    services.create_invoice(order_id=first.id, issued_on=date(2026, 10, 1))
    other_customer, other = _shipped_order(4712)
    services.create_invoice(order_id=other.id, issued_on=date(2026, 10, 2))
    product = make_product("SKU-9", price="10.00")
    second = make_order(customer, number=4799, product=product)
    services.update_order_status(order_id=second.id, status="confirmed")
    services.update_order_status(order_id=second.id, status="shipped")
    services.create_invoice(order_id=second.id, issued_on=date(2026, 11, 3))

    numbers = [i.number for i in queries.list_invoices(customer_id=customer.id)]

    assert numbers == ["RE-2026-000003", "RE-2026-000001"]
    assert [i.number for i in queries.list_invoices(customer_id=other_customer.id)] == [
        "RE-2026-000002"
    ]


def test_marking_paid_twice_records_one_event(db):
    _, order = _shipped_order()
    invoice = services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))

    services.mark_invoice_paid(invoice_id=invoice.id, paid_on=date(2026, 11, 25))
    services.mark_invoice_paid(invoice_id=invoice.id, paid_on=date(2026, 11, 26))

    invoice.refresh_from_db()
    assert (invoice.status, invoice.paid_on) == ("paid", date(2026, 11, 25))
    assert Event.objects.filter(kind="invoice.paid").count() == 1


def test_merging_customers_moves_the_invoices_to_the_survivor(db):
    duplicate, order = _shipped_order()
    survivor = make_customer("Schmidt", email="anna.neu@example.de")
    services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))

    services.merge_customers(source_id=duplicate.id, target_id=survivor.id)

    assert [i.number for i in queries.list_invoices(customer_id=survivor.id)] == ["RE-2026-000001"]
    assert queries.list_invoices(customer_id=duplicate.id) == []


def test_data_export_lists_the_customers_invoices(db):
    from kundenversteher.customers.privacy import CustomersPrivacyProvider

    customer, order = _shipped_order()
    services.create_invoice(order_id=order.id, issued_on=date(2026, 11, 20))

    exported = CustomersPrivacyProvider().export(customer.id)

    [row] = exported["invoices"]
    assert (row["number"], row["order_number"], row["gross"]) == (
        "RE-2026-000001",
        4711,
        Decimal("8990.00"),
    )
