import json

import pytest
from django_tasks_db.models import DBTaskResult

from kundenversteher.api.errors import OutboundNotAllowedError
from kundenversteher.api.models import WebhookDelivery, WebhookEndpoint
from kundenversteher.api.services import create_webhook_endpoint, plan_deliveries
from kundenversteher.api.signing import sign, verify_signature
from kundenversteher.api.tasks import (
    WEBHOOK_MAX_ATTEMPTS,
    deliver_event_to_webhooks,
    send_webhook,
)
from kundenversteher.events.services import record
from kundenversteher.lib.tasks import ATTEMPT_KWARG, PermanentTaskError
from tests.api.factories import bearer, make_admin, make_agent, make_token
from tests.api.loopback import webhook_receiver


def make_endpoint(url, *, kinds=("case.created",), allowed=False):
    endpoint, secret = create_webhook_endpoint(
        name="ERP", url=url, event_kinds=list(kinds), by=None, outbound_allowed=allowed
    )
    return endpoint, secret


def test_signature_verifies_and_rejects_tampering_and_old_timestamps():
    body = b'{"a": 1}'
    signature = sign(secret="s3cret", timestamp=1_000, body=body)

    assert verify_signature(
        secret="s3cret", timestamp="1000", body=body, signature=signature, now=1_100
    )
    assert not verify_signature(
        secret="s3cret", timestamp="1000", body=b'{"a": 2}', signature=signature, now=1_100
    )
    assert not verify_signature(
        secret="other", timestamp="1000", body=body, signature=signature, now=1_100
    )
    assert not verify_signature(
        secret="s3cret", timestamp="1000", body=body, signature=signature, now=1_000 + 301
    )


def test_event_is_delivered_signed_to_a_loopback_receiver(db, django_capture_on_commit_callbacks):
    with webhook_receiver() as receiver:
        _, receiver.secret = make_endpoint(receiver.url)
        event = record("case.created", case_id=7, customer_id=3, data={"number": "KV-2026-000007"})

        plan_deliveries(event_id=event.id)
        delivery = WebhookDelivery.objects.get()
        result = send_webhook.call(delivery.id)

    assert result == {"status": "succeeded", "attempt": 1}
    assert len(receiver.requests) == 1
    received = receiver.requests[0]
    assert received.signature_valid
    assert received.headers["X-Kundenversteher-Event"] == "case.created"
    assert received.headers["X-Kundenversteher-Delivery"] == str(delivery.id)
    payload = json.loads(received.body)
    assert payload["event"]["id"] == event.id
    assert payload["event"]["data"] == {"number": "KV-2026-000007"}
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 1, 204)
    assert delivery.delivered_at is not None


def test_receiver_failing_twice_gets_the_event_on_the_third_attempt(db):
    with webhook_receiver(fail_first=2) as receiver:
        _, receiver.secret = make_endpoint(receiver.url)
        event = record("case.created", case_id=1)
        [delivery_id] = plan_deliveries(event_id=event.id)

        first = send_webhook.call(delivery_id)
        after_first = WebhookDelivery.objects.get(id=delivery_id)
        retries = DBTaskResult.objects.filter(args_kwargs__args=[delivery_id])
        assert first["status"] == "retry_scheduled"
        assert (after_first.status, after_first.attempts, after_first.last_status_code) == (
            "retrying",
            1,
            500,
        )
        assert retries.count() == 1
        assert retries.get().args_kwargs["kwargs"] == {ATTEMPT_KWARG: 2}
        assert retries.get().run_after is not None

        second = send_webhook.call(delivery_id, **{ATTEMPT_KWARG: 2})
        third = send_webhook.call(delivery_id, **{ATTEMPT_KWARG: 3})

    assert second["status"] == "retry_scheduled"
    assert third == {"status": "succeeded", "attempt": 3}
    assert [r.signature_valid for r in receiver.requests] == [True, True, True]
    delivery = WebhookDelivery.objects.get(id=delivery_id)
    assert (delivery.status, delivery.attempts) == ("succeeded", 3)


def test_delivery_ends_failed_after_the_last_attempt(db):
    with webhook_receiver(fail_first=100) as receiver:
        _, receiver.secret = make_endpoint(receiver.url)
        [delivery_id] = plan_deliveries(event_id=record("case.created", case_id=1).id)
        for attempt in range(1, WEBHOOK_MAX_ATTEMPTS):
            send_webhook.call(delivery_id, **{ATTEMPT_KWARG: attempt})

        with pytest.raises(PermanentTaskError):
            send_webhook.call(delivery_id, **{ATTEMPT_KWARG: WEBHOOK_MAX_ATTEMPTS})

    delivery = WebhookDelivery.objects.get(id=delivery_id)
    assert (delivery.status, delivery.attempts) == ("failed", WEBHOOK_MAX_ATTEMPTS)
    assert delivery.last_error == "HTTP 500"
    assert len(receiver.requests) == WEBHOOK_MAX_ATTEMPTS


