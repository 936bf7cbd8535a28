"""The case view's database work stays flat: more messages, orders or cases cost no more queries."""

from __future__ import annotations

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from kundenversteher.cases import services
from kundenversteher.cases.models import Case
from kundenversteher.cases.types import AttachmentUpload
from tests.cases.factories import make_personas
from tests.customers.factories import make_customer, make_order
from tests.workspace.case_view_factories import make_inbound_case, make_understanding


def _count_queries(client: Client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_query_count_does_not_grow_with_messages_orders_and_earlier_cases(db):
    people = make_personas()
    customer = make_customer("Schmidt", first_name="Clara")
    make_order(customer, number=4711)
    case = make_inbound_case(
        customer=customer, team=people.service, understanding=make_understanding("Bestellung 4711")
    )
    client = Client()
    client.force_login(people.sabine)
    path = f"/cases/{case.number}/"
    _count_queries(client, path)  # warm caches (content types, sessions)
    small = _count_queries(client, path)

    for number in range(4712, 4722):
        make_order(customer, number=number)
    for index in range(10):
        make_inbound_case(customer=customer, team=people.service, subject=f"Früher {index}")
        services.add_note(case_id=case.pk, body_text=f"@anna Notiz {index}", by=people.sabine)
        services.add_message(
            case_id=case.pk,
            direction="inbound",
            body_text=f"Nachtrag {index}",
            attachments=[AttachmentUpload(f"n{index}.txt", b"Text")],
            max_attachment_bytes=1000,
        )
    Case.objects.filter(pk=case.pk).update(version=case.version)
    large = _count_queries(client, path)

    assert large == small
    # About 30 today (session, user, the base layout's navigation, visibility checks, customer
    # 360 in six, routing, macros); the budget catches a new query per row, not a new panel.
    assert small <= 36, small
