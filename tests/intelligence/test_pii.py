from __future__ import annotations

import pytest

from kundenversteher.intelligence.pii import find_pii, merge_spans, redact
from kundenversteher.intelligence.types import PiiSpan
from tests.intelligence.factories import make_heating_mail


def pii_texts(text: str) -> list[tuple[str, str]]:
    return [(s.kind, text[s.start : s.end]) for s in find_pii(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mail: anna.schmidt@example.de", ("EMAIL", "anna.schmidt@example.de")),
        ("Tel 0171 1234567", ("PHONE", "0171 1234567")),
        ("IBAN DE89 3704 0044 0532 0130 00", ("IBAN", "DE89 3704 0044 0532 0130 00")),
        ("Kundennummer KD-104711", ("CUSTOMER_NUMBER", "KD-104711")),
        ("Sehr geehrter Herr Müller,", ("PERSON", "Müller")),
        ("Hallo Frau Dr. Anna Schmidt,", ("PERSON", "Anna Schmidt")),
        ("Dear Mr. John Smith,", ("PERSON", "John Smith")),
        ("Hallo Anna,\nwie geht's", ("PERSON", "Anna")),
        ("wohne in der Musterstraße 12a", ("ADDRESS", "Musterstraße 12a")),
        ("Am Lindenhof 3", ("ADDRESS", "Am Lindenhof 3")),
        ("80331 München", ("POSTCODE", "80331 München")),
        ("Karte 4539 1488 0343 6467 belastet", ("CREDIT_CARD", "4539 1488 0343 6467")),
        ("Steuer-ID 86095742719", ("TAX_ID", "86095742719")),
    ],
)
def test_pii_kinds_are_found(text: str, expected: tuple[str, str]) -> None:
    assert expected in pii_texts(text)


@pytest.mark.parametrize(
    "closing", ["Mit freundlichen Grüßen", "Viele Grüße", "Best regards", "Kind regards", "MfG"]
)
def test_name_after_closing_formula_is_found(closing: str) -> None:
    text = f"Bitte um Rückruf.\n\n{closing}\nMax Mustermann\n"
    assert ("PERSON", "Max Mustermann") in pii_texts(text)


def test_card_number_failing_luhn_is_not_reported() -> None:
    assert [k for k, _ in pii_texts("Nummer 4539 1488 0343 6468")] == []


def test_invalid_tax_id_is_not_reported() -> None:
    assert "TAX_ID" not in [k for k, _ in pii_texts("Nummer 12345678901")]


def test_redact_replaces_spans_with_placeholders() -> None:
    text = "Herr Müller, mail an a@b.de"
    assert redact(text, find_pii(text)) == "Herr «PERSON», mail an «EMAIL»"


def test_redact_merges_overlapping_spans() -> None:
    spans = [PiiSpan("POSTCODE", 0, 5), PiiSpan("ADDRESS", 3, 12)]
    assert merge_spans(spans) == [PiiSpan("ADDRESS", 0, 12)]
    assert redact("abcdefghijklmn", spans) == "«ADDRESS»mn"


def test_redact_ignores_spans_outside_the_text() -> None:
    assert redact("abc", [PiiSpan("EMAIL", 2, 10), PiiSpan("PHONE", 20, 30)]) == "ab«EMAIL»"


def test_sample_mail_keeps_no_personal_data_after_redaction() -> None:
    text = make_heating_mail()
    redacted = redact(text, find_pii(text))
    for secret in ("KD-104711", "0171 1234567", "Max Mustermann", "Musterstraße 12", "80331"):
        assert secret not in redacted
    assert "WV-200123" in redacted  # a contract number is no personal data on its own
