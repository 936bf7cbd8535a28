from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kundenversteher.customers.models import Product
from kundenversteher.privacy.audit import SECRET_MASK, diff
from kundenversteher.privacy.models import AuditEntry, AuditLogImmutableError
from tests.customers.factories import make_product


@pytest.fixture
def admin_client_as_ada(client, db):
    ada = get_user_model().objects.create_superuser("ada", "ada@example.de", "x-not-used-1234")
    client.force_login(ada)
    return client


def test_changing_a_configuration_in_the_admin_records_old_and_new_values(admin_client_as_ada):
    product = make_product("WP-AIR-8", price="8990.00")
    url = reverse("admin:customers_product_change", args=[product.id])

    response = admin_client_as_ada.post(
        url,
        {
            "sku": "WP-AIR-8",
            "name_de": "Luft-Wasser-Wärmepumpe 8 kW",
            "name_en": "Air-to-water heat pump 8 kW",
            "category": "heat_pump",
            "price": "9490.00",
            "stock-TOTAL_FORMS": "0",
            "stock-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    assert Product.objects.get(id=product.id).price == Decimal("9490.00")
    entry = AuditEntry.objects.get()
    assert (entry.actor_label, entry.action, entry.model, entry.object_id) == (
        "ada",
        "change",
        "customers.product",
        str(product.id),
    )
    assert entry.changes == {"price": ["8990.00", "9490.00"]}


def test_adding_an_inline_row_and_deleting_are_audited(admin_client_as_ada):
    product = make_product("WP-AIR-8")
    url = reverse("admin:customers_product_change", args=[product.id])
    admin_client_as_ada.post(
        url,
        {
            "sku": "WP-AIR-8",
            "name_de": "Luft-Wasser-Wärmepumpe 8 kW",
            "name_en": "",
            "category": "heat_pump",
            "price": "8990.00",
            "stock-TOTAL_FORMS": "1",
            "stock-INITIAL_FORMS": "0",
            "stock-0-warehouse": "Regensburg",
            "stock-0-quantity": "4",
            "stock-0-restock_quantity": "0",
        },
    )

    admin_client_as_ada.post(
        reverse("admin:customers_product_delete", args=[product.id]), {"post": "yes"}
    )

    rows = [(e.action, e.model) for e in AuditEntry.objects.order_by("id")]
    assert rows == [
        ("change", "customers.product"),  # name_en cleared
        ("add", "customers.stockitem"),
        ("delete", "customers.product"),
    ]
    added = AuditEntry.objects.get(action="add")
    assert added.changes["quantity"] == [None, 4]
    assert not Product.objects.exists()


def test_secret_values_never_reach_the_log():
    changes = diff({"api_token": "alt", "name": "A"}, {"api_token": "neu", "name": "B"})

    assert changes == {"api_token": [SECRET_MASK, SECRET_MASK], "name": ["A", "B"]}
    assert diff({"webhook_url": "x"}, {"webhook_url": "y"}, secret_fields=["webhook_url"]) == {
        "webhook_url": [SECRET_MASK, SECRET_MASK]
    }


def test_audit_entries_cannot_be_changed_or_deleted(db):
    entry = AuditEntry.objects.create(model="x.y", object_id="1", action="change")

    entry.object_id = "2"
    with pytest.raises(AuditLogImmutableError):
        entry.save()
    with pytest.raises(AuditLogImmutableError):
        entry.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get().object_id == "1"


def test_the_audit_log_admin_is_read_only(admin_client_as_ada):
    entry = AuditEntry.objects.create(model="x.y", object_id="1", action="change")

    assert (
        admin_client_as_ada.get(reverse("admin:privacy_auditentry_changelist")).status_code == 200
    )
    assert admin_client_as_ada.get(reverse("admin:privacy_auditentry_add")).status_code == 403
    admin_client_as_ada.post(
        reverse("admin:privacy_auditentry_delete", args=[entry.id]), {"post": "yes"}
    )
    assert AuditEntry.objects.filter(id=entry.id).exists()


def test_bulk_delete_from_the_changelist_writes_one_entry_per_object(admin_client_as_ada):
    first = make_product("ET-FILTER", category="spare_part", price="24.50")
    second = make_product("ET-PUMPE", category="spare_part", price="310.00")

    admin_client_as_ada.post(
        reverse("admin:customers_product_changelist"),
        {"action": "delete_selected", "_selected_action": [first.id, second.id], "post": "yes"},
    )

    assert not Product.objects.exists()
    deleted = {e.object_id: e.changes["price"] for e in AuditEntry.objects.filter(action="delete")}
    assert deleted == {str(first.id): ["24.50", None], str(second.id): ["310.00", None]}
