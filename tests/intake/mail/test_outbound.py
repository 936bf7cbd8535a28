"""Replies and acknowledgements go out by real SMTP (an aiosmtpd server on loopback)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from kundenversteher.cases import services as case_services
from kundenversteher.cases.models import Case, Message
from kundenversteher.events.models import Event
from kundenversteher.events.services import record
from kundenversteher.intake import services as intake_services
from kundenversteher.intake.mail import outbound, queries, tasks
from kundenversteher.intake.mail.models import Mailbox, OutboundMail
from kundenversteher.intake.models import MessageIdIndex
from tests.cases.factories import make_user
from tests.customers.factories import make_customer
from tests.intake.mail.factories import make_mail, make_mailbox
from tests.intake.mail.servers import SmtpSink

pytestmark = [pytest.mark.server, pytest.mark.django_db]

CUSTOMER_MAIL_ID = "<frage-1@example.de>"


def _case_from_mail(
    mailbox: Mailbox,
    *,
    from_address: str = "anna.schmidt@example.de",
    subject: str = "Störung Wärmepumpe",
    language: str = "de",
    headers: dict[str, str] | None = None,
) -> Case:
    """A case opened from a customer's e-mail received through ``mailbox``."""
    raw = make_mail(
        from_address=from_address,
        subject=subject,
        message_id=CUSTOMER_MAIL_ID,
        references="<aeltere@example.de>",
        headers=headers,
    )
    received = intake_services.receive(
        channel="email", raw=raw, source="imap:Service/INBOX", meta={"mailbox_id": mailbox.pk}
    )
    customer = make_customer(email=from_address)
    if language == "en":
        customer.preferred_language = "en"
        customer.save(update_fields=["preferred_language"])
    return case_services.open_case(
        subject=subject,
        channel="email",
        customer_id=customer.pk,
        body_text="Meine Wärmepumpe zeigt E42.",
        raw_ref=f"intake:{received.inbound_id}",
        route=False,
    )


def _agent_reply(case: Case, text: str = "Guten Tag Frau Schmidt,\n\nwir kommen morgen.") -> int:
    agent = make_user("anna-agentin", is_superuser=True)
    message = case_services.add_message(
        case_id=case.pk, direction=Message.Direction.OUTBOUND, body_text=text, by=agent
    )
    # The event add_message recorded, which the wiring hands to the reaction.
    return Event.objects.get(kind="case.message_added", payload__message_id=message.pk).pk


def _processed_event(case: Case, *, automatic: str = "", new_case: bool = True) -> int:
    inbound_id = int(Message.objects.filter(case=case).first().raw_ref.split(":")[1])  # type: ignore[union-attr]
    return record(
        "intake.processed",
        channel="email",
        case_id=case.pk,
        data={
            "inbound_id": inbound_id,
            "message_id": None,
            "new_case": new_case,
            "automatic": automatic,
            "language": "de",
        },
    ).pk


