"""send_auto_answer: live only, once, with fresh data, stopped at once by the switches."""

from __future__ import annotations

from kundenversteher.cases.models import Case, Message
from kundenversteher.events.models import Event
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.models import AutomationDecision, IntentAutomation
from kundenversteher.knowledge.automation.tasks import auto_answer_on_decided, send_auto_answer
from kundenversteher.knowledge.automation.types import Action, Mode
from tests.knowledge.answers.factories import make_clara, make_shipped_order
from tests.knowledge.automation.factories import (
    FakeComposed,
    FakeComposer,
    make_decided_case,
    set_mode,
)


def outbound(case: Case) -> list[Message]:
    return list(case.messages.filter(direction=Message.Direction.OUTBOUND))


def test_a_live_decision_sends_the_composed_answer_and_resolves_the_case(db, settings):
    settings.BASE_URL = ""  # no "did not help" link: the body is exactly the composed one
    set_mode(Mode.LIVE)
    composer = FakeComposer()
    case, decision = make_decided_case()

    result = services.send_auto_answer(decision_id=decision.pk, composer=composer)

    decision.refresh_from_db()
    case.refresh_from_db()
    [answer] = outbound(case)
    assert result == f"sent {answer.pk}"
    assert answer.body_text == "Ihre Bestellung 4711 wurde am 22. November 2026 versandt."
    assert answer.author_label == "Automatische Antwort"
    assert answer.author_id is None
    assert case.status == "resolved"
    assert decision.sent_message_id == answer.pk
    assert decision.outcome == "answered"
    assert composer.calls[0]["intent"] == "order_status"
    assert composer.calls[0]["case_id"] == case.pk
    assert Event.objects.filter(kind="automation.answer_sent", case_id=case.pk).count() == 1


def test_sending_twice_adds_one_message(db):
    set_mode(Mode.LIVE)
    case, decision = make_decided_case()

    first = services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())
    second = services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())

    assert first.startswith("sent ")
    assert second == "already sent"
    assert len(outbound(case)) == 1


def test_the_task_twice_adds_one_message_with_the_real_composer(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)
    case, decision = make_decided_case(customer=clara)

    send_auto_answer.call(decision.pk)
    send_auto_answer.call(decision.pk)

    [answer] = outbound(case)
    assert "am 22. November 2026 mit DHL versandt" in answer.body_text
    assert "Diese Antwort wurde automatisch erstellt." in answer.body_text


def test_a_shadow_decision_sends_nothing(db):
    set_mode(Mode.SHADOW)
    composer = FakeComposer()
    case, decision = make_decided_case(shadow=True)

    result = services.send_auto_answer(decision_id=decision.pk, composer=composer)

    assert result == "nothing to send"
    assert outbound(case) == []
    assert composer.calls == []
    assert (
        auto_answer_on_decided.call(
            Event.objects.get(kind="automation.decided", case_id=case.pk).pk
        )
        == "nothing to send"
    )


def test_the_kill_switch_stops_an_answer_already_decided(db):
    set_mode(Mode.LIVE)
    case, decision = make_decided_case()
    set_mode(Mode.OFF)

    result = services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())

    decision.refresh_from_db()
    assert result == "not sent: kill_switch"
    assert outbound(case) == []
    assert decision.action == Action.SUGGEST
    assert decision.reasons[-1]["de"] == "Abschaltung (Kill-Switch) aktiv"


def test_a_switched_off_intent_stops_sending(db):
    set_mode(Mode.LIVE)
    IntentAutomation.objects.create(intent="order_status", enabled=False)
    case, decision = make_decided_case()

    result = services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())

    assert result == "not sent: intent_disabled"
    assert outbound(case) == []


def test_data_that_changed_since_the_decision_routes_with_the_reason(db):
    set_mode(Mode.LIVE)
    case, decision = make_decided_case()
    composer = FakeComposer(
        FakeComposed(ok=False, missing=("order",), reason="Bestellung 4711 nicht gefunden.")
    )

    result = services.send_auto_answer(decision_id=decision.pk, composer=composer)

    decision.refresh_from_db()
    assert result == "not sent: answer_incomplete"
    assert decision.action == Action.ROUTE
    assert decision.reasons[-1]["de"] == (
        "Antwort nicht vollständig: Bestellung 4711 nicht gefunden."
    )
    assert outbound(case) == []


def test_an_agent_who_answered_first_is_not_overtaken(db):
    set_mode(Mode.LIVE)
    case, decision = make_decided_case()
    from kundenversteher.cases.services import add_message

    add_message(case_id=case.pk, direction="outbound", body_text="Schon erledigt.", by=None)

    result = services.send_auto_answer(decision_id=decision.pk, composer=FakeComposer())

    assert result == "not sent: agent_first"
    assert len(outbound(case)) == 1


def test_the_reaction_sends_a_live_auto_answer(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)
    case, _decision = make_decided_case(customer=clara)
    event = Event.objects.get(kind="automation.decided", case_id=case.pk)

    result = auto_answer_on_decided.call(event.pk)

    assert result.startswith("sent ")
    assert AutomationDecision.objects.get(case=case).sent_message_id is not None
