from datetime import UTC, datetime, timedelta

from django.utils import timezone

from kundenversteher import wiring
from kundenversteher.api.models import WebhookDelivery
from kundenversteher.api.services import create_webhook_endpoint
from kundenversteher.api.tasks import deliver_event_to_webhooks
from kundenversteher.customers.models import Customer
from kundenversteher.events.models import Event
from kundenversteher.events.services import record, register_reactions
from tests.api.factories import bearer, make_admin, make_customer, make_token, make_user

URL = "/api/v1/events/"


def test_cursor_paging_walks_all_events_once(db, client):
    _, secret = make_token(make_admin())
    for i in range(5):
        record("customer.updated", customer_id=i)

    seen, cursor, pages = [], None, 0
    while True:
        query = {"limit": 2, **({"after": cursor} if cursor else {})}
        page = client.get(URL, query, headers=bearer(secret)).json()
        seen += [e["customer_id"] for e in page["items"] if e["kind"] == "customer.updated"]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break

    assert seen == [0, 1, 2, 3, 4]
    # 5 customer events + the token's own "api.token_created" = 6 events, 2 per page
    assert pages == 3


def test_filters_by_kind_prefix_customer_and_since(db, client):
    _, secret = make_token(make_admin())
    old = timezone.now() - timedelta(days=3)
    record("case.created", case_id=None, customer_id=7, occurred_at=old)
    record("case.closed", customer_id=7)
    record("customer.created", customer_id=8)

    by_prefix = client.get(URL, {"kind": "case.*"}, headers=bearer(secret)).json()
    by_customer = client.get(URL, {"customer_id": 8}, headers=bearer(secret)).json()
    since = client.get(
        URL,
        {"kind": "case.*", "since": (timezone.now() - timedelta(days=1)).isoformat()},
        headers=bearer(secret),
    ).json()

    assert [e["kind"] for e in by_prefix["items"]] == ["case.created", "case.closed"]
    assert [e["kind"] for e in by_customer["items"]] == ["customer.created"]
    assert [e["kind"] for e in since["items"]] == ["case.closed"]


def test_portal_customers_cannot_read_the_event_log(db, client):
    clara = make_user("clara")
    Customer.objects.filter(id=make_customer("Clara").id).update(user=clara)
    _, secret = make_token(clara)

    assert client.get(URL, headers=bearer(secret)).status_code == 403


def test_registered_reaction_turns_a_recorded_event_into_a_delivery(
    db, django_capture_on_commit_callbacks
):
    create_webhook_endpoint(
        name="ERP",
        url="http://127.0.0.1:9/h",
        event_kinds=["case.closed"],
        by=None,
        outbound_allowed=False,
    )
    register_reactions({"*": [deliver_event_to_webhooks]})
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            event = record("case.closed", case_id=3)
    finally:
        register_reactions(wiring.REACTIONS)  # back to what the project installed
    for callback in callbacks:
        callback()  # enqueues deliver_event_to_webhooks(event.id) on the database queue
    deliver_event_to_webhooks.call(event.id)

    assert WebhookDelivery.objects.get().event_id == event.id
    assert Event.objects.filter(kind="case.closed").count() == 1


def test_a_time_without_offset_means_berlin_time(db, client):
    _, secret = make_token(make_admin())
    # 12:00 UTC is 13:00 in Berlin (winter time)
    record("case.closed", case_id=None, occurred_at=datetime(2026, 11, 23, 12, 0, tzinfo=UTC))

    at_one_berlin = client.get(
        URL, {"kind": "case.*", "since": "2026-11-23T13:00:00"}, headers=bearer(secret)
    )
    just_after = client.get(
        URL, {"kind": "case.*", "since": "2026-11-23T13:00:01"}, headers=bearer(secret)
    )

    assert [e["kind"] for e in at_one_berlin.json()["items"]] == ["case.closed"]
    assert just_after.json()["items"] == []
