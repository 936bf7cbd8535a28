"""Invoice copies as PDF (fpdf2), in the customer's language.

DejaVu Sans (Debian ``fonts-dejavu-core``) is embedded when present, so umlauts, "€" and "×"
print and the text can be extracted again; without it the PDF falls back to the built-in
Helvetica (Latin-1 only) and writes "EUR" and "x" instead.
"""

from __future__ import annotations

import logging
from datetime import datetime, time
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from kundenversteher.customers.types import InvoiceInfo
from kundenversteher.knowledge.answers.rendering import format_day, format_money

# fontTools logs every font subsetting step at INFO: one PDF would flood the service log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

BERLIN = ZoneInfo("Europe/Berlin")
FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
FONT_REGULAR = FONT_DIR / "DejaVuSans.ttf"
FONT_BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

LABELS: dict[str, dict[str, str]] = {
    "de": {
        "title": "Rechnung (Kopie)",
        "number": "Rechnungsnummer",
        "date": "Rechnungsdatum",
        "order": "Bestellnummer",
        "customer": "Kundennummer",
        "item": "Artikel",
        "quantity": "Menge",
        "unit": "Einzelpreis",
        "amount": "Betrag",
        "net": "Nettobetrag",
        "tax": "zzgl. USt. {rate} %",
        "gross": "Rechnungsbetrag",
        "paid": "Bezahlt am {day}.",
        "open": "Diese Rechnung ist noch offen.",
        "prices": "Alle Preise enthalten die gesetzliche Umsatzsteuer.",
    },
    "en": {
        "title": "Invoice (copy)",
        "number": "Invoice number",
        "date": "Invoice date",
        "order": "Order number",
        "customer": "Customer number",
        "item": "Item",
        "quantity": "Qty",
        "unit": "Unit price",
        "amount": "Amount",
        "net": "Net amount",
        "tax": "VAT {rate} %",
        "gross": "Invoice total",
        "paid": "Paid on {day}.",
        "open": "This invoice is still open.",
        "prices": "All prices include statutory VAT.",
    },
}


def invoice_filename(invoice: InvoiceInfo) -> str:
    return f"{invoice.number}.pdf"


def render_invoice_pdf(invoice: InvoiceInfo, *, language: str, company_name: str) -> bytes:
    labels = LABELS[language]
    pdf = FPDF(format="A4")
    pdf.set_title(f"{labels['title']} {invoice.number}")
    pdf.set_author(company_name)
    # The same invoice always gives the same bytes (no "now" inside the file).
    pdf.set_creation_date(datetime.combine(invoice.issued_on, time(), tzinfo=BERLIN))
    unicode_font = FONT_REGULAR.is_file() and FONT_BOLD.is_file()
    if unicode_font:
        pdf.add_font("DejaVu", "", str(FONT_REGULAR))
        pdf.add_font("DejaVu", "B", str(FONT_BOLD))
        family = "DejaVu"
    else:
        family = "Helvetica"

    def text(value: str) -> str:
        if unicode_font:
            return value
        return (
            value.replace("€", "EUR")
            .replace("×", "x")
            .encode("latin-1", "replace")
            .decode("latin-1")
        )

    def money(amount: Decimal) -> str:
        return text(format_money(amount, language))

    pdf.add_page()
    pdf.set_font(family, "B", 11)
    pdf.cell(0, 6, text(company_name), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font(family, "", 10)
    recipient = [
        invoice.billing_organisation,
        invoice.billing_name,
        invoice.billing_street,
        f"{invoice.billing_postcode} {invoice.billing_city}".strip(),
    ]
    for address_line in (row for row in recipient if row):
        pdf.cell(0, 5, text(address_line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(8)
    pdf.set_font(family, "B", 14)
    pdf.cell(0, 8, text(f"{labels['title']} {invoice.number}"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(family, "", 10)
    facts = [
        (labels["number"], invoice.number),
        (labels["date"], format_day(invoice.issued_on, language)),
        (labels["order"], str(invoice.order_number)),
    ]
    if invoice.customer_number:
        facts.append((labels["customer"], invoice.customer_number))
    for label, value in facts:
        pdf.cell(45, 5, text(label))
        pdf.cell(0, 5, text(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    widths = (95, 20, 35, 35)
    pdf.set_font(family, "B", 10)
    for width, key, align in zip(
        widths, ("item", "quantity", "unit", "amount"), ("L", "R", "R", "R"), strict=True
    ):
        pdf.cell(width, 6, text(labels[key]), border="B", align=align)
    pdf.ln()
    pdf.set_font(family, "", 10)
    for line in invoice.lines:
        pdf.cell(widths[0], 6, text(f"{line.sku} {line.name}")[:60])
        pdf.cell(widths[1], 6, str(line.quantity), align="R")
        pdf.cell(widths[2], 6, money(line.unit_price), align="R")
        pdf.cell(widths[3], 6, money(line.unit_price * line.quantity), align="R")
        pdf.ln()
    pdf.ln(3)
    rate = f"{invoice.vat_rate.normalize():f}".replace(".", "," if language == "de" else ".")
    totals = [
        (labels["net"], money(invoice.net), ""),
        (labels["tax"].format(rate=rate), money(invoice.tax), ""),
        (labels["gross"], money(invoice.gross), "B"),
    ]
    for label, value, style in totals:
        pdf.set_font(family, style, 10)
        pdf.cell(sum(widths[:3]), 6, text(label), align="R")
        pdf.cell(widths[3], 6, value, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(6)
    pdf.set_font(family, "", 9)
    status = (
        labels["paid"].format(day=format_day(invoice.paid_on, language))
        if invoice.paid_on is not None
        else labels["open"]
    )
    pdf.cell(0, 5, text(status), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.cell(0, 5, text(labels["prices"]), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())
