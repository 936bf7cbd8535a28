"""The intake pipeline's decide step: decided before filing, stored with the filed message.

The intent model is a fake that always says one intent (tests/intelligence/factories.py); the
rest of ``understand`` (entities, emotions, urgency cues) is the real rule-based core.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kundenversteher.cases.models import Case, Message
from kundenversteher.events.models import Event
from kundenversteher.intake import pipeline
from kundenversteher.intake.models import InboundMessage
from kundenversteher.intelligence import understand
from kundenversteher.knowledge.automation.models import AutomationDecision
from kundenversteher.knowledge.automation.tasks import auto_answer_on_decided
from kundenversteher.knowledge.automation.types import Mode
from tests.intake.factories import make_mail, receive_mail, run
from tests.intelligence.factories import FakeIntentModel, make_bundle
from tests.knowledge.answers.factories import COMPANY, make_clara, make_shipped_order
from tests.knowledge.automation.factories import set_mode

CLARA = "clara.schmidt@example.de"


@pytest.fixture(autouse=True)
def _order_status_model(monkeypatch: pytest.MonkeyPatch, settings) -> None:
    settings.KV_COMPANY_NAME = COMPANY
    bundle = make_bundle(intent=FakeIntentModel("order_status"))

    def analyse(*, text: str, subject: str, channel: str, model_dir: Path):
        return understand(text, subject=subject or None, channel=channel, models=bundle)

    monkeypatch.setattr(pipeline, "analyse", analyse)


def deliver(text: str, *, from_address: str = CLARA) -> Case:
    raw = make_mail(text=text, subject="Bestellung", from_address=from_address)
    outcome = run(receive_mail(raw).inbound_id)
    assert outcome.case_id is not None
    return Case.objects.get(pk=outcome.case_id)


def test_a_standard_request_is_decided_in_the_pipeline_and_stored_with_the_message(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)

    case = deliver("Guten Tag, wo bleibt meine Bestellung 4711?")

    decision = AutomationDecision.objects.get(case=case)
    message = Message.objects.get(case=case)
    assert (decision.action, decision.shadow, decision.message_id) == (
        "auto_answer",
        False,
        message.pk,
    )
    assert (decision.intent, decision.channel, decision.standard) == ("order_status", "email", True)
    assert decision.draft_subject == "Ihre Bestellung 4711"
    inbound = InboundMessage.objects.get(case_message_id=message.pk)
    assert [s.name for s in inbound.steps.order_by("id")] == [
        "parse",
        "understand",
        "identify",
        "enrich",
        "thread",
        "decide",
        "file",
    ]
    step = inbound.steps.get(name="decide")
    assert (step.detail["action"], step.detail["shadow"]) == ("auto_answer", False)
    processed = Event.objects.get(kind="intake.processed", case_id=case.pk)
    assert processed.payload["automation"] == "auto_answer"
    assert processed.payload["automation_sends"] is True
    assert processed.payload["automation_decision_id"] == decision.pk
    decided = Event.objects.get(kind="automation.decided", case_id=case.pk)
    assert decided.payload["decision_id"] == decision.pk


def test_the_sending_reaction_answers_with_the_real_shipping_date(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)
    case = deliver("Guten Tag, wo bleibt meine Bestellung 4711?")

    auto_answer_on_decided.call(Event.objects.get(kind="automation.decided").pk)

    case.refresh_from_db()
    answer = Message.objects.get(case=case, direction="outbound")
    assert "am 22. November 2026 mit DHL versandt" in answer.body_text
    assert answer.author_label == "Automatische Antwort"
    assert case.status == "resolved"


def test_an_unknown_order_number_is_routed_with_a_note(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)

    case = deliver("Guten Tag, wo bleibt meine Bestellung 9999?")

    decision = AutomationDecision.objects.get(case=case)
    assert decision.action == "route"
    assert decision.reasons[-1]["code"] == "answer_incomplete"
    assert "9999" in decision.reasons[-1]["de"]


def test_the_same_question_written_angrily_is_routed_not_answered(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)

    case = deliver("Wo bleibt meine Bestellung 4711??? Ich bin stinksauer, das ist eine Frechheit!")

    decision = AutomationDecision.objects.get(case=case)
    assert decision.action == "route"
    assert decision.reasons[0]["de"] == "Eskalationssignal: Ärger"
    assert (
        auto_answer_on_decided.call(Event.objects.get(kind="automation.decided").pk)
        == "nothing to send"
    )


def test_a_fresh_install_decides_in_shadow_mode(db):
    clara = make_clara()
    make_shipped_order(clara)

    case = deliver("Guten Tag, wo bleibt meine Bestellung 4711?")

    decision = AutomationDecision.objects.get(case=case)
    assert (decision.action, decision.shadow) == ("auto_answer", True)
    assert Event.objects.get(kind="intake.processed").payload["automation_sends"] is False


def test_a_stranger_naming_a_customers_order_number_gets_no_automatic_answer(db):
    set_mode(Mode.LIVE)
    clara = make_clara()
    make_shipped_order(clara)

    case = deliver("Wo bleibt meine Bestellung 4711?", from_address="fremd@example.org")

    # Intake recognises Clara by her order number, but the sender is a stranger: nothing about
    # her order may go to this address automatically.
    assert case.customer_id == clara.id
    decision = AutomationDecision.objects.get(case=case)
    assert decision.action == "suggest"
    assert decision.reasons[0]["code"] == "customer_not_sender"


def test_an_automation_failure_still_files_the_message_for_a_person(
    db, monkeypatch: pytest.MonkeyPatch
):
    set_mode(Mode.LIVE)

    def broken(**kwargs):
        raise RuntimeError("template store down")

    monkeypatch.setattr(pipeline, "decide_for_inbound", broken)

    case = deliver("Wo bleibt meine Bestellung 4711?")

    decision = AutomationDecision.objects.get(case=case)
    assert decision.action == "route"
    assert decision.reasons == [
        {
            "code": "automation_error",
            "de": "Automatik-Fehler: RuntimeError",
            "en": "Automation error: RuntimeError",
        }
    ]
