import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from kundenversteher.customers.models import Customer, CustomerIdentity, Order
from kundenversteher.events.models import Event
from tests.customers.factories import make_customer, make_order


@pytest.fixture
def staff_client(client, db):
    ada = get_user_model().objects.create_superuser("ada", "ada@example.de", "x-not-used-1234")
    client.force_login(ada)
    return client


def _customer_form(customer: Customer, **identity: str) -> dict[str, str]:
    data = {
        "kind": "b2c",
        "organisation": "",
        "company_role": "",
        "tier": "standard",
        "preferred_language": "de",
        "salutation": "",
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "street": customer.street,
        "postcode": customer.postcode,
        "city": customer.city,
        "country": "DE",
        "user": "",
        "identities-TOTAL_FORMS": "2",
        "identities-INITIAL_FORMS": "1",
    }
    number = customer.identities.get()
    data |= {
        "identities-0-id": str(number.id),
        "identities-0-customer": str(customer.id),
        "identities-0-kind": "customer_number",
        "identities-0-value": number.value,
    }
    data |= {f"identities-1-{k}": v for k, v in identity.items()}
    return data


def test_identities_entered_in_the_admin_are_stored_normalised(staff_client):
    customer = make_customer(customer_number="KD-104711")
    url = reverse("admin:customers_customer_change", args=[customer.id])

    response = staff_client.post(url, _customer_form(customer, kind="phone", value="0171 1234567"))

    assert response.status_code == 302
    assert CustomerIdentity.objects.get(kind="phone").value == "+491711234567"


def test_an_invalid_identity_in_the_admin_is_refused_with_the_reason(staff_client):
    customer = make_customer(customer_number="KD-104711")
    url = reverse("admin:customers_customer_change", args=[customer.id])

    response = staff_client.post(url, _customer_form(customer, kind="email", value="anna@"))

    assert response.status_code == 200
    assert "„anna@“ ist keine gültige E-Mail-Adresse." in response.content.decode()
    assert not CustomerIdentity.objects.filter(kind="email").exists()


def test_the_admin_action_moves_orders_through_the_service(staff_client):
    order = make_order(make_customer())

    staff_client.post(
        reverse("admin:customers_order_changelist"),
        {"action": "mark_confirmed", "_selected_action": [order.id]},
    )

    assert Order.objects.get(id=order.id).status == "confirmed"
    assert Event.objects.get(kind="order.status_changed").payload["to"] == "confirmed"


@pytest.mark.parametrize(
    "model", ["organisation", "customer", "contract", "product", "stockitem", "order", "device"]
)
def test_admin_pages_render_and_search(staff_client, model):
    make_order(make_customer())

    listing = staff_client.get(reverse(f"admin:customers_{model}_changelist"), {"q": "Schmidt"})
    adding = staff_client.get(reverse(f"admin:customers_{model}_add"))

    assert (listing.status_code, adding.status_code) == (200, 200)
