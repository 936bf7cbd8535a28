"""The demo company answers its own story: Clara asks about order 4711 and her invoice."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from kundenversteher.customers.models import Invoice, Order
from kundenversteher.demo import company, services
from kundenversteher.demo.management.commands.kv_demo import Command
from kundenversteher.knowledge.answers import compose
from kundenversteher.knowledge.answers.rendering import format_day
from tests.knowledge.answers.factories import understanding_of

# Each test loads the tiny demo (about 4 s).
pytestmark = pytest.mark.slow


@pytest.fixture
def demo(db, settings):
    settings.KV_COMPANY_NAME = company.COMPANY_NAME
    call_command(Command(), "--size", "tiny", "--no-train", stdout=StringIO())


def test_claras_order_4711_is_answered_from_demo_data(demo):
    order = Order.objects.get(number=company.CLARA.order_number)

    answer = compose(
        intent="order_status",
        language="de",
        customer_id=order.customer_id,
        understanding=understanding_of("Wo bleibt meine Bestellung 4711?"),
    )

    assert answer.ok, answer.reason
    shipped_on = format_day(timezone.localdate(order.shipped_at), "de")
    assert f"Sie wurde am {shipped_on} mit DHL versandt" in answer.body
    assert company.CLARA.tracking_number in answer.body


def test_every_shipped_demo_order_has_one_invoice_and_clara_gets_hers(demo):
    shipped = Order.objects.filter(status__in=("shipped", "delivered", "returned"))
    invoiced = Invoice.objects.values_list("order_id", flat=True)
    clara_order = Order.objects.get(number=company.CLARA.order_number)

    answer = compose(
        intent="invoice_copy",
        language="de",
        customer_id=clara_order.customer_id,
        understanding=understanding_of("Bitte die Rechnung zu Bestellung 4711 noch einmal."),
    )

    assert sorted(invoiced) == sorted(shipped.values_list("id", flat=True))
    assert answer.ok, answer.reason
    assert answer.attachments[0].content.startswith(b"%PDF")
    assert Invoice.objects.get(order=clara_order).gross == clara_order.total


def test_demo_reset_removes_invoices_too(demo):
    services.reset_demo()

    assert Invoice.objects.count() == 0
