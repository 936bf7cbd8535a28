import pytest

from kundenversteher.customers.models import Customer
from tests.api.factories import (
    bearer,
    make_agent,
    make_customer,
    make_device,
    make_order,
    make_token,
    make_user,
)


@pytest.fixture
def agent_secret(db):
    return make_token(make_agent("anna"))[1]


def test_customer_list_is_paged_and_sorted_by_name(client, agent_secret):
    for name in ["Zimmer", "Albrecht", "Müller"]:
        make_customer(name)

    page = client.get("/api/v1/customers/?limit=2", headers=bearer(agent_secret)).json()

    assert page["count"] == 3
    assert [c["display_name"] for c in page["items"]] == ["Albrecht", "Müller"]
    assert page["items"][0]["customer_number"].startswith("KD-")


def test_customer_search_finds_by_customer_number(client, agent_secret):
    wanted = make_customer("Brenner", customer_number="KD-104711")
    make_customer("Anders")

    exact = client.get("/api/v1/customers/?q=KD-104711", headers=bearer(agent_secret))
    by_name = client.get("/api/v1/customers/?q=brenn", headers=bearer(agent_secret))

    assert [c["id"] for c in exact.json()["items"]] == [wanted.id]
    assert exact.json()["count"] == 1
    assert [c["customer_number"] for c in by_name.json()["items"]] == ["KD-104711"]


def test_customer_detail_has_identities_orders_and_devices(client, agent_secret):
    customer = make_customer("Brenner", email="k.brenner@example.de")
    make_order(customer, 4711)
    make_device(customer, "BW2301004567")

    detail = client.get(f"/api/v1/customers/{customer.id}", headers=bearer(agent_secret)).json()

    assert detail["last_name"] == "Brenner"
    assert detail["email"] == "k.brenner@example.de"
    assert {i["kind"] for i in detail["identities"]} == {"customer_number", "email"}
    assert [o["number"] for o in detail["orders"]] == [4711]
    assert detail["orders"][0]["lines"][0]["quantity"] == 2
    assert [d["serial"] for d in detail["devices"]] == ["BW2301004567"]


def test_create_customer(client, db):
    _, secret = make_token(make_agent("anna"))

    response = client.post(
        "/api/v1/customers/",
        {"last_name": "Neumann", "first_name": "Ida", "email": "ida@example.de"},
        content_type="application/json",
        headers=bearer(secret),
    )

    assert response.status_code == 201
    assert response.json()["display_name"] == "Ida Neumann"
    assert Customer.objects.get().last_name == "Neumann"


def test_invalid_email_is_a_422_from_the_domain(client, agent_secret):
    response = client.post(
        "/api/v1/customers/",
        {"last_name": "Neumann", "email": "kein-at-zeichen"},
        content_type="application/json",
        headers=bearer(agent_secret),
    )

    assert response.status_code == 422
    assert response.json()["code"] == "invalid_identity"
    assert not Customer.objects.exists()


def test_unknown_customer_is_404(client, agent_secret):
    response = client.get("/api/v1/customers/999", headers=bearer(agent_secret))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_customer_endpoints_are_for_staff_only(client, db):
    clara_user = make_user("clara")
    clara = make_customer("Clara")
    Customer.objects.filter(id=clara.id).update(user=clara_user)
    _, secret = make_token(clara_user)

    response = client.get("/api/v1/customers/", headers=bearer(secret))

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_orders_list_and_detail_by_number(client, agent_secret):
    brenner, other = make_customer("Brenner"), make_customer("Anders")
    make_order(brenner, 4711)
    make_order(other, 4712)

    listed = client.get(f"/api/v1/orders/?customer={brenner.id}", headers=bearer(agent_secret))
    detail = client.get("/api/v1/orders/4711", headers=bearer(agent_secret))
    missing = client.get("/api/v1/orders/999999", headers=bearer(agent_secret))

    assert [o["number"] for o in listed.json()["items"]] == [4711]
    assert detail.json()["customer_id"] == brenner.id
    assert detail.json()["status"] == "received"
    assert missing.status_code == 404


def test_devices_list_and_detail_by_serial(client, agent_secret):
    customer = make_customer("Brenner")
    make_device(customer, "BW2301004567")
    make_device(customer, "BW2301009999")

    listed = client.get("/api/v1/devices/?limit=1", headers=bearer(agent_secret)).json()
    detail = client.get("/api/v1/devices/bw2301004567", headers=bearer(agent_secret))
    missing = client.get("/api/v1/devices/BW0000000000", headers=bearer(agent_secret))

    assert (listed["count"], [d["serial"] for d in listed["items"]]) == (2, ["BW2301004567"])
    assert detail.status_code == 200
    assert detail.json()["customer_id"] == customer.id
    assert missing.status_code == 404
