from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from kundenversteher.customers import services
from kundenversteher.customers.errors import (
    InvalidCustomerData,
    InvalidStatusTransition,
    MergeNotAllowed,
)
from kundenversteher.customers.models import Customer, CustomerIdentity, Order, Organisation
from kundenversteher.customers.types import OrderLineInput
from kundenversteher.events.models import Event
from tests.customers.factories import (
    BERLIN,
    make_contract,
    make_customer,
    make_device,
    make_order,
    make_portal_user,
    make_product,
)


def test_create_customer_allots_the_next_customer_number_and_records_an_event(db):
    first = make_customer("Schmidt", customer_number="KD-104711")

    second = make_customer("Müller", email="J.Mueller@Example.de")

    numbers = dict(
        CustomerIdentity.objects.filter(kind="customer_number").values_list("customer_id", "value")
    )
    assert numbers == {first.id: "KD-104711", second.id: "KD-104712"}
    assert CustomerIdentity.objects.get(customer=second, kind="email").value == (
        "j.mueller@example.de"
    )
    events = Event.objects.filter(kind="customer.created")
    assert [e.customer_id for e in events] == [first.id, second.id]


def test_create_customer_rejects_invalid_fields_and_leaves_nothing_behind(db):
    with pytest.raises(InvalidCustomerData) as caught:
        services.create_customer(last_name="Schmidt", preferred_language="fr")

    assert list(caught.value.errors) == ["preferred_language"]
    assert not Customer.objects.exists()
    assert not Event.objects.exists()


def test_update_customer_changes_fields_and_names_them_in_the_event(db):
    customer = make_customer()

    services.update_customer(
        customer_id=customer.id, changes={"street": "Bahnhofstraße 1", "city": "Regensburg"}
    )

    customer.refresh_from_db()
    assert customer.street == "Bahnhofstraße 1"
    event = Event.objects.get(kind="customer.updated")
    assert (event.customer_id, event.payload) == (customer.id, {"fields": ["street"]})


def test_update_customer_refuses_workflow_fields(db):
    customer = make_customer()

    with pytest.raises(InvalidCustomerData) as caught:
        services.update_customer(customer_id=customer.id, changes={"erased_at": "2026-01-01"})

    assert caught.value.errors == {"erased_at": ["nicht änderbar"]}


def test_create_order_sums_the_lines_and_records_an_event(db):
    customer = make_customer()
    pump = make_product("WP-AIR-8", price="8990.00")
    part = make_product("ET-FILTER", category="spare_part", price="24.50")

    order = services.create_order(
        customer_id=customer.id,
        number=4711,
        lines=[OrderLineInput(pump.id, 1, Decimal("8500.00")), OrderLineInput(part.id, 3)],
        ordered_at=datetime(2026, 11, 2, 10, 0, tzinfo=BERLIN),
    )

    assert order.total == Decimal("8573.50")
    assert order.lines.count() == 2
    event = Event.objects.get(kind="order.created")
    assert (event.customer_id, event.payload) == (
        customer.id,
        {"number": 4711, "total": "8573.50", "lines": 2},
    )


def test_an_order_number_is_given_only_once(db):
    customer = make_customer()
    make_order(customer, number=4711)

    with pytest.raises(InvalidCustomerData, match=r"Bestellnummer 4711 ist bereits vergeben\."):
        make_order(customer, number=4711)


def test_shipping_an_order_sets_date_and_carrier_and_records_the_transition(db):
    order = make_order(make_customer())
    services.update_order_status(order_id=order.id, status=Order.Status.CONFIRMED)
    shipped = datetime(2026, 11, 5, 14, 0, tzinfo=BERLIN)

    services.update_order_status(
        order_id=order.id,
        status=Order.Status.SHIPPED,
        carrier="DHL",
        tracking_number="00340434161094042557",
        shipped_at=shipped,
    )

    order.refresh_from_db()
    assert (order.status, order.shipped_at, order.carrier) == ("shipped", shipped, "DHL")
    payloads = [
        e.payload
        for e in Event.objects.filter(kind="order.status_changed", customer_id=order.customer_id)
    ]
    assert payloads == [
        {"number": 4711, "from": "received", "to": "confirmed"},
        {"number": 4711, "from": "confirmed", "to": "shipped"},
    ]


def test_an_illegal_status_change_is_refused_and_changes_nothing(db):
    order = make_order(make_customer())

    with pytest.raises(InvalidStatusTransition) as caught:
        services.update_order_status(order_id=order.id, status=Order.Status.DELIVERED)

    assert str(caught.value) == (
        "Bestellung 4711: Statuswechsel von „eingegangen“ nach „zugestellt“ ist nicht möglich."
    )
    order.refresh_from_db()
    assert order.status == Order.Status.RECEIVED
    assert not Event.objects.filter(kind="order.status_changed").exists()


