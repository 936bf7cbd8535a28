"""The demo as ``make run`` shows it: demo company, demo inbox, the trained demo intent model,
automation switched on by ``enable_demo_automation`` — Clara's order question is answered
automatically with her order's real data, and the case says why."""

from __future__ import annotations

from io import StringIO

import pytest
from babel.dates import format_date
from django.core.management import call_command
from django.utils import timezone

from kundenversteher.cases.models import Message
from kundenversteher.customers.queries import find_order
from kundenversteher.demo import inbox
from kundenversteher.demo.automation import enable_demo_automation
from kundenversteher.demo.management.commands.kv_demo import Command
from kundenversteher.events.models import Event
from kundenversteher.intake.models import InboundMessage
from kundenversteher.intake.tasks import process_inbound
from kundenversteher.knowledge.automation.models import AutomationDecision
from kundenversteher.knowledge.automation.tasks import auto_answer_on_decided

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def inbox_case_id(key: str) -> int:
    inbound = InboundMessage.objects.get(message_id=f"<inbox-{key}@{inbox.MESSAGE_ID_DOMAIN}>")
    assert inbound.case_id is not None
    return inbound.case_id


def test_the_demo_inbox_answers_claras_order_question_and_routes_the_difficult_mails(demo_model):
    call_command(Command(), "--size", "tiny", "--no-train", stdout=StringIO())
    enable_demo_automation()

    for inbound in InboundMessage.objects.filter(source=inbox.SOURCE).order_by("id"):
        process_inbound.call(inbound.pk)
    for event in Event.objects.filter(kind="automation.decided").order_by("id"):
        auto_answer_on_decided.call(event.pk)

    clara_case = inbox_case_id("clara-4711")
    decision = AutomationDecision.objects.get(case_id=clara_case)
    assert decision.action == "auto_answer"
    answer = Message.objects.get(case_id=clara_case, direction="outbound")
    assert answer.author_label == "Automatische Antwort"
    order = find_order(4711)
    assert order is not None
    assert order.shipped_at is not None
    shipped = format_date(timezone.localtime(order.shipped_at).date(), "d. MMMM y", locale="de")
    assert shipped in answer.body_text
    assert [r["code"] for r in decision.reasons][:2] == ["confidence_ok", "customer_identified"]
    for key in ("heizung-kalt", "frist-anwalt", "unknown-sender"):
        assert AutomationDecision.objects.get(case_id=inbox_case_id(key)).action != "auto_answer"