def test_a_finished_delivery_is_not_sent_again(db):
    with webhook_receiver() as receiver:
        _, receiver.secret = make_endpoint(receiver.url)
        [delivery_id] = plan_deliveries(event_id=record("case.created", case_id=1).id)
        send_webhook.call(delivery_id)

        again = send_webhook.call(delivery_id)

    assert again == {"status": "already_succeeded"}
    assert len(receiver.requests) == 1


def test_planning_is_idempotent_and_respects_subscriptions(db):
    wanted, _ = make_endpoint("http://127.0.0.1:9/a", kinds=["case.created"])
    everything, _ = make_endpoint("http://127.0.0.1:9/b", kinds=["*"])
    make_endpoint("http://127.0.0.1:9/c", kinds=["case.closed"])
    inactive, _ = make_endpoint("http://127.0.0.1:9/d", kinds=["*"])
    WebhookEndpoint.objects.filter(id=inactive.id).update(active=False)
    event = record("case.created", case_id=1)

    first = plan_deliveries(event_id=event.id)
    second = plan_deliveries(event_id=event.id)

    assert len(first) == 2
    assert second == []
    assert set(WebhookDelivery.objects.values_list("endpoint_id", flat=True)) == {
        wanted.id,
        everything.id,
    }


def test_reaction_task_enqueues_one_send_per_new_delivery(db, django_capture_on_commit_callbacks):
    make_endpoint("http://127.0.0.1:9/a", kinds=["*"])
    event = record("customer.created", customer_id=5)

    with django_capture_on_commit_callbacks(execute=True):
        result = deliver_event_to_webhooks.call(event.id)

    delivery = WebhookDelivery.objects.get()
    assert result == {"deliveries": [delivery.id]}
    assert (
        DBTaskResult.objects.filter(
            task_path="kundenversteher.api.tasks.send_webhook", args_kwargs__args=[delivery.id]
        ).count()
        == 1
    )


def test_non_loopback_url_is_refused_by_default(db):
    with pytest.raises(OutboundNotAllowedError) as refused:
        make_endpoint("https://erp.example.com/hooks")

    assert "KV_OUTBOUND_ALLOWED" in refused.value.message()
    assert not WebhookEndpoint.objects.exists()


def test_non_loopback_url_is_allowed_when_outbound_is_enabled(db):
    endpoint, _ = make_endpoint("https://erp.example.com/hooks", allowed=True)

    assert endpoint.url == "https://erp.example.com/hooks"


def test_delivery_is_refused_if_outbound_was_switched_off_later(db, settings):
    settings.KV_OUTBOUND_ALLOWED = False
    make_endpoint("https://erp.example.com/hooks", allowed=True)
    [delivery_id] = plan_deliveries(event_id=record("case.created", case_id=1).id)

    result = send_webhook.call(delivery_id)

    delivery = WebhookDelivery.objects.get(id=delivery_id)
    assert result == {"status": "refused"}
    assert (delivery.status, delivery.attempts) == ("refused", 0)
    assert "KV_OUTBOUND_ALLOWED" in delivery.last_error


def test_api_refuses_a_non_loopback_webhook_and_says_why(db, client):
    _, secret = make_token(make_admin())

    response = client.post(
        "/api/v1/webhooks/",
        {"name": "ERP", "url": "https://erp.example.com/h", "event_kinds": ["*"]},
        content_type="application/json",
        headers=bearer(secret),
    )

    assert response.status_code == 400
    assert response.json()["code"] == "outbound_not_allowed"
    assert "KV_OUTBOUND_ALLOWED" in response.json()["detail"]


def test_api_creates_a_loopback_webhook_and_shows_the_secret_once(db, client):
    _, secret = make_token(make_admin())

    created = client.post(
        "/api/v1/webhooks/",
        {"name": "ERP", "url": "http://127.0.0.1:8080/h", "event_kinds": ["case.created"]},
        content_type="application/json",
        headers=bearer(secret),
    )
    listed = client.get("/api/v1/webhooks/", headers=bearer(secret))

    assert created.status_code == 201
    assert created.json()["secret"] == WebhookEndpoint.objects.get().secret
    assert listed.status_code == 200
    assert [w["url"] for w in listed.json()] == ["http://127.0.0.1:8080/h"]
    assert "secret" not in listed.json()[0]


def test_only_admins_manage_webhooks(db, client):
    _, secret = make_token(make_agent("anna"))

    response = client.get("/api/v1/webhooks/", headers=bearer(secret))

    assert response.status_code == 403
    assert response.json()["code"] == "not_allowed"


def test_events_enqueue_no_webhook_work_without_a_subscriber(
    db, django_capture_on_commit_callbacks
):
    from django_tasks_db.models import DBTaskResult

    from kundenversteher.events.services import record

    with django_capture_on_commit_callbacks(execute=True):
        record("case.created", case_id=1)

    assert not DBTaskResult.objects.exists()
