import pypdfium2 as pdfium
import pytest

from kundenversteher.customers.queries import find_invoice
from kundenversteher.knowledge.answers import compose
from kundenversteher.knowledge.answers.invoices import render_invoice_pdf
from tests.customers.factories import make_customer
from tests.knowledge.answers.factories import (
    COMPANY,
    NOW,
    make_clara,
    make_invoice,
    make_shipped_order,
    understanding_of,
)


@pytest.fixture(autouse=True)
def _company(settings):
    settings.KV_COMPANY_NAME = COMPANY


def pdf_text(content: bytes) -> str:
    document = pdfium.PdfDocument(content)
    try:
        return "\n".join(page.get_textpage().get_text_range() for page in document)
    finally:
        document.close()


def test_invoice_copy_attaches_the_pdf_of_the_named_invoice(db):
    clara = make_clara()
    order = make_shipped_order(clara)
    invoice = make_invoice(order)

    answer = compose(
        intent="invoice_copy",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of(f"Bitte senden Sie mir die Rechnung {invoice.number}."),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.subject == "Rechnungskopie RE-2026-000001"
    assert (
        "eine Kopie der Rechnung RE-2026-000001 vom 22. November 2026 zu Ihrer Bestellung 4711 "
        "über 8.990,00\xa0€ (Status: offen) als PDF-Datei." in answer.body
    )
    [attachment] = answer.attachments
    assert (attachment.filename, attachment.content_type) == (
        "RE-2026-000001.pdf",
        "application/pdf",
    )
    assert attachment.content.startswith(b"%PDF")
    text = pdf_text(attachment.content)
    assert "RE-2026-000001" in text
    assert "Clara Schmidt" in text
    assert "Lindenstraße 12" in text
    assert "KD-104711" in text
    assert "7.554,62\xa0€" in text
    assert "1.435,38\xa0€" in text
    assert "Rechnungsbetrag 8.990,00\xa0€" in text


def test_invoice_of_the_named_order_is_found_without_an_invoice_number(db):
    clara = make_clara()
    make_invoice(make_shipped_order(clara))
    make_invoice(make_shipped_order(clara, number=4712))

    answer = compose(
        intent="invoice_copy",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Ich brauche die Rechnung zu Bestellung 4711."),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert answer.slots["invoice.number"] == "RE-2026-000001"


def test_someone_elses_invoice_is_not_sent(db):
    clara = make_clara()
    make_invoice(make_shipped_order(clara))
    other = make_customer("Huber", first_name="Georg", email="georg@example.de")
    foreign = make_invoice(make_shipped_order(other, number=5012))

    answer = compose(
        intent="invoice_copy",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of(f"Bitte Rechnung {foreign.number} als Kopie."),
        now=NOW,
    )

    assert not answer.ok
    assert answer.attachments == ()
    assert answer.missing == ("invoice.number",)
    assert answer.reason == "Rechnung RE-2026-000002 ist bei diesem Kunden nicht bekannt."


def test_english_invoice_pdf_is_in_english(db):
    clara = make_clara(language="en")
    make_invoice(make_shipped_order(clara))

    answer = compose(
        intent="invoice_copy",
        language="en",
        customer_id=clara.id,
        understanding=understanding_of("Please send me a copy of my invoice."),
        now=NOW,
    )

    assert answer.ok, answer.reason
    assert "over €8,990.00 (status: open)" in answer.body
    text = pdf_text(answer.attachments[0].content)
    assert "Invoice (copy) RE-2026-000001" in text
    assert "22 November 2026" in text


def test_pdf_falls_back_to_a_core_font_without_dejavu(db, monkeypatch, tmp_path):
    from kundenversteher.knowledge.answers import invoices

    clara = make_clara()
    invoice = make_invoice(make_shipped_order(clara))
    monkeypatch.setattr(invoices, "FONT_REGULAR", tmp_path / "missing.ttf")

    content = render_invoice_pdf(find_invoice(invoice.number), language="de", company_name=COMPANY)

    text = pdf_text(content)
    assert "RE-2026-000001" in text
    assert "8.990,00 EUR" in text
    assert "Lindenstraße 12" in text


def test_invoice_pdf_is_the_same_bytes_twice(db):
    clara = make_clara()
    invoice = find_invoice(make_invoice(make_shipped_order(clara)).number)

    first = render_invoice_pdf(invoice, language="de", company_name=COMPANY)
    second = render_invoice_pdf(invoice, language="de", company_name=COMPANY)

    assert first == second


def test_without_company_name_no_invoice_goes_out(db, settings):
    settings.KV_COMPANY_NAME = ""
    clara = make_clara()
    make_invoice(make_shipped_order(clara))

    answer = compose(
        intent="invoice_copy",
        language="de",
        customer_id=clara.id,
        understanding=understanding_of("Rechnung bitte."),
        now=NOW,
    )

    assert not answer.ok
    assert answer.missing == ("company.name",)