def test_setting_the_current_status_again_records_nothing(db):
    order = make_order(make_customer())

    services.update_order_status(order_id=order.id, status=Order.Status.RECEIVED)

    assert not Event.objects.filter(kind="order.status_changed").exists()


def test_merge_moves_identities_orders_contracts_devices_and_login(db):
    target = make_customer("Schmidt", first_name="Anna", email="anna@example.de", street="")
    source = make_customer("Schmidt", first_name="A.", email="a.schmidt@example.de", street="Weg 1")
    make_order(source, number=5001)
    make_contract(source, number="WV-200999")
    make_device(source, serial="BW2301009999")
    source.user = make_portal_user()
    source.save()

    services.merge_customers(source_id=source.id, target_id=target.id)

    target.refresh_from_db()
    source.refresh_from_db()
    assert source.merged_into_id == target.id
    assert sorted(target.identities.filter(kind="email").values_list("value", flat=True)) == [
        "a.schmidt@example.de",
        "anna@example.de",
    ]
    assert [o.number for o in target.orders.all()] == [5001]
    assert [c.number for c in target.contracts.all()] == ["WV-200999"]
    assert [d.serial for d in target.devices.all()] == ["BW2301009999"]
    assert (target.user_id is not None, source.user_id, target.street) == (True, None, "Weg 1")
    event = Event.objects.get(kind="customer.merged")
    assert event.customer_id == target.id
    assert event.payload["source_id"] == source.id
    assert event.payload["moved"] == {
        "identities": 2,
        "orders": 1,
        "invoices": 0,
        "contracts": 1,
        "devices": 1,
    }


def test_merging_twice_or_into_itself_is_refused(db):
    target = make_customer("Schmidt")
    source = make_customer("Schmitt")
    services.merge_customers(source_id=source.id, target_id=target.id)

    with pytest.raises(MergeNotAllowed):
        services.merge_customers(source_id=source.id, target_id=target.id)
    with pytest.raises(MergeNotAllowed):
        services.merge_customers(source_id=target.id, target_id=target.id)


def test_vat_ids_are_checked_by_their_check_digit(db):
    Organisation(name="Huber Haustechnik GmbH", vat_id="DE136695976").full_clean()

    with pytest.raises(ValidationError) as caught:
        Organisation(name="Tippfehler GmbH", vat_id="DE123456789").full_clean()

    assert caught.value.message_dict == {"vat_id": ["„DE123456789“ ist keine gültige USt-IdNr."]}


def test_create_contract_validates_the_number_and_records_an_event(db):
    customer = make_customer()

    contract = services.create_contract(
        customer_id=customer.id,
        number="WV-200555",
        type="maintenance",
        start=date(2026, 1, 1),
        end=date(2027, 12, 31),
        monthly_fee=Decimal("19.90"),
    )

    assert contract.customer_id == customer.id
    event = Event.objects.get(kind="contract.created")
    assert (event.customer_id, event.payload) == (
        customer.id,
        {"number": "WV-200555", "type": "maintenance"},
    )
    with pytest.raises(InvalidCustomerData) as caught:
        services.create_contract(
            customer_id=customer.id, number="WV-12", type="maintenance", start=date(2026, 1, 1)
        )
    assert list(caught.value.errors) == ["number"]


def test_register_device_normalises_the_serial_and_refuses_duplicates(db):
    customer = make_customer()
    pump = make_product("WP-AIR-8")

    device = services.register_device(
        customer_id=customer.id, serial=" bw2301004567", product_id=pump.id, postcode="93047"
    )

    assert device.serial == "BW2301004567"
    assert Event.objects.get(kind="device.registered").customer_id == customer.id
    with pytest.raises(InvalidCustomerData, match=r"Seriennummer BW2301004567 ist bereits"):
        services.register_device(customer_id=customer.id, serial="BW2301004567", product_id=pump.id)


def test_a_portal_login_belongs_to_one_customer(db):
    clara = make_customer("Bauer", first_name="Clara")
    other = make_customer("Huber")
    user = make_portal_user()

    services.link_portal_user(customer_id=clara.id, user_id=user.id)

    clara.refresh_from_db()
    assert clara.user_id == user.id
    assert Event.objects.get(kind="customer.portal_user_linked").customer_id == clara.id
    with pytest.raises(InvalidCustomerData):
        services.link_portal_user(customer_id=other.id, user_id=user.id)


def test_an_allotted_number_taken_meanwhile_is_retried(db, monkeypatch):
    make_customer("Schmidt", customer_number="KD-104711")
    # Simulate losing the race: the first suggestion is a number another creator just took.
    suggestions = iter(["KD-104711", "KD-104712"])
    monkeypatch.setattr(services, "_next_customer_number", lambda: next(suggestions))

    fresh = make_customer("Bauer")

    assert fresh.identities.get(kind="customer_number").value == "KD-104712"
