from datetime import date, datetime
from decimal import Decimal

import pytest

from kundenversteher.customers import services
from kundenversteher.customers.errors import CustomerNotFound
from kundenversteher.customers.queries import (
    find_contract,
    find_device,
    find_order,
    get_customer_context,
    search_customers,
)
from kundenversteher.customers.types import OrderLineInput
from tests.customers.factories import (
    BERLIN,
    make_contract,
    make_customer,
    make_device,
    make_organisation,
    make_product,
)


@pytest.fixture
def busy_customer(db):
    customer = make_customer(
        "Schmidt",
        first_name="Anna",
        email="anna.schmidt@example.de",
        phone="0171 1234567",
        customer_number="KD-104711",
    )
    pump = make_product("WP-AIR-8")
    filter_ = make_product(
        "ET-FILTER", name_de="Filtereinsatz", category="spare_part", price="24.50"
    )
    for offset, number in enumerate((4711, 4712, 4713)):
        services.create_order(
            customer_id=customer.id,
            number=number,
            lines=[OrderLineInput(pump.id, 1), OrderLineInput(filter_.id, 2)],
            ordered_at=datetime(2026, 11, 2 + offset, 9, 0, tzinfo=BERLIN),
        )
    make_contract(customer, number="WV-200123", end=date(2026, 12, 31), notice_period_days=90)
    make_contract(customer, number="WV-200124", end=None)
    make_device(customer, serial="BW2301004567", product=pump)
    make_device(customer, serial="BW2301004568", product=pump)
    return customer


def test_customer_context_holds_contact_contracts_orders_and_devices(busy_customer):
    context = get_customer_context(busy_customer.id)

    assert (context.first_name, context.last_name) == ("Anna", "Schmidt")
    assert (context.customer_number, context.email, context.phone) == (
        "KD-104711",
        "anna.schmidt@example.de",
        "+491711234567",
    )
    assert [o.number for o in context.orders] == [4713, 4712, 4711]
    first = context.orders[-1]
    assert [(line.sku, line.quantity, line.unit_price) for line in first.lines] == [
        ("WP-AIR-8", 1, Decimal("8990.00")),
        ("ET-FILTER", 2, Decimal("24.50")),
    ]
    assert first.total == Decimal("9039.00")
    assert first.status_label == "eingegangen"
    notice = {c.number: c.notice_deadline for c in context.contracts}
    assert notice == {"WV-200123": date(2026, 10, 2), "WV-200124": None}
    assert [d.serial for d in context.devices] == ["BW2301004567", "BW2301004568"]


def test_customer_context_needs_a_bounded_number_of_queries(
    busy_customer, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        context = get_customer_context(busy_customer.id)

    assert len(context.orders) == 3


def test_unknown_customer_raises(db):
    with pytest.raises(CustomerNotFound):
        get_customer_context(999)


def test_context_of_a_merged_duplicate_is_the_survivor(busy_customer):
    duplicate = make_customer("Schmidt", first_name="A.")
    services.merge_customers(source_id=duplicate.id, target_id=busy_customer.id)

    assert get_customer_context(duplicate.id).id == busy_customer.id


def test_find_by_numbers(busy_customer):
    order = find_order("#4712")
    contract = find_contract("wv-200123")
    device = find_device(" bw2301004567 ")

    assert order is not None
    assert contract is not None
    assert device is not None
    assert (order.number, order.customer_id) == (4712, busy_customer.id)
    assert (contract.number, contract.type_label) == ("WV-200123", "Wartungsvertrag")
    assert (device.serial, device.model_sku, device.location) == (
        "BW2301004567",
        "WP-AIR-8",
        "Heizungskeller",
    )
    assert find_order("999999") is None
    assert find_contract("WV-1") is None
    assert find_device("BW0000000000") is None


def test_search_customers_by_name_number_mail_phone_and_organisation(busy_customer):
    huber = make_organisation("Huber Haustechnik GmbH")
    installer = make_customer("Huber", first_name="Max", kind="b2b", organisation=huber)

    def ids(q: str) -> list[int]:
        return [s.id for s in search_customers(q)]

    assert ids("schmidt") == [busy_customer.id]
    assert ids("Anna Schmidt") == [busy_customer.id]
    assert ids("KD-104711") == [busy_customer.id]
    assert ids("104711") == [busy_customer.id]
    assert ids("0171 1234567") == [busy_customer.id]
    assert ids("anna.schmidt@") == [busy_customer.id]
    assert ids("#4713") == [busy_customer.id]  # order number
    assert ids("BW2301004568") == [busy_customer.id]
    assert ids("haustechnik") == [installer.id]
    assert ids("") == []
    summary = search_customers("Huber")[0]
    assert summary.display_name == "Max Huber (Huber Haustechnik GmbH)"
