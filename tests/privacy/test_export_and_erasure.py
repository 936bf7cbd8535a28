import json

import pytest

from kundenversteher.customers.identity import identify
from kundenversteher.customers.models import Customer, CustomerIdentity, Device, Order
from kundenversteher.customers.queries import get_customer_context
from kundenversteher.events.models import Event
from kundenversteher.events.services import record
from kundenversteher.privacy.models import AuditEntry
from kundenversteher.privacy.registry import register_provider
from kundenversteher.privacy.services import erase_customer_data, export_customer_data
from tests.customers.factories import (
    make_contract,
    make_customer,
    make_device,
    make_order,
    make_portal_user,
)

# Every registered provider reports; those without data about this customer erase nothing.
NOTHING = {"cases": 0, "customers": 0, "intake": 0, "intake_mail": 0, "knowledge_automation": 0}


@pytest.fixture
def anna(db):
    customer = make_customer(
        "Schmidt",
        first_name="Anna",
        email="anna.schmidt@example.de",
        phone="0171 1234567",
        customer_number="KD-104711",
        street="Donaustraße 5",
    )
    customer.user = make_portal_user("anna", email="anna.schmidt@example.de")
    customer.save()
    make_order(customer, number=4711)
    make_contract(customer, number="WV-200123")
    make_device(customer, serial="BW2301004567")
    record("message.received", customer_id=customer.id, data={"subject": "Heizung kalt"})
    return customer


def test_export_contains_the_customers_rows_and_events(anna, customers_provider):
    other = make_customer("Müller", email="jens@example.de")

    data = export_customer_data(anna.id)

    assert json.loads(json.dumps(data)) == data
    crm = data["customers"]
    assert [(c["first_name"], c["last_name"], c["street"]) for c in crm["customers"]] == [
        ("Anna", "Schmidt", "Donaustraße 5")
    ]
    assert sorted(i["value"] for i in crm["identities"]) == [
        "+491711234567",
        "KD-104711",
        "anna.schmidt@example.de",
    ]
    assert [o["number"] for o in crm["orders"]] == [4711]
    assert crm["orders"][0]["lines"][0]["sku"] == "WP-AIR-8"
    assert [c["number"] for c in crm["contracts"]] == ["WV-200123"]
    assert [d["serial"] for d in crm["devices"]] == ["BW2301004567"]
    kinds = [e["kind"] for e in data["events"]]
    assert "message.received" in kinds
    assert {"subject": "Heizung kalt"} in [e["payload"] for e in data["events"]]
    assert "jens@example.de" not in json.dumps(data)
    assert other.id != anna.id
    audit = AuditEntry.objects.get(action="export")
    assert (audit.model, audit.object_id) == ("privacy.data_subject", str(anna.id))


def test_erasure_removes_personal_data_and_keeps_commercial_records(anna, customers_provider):
    report = erase_customer_data(anna.id, by=None)

    customer = Customer.objects.get(id=anna.id)
    assert (customer.first_name, customer.last_name, customer.street, customer.postcode) == (
        "",
        "[gelöscht]",
        "",
        "",
    )
    assert customer.erased_at is not None
    assert not CustomerIdentity.objects.filter(customer=anna).exists()
    user = type(anna.user).objects.get(id=anna.user_id)
    assert (user.is_active, user.email, user.username, user.has_usable_password()) == (
        False,
        "",
        f"geloescht-{user.id}",
        False,
    )
    assert list(Order.objects.filter(customer=anna).values_list("number", flat=True)) == [4711]
    assert Device.objects.get(serial="BW2301004567").street == ""
    assert identify(email="anna.schmidt@example.de") is None
    assert get_customer_context(anna.id).erased is True
    payloads = [
        e.payload
        for e in Event.objects.filter(customer_id=anna.id).exclude(kind="privacy.data_erased")
    ]
    assert payloads == [{"erased": True}] * 3  # created, order.created, message.received
    # customer, identities, device, user; the customer had no cases
    assert report.rows_by_provider == {**NOTHING, "customers": 1 + 3 + 1 + 1}
    assert report.events_anonymised == len(payloads)
    audit = AuditEntry.objects.get(action="erase")
    assert audit.changes["rows"] == {**NOTHING, "customers": 6}


def test_erasure_is_idempotent(anna, customers_provider):
    erase_customer_data(anna.id, by=None)

    again = erase_customer_data(anna.id, by=None)

    assert again.rows_by_provider == NOTHING
    assert Customer.objects.get(id=anna.id).last_name == "[gelöscht]"
    assert AuditEntry.objects.filter(action="erase").count() == 2


def test_erasure_is_all_or_nothing(anna, customers_provider):
    class Failing:
        def export(self, customer_id):
            return {}

        def erase(self, customer_id):
            raise RuntimeError("Festplatte voll")

    register_provider("failing", Failing())
    try:
        with pytest.raises(RuntimeError):
            erase_customer_data(anna.id, by=None)
    finally:
        from kundenversteher.privacy.registry import unregister_provider

        unregister_provider("failing")

    assert Customer.objects.get(id=anna.id).first_name == "Anna"
    assert CustomerIdentity.objects.filter(customer=anna).count() == 3
    assert not AuditEntry.objects.filter(action="erase").exists()


def test_a_merged_duplicate_is_erased_with_the_customer(anna, customers_provider):
    from kundenversteher.customers import services

    duplicate = make_customer("Schmidt", first_name="A.", street="Alte Gasse 2")
    services.merge_customers(source_id=duplicate.id, target_id=anna.id)

    record("message.received", customer_id=duplicate.id, data={"subject": "Alte Anfrage"})
    exported = export_customer_data(anna.id)

    erase_customer_data(anna.id, by=None)

    assert [e["payload"] for e in exported["customers"]["events_of_merged_duplicates"]] == [
        {"kind": "b2c"},
        {"subject": "Alte Anfrage"},
    ]
    assert Customer.objects.get(id=duplicate.id).street == ""
    assert [e.payload for e in Event.objects.filter(customer_id=duplicate.id)] == [
        {"erased": True},
        {"erased": True},
    ]


def test_register_provider_rejects_objects_without_export_and_erase():
    with pytest.raises(TypeError):
        register_provider("broken", object())  # type: ignore[arg-type]
