"""The inbound pipeline: from a stored mail to exactly one case message."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from kundenversteher.cases.models import Case, Channel, Message, Priority
from kundenversteher.events.models import Event
from kundenversteher.intake import pipeline
from kundenversteher.intake.models import InboundMessage, InboundState
from kundenversteher.intake.services import remember_message_id
from kundenversteher.intake.tasks import process_inbound, requeue_stale_inbound_task
from kundenversteher.knowledge.automation.models import AutomationDecision
from tests.customers.factories import make_customer, make_order
from tests.intake.factories import make_config, make_mail, receive_mail, run


def test_a_mail_opens_a_case_with_understanding_identity_and_steps(db):
    customer = make_customer("Schmidt", email="anna.schmidt@example.de")
    inbound_id = receive_mail(make_mail(message_id="<neu-1@example.de>")).inbound_id

    outcome = run(inbound_id)

    inbound = InboundMessage.objects.get(pk=inbound_id)
    message = Message.objects.get()
    case = message.case
    assert outcome.state == InboundState.DONE
    assert outcome.new_case is True
    assert (outcome.case_id, outcome.message_id) == (case.pk, message.pk)
    assert inbound.state == InboundState.DONE
    assert inbound.attempts == 1
    assert (inbound.case_id, inbound.case_message_id, inbound.customer_id) == (
        case.pk,
        message.pk,
        customer.pk,
    )
    assert case.subject == "Störung Wärmepumpe"
    assert case.channel == Channel.EMAIL
    assert case.customer_id == customer.pk
    assert case.language == "de"
    assert message.direction == Message.Direction.INBOUND
    assert message.raw_ref == f"intake:{inbound_id}"
    assert message.author_label == "Anna Schmidt"
    assert "Fehler E42" in message.body_text
    assert message.understanding["language"]["code"] == "de"
    assert message.understanding["text"] == (
        "Störung Wärmepumpe\n\nGuten Tag, meine Wärmepumpe zeigt den Fehler E42. Bitte um Rückruf."
    )
    assert message.identity == {
        "method": "email",
        "confidence": 0.97,
        "reason": "Absenderadresse anna.schmidt@example.de ist beim Kunden hinterlegt.",
        "customer_id": customer.pk,
        "candidates": [],
    }
    assert list(inbound.steps.values_list("name", "status")) == [
        ("parse", "ok"),
        ("understand", "ok"),
        ("identify", "ok"),
        ("enrich", "skipped"),
        ("thread", "ok"),
        ("decide", "ok"),
        ("file", "ok"),
    ]
    event = Event.objects.get(kind="intake.processed")
    assert event.case_id == case.pk
    assert event.customer_id == customer.pk
    assert event.channel == Channel.EMAIL
    assert event.payload == {
        "inbound_id": inbound_id,
        "message_id": message.pk,
        "new_case": True,
        "automatic": "",
        "language": "de",
        "to_address": "anna.schmidt@example.de",
        # No intent model in this test: the decision is to route, nothing is sent.
        "automation": "route",
        "automation_decision_id": AutomationDecision.objects.get().pk,
        "automation_sends": False,
    }


def test_processing_the_same_row_twice_files_one_case_message(db):
    inbound_id = receive_mail(make_mail()).inbound_id

    first = process_inbound.call(inbound_id)
    second = process_inbound.call(inbound_id)

    assert first["state"] == second["state"] == InboundState.DONE
    assert second["message_id"] is None  # the second run found nothing to do
    assert Message.objects.count() == 1
    assert Event.objects.filter(kind="intake.processed").count() == 1


def test_a_duplicate_delivery_ends_in_one_case_message(db):
    raw = make_mail(message_id="<zweimal@example.de>")
    first = receive_mail(raw, source="imap:Service/INBOX")
    run(first.inbound_id)

    again = receive_mail(b"X-Refetched: yes\r\n" + raw, source="imap:Service/INBOX")
    run(again.inbound_id)

    assert again.inbound_id == first.inbound_id
    assert Message.objects.count() == 1


def test_a_run_that_lost_its_claim_files_nothing(db):
    inbound_id = receive_mail(make_mail()).inbound_id
    stale_token = pipeline._claim(inbound_id)
    # The worker holding the claim is presumed dead; the sweeper releases the row and a new
    # run files the message.
    assert pipeline.release_stale(older_than=timedelta(0)) == [inbound_id]
    run(inbound_id)
    inbound = InboundMessage.objects.get(pk=inbound_id)

    # The old run wakes up and reaches its filing step.
    with pytest.raises(pipeline._ClaimLostError):
        pipeline._run(inbound, stale_token or "", make_config())

    assert Message.objects.count() == 1
    assert InboundMessage.objects.get(pk=inbound_id).case_message_id == inbound.case_message_id


def test_a_reply_threads_into_its_case_by_in_reply_to(db):
    first = receive_mail(make_mail(message_id="<frage@example.de>")).inbound_id
    case_id = run(first).case_id
    assert case_id is not None
    remember_message_id(message_id="<antwort-1@brenner-waermetechnik.de>", case_id=case_id)

    reply = make_mail(
        subject="AW: Ihre Anfrage",
        text="Danke, der Techniker kann am Dienstag kommen.",
        in_reply_to="<antwort-1@brenner-waermetechnik.de>",
        references="<frage@example.de> <antwort-1@brenner-waermetechnik.de>",
    )
    outcome = run(receive_mail(reply).inbound_id)

    assert outcome.case_id == case_id
    assert outcome.new_case is False
    assert Case.objects.count() == 1
    assert Message.objects.filter(case_id=case_id).count() == 2


def test_a_reply_to_the_customers_own_earlier_mail_threads_by_references(db):
    case_id = run(receive_mail(make_mail(message_id="<erste@example.de>")).inbound_id).case_id

    follow = make_mail(
        subject="Nachtrag", text="Noch ein Foto vom Display.", references="<erste@example.de>"
    )
    outcome = run(receive_mail(follow).inbound_id)

    assert outcome.case_id == case_id


def test_a_case_number_in_the_subject_threads_into_that_case(db):
    case_id = run(receive_mail(make_mail()).inbound_id).case_id
    number = Case.objects.get(pk=case_id).number

    outcome = run(
        receive_mail(
            make_mail(subject=f"Re: [{number}] Störung", text="Fehler ist wieder da.")
        ).inbound_id
    )

    assert outcome.case_id == case_id
    assert Case.objects.count() == 1


def test_another_customers_case_number_does_not_thread(db):
    make_customer("Schmidt", email="anna.schmidt@example.de")
    make_customer("Huber", first_name="Max", email="max.huber@example.de")
    case_id = run(receive_mail(make_mail()).inbound_id).case_id
    number = Case.objects.get(pk=case_id).number

    outcome = run(
        receive_mail(
            make_mail(
                subject=f"{number}",
                text="Ich möchte den Status sehen.",
                from_address="max.huber@example.de",
                from_name="Max Huber",
            )
        ).inbound_id
    )

    assert outcome.new_case is True
    assert outcome.case_id != case_id


def test_mail_to_a_closed_case_opens_a_linked_follow_up(db):
    case_id = run(receive_mail(make_mail(message_id="<alt@example.de>")).inbound_id).case_id
    Case.objects.filter(pk=case_id).update(status="closed")

    outcome = run(
        receive_mail(make_mail(subject="AW: Störung", in_reply_to="<alt@example.de>")).inbound_id
    )

    follow_up = Case.objects.get(pk=outcome.case_id)
    assert outcome.new_case is True
    assert follow_up.pk != case_id
    assert list(follow_up.links_from.values_list("to_case_id", flat=True)) == [case_id]
    assert Message.objects.filter(case_id=case_id).count() == 1


def test_an_out_of_office_reply_is_linked_but_never_acknowledged(db):
    case_id = run(receive_mail(make_mail()).inbound_id).case_id
    assert case_id is not None
    remember_message_id(message_id="<ack-7@brenner-waermetechnik.de>", case_id=case_id)
    status_before = Case.objects.get(pk=case_id).status

    auto = make_mail(
        subject="Abwesenheitsnotiz: Ihr Anliegen",
        text="Ich bin bis 30.11. nicht im Büro.",
        in_reply_to="<ack-7@brenner-waermetechnik.de>",
        headers={"Auto-Submitted": "auto-replied"},
    )
    inbound_id = receive_mail(auto).inbound_id
    outcome = run(inbound_id)

    inbound = InboundMessage.objects.get(pk=inbound_id)
    assert outcome.state == InboundState.DONE
    assert (inbound.case_id, inbound.case_message_id, inbound.automatic) == (
        case_id,
        None,
        "out_of_office",
    )
    assert Message.objects.filter(case_id=case_id).count() == 1
    assert Case.objects.get(pk=case_id).status == status_before
    processed = Event.objects.filter(kind="intake.processed").order_by("id")
    assert [e.payload["automatic"] for e in processed] == ["", "out_of_office"]


def test_a_bounce_of_unknown_mail_is_ignored_and_visible(db):
    bounce = make_mail(
        from_address="MAILER-DAEMON@mx.example.de",
        from_name="Mail Delivery System",
        subject="Undelivered Mail Returned to Sender",
        text="Your message could not be delivered.\n\nOriginal-Message-ID: <unbekannt@x.de>\n",
    )
    inbound_id = receive_mail(bounce).inbound_id

    outcome = run(inbound_id)

    inbound = InboundMessage.objects.get(pk=inbound_id)
    assert outcome.state == InboundState.IGNORED
    assert (inbound.state, inbound.automatic, inbound.case_id) == ("ignored", "bounce", None)
    assert not Case.objects.exists()
    assert not Event.objects.filter(kind="intake.processed").exists()
    assert Event.objects.filter(kind="intake.ignored").count() == 1


def test_an_order_number_in_the_text_identifies_the_customer_and_enriches(db):
    customer = make_customer("Berger", first_name="Jonas", email="jonas@berger.example")
    make_order(customer, number=4711)
    mail = make_mail(
        from_address="unbekannt@web.example",
        from_name="J. Berger",
        subject="Wo bleibt meine Lieferung?",
        text="Hallo, wann kommt meine Bestellung 4711? Viele Grüße",
    )

    outcome = run(receive_mail(mail).inbound_id)

    message = Message.objects.get(pk=outcome.message_id)
    assert message.case.customer_id == customer.pk
    assert message.identity["method"] == "order_number"
    assert message.identity["customer_id"] == customer.pk
    assert [o["number"] for o in message.understanding["enrichment"]["orders"]] == [4711]


def test_another_customers_order_is_never_shown(db):
    make_customer("Schmidt", email="anna.schmidt@example.de")
    other = make_customer("Huber", first_name="Max", email="max.huber@example.de")
    make_order(other, number=5123)

    outcome = run(
        receive_mail(make_mail(text="Was ist mit Bestellung 5123 meines Nachbarn?")).inbound_id
    )

    message = Message.objects.get(pk=outcome.message_id)
    assert message.identity["method"] == "email"
    assert "enrichment" not in message.understanding


def test_urgent_wording_raises_the_priority(db):
    mail = make_mail(
        subject="Heizung komplett ausgefallen",
        text="Unsere Heizung ist komplett ausgefallen, wir haben ein Baby im Haus und es ist "
        "eiskalt. Bitte sofort jemanden schicken, es ist ein Notfall!",
    )

    outcome = run(receive_mail(mail).inbound_id)

    case = Case.objects.get(pk=outcome.case_id)
    assert case.urgency in {"high", "critical"}
    assert case.priority == (Priority.URGENT if case.urgency == "critical" else Priority.HIGH)


def test_a_refused_attachment_is_noted_and_the_message_still_filed(db):
    mail = make_mail(
        text="Anbei die Rechnung.",
        attachments=[
            ("rechnung.pdf", "application/pdf", b"%PDF-1.4\n%%EOF\n"),
            ("tool.exe", "application/octet-stream", b"MZ\x90\x00" + b"\x00" * 64),
        ],
    )

    outcome = run(receive_mail(mail).inbound_id)

    message = Message.objects.get(pk=outcome.message_id)
    assert [a.original_filename for a in message.attachments.all()] == ["rechnung.pdf"]
    assert "„tool.exe“ nicht übernommen" in message.body_text


def test_the_sweeper_releases_only_rows_whose_worker_was_lost(db, settings):
    settings.KV_INTAKE_STALE_MINUTES = 15
    lost = receive_mail(make_mail()).inbound_id
    busy = receive_mail(make_mail()).inbound_id
    pipeline._claim(lost)
    pipeline._claim(busy)
    InboundMessage.objects.filter(pk=lost).update(
        claimed_at=timezone.now() - timedelta(minutes=16),
        received_at=timezone.now() - timedelta(minutes=17),
    )

    released = requeue_stale_inbound_task.call()

    assert released == 1
    assert InboundMessage.objects.get(pk=lost).state == InboundState.RECEIVED
    assert InboundMessage.objects.get(pk=busy).state == InboundState.PROCESSING
    assert list(
        DBTaskResult.objects.filter(task_path=process_inbound.module_path).values_list(
            "args_kwargs__args", flat=True
        )
    ) == [[lost]]


def test_the_phone_number_in_the_signature_identifies_the_sender(db):
    customer = make_customer("Schmidt", email="anna.schmidt@example.de", phone="0941 1234567")
    mail = make_mail(
        from_address="a.schmidt@firma.example",
        text="Die Anlage ist wieder aus, bitte melden Sie sich.\n\n-- \nAnna Schmidt\n"
        "Tel. 0941 1234567",
    )

    outcome = run(receive_mail(mail).inbound_id)

    message = Message.objects.get(pk=outcome.message_id)
    assert message.identity["method"] == "phone"
    assert message.identity["customer_id"] == customer.pk
    assert "Tel." not in message.body_text


def test_a_phone_number_in_the_text_does_not_identify_the_sender(db):
    make_customer("Huber", first_name="Max", email="max.huber@example.de", phone="0941 7654321")
    mail = make_mail(
        from_address="unbekannt@web.example",
        text="Unser Installateur Herr Huber ist unter 0941 7654321 erreichbar.",
    )

    outcome = run(receive_mail(mail).inbound_id)

    assert Message.objects.get(pk=outcome.message_id).identity == {
        "method": "",
        "confidence": 0.0,
        "reason": "Kein Kunde gefunden: weder Absenderadresse, Telefonnummer noch eine genannte "
        "Nummer ist hinterlegt.",
        "customer_id": None,
        "candidates": [],
    }
