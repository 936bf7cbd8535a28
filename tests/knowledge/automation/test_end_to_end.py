"""End to end with the trained demo intent model: a customer's mail through intake, the
decision, the automatic answer as an outgoing mail — and the cases a person must take."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kundenversteher.cases.models import Case, Message
from kundenversteher.demo.automation import enable_demo_automation
from kundenversteher.events.models import Event
from kundenversteher.intake.mail import outbound
from kundenversteher.intake.mail import tasks as mail_tasks
from kundenversteher.intake.mail.models import OutboundMail
from kundenversteher.knowledge.automation.models import AutomationDecision
from kundenversteher.knowledge.automation.tasks import (
    auto_answer_on_decided,
    review_reply_on_processed,
)
from tests.cases.factories import make_team
from tests.intake.factories import make_mail, receive_mail, run
from tests.intake.mail.factories import make_mailbox
from tests.intake.mail.servers import SmtpSink
from tests.knowledge.answers.factories import make_clara, make_shipped_order

pytestmark = [pytest.mark.slow, pytest.mark.django_db]

CLARAS_MAIL = (
    "Hallo,\n\nich habe vor knapp einer Woche eine Luft-Wasser-Wärmepumpe bei Ihnen bestellt. "
    "Wo bleibt meine Bestellung 4711? Der Installateur kommt nächste Woche und braucht das "
    "Gerät.\n\nViele Grüße\nClara Schmidt\nKundennummer KD-104711"
)


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


@pytest.fixture
def brenner(demo_model, smtp_sink: SmtpSink):
    """Clara with her shipped order 4711, a default team, a mailbox that sends, automation on."""
    make_team("Kundendienst", is_default=True)
    clara = make_clara()
    make_shipped_order(clara)
    make_mailbox(smtp_port=smtp_sink.port)
    enable_demo_automation()
    return clara


def mail_in(text: str, *, subject: str = "Wo bleibt meine Bestellung 4711?", **kwargs) -> Case:
    raw = make_mail(text=text, subject=subject, from_address="clara.schmidt@example.de", **kwargs)
    outcome = run(receive_mail(raw).inbound_id)
    assert outcome.case_id is not None
    return Case.objects.get(pk=outcome.case_id)


def react(kind: str, case: Case, task) -> str:
    """Run a reaction task for the newest event of a kind, as the worker would."""
    event = Event.objects.filter(kind=kind, case_id=case.pk).latest("id")
    return task.call(event.pk)


def test_claras_order_question_is_answered_automatically_with_the_real_shipping_date(
    brenner, smtp_sink: SmtpSink
):
    case = mail_in(CLARAS_MAIL, message_id="<clara-4711@example.de>")

    decision = AutomationDecision.objects.get(case=case)
    assert (case.intent, decision.action, decision.shadow) == ("order_status", "auto_answer", False)
    assert react("automation.decided", case, auto_answer_on_decided).startswith("sent ")
    assert react("case.message_added", case, mail_tasks.send_case_reply).startswith("queued")
    mail = OutboundMail.objects.get(case_id=case.pk)
    assert outbound.deliver(outbound_id=mail.pk) == "sent"

    case.refresh_from_db()
    assert case.status == "resolved"
    [sent] = smtp_sink.messages()
    body = sent.get_content()
    assert sent["To"] == "clara.schmidt@example.de"
    assert sent["In-Reply-To"] == "<clara-4711@example.de>"
    assert sent["Auto-Submitted"] == "auto-replied"
    assert "Ihre Bestellung 4711 vom 17. November 2026" in body
    assert "am 22. November 2026 mit DHL versandt" in body
    assert "Diese Antwort wurde automatisch erstellt." in body
    # The case shows why: the stored reasons.
    codes = [r["code"] for r in decision.reasons]
    assert codes[:2] == ["confidence_ok", "customer_identified"]


def test_an_unknown_order_number_is_routed_with_a_note(brenner):
    case = mail_in(
        "Guten Tag,\n\nwo bleibt meine Bestellung 9999?\n\nViele Grüße\nClara Schmidt",
        subject="Wo bleibt meine Bestellung 9999?",
    )

    decision = AutomationDecision.objects.get(case=case)
    assert decision.action == "route"
    assert decision.reasons[-1]["code"] == "answer_incomplete"
    assert "9999" in decision.reasons[-1]["de"]
    assert react("automation.decided", case, auto_answer_on_decided) == "nothing to send"
    assert not Message.objects.filter(case=case, direction="outbound").exists()


def test_the_same_question_written_angrily_is_routed_not_answered(brenner):
    case = mail_in(
        "Wo bleibt meine Bestellung 4711??? Ich bin stinksauer, das ist eine Frechheit! "
        "Ich warte seit Wochen!",
    )

    decision = AutomationDecision.objects.get(case=case)
    assert decision.action == "route"
    assert "escalation_anger" in [r["code"] for r in decision.reasons]
    assert react("automation.decided", case, auto_answer_on_decided) == "nothing to send"


def test_a_reply_that_it_did_not_help_goes_to_a_person_with_priority(brenner):
    case = mail_in(CLARAS_MAIL)
    react("automation.decided", case, auto_answer_on_decided)
    react("case.message_added", case, mail_tasks.send_case_reply)
    answer_id = OutboundMail.objects.get(case_id=case.pk).message_id

    reply = mail_in(
        "Das hat leider nicht geholfen, bei DHL ist die Sendung unbekannt.",
        subject=f"Re: Wo bleibt meine Bestellung 4711? [{case.number}]",
        in_reply_to=answer_id,
    )

    assert reply.pk == case.pk
    decisions = list(AutomationDecision.objects.filter(case=case).order_by("id"))
    assert decisions[-1].action == "route"
    assert "escalation_reply_to_automatic" in [r["code"] for r in decisions[-1].reasons]
    assert react("intake.processed", case, review_reply_on_processed) == "not_helped"
    case.refresh_from_db()
    assert (case.status, case.priority) == ("open", "high")
    assert AutomationDecision.objects.get(pk=decisions[0].pk).outcome == "not_helped"