def test_agent_reply_goes_out_threaded_with_the_case_number(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    case = _case_from_mail(mailbox)

    assert tasks.send_case_reply.call(_agent_reply(case)).startswith("queued")
    mail = OutboundMail.objects.get()
    assert outbound.deliver(outbound_id=mail.pk) == OutboundMail.State.SENT

    [(envelope_from, rcpts, _raw)] = smtp_sink.received
    assert (envelope_from, rcpts) == (
        "service@brenner-waermetechnik.de",
        ["anna.schmidt@example.de"],
    )
    [sent] = smtp_sink.messages()
    assert sent["Subject"] == f"Re: Störung Wärmepumpe [{case.number}]"
    assert sent["From"] == "Service <service@brenner-waermetechnik.de>"
    assert sent["In-Reply-To"] == CUSTOMER_MAIL_ID
    assert sent["References"] == f"<aeltere@example.de> {CUSTOMER_MAIL_ID}"
    assert sent["Message-ID"] == mail.message_id
    assert sent["Auto-Submitted"] is None  # a person wrote it
    body = sent.get_content().replace("\r\n", "\n")
    assert body.startswith("Guten Tag Frau Schmidt,\n\nwir kommen morgen.\n\n-- \nService\n")
    assert f"Vorgangsnummer: {case.number}" in body
    # The customer's answer to it threads into the same case.
    assert MessageIdIndex.objects.get(message_id=mail.message_id).case_id == case.pk
    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (OutboundMail.State.SENT, 1)


def test_english_customer_gets_the_english_wrapper(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    case = _case_from_mail(mailbox, language="en", subject="AW: Re: heat pump [KV-2026-000001]")

    tasks.send_case_reply.call(_agent_reply(case, "Hello Ms Schmidt"))
    outbound.deliver(outbound_id=OutboundMail.objects.get().pk)

    [sent] = smtp_sink.messages()
    assert sent["Subject"] == f"Re: heat pump [{case.number}]"
    assert f"Case number: {case.number}" in sent.get_content()


def test_smtp_down_keeps_the_reply_queued_and_sends_it_once_when_back(
    smtp_sink: SmtpSink,
) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    case = _case_from_mail(mailbox)
    tasks.send_case_reply.call(_agent_reply(case))
    mail = OutboundMail.objects.get()
    smtp_sink.stop()

    assert outbound.deliver(outbound_id=mail.pk) == OutboundMail.State.QUEUED
    mail.refresh_from_db()
    assert mail.attempts == 1
    assert "ConnectionRefusedError" in mail.last_error
    assert mail.next_attempt_at is not None
    assert mail.next_attempt_at > timezone.now()
    # Not due yet: a second nudge does nothing.
    assert outbound.deliver(outbound_id=mail.pk) == OutboundMail.State.QUEUED
    assert tasks.send_due_outbound.call() == 0

    smtp_sink.start()
    OutboundMail.objects.filter(pk=mail.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )  # the backoff has passed
    assert tasks.send_due_outbound.call() == 1
    assert tasks.send_due_outbound.call() == 0
    assert outbound.deliver(outbound_id=mail.pk) == OutboundMail.State.SENT

    assert len(smtp_sink.received) == 1
    mail.refresh_from_db()
    assert (mail.state, mail.attempts, mail.last_error) == (OutboundMail.State.SENT, 2, "")


def test_reply_ends_failed_and_visible_after_the_last_attempt(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    case = _case_from_mail(mailbox)
    tasks.send_case_reply.call(_agent_reply(case))
    mail = OutboundMail.objects.get()
    smtp_sink.stop()

    for _ in range(outbound.MAX_ATTEMPTS):
        OutboundMail.objects.filter(pk=mail.pk).update(next_attempt_at=timezone.now())
        outbound.deliver(outbound_id=mail.pk)

    mail.refresh_from_db()
    assert (mail.state, mail.attempts) == (OutboundMail.State.FAILED, outbound.MAX_ATTEMPTS)
    assert mail.next_attempt_at is None


def test_the_same_reaction_twice_queues_one_mail(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    case = _case_from_mail(mailbox)
    event_id = _agent_reply(case)

    tasks.send_case_reply.call(event_id)
    assert tasks.send_case_reply.call(event_id) == "already queued"

    assert OutboundMail.objects.count() == 1


def test_inbound_and_notes_are_not_mailed(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port)
    case = _case_from_mail(mailbox)
    event = record(
        "case.message_added",
        case_id=case.pk,
        channel="email",
        data={"message_id": 1, "direction": "inbound", "channel": "email"},
    )

    assert tasks.send_case_reply.call(event.pk) == "not an outbound e-mail"
    assert OutboundMail.objects.count() == 0


def test_acknowledgement_carries_auto_submitted_and_the_case_number(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port, send_acknowledgement=True)
    case = _case_from_mail(mailbox)

    tasks.send_acknowledgement.call(_processed_event(case))
    outbound.deliver(outbound_id=OutboundMail.objects.get().pk)

    [sent] = smtp_sink.messages()
    assert sent["Auto-Submitted"] == "auto-replied"
    # strip(): Django's compat32 folding puts a long encoded subject on a continuation line.
    assert sent["Subject"].strip() == f"Eingangsbestätigung: Störung Wärmepumpe [{case.number}]"
    assert sent["In-Reply-To"] == CUSTOMER_MAIL_ID
    assert f"die Vorgangsnummer {case.number}" in sent.get_content()


@pytest.mark.parametrize(
    ("from_address", "headers"),
    [
        ("noreply@shop.example", {}),
        ("MAILER-DAEMON@mx.example", {}),
        ("anna.schmidt@example.de", {"Auto-Submitted": "auto-replied"}),
        ("anna.schmidt@example.de", {"Precedence": "bulk"}),
    ],
)
def test_no_acknowledgement_to_automatic_senders(
    smtp_sink: SmtpSink, from_address: str, headers: dict[str, str]
) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port, send_acknowledgement=True)
    case = _case_from_mail(mailbox, from_address=from_address, headers=headers)

    reason = tasks.send_acknowledgement.call(_processed_event(case))

    assert reason.startswith("loop protection")
    assert list(OutboundMail.objects.values_list("state", flat=True)) == ["skipped"]
    assert tasks.send_due_outbound.call() == 0
    assert smtp_sink.received == []


def test_no_acknowledgement_when_the_mailbox_does_not_send_them(smtp_sink: SmtpSink) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port, send_acknowledgement=False)
    case = _case_from_mail(mailbox)

    assert tasks.send_acknowledgement.call(_processed_event(case)) == (
        "mailbox sends no acknowledgements"
    )
    assert OutboundMail.objects.count() == 0


@pytest.mark.parametrize(("automatic", "new_case"), [("out_of_office", True), ("", False)])
def test_no_acknowledgement_for_automatic_mail_or_follow_ups(
    smtp_sink: SmtpSink, automatic: str, new_case: bool
) -> None:
    mailbox = make_mailbox(smtp_port=smtp_sink.port, send_acknowledgement=True)
    case = _case_from_mail(mailbox)

    result = tasks.send_acknowledgement.call(
        _processed_event(case, automatic=automatic, new_case=new_case)
    )

    assert result == "no acknowledgement wanted"
    assert OutboundMail.objects.count() == 0


def test_guards_want_the_reactions_only_with_a_configured_mailbox() -> None:
    assert queries.any_sending_mailbox("case.message_added") is False
    make_mailbox(smtp_port=2525)
    assert queries.any_sending_mailbox("case.message_added") is True
    assert queries.any_acknowledging_mailbox("intake.processed") is False
    make_mailbox(name="Vertrieb", smtp_port=2525, send_acknowledgement=True)
    assert queries.any_acknowledging_mailbox("intake.processed") is True


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("Störung", "Re: Störung [KV-2026-000123]"),
        ("AW: Re: Störung", "Re: Störung [KV-2026-000123]"),
        ("Re: Störung [KV-2026-000123]", "Re: Störung [KV-2026-000123]"),
        ("WG: Fwd: Rechnung", "Re: Rechnung [KV-2026-000123]"),
        ("", "Re: Ihr Anliegen [KV-2026-000123]"),
    ],
)
def test_reply_subject_keeps_one_prefix_and_one_case_tag(subject: str, expected: str) -> None:
    assert outbound.reply_subject(subject, number="KV-2026-000123", language="de") == expected
