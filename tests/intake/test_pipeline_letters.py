"""Letters, faxes and scan-to-mail through the pipeline: the text comes from the scan."""

from __future__ import annotations

import pytest

from kundenversteher.cases.models import Case, Channel, Message
from kundenversteher.intake.models import InboundMessage
from kundenversteher.intake.queries import get_original
from kundenversteher.intake.services import receive
from tests.customers.factories import make_customer
from tests.intake.factories import make_mail, receive_mail, run
from tests.intake.letters.generate import make_letter, render_letter, to_png, to_text_pdf


def test_a_letter_pdf_becomes_a_letter_case_identified_by_its_customer_number(db):
    letter = make_letter(0)
    customer = make_customer("Vogel", first_name="Helga", customer_number=letter.customer_number)
    pdf = to_text_pdf(letter)
    inbound_id = receive(
        channel=Channel.LETTER,
        raw=pdf,
        source="dropfolder",
        content_type="application/pdf",
        filename="brief-0001.pdf",
    ).inbound_id

    outcome = run(inbound_id)

    case = Case.objects.get(pk=outcome.case_id)
    message = Message.objects.get(pk=outcome.message_id)
    assert case.channel == Channel.LETTER
    assert case.subject == "Brief: brief-0001.pdf"
    assert case.customer_id == customer.pk
    assert message.identity["method"] == "customer_number"
    assert "Sehr geehrte Damen und Herren" in message.body_text
    assert [a.original_filename for a in message.attachments.all()] == ["brief-0001.pdf"]
    original = get_original(raw_ref=message.raw_ref)
    assert original is not None
    assert original.content == pdf
    assert original.channel == Channel.LETTER


@pytest.mark.slow
def test_a_scanned_image_is_read_by_ocr_and_keeps_its_confidence(db):
    letter = make_letter(1)
    png = to_png(render_letter(letter))
    inbound_id = receive(
        channel=Channel.FAX, raw=png, source="fax", content_type="image/png", filename="fax.png"
    ).inbound_id

    outcome = run(inbound_id)

    message = Message.objects.get(pk=outcome.message_id)
    inbound = InboundMessage.objects.get(pk=inbound_id)
    assert message.case.subject == "Fax: fax.png"
    assert letter.customer_number in message.body_text
    assert inbound.ocr_confidence is not None
    assert 50 <= inbound.ocr_confidence <= 100


def test_a_scan_to_mail_without_text_gets_the_scan_text_marked_as_ocr(db):
    letter = make_letter(2)
    mail = make_mail(
        text="",
        subject="Scan from MFP",
        from_address="scanner@praxis.example",
        from_name="",
        attachments=[("scan.pdf", "application/pdf", to_text_pdf(letter))],
    )

    outcome = run(receive_mail(mail).inbound_id)

    message = Message.objects.get(pk=outcome.message_id)
    assert message.body_text.startswith("[Texterkennung (OCR) aus „scan.pdf“]\n")
    assert f"Bestellung {letter.order_number}" in message.body_text
