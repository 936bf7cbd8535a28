from django_tasks_db.models import DBTaskResult

from kundenversteher.api.models import WebhookDelivery
from kundenversteher.api.services import create_webhook_endpoint, plan_deliveries
from kundenversteher.events.services import record
from tests.api.factories import make_admin, make_token


def test_admin_lists_tokens_without_the_hash_and_revokes(db, client):
    admin = make_admin()
    token, _ = make_token(admin)
    client.force_login(admin)

    page = client.get(f"/admin/api/apitoken/{token.id}/change/")
    response = client.post(
        "/admin/api/apitoken/", {"action": "revoke", "_selected_action": [token.id]}
    )

    assert page.status_code == 200
    assert token.secret_hash not in page.content.decode()
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked


def test_admin_retries_a_failed_delivery(db, client, django_capture_on_commit_callbacks):
    admin = make_admin()
    create_webhook_endpoint(
        name="ERP", url="http://127.0.0.1:9/h", event_kinds=["*"], by=None, outbound_allowed=False
    )
    [delivery_id] = plan_deliveries(event_id=record("case.created", case_id=1).id)
    WebhookDelivery.objects.filter(id=delivery_id).update(status="failed", attempts=6)
    client.force_login(admin)

    listing = client.get("/admin/api/webhookdelivery/?status=failed")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            "/admin/api/webhookdelivery/",
            {"action": "retry", "_selected_action": [delivery_id]},
        )

    assert listing.status_code == 200
    delivery = WebhookDelivery.objects.get(id=delivery_id)
    assert (delivery.status, delivery.attempts) == ("pending", 0)
    assert DBTaskResult.objects.filter(args_kwargs__args=[delivery_id]).count() == 1
