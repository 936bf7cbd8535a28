"""decide_for_inbound + record_decision: facts from the database, the answer composed, stored."""

from __future__ import annotations

from datetime import timedelta

from kundenversteher.events.models import Event
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.models import AutomationDecision, IntentAutomation
from kundenversteher.knowledge.automation.queries import latest_decision, load_policy
from kundenversteher.knowledge.automation.types import Action, Mode
from tests.cases.factories import make_case
from tests.knowledge.answers.factories import make_clara, make_shipped_order, understanding_of
from tests.knowledge.automation.factories import NOW, FakeComposer, make_understanding, set_mode


def decide(customer_id, *, text="Wo bleibt meine Bestellung 4711?", case_id=None, **kwargs):
    return services.decide_for_inbound(
        understanding=make_understanding(**kwargs),
        customer_id=customer_id,
        identified_by="email",
        case_id=case_id,
        channel="email",
        language="de",
        understanding_data=understanding_of(text),
        now=NOW,
    )


def test_a_known_customers_order_question_is_answered_with_a_draft_from_real_data(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)

    pending = decide(clara.id)

    assert pending.action is Action.AUTO_ANSWER
    assert pending.decision.sends is True
    assert pending.standard is True
    assert pending.new_case is True
    assert pending.draft_subject == "Ihre Bestellung 4711"
    assert "am 22. November 2026 mit DHL versandt" in pending.draft_body
    assert pending.template_id is not None


def test_an_unknown_order_number_is_routed_with_the_answers_reason(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)

    pending = decide(clara.id, text="Wo bleibt meine Bestellung 9999?", order_numbers=("9999",))

    assert pending.action is Action.ROUTE
    last = pending.decision.reasons[-1]
    assert last.code == "answer_incomplete"
    assert "9999" in last.de
    assert last.de.startswith("Antwort nicht vollständig: ")
    assert pending.draft_body == ""


def test_a_fresh_install_is_in_shadow_mode(db):
    clara = make_clara()
    make_shipped_order(clara)

    pending = decide(clara.id)

    assert load_policy().mode is Mode.SHADOW
    assert (pending.action, pending.decision.shadow, pending.decision.sends) == (
        Action.AUTO_ANSWER,
        True,
        False,
    )
    assert pending.draft_body  # the draft is measured and shown even in shadow mode


def test_the_policy_reads_switches_fresh(db):
    set_mode(Mode.LIVE)
    IntentAutomation.objects.create(intent="order_status", enabled=False)
    IntentAutomation.objects.create(intent="invoice_copy", min_confidence=0.99)

    policy = load_policy()

    assert policy.mode is Mode.LIVE
    assert policy.disabled_intents == frozenset({"order_status"})
    assert policy.min_confidence == {"invoice_copy": 0.99}
    assert {"order_status", "invoice_copy"} <= policy.automatable_intents


def test_two_earlier_cases_on_the_same_topic_count_as_repeated_contact(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)
    for days in (3, 10):
        make_case(customer=clara, intent="order_status", now=NOW - timedelta(days=days))
    make_case(customer=clara, intent="order_status", now=NOW - timedelta(days=40))

    pending = decide(clara.id)

    assert pending.action is Action.ROUTE
    assert "escalation_repeated" in [r.code for r in pending.decision.reasons]


def test_an_intent_without_template_is_routed_without_composing(db):
    composer = FakeComposer()

    pending = services.decide_for_inbound(
        understanding=make_understanding(intent="device_fault", order_numbers=()),
        customer_id=None,
        case_id=None,
        channel="email",
        language="de",
        composer=composer,
    )

    assert pending.action is Action.ROUTE
    assert pending.standard is False
    assert composer.calls == []


def test_recording_stores_the_reasons_in_both_languages_and_an_event(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)
    case = make_case(customer=clara)
    pending = decide(clara.id)

    row = services.record_decision(
        case_id=case.pk, message_id=None, pending=pending, customer_id=clara.id, now=NOW
    )

    assert latest_decision(case_id=case.pk) == row
    stored = AutomationDecision.objects.get(pk=row.pk)
    assert stored.action == "auto_answer"
    assert stored.shadow is False
    assert stored.reasons[0] == {
        "code": "confidence_ok",
        "de": "Absicht order_status mit 97 % sicher (Schwelle 91 %)",
        "en": "Intent order_status certain at 97 % (threshold 91 %)",
    }
    event = Event.objects.get(kind="automation.decided")
    assert (event.case_id, event.customer_id) == (case.pk, clara.id)
    assert event.payload == {
        "decision_id": row.pk,
        "action": "auto_answer",
        "shadow": False,
        "intent": "order_status",
    }
