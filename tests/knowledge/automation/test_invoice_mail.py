"""An automatic invoice copy reaches the customer by mail with its PDF attached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kundenversteher.cases.models import Message
from kundenversteher.events.models import Event
from kundenversteher.intake.mail import outbound
from kundenversteher.intake.mail import tasks as mail_tasks
from kundenversteher.intake.mail.models import OutboundMail
from kundenversteher.knowledge.automation import services
from kundenversteher.knowledge.automation.types import Mode
from tests.intake.factories import make_mail, receive_mail, run
from tests.intake.mail.factories import make_mailbox
from tests.intake.mail.servers import SmtpSink
from tests.knowledge.answers.factories import make_clara, make_invoice, make_shipped_order
from tests.knowledge.automation.factories import auto_answer_decision, set_mode


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink()
    sink.start()
    try:
        yield sink
    finally:
        sink.stop()


def test_the_invoice_pdf_is_attached_to_the_automatic_answer_mail(db, smtp_sink: SmtpSink):
    set_mode(Mode.LIVE)
    make_mailbox(smtp_port=smtp_sink.port)
    clara = make_clara()
    invoice = make_invoice(make_shipped_order(clara))
    raw = make_mail(
        text=f"Bitte senden Sie mir die Rechnung {invoice.number} noch einmal.",
        subject="Rechnungskopie",
        from_address="clara.schmidt@example.de",
        message_id="<rechnung@example.de>",
    )
    case_id = run(receive_mail(raw).inbound_id).case_id
    assert case_id is not None
    message = Message.objects.get(case_id=case_id)
    decision = services.record_decision(
        case_id=case_id,
        message_id=message.pk,
        pending=services.PendingDecision(
            decision=auto_answer_decision(intent="invoice_copy"), channel="email", standard=True
        ),
    )

    assert services.send_auto_answer(decision_id=decision.pk).startswith("sent ")
    added = Event.objects.filter(kind="case.message_added", case_id=case_id).latest("id")
    assert mail_tasks.send_case_reply.call(added.pk).startswith("queued")
    assert outbound.deliver(outbound_id=OutboundMail.objects.get(case_id=case_id).pk) == "sent"

    [sent] = smtp_sink.messages()
    [attachment] = list(sent.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == f"{invoice.number}.pdf"
    assert attachment.get_content().startswith(b"%PDF")
    assert sent["Auto-Submitted"] == "auto-replied"
